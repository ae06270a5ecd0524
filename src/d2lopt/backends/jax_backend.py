"""JAX adapter: ``jax.grad``, ``jax.hessian`` and forward-over-reverse Hessian-vector products.

Importing this module enables JAX's 64-bit mode (``jax_enable_x64``). Every
other backend computes in float64 (``d2l.tensor`` makes float64 arrays, and the
chapter's numbers are float64 results); without the flag, JAX turns every
float64 request into float32, silently, and the JAX tab of a page would print
different digits. The flag is process-wide: once a JAX array has been handed to
d2lopt (or ``d2lopt.jax`` imported), ``jnp.zeros(3)`` elsewhere in the same
process is float64 too. Arrays made before that keep their dtype.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from d2lopt.backends.base import Array, Backend, Scalar

jax.config.update("jax_enable_x64", True)


class JaxBackend(Backend):
    """JAX arrays (and tracers), differentiated by JAX's transformations."""

    name = "jax"
    array_type = "jax.Array"
    xp = jnp

    def owns(self, x: Any) -> bool:
        return isinstance(x, (jax.Array, jax.core.Tracer))

    def tensor(self, data: Any, dtype: Any = None) -> jax.Array:
        return jnp.asarray(data, dtype=jnp.float64 if dtype is None else dtype)

    def to_numpy(self, x: Array) -> np.ndarray:
        return np.array(x, dtype=float)

    def as_float(self, x: Array) -> Array:
        x = jnp.asarray(x)
        return x if jnp.issubdtype(x.dtype, jnp.floating) else x.astype(jnp.float64)

    def all_finite(self, x: Array) -> bool:
        # Under jax.jit a tracer has no values yet: there is nothing to check.
        return isinstance(x, jax.core.Tracer) or super().all_finite(x)

    def value_and_grad(self, f: Scalar, x: Array) -> tuple[Array, Array]:
        value, pullback = jax.vjp(f, x)
        self.require_scalar(value)
        (g,) = pullback(jnp.ones_like(value))
        return value, g

    def hessian(self, f: Scalar, x: Array) -> Array:
        self.require_scalar(f(x))
        return jax.hessian(f)(x)

    def hvp(self, f: Scalar, x: Array, v: Array) -> Array:
        # Forward over reverse: the directional derivative of the gradient along v.
        self.require_scalar(f(x))
        return jax.jvp(jax.grad(f), (x,), (jnp.asarray(v, dtype=x.dtype),))[1]


BACKEND = JaxBackend()
