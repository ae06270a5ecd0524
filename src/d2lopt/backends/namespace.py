"""Build the per-framework namespaces: ``d2lopt.numpy``, ``d2lopt.torch``, ``d2lopt.jax``...

Each namespace module is two lines that call :func:`populate`: adding a framework
adds no code here. ``from d2lopt import torch as d2l`` then gives the d2l.ai style
of one namespace per framework, and ``from d2lopt.torch import *`` imports exactly
the names :func:`populate` binds.

Examples
--------
>>> from d2lopt import numpy as d2l
>>> d2l.grad(d2l.landscapes.saddle)(d2l.tensor([1.0, 1.0]))
array([ 2., -2.])
>>> "populate" in d2l.__all__, "tensor" in d2l.__all__
(False, True)
"""

from __future__ import annotations

from typing import Any

from d2lopt.backends.base import ELEMENTWISE

#: The array functions each namespace takes from its backend, besides the elementwise ones.
ARRAY_FUNCTIONS = ("stack", "sum", "where")


def populate(namespace: dict[str, Any], name: str) -> None:
    """Fill a module's globals with d2lopt's public API bound to one framework.

    Everything generic (``grad``, ``hessian``, ``critical_point``, the
    optimizers, the landscapes) is the same object as in :mod:`d2lopt`; what is
    bound is ``tensor`` (which makes arrays of this framework), ``to_numpy``,
    ``backend`` and the array functions (``cos``, ``exp``, ``tanh``, ``sum``...).
    The module's ``__all__`` lists exactly these names.

    Parameters
    ----------
    namespace : dict
        The ``globals()`` of the namespace module.
    name : str
        The backend's name, one of :data:`d2lopt.SUPPORTED`.
    """
    import d2lopt
    from d2lopt import landscapes, optim
    from d2lopt.backends import get_backend

    backend = get_backend(name)

    def tensor(data: Any, dtype: Any = None) -> Any:
        return backend.tensor(data, dtype)

    tensor.__doc__ = f"Make a {backend.name} array (float64 unless ``dtype`` is given)."
    public: dict[str, Any] = dict(
        backend=backend,
        tensor=tensor,
        to_numpy=backend.to_numpy,
        grad=d2lopt.grad,
        hessian=d2lopt.hessian,
        hvp=d2lopt.hvp,
        value_and_grad=d2lopt.value_and_grad,
        critical_point=d2lopt.critical_point,
        landscapes=landscapes,
        optim=optim,
        pi=backend.pi,
    )
    public.update((op, getattr(backend, op)) for op in ELEMENTWISE + ARRAY_FUNCTIONS)
    public.update((item, getattr(optim, item)) for item in optim.__all__)
    namespace.update(public, __all__=sorted(public))
