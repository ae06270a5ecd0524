"""d2lopt: the package behind "Optimization for Deep Learning".

Derivatives and optimizers that run on NumPy (through autograd), PyTorch,
TensorFlow or JAX, chosen from the array you pass in; the chapter's loss landscapes;
and plotting helpers for its figures.

>>> import numpy as np, d2lopt
>>> d2lopt.grad(d2lopt.landscapes.saddle)(np.array([1.0, 1.0]))
array([ 2., -2.])

For the d2l.ai convention of one namespace per framework::

    from d2lopt import torch as d2l      # or numpy, tensorflow, jax
    x = d2l.tensor([1.0, 1.0])
"""

from __future__ import annotations

import importlib
from typing import Any

from d2lopt import landscapes
from d2lopt.backends import SUPPORTED, backend_for, default_backend_name, get_backend
from d2lopt.critical import CriticalPoint, critical_point
from d2lopt.derivatives import grad, hessian, hvp, value_and_grad

__version__ = "0.1.0"

__all__ = [
    "SUPPORTED", "CriticalPoint", "backend_for", "critical_point", "default_backend_name",
    "get_backend", "grad", "hessian", "hvp", "landscapes", "optim", "plot", "use",
    "value_and_grad",
]

# Submodules loaded on first use: ``optim`` and ``plot`` pull in SciPy and
# matplotlib; the framework namespaces (``numpy``, ``torch``...) import their framework.
_LAZY = {"optim", "plot", "nets", "spectrum", "chapter", *SUPPORTED}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return importlib.import_module(f"d2lopt.{name}")
    raise AttributeError(f"module 'd2lopt' has no attribute {name!r}")


def use(name: str | None = None) -> Any:
    """Return the namespace bound to one framework, e.g. ``d2lopt.torch``.

    Parameters
    ----------
    name : str, optional
        One of ``d2lopt.SUPPORTED`` (``"numpy"``, ``"torch"``, ``"tensorflow"``,
        ``"jax"``) or an alias; by default the
        ``D2LOPT_BACKEND`` environment variable, else ``"numpy"``.

    Examples
    --------
    >>> d2l = use("numpy")
    >>> d2l.tensor([1, 2]).dtype
    dtype('float64')
    """
    from d2lopt.backends import _canonical

    key = default_backend_name() if name is None else _canonical(name)
    get_backend(key)  # raises the install hint if the framework is missing
    return importlib.import_module(f"d2lopt.{key}")
