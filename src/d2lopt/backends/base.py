"""The interface every framework adapter implements."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

Array = Any
Scalar = Callable[[Array], Array]


class Backend:
    """Derivatives, conversions and the few elementwise functions d2lopt needs.

    A landscape is written once against this interface: ``ops.cos(x)`` calls
    NumPy (through autograd), PyTorch or TensorFlow depending on ``x``.
    Subclasses implement every method that raises ``NotImplementedError``.
    """

    name: str = "abstract"
    pi: float = math.pi

    # -- recognising and making arrays ------------------------------------
    def owns(self, x: Any) -> bool:
        """Whether ``x`` is an array of this framework."""
        raise NotImplementedError

    def tensor(self, data: Any, dtype: Any = None) -> Array:
        """Make an array of this framework (float64 unless ``dtype`` says otherwise)."""
        raise NotImplementedError

    def to_numpy(self, x: Array) -> np.ndarray:
        """Copy ``x`` into a NumPy array."""
        raise NotImplementedError

    def as_float(self, x: Array) -> Array:
        """``x`` as a floating-point array of this framework (integers become float64)."""
        raise NotImplementedError

    # -- derivatives of a scalar function ---------------------------------
    def grad(self, f: Scalar, x: Array) -> Array:
        raise NotImplementedError

    def hessian(self, f: Scalar, x: Array) -> Array:
        raise NotImplementedError

    def hvp(self, f: Scalar, x: Array, v: Array) -> Array:
        raise NotImplementedError

    # -- elementwise math used by the landscapes --------------------------
    def cos(self, x: Array) -> Array:
        raise NotImplementedError

    def sin(self, x: Array) -> Array:
        raise NotImplementedError

    def exp(self, x: Array) -> Array:
        raise NotImplementedError

    def log(self, x: Array) -> Array:
        raise NotImplementedError

    def tanh(self, x: Array) -> Array:
        raise NotImplementedError

    def sqrt(self, x: Array) -> Array:
        raise NotImplementedError

    def abs(self, x: Array) -> Array:
        raise NotImplementedError

    def sigmoid(self, x: Array) -> Array:
        return 1.0 / (1.0 + self.exp(-x))

    def log1p(self, x: Array) -> Array:
        raise NotImplementedError

    def stack(self, xs: list[Array], axis: int = 0) -> Array:
        raise NotImplementedError

    def sum(self, x: Array, axis: int | None = None) -> Array:
        raise NotImplementedError

    def where(self, condition: Array, x: Array, y: Array) -> Array:
        raise NotImplementedError

    def shape(self, x: Array) -> tuple[int, ...]:
        return tuple(int(n) for n in np.shape(self.to_numpy(x)))

    def __repr__(self) -> str:
        return f"<d2lopt backend {self.name!r}>"
