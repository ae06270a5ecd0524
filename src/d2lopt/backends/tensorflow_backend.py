"""TensorFlow adapter: derivatives through tf.GradientTape."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import tensorflow as tf

from d2lopt.backends.base import Array, Backend, Scalar


class TensorFlowBackend(Backend):
    """TensorFlow tensors, differentiated by tf.GradientTape."""

    name = "tensorflow"
    array_type = "tf.Tensor"
    xp = tf.math

    def owns(self, x: Any) -> bool:
        return isinstance(x, (tf.Tensor, tf.Variable))

    def tensor(self, data: Any, dtype: Any = None) -> tf.Tensor:
        dtype = tf.float64 if dtype is None else dtype
        if isinstance(data, (tf.Tensor, tf.Variable)):
            return tf.cast(data, dtype)
        return tf.convert_to_tensor(np.asarray(data), dtype=dtype)

    def to_numpy(self, x: Array) -> np.ndarray:
        return np.array(x.numpy(), dtype=float)

    def as_float(self, x: Array) -> Array:
        x = tf.convert_to_tensor(x)
        return x if x.dtype.is_floating else tf.cast(x, tf.float64)

    def value_and_grad(self, f: Scalar, x: Array) -> tuple[Array, Array]:
        x = tf.convert_to_tensor(x)
        with tf.GradientTape() as tape:
            tape.watch(x)
            value = f(x)
        self.require_scalar(value)
        g = tape.gradient(value, x)
        return value, tf.zeros_like(x) if g is None else g

    def _grad_taped(self, f: Scalar, x: Array) -> Array:
        with tf.GradientTape() as inner:
            inner.watch(x)
            value = f(x)
        self.require_scalar(value)
        g = inner.gradient(value, x)
        return tf.zeros_like(x) if g is None else g

    def hessian(self, f: Scalar, x: Array) -> Array:
        x = tf.convert_to_tensor(x)
        # The default (pfor) jacobian traces a new tf.function on every call: about 15 times
        # slower for the small Hessians here, and TensorFlow warns about the retracing.
        with tf.GradientTape(persistent=True) as outer:
            outer.watch(x)
            g = self._grad_taped(f, x)
        h = outer.jacobian(g, x, unconnected_gradients=tf.UnconnectedGradients.ZERO,
                           experimental_use_pfor=False)
        del outer
        return h

    def hvp(self, f: Scalar, x: Array, v: Array) -> Array:
        x = tf.convert_to_tensor(x)
        with tf.GradientTape() as outer:
            outer.watch(x)
            g = self._grad_taped(f, x)
            gv = tf.reduce_sum(g * v)
        return outer.gradient(gv, x, unconnected_gradients=tf.UnconnectedGradients.ZERO)

    # tf.math holds the elementwise functions, not these three.
    def stack(self, xs: Sequence[Array], axis: int = 0) -> Array:
        return tf.stack(list(xs), axis=axis)

    def sum(self, x: Array, axis: int | None = None) -> Array:
        return tf.reduce_sum(x, axis=axis)

    def where(self, condition: Array, x: Array, y: Array) -> Array:
        return tf.where(condition, x, y)


BACKEND = TensorFlowBackend()
