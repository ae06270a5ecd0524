r"""Activation functions and their derivatives, written once for every backend.

Each function takes an array of NumPy, PyTorch or TensorFlow (or a Python
number) and returns one of the same framework, so ``d2lopt.grad`` can check the
closed-form derivatives by automatic differentiation:

.. math::
    \tanh'(x) = 1 - \tanh^2 x, \qquad
    \sigma'(x) = \sigma(x)\bigl(1 - \sigma(x)\bigr) \le \tfrac14, \qquad
    \mathrm{relu}'(x) = [x > 0].
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from d2lopt.backends import Backend, as_array

__all__ = [
    "Settings", "SETTINGS", "tanh", "sigmoid", "relu", "tanh_derivative", "sigmoid_derivative",
    "relu_derivative", "ACTIVATIONS", "sigmoid_chain",
]

Array = Any


@dataclass(frozen=True)
class Settings:
    r"""The values section 10's page, gallery scripts and tests share.

    Try another value with ``dataclasses.replace(SETTINGS, depth=50)``.

    Attributes
    ----------
    slope_at : float
        The input :math:`x` at which :math:`\tanh'(x)` is quoted.
    peak_bounds : tuple of float
        Interval searched for the largest value of :math:`\sigma'`.
    depth : int
        Deepest chain of sigmoids (layers); the chains have depths 1 to ``depth``.
    fit_from : int
        Shallowest depth (layers) used to fit the chain's per-layer factor.
    chain_start : float
        Input :math:`z_0` of the sigmoid chain.
    relu_start : float
        Input of the chain of ReLUs.
    exercise_derivative : float
        Exercises: value :math:`\varepsilon` of :math:`\tanh'(x)` whose pre-activation
        :math:`x > 0` is sought.
    exercise_weight : float
        Exercises: weight :math:`w` of the sigmoid chain whose bound :math:`(|w|/4)^L` is 1.
    exercise_width : int
        Exercises: units per layer of the deep ReLU perceptron.
    exercise_gains : tuple of float
        Exercises: its weight variances :math:`v` times the width (1: LeCun's, 2: He's).
    exercise_report_depths : tuple of int
        Exercises: depths (layers) at which its Jacobian's norm is reported.
    exercise_seed : int
        Exercises: seed of its weights and input.

    """

    slope_at: float = 4.0
    peak_bounds: tuple[float, float] = (-3.0, 3.0)
    depth: int = 30
    fit_from: int = 11
    chain_start: float = 0.0
    relu_start: float = 1.0
    # Exercises
    exercise_derivative: float = 1e-3
    exercise_weight: float = 4.0
    exercise_width: int = 64
    exercise_gains: tuple[float, ...] = (1.0, 2.0)
    exercise_report_depths: tuple[int, ...] = (10, 20, 30)
    exercise_seed: int = 0


#: The settings of section 10.
SETTINGS = Settings()


def _ops(x: Array) -> tuple[Backend, Array]:
    return as_array(x, finite=False)


def tanh(x: Array) -> Array:
    r"""The hyperbolic tangent :math:`\tanh x`, with values in :math:`(-1, 1)`.

    Examples
    --------
    >>> float(tanh(0.0))
    0.0
    """
    ops, x = _ops(x)
    return ops.tanh(x)


def sigmoid(x: Array) -> Array:
    r"""The logistic sigmoid :math:`\sigma(x) = 1/(1 + e^{-x})`, with values in :math:`(0, 1)`.

    Examples
    --------
    >>> float(sigmoid(0.0))
    0.5
    >>> round(float(sigmoid(2.0) + sigmoid(-2.0)), 12)   # sigma(-x) = 1 - sigma(x)
    1.0
    """
    ops, x = _ops(x)
    return ops.sigmoid(x)


def relu(x: Array) -> Array:
    r"""The rectifier :math:`\max(x, 0)`.

    Examples
    --------
    >>> relu([-1.0, 2.0]).tolist()
    [0.0, 2.0]
    """
    ops, x = _ops(x)
    return ops.where(x > 0, x, 0.0 * x + 0.0)


def tanh_derivative(x: Array) -> Array:
    r""":math:`\tanh'(x) = 1 - \tanh^2 x`; at most 1 (at :math:`x = 0`).

    Examples
    --------
    >>> round(float(tanh_derivative(4.0)), 6)
    0.001341
    """
    ops, x = _ops(x)
    return 1.0 - ops.tanh(x) ** 2


def sigmoid_derivative(x: Array) -> Array:
    r""":math:`\sigma'(x) = \sigma(x)(1 - \sigma(x))`; at most :math:`1/4` (at :math:`x = 0`).

    Examples
    --------
    >>> float(sigmoid_derivative(0.0))
    0.25
    """
    ops, x = _ops(x)
    s = ops.sigmoid(x)
    return s * (1.0 - s)


def relu_derivative(x: Array) -> Array:
    r""":math:`\mathrm{relu}'(x)`: 1 for :math:`x > 0`, 0 for :math:`x < 0`.

    At the kink :math:`x = 0` it returns 0, the subgradient PyTorch and
    TensorFlow use.

    Examples
    --------
    >>> relu_derivative([-1.0, 0.0, 2.0]).tolist()
    [0.0, 0.0, 1.0]
    """
    ops, x = _ops(x)
    return ops.where(x > 0, 0.0 * x + 1.0, 0.0 * x + 0.0)


#: Name -> (activation, its closed-form derivative).
ACTIVATIONS: dict[str, tuple[Callable[[Array], Array], Callable[[Array], Array]]] = {
    "tanh": (tanh, tanh_derivative),
    "sigmoid": (sigmoid, sigmoid_derivative),
    "relu": (relu, relu_derivative),
}


def sigmoid_chain(x: Array, depth: int, weight: float = 1.0) -> Array:
    r"""The composition :math:`\sigma(w\,\sigma(w \cdots \sigma(w x)))` of ``depth`` sigmoid layers.

    Its derivative is :math:`\prod_{l=1}^{L} w\,\sigma'(z_l)`, at most
    :math:`(|w|/4)^L` in size: a chain of sigmoids shrinks gradients
    geometrically unless :math:`|w| > 4`.

    Examples
    --------
    >>> float(sigmoid_chain(0.0, 1))
    0.5
    """
    if int(depth) != depth or depth < 0:
        raise ValueError(f"depth must be a non-negative integer, got {depth!r}")
    ops, x = _ops(x)
    for _ in range(int(depth)):
        x = ops.sigmoid(weight * x)
    return x
