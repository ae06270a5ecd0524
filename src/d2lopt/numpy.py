"""d2lopt bound to numpy: ``from d2lopt import numpy as d2l``.

``d2l.tensor(...)`` makes numpy arrays; ``d2l.grad``, ``d2l.hessian``,
``d2l.critical_point``, the optimizers and ``d2l.landscapes`` are d2lopt's own.

Examples
--------
>>> from d2lopt import numpy as d2l  # doctest: +SKIP
>>> d2l.grad(d2l.landscapes.saddle)(d2l.tensor([1.0, 1.0]))  # doctest: +SKIP
"""

from d2lopt.backends.namespace import populate

populate(globals(), "numpy")
del populate
