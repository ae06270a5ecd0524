"""d2lopt bound to JAX: ``from d2lopt import jax as d2l`` (see backends.namespace)."""

from d2lopt.backends.namespace import populate as _populate

_populate(globals(), "jax")
