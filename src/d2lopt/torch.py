"""d2lopt bound to PyTorch: ``from d2lopt import torch as d2l`` (see backends.namespace)."""

from d2lopt.backends.namespace import populate as _populate

_populate(globals(), "torch")
