"""Build the per-framework namespaces ``d2lopt.numpy``, ``d2lopt.torch``, ``d2lopt.tensorflow``."""

from __future__ import annotations

from typing import Any


def populate(namespace: dict[str, Any], name: str) -> None:
    """Fill a module's globals with d2lopt's public API bound to one framework.

    Everything generic (``grad``, ``hessian``, ``critical_point``, the
    optimizers, the landscapes) is the same object as in :mod:`d2lopt`; what is
    bound is ``tensor`` (which makes arrays of this framework), ``to_numpy``,
    ``backend`` and the elementwise functions (``cos``, ``exp``, ``tanh``...).
    """
    import d2lopt
    from d2lopt import landscapes, optim
    from d2lopt.backends import get_backend

    backend = get_backend(name)

    def tensor(data: Any, dtype: Any = None) -> Any:
        """Make an array of this framework, float64 unless ``dtype`` is given."""
        return backend.tensor(data, dtype)

    tensor.__doc__ = f"Make a {name} array (float64 unless ``dtype`` is given)."
    namespace.update(
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
    for op in ("cos", "sin", "exp", "log", "tanh", "sqrt", "abs", "sigmoid", "log1p", "stack",
               "sum", "where"):
        namespace[op] = getattr(backend, op)
    for public in optim.__all__:
        namespace[public] = getattr(optim, public)
    namespace["__all__"] = sorted(k for k in namespace if not k.startswith("_"))
