"""The interface every framework adapter implements.

:class:`Backend` declares every method the rest of d2lopt calls on an adapter.
What the frameworks share is written here once: the check that a function
returns a scalar, the finiteness test, and the elementwise functions, which are
looked up by name (:data:`ELEMENTWISE`) in the framework's array module
:attr:`Backend.xp`. An adapter supplies the rest: recognising and making arrays,
and the three derivatives.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

__all__ = ["Array", "Backend", "ELEMENTWISE", "Scalar"]

Array = Any
Scalar = Callable[[Array], Array]

#: The elementwise functions of every backend: each calls the function of the same
#: name in the adapter's array module ``xp`` (``sigmoid`` falls back to
#: :math:`1 / (1 + e^{-x})` where ``xp`` has none).
ELEMENTWISE: tuple[str, ...] = (
    "cos", "sin", "exp", "log", "tanh", "sqrt", "abs", "log1p", "sigmoid",
)


def _elementwise(name: str) -> Callable[[Backend, Array], Array]:
    def op(self: Backend, x: Array) -> Array:
        return getattr(self.xp, name)(x)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = (f"``{name}(x)`` elementwise, by the framework's own ``{name}`` "
                  "(differentiable by the framework).")
    return op


class Backend:
    """Derivatives, conversions and the few array functions d2lopt needs.

    A landscape is written once against this interface: ``ops.cos(x)`` calls
    NumPy (through autograd), PyTorch, TensorFlow or JAX depending on ``x``.
    Subclasses set :attr:`name`, :attr:`array_type` and :attr:`xp` and implement
    every method that raises ``NotImplementedError``.

    Examples
    --------
    >>> from d2lopt.backends import get_backend
    >>> ops = get_backend("numpy")
    >>> ops.cos(ops.tensor([0.0])).tolist(), ops.shape(ops.tensor([[1, 2, 3]]))
    ([1.0], (1, 3))
    """

    #: The name :func:`d2lopt.get_backend` knows the adapter by.
    name: str = "abstract"
    #: How error messages name this framework's arrays (``"torch.Tensor"``).
    array_type: str = "array"
    #: The framework's module of array functions (``autograd.numpy``, ``torch``...).
    xp: Any = None
    pi: float = math.pi

    # -- recognising and making arrays ------------------------------------
    def owns(self, x: Any) -> bool:
        """Whether ``x`` is an array of this framework (tracers included)."""
        raise NotImplementedError

    def tensor(self, data: Any, dtype: Any = None) -> Array:
        """Make an array of this framework (float64 unless ``dtype`` says otherwise)."""
        raise NotImplementedError

    def to_numpy(self, x: Array) -> np.ndarray:
        """Copy ``x`` into a float NumPy array, detached from any derivative."""
        raise NotImplementedError

    def as_float(self, x: Array) -> Array:
        """``x`` as a floating-point array of this framework (integers become float64)."""
        raise NotImplementedError

    def shape(self, x: Array) -> tuple[int, ...]:
        """The shape of ``x`` as a tuple of Python ints (``()`` for a scalar)."""
        return tuple(int(n) for n in np.shape(x))

    def all_finite(self, x: Array) -> bool:
        """Whether every entry of ``x`` is finite (no NaN, no infinity)."""
        return bool(np.all(np.isfinite(self.to_numpy(x))))

    def is_complex(self, x: Array) -> bool:
        """Whether ``x`` holds complex numbers (by its dtype; Python data by its entries)."""
        dtype = getattr(x, "dtype", None)
        if dtype is None:  # a Python number, list or tuple
            return bool(np.iscomplexobj(np.asarray(x)))
        flag = getattr(dtype, "is_complex", None)  # torch.dtype and tf.DType say it themselves
        if isinstance(flag, bool):
            return flag
        return bool(np.issubdtype(np.dtype(dtype), np.complexfloating))

    def epsilon(self, x: Array) -> float:
        """The machine epsilon of ``x``'s floating-point dtype (``2.2e-16`` for float64).

        Examples
        --------
        >>> import numpy as np
        >>> from d2lopt.backends import get_backend
        >>> get_backend("numpy").epsilon(np.zeros(2, dtype=np.float32))
        1.1920928955078125e-07
        """
        dtype = getattr(x, "dtype", np.float64)
        return float(np.finfo(getattr(dtype, "as_numpy_dtype", dtype)).eps)

    # -- derivatives of a scalar function ---------------------------------
    def require_scalar(self, value: Any) -> None:
        """Raise unless ``value``, the output of a function to differentiate, is a scalar.

        Raises
        ------
        TypeError
            If ``value`` is not an array of this framework.
        ValueError
            If ``value`` has more than one entry.
        """
        if not self.owns(value):
            raise TypeError(
                f"the function must return a {self.array_type} computed from its input, "
                f"got {type(value)}"
            )
        if self.shape(value) != ():
            raise ValueError(
                f"the function must return a scalar, got an output of shape "
                f"{self.shape(value)}; to differentiate a landscape evaluated on many points, "
                "sum its values first"
            )

    def value_and_grad(self, f: Scalar, x: Array) -> tuple[Array, Array]:
        """``(f(x), ∇f(x))`` in one pass; ``x`` is a float array of this framework."""
        raise NotImplementedError

    def grad(self, f: Scalar, x: Array) -> Array:
        """The gradient ``∇f(x)``, shaped like ``x``."""
        return self.value_and_grad(f, x)[1]

    def hessian(self, f: Scalar, x: Array) -> Array:
        """The Hessian ``∇²f(x)``, of shape ``x.shape + x.shape``."""
        raise NotImplementedError

    def hvp(self, f: Scalar, x: Array, v: Array) -> Array:
        """The Hessian-vector product ``∇²f(x) v`` without forming the Hessian."""
        raise NotImplementedError

    # -- array functions used by the landscapes ---------------------------
    cos = _elementwise("cos")
    sin = _elementwise("sin")
    exp = _elementwise("exp")
    log = _elementwise("log")
    tanh = _elementwise("tanh")
    sqrt = _elementwise("sqrt")
    abs = _elementwise("abs")
    log1p = _elementwise("log1p")

    def sigmoid(self, x: Array) -> Array:
        """The logistic function :math:`1 / (1 + e^{-x})`, elementwise."""
        own = getattr(self.xp, "sigmoid", None)
        return own(x) if own is not None else 1.0 / (1.0 + self.exp(-x))

    def stack(self, xs: Sequence[Array], axis: int = 0) -> Array:
        """Join arrays of one shape along a new axis ``axis``."""
        return self.xp.stack(list(xs), axis=axis)

    def sum(self, x: Array, axis: int | None = None) -> Array:
        """The sum of the entries of ``x`` (along ``axis`` if given)."""
        return self.xp.sum(x, axis=axis)

    def where(self, condition: Array, x: Array, y: Array) -> Array:
        """``x`` where ``condition`` holds, else ``y``, elementwise."""
        return self.xp.where(condition, x, y)

    def __repr__(self) -> str:
        return f"<d2lopt backend {self.name!r}>"
