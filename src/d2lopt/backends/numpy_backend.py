"""NumPy adapter: derivatives through autograd."""

from __future__ import annotations

from typing import Any

import autograd
import autograd.numpy as anp
import numpy as np
from autograd.tracer import Box

from d2lopt.backends.base import Array, Backend, Scalar


class NumPyBackend(Backend):
    """NumPy arrays, differentiated by autograd (reverse mode)."""

    name = "numpy"
    array_type = "NumPy array"
    xp = anp

    def owns(self, x: Any) -> bool:
        return isinstance(x, (np.ndarray, np.generic, Box, float, int, list, tuple)) and not (
            isinstance(x, bool)
        )

    def tensor(self, data: Any, dtype: Any = None) -> np.ndarray:
        return np.asarray(data, dtype=np.float64 if dtype is None else dtype)

    def to_numpy(self, x: Array) -> np.ndarray:
        if isinstance(x, Box):
            x = x._value
        return np.array(x, dtype=float if not np.iscomplexobj(x) else complex)

    def as_float(self, x: Array) -> Array:
        if isinstance(x, Box):
            return x
        x = np.asarray(x)
        return x if np.issubdtype(x.dtype, np.floating) else x.astype(np.float64)

    def value_and_grad(self, f: Scalar, x: Array) -> tuple[Array, Array]:
        vjp, value = autograd.make_vjp(f)(x)
        self.require_scalar(value)
        return value, vjp(anp.ones_like(value))

    def hessian(self, f: Scalar, x: Array) -> Array:
        self.require_scalar(f(x))
        return autograd.hessian(f)(x)

    def hvp(self, f: Scalar, x: Array, v: Array) -> Array:
        self.require_scalar(f(x))
        return autograd.grad(lambda y: anp.sum(autograd.grad(f)(y) * v))(x)


BACKEND = NumPyBackend()
