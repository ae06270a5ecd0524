"""d2lopt bound to NumPy: ``from d2lopt import numpy as d2l`` (see backends.namespace)."""

from d2lopt.backends.namespace import populate as _populate

_populate(globals(), "numpy")
