"""d2lopt bound to TensorFlow: ``from d2lopt import tensorflow as d2l`` (see backends.namespace)."""

from d2lopt.backends.namespace import populate as _populate

_populate(globals(), "tensorflow")
