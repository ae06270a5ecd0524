"""JAX adapter: ``jax.grad``, ``jax.hessian`` and forward-over-reverse Hessian-vector products.

Importing this module enables JAX's 64-bit mode (``jax_enable_x64``). Every
other backend computes in float64 (``d2l.tensor`` makes float64 arrays, and the
chapter's numbers are float64 results); without the flag, JAX turns every
float64 request into float32, silently, and the JAX tab of a page would print
different digits. The flag is process-wide: once a JAX array has been handed to
d2lopt (or ``d2lopt.jax`` imported), ``jnp.zeros(3)`` elsewhere in the same
process is float64 too. Arrays made before that keep their dtype.

Derivatives run eagerly, since an objective may draw a minibatch or keep
state on each call, which ``jax.jit`` would freeze at its first call. A function
that declares ``pure = True`` (every :class:`~d2lopt.landscapes.Landscape`: its
value depends on ``x`` alone) is compiled once per derivative with
``jax.jit``, which makes an optimizer's thousands of steps fast; one that turns
out not to be traceable (Python control flow on values) falls back to eager.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from d2lopt.backends.base import Array, Backend, Scalar

jax.config.update("jax_enable_x64", True)

#: What cannot be traced by jax.jit: the function needs concrete values.
_UNTRACEABLE = (jax.errors.ConcretizationTypeError, jax.errors.TracerArrayConversionError,
                jax.errors.TracerIntegerConversionError)


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

    def __init__(self) -> None:
        self._jitted: dict[str, Any] = {}  # derivative name -> jax.jit of it, f static
        self._untraceable: weakref.WeakSet[Any] = weakref.WeakSet()

    def _run(self, derivative: Callable[..., Any], f: Scalar, *args: Array) -> Any:
        """``derivative(f, *args)``, through ``jax.jit`` where ``f`` declares itself pure."""
        if getattr(f, "pure", False) is not True or f in self._untraceable:
            return derivative(f, *args)
        name = derivative.__name__
        if name not in self._jitted:
            self._jitted[name] = jax.jit(derivative, static_argnums=0)
        try:
            return self._jitted[name](f, *args)
        except _UNTRACEABLE:
            self._untraceable.add(f)
        return derivative(f, *args)

    def _value_and_grad(self, f: Scalar, x: Array) -> tuple[Array, Array]:
        value, pullback = jax.vjp(f, x)
        self.require_scalar(value)
        (g,) = pullback(jnp.ones_like(value))
        return value, g

    def _hessian(self, f: Scalar, x: Array) -> Array:
        self.require_scalar(f(x))
        return jax.hessian(f)(x)

    def _hvp(self, f: Scalar, x: Array, v: Array) -> Array:
        # Forward over reverse: the directional derivative of the gradient along v.
        self.require_scalar(f(x))
        return jax.jvp(jax.grad(f), (x,), (v.astype(x.dtype),))[1]

    def value_and_grad(self, f: Scalar, x: Array) -> tuple[Array, Array]:
        return self._run(self._value_and_grad, f, x)

    def hessian(self, f: Scalar, x: Array) -> Array:
        return self._run(self._hessian, f, x)

    def hvp(self, f: Scalar, x: Array, v: Array) -> Array:
        return self._run(self._hvp, f, x, jnp.asarray(v))


BACKEND = JaxBackend()
