r"""The 0–1 loss and its surrogates, as functions of the margin :math:`m = y\,f(x)`.

For a label :math:`y \in \{-1, +1\}` and a real score :math:`f(x)`, the
prediction :math:`\operatorname{sign} f(x)` is right when the margin
:math:`m = y f(x)` is positive. The 0–1 loss counts the mistakes; it is flat
everywhere except for a jump at :math:`m = 0`, so its derivative is zero almost
everywhere and a gradient method learns nothing from it. The surrogates below
are convex, have useful derivatives, and each one is at least the 0–1 loss at
every margin (with :math:`m = 0` counted as a mistake):

.. math::
    \ell_{\text{logistic}}(m) = \log_2(1 + e^{-m}), \quad
    \ell_{\text{hinge}}(m) = \max(0, 1 - m), \quad
    \ell_{\text{squared}}(m) = (1 - m)^2, \quad
    \ell_{\exp}(m) = e^{-m}.

The logistic loss (the negative log-likelihood of logistic regression) is
divided by :math:`\log 2`, i.e. written in bits, so that it passes through
:math:`(0, 1)` like the others.

Every function takes an array of NumPy, PyTorch or TensorFlow (or a Python
number) and returns one of the same framework, so
:func:`d2lopt.derivatives.elementwise_grad` gives its derivative at every margin.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from d2lopt.backends import Backend, as_array
from d2lopt.losses import softplus

__all__ = [
    "Settings", "SETTINGS", "margin", "zero_one_loss", "logistic_loss", "hinge_loss",
    "squared_loss", "exponential_loss", "SURROGATES",
]

Array = Any


@dataclass(frozen=True)
class Settings:
    """The values that section 2's page, gallery script and tests share.

    Attributes
    ----------
    grid_limits : (float, float)
        Ends of the grid of margins on which the losses are compared and drawn.
    grid_points : int
        Number of points of that grid (2001 on ``(-2, 3)`` puts a point at exactly 0).
    exercise_margin : float
        Exercises: the margin :math:`m > 0` of a correctly classified example.
    exercise_wide_left : float
        Exercises: left end of the widened grid of margins (same spacing, same right end).
    exercise_examples : int
        Exercises: number of one-dimensional examples of the "any surrogate" test.
    exercise_class_mean : float
        Exercises: the classes are centred at plus and minus this input.
    exercise_noise : float
        Exercises: standard deviation of the Gaussian noise of the inputs.
    exercise_far_fraction : float
        Exercises: fraction of the positive examples moved far to the correct side.
    exercise_far_shift : float
        Exercises: how far they are moved (input units).
    exercise_steps : int
        Exercises: gradient-descent steps of each fit of the linear score.
    exercise_logistic_lr, exercise_squared_lr : float
        Exercises: learning rates of the fits on the mean logistic and mean squared loss.
    exercise_seed : int
        Exercises: seed of :func:`numpy.random.default_rng` for those examples.

    Examples
    --------
    >>> import numpy as np
    >>> grid = np.linspace(*SETTINGS.grid_limits, SETTINGS.grid_points)
    >>> bool(np.any(grid == 0.0))
    True
    """

    grid_limits: tuple[float, float] = (-2.0, 3.0)
    grid_points: int = 2001
    # Exercises
    exercise_margin: float = 2.0
    exercise_wide_left: float = -10.0
    exercise_examples: int = 200
    exercise_class_mean: float = 1.0
    exercise_noise: float = 1.0
    exercise_far_fraction: float = 0.2
    exercise_far_shift: float = 8.0
    exercise_steps: int = 250
    exercise_logistic_lr: float = 0.5
    exercise_squared_lr: float = 0.05
    exercise_seed: int = 0


#: The settings of section 2.
SETTINGS = Settings()


def _ops(m: Array) -> tuple[Backend, Array]:
    return as_array(m, name="m", finite=False)


def margin(y: Array, score: Array) -> Array:
    r"""The margin :math:`m = y\,f(x)` of labels :math:`y \in \{-1, +1\}` and scores :math:`f(x)`.

    Examples
    --------
    >>> import numpy as np
    >>> margin(np.array([1.0, -1.0]), np.array([0.5, 0.5])).tolist()
    [0.5, -0.5]
    """
    return y * score


def zero_one_loss(m: Array) -> Array:
    r"""The 0–1 loss: 1 for a mistake (:math:`m \le 0`), 0 for a correct prediction.

    A score of exactly zero decides nothing, so it counts as a mistake.

    Examples
    --------
    >>> zero_one_loss([-1.0, 0.0, 2.0]).tolist()
    [1.0, 1.0, 0.0]
    """
    ops, m = _ops(m)
    return ops.where(m > 0, 0.0 * m, 0.0 * m + 1.0)


def logistic_loss(m: Array) -> Array:
    r"""The logistic loss in bits, :math:`\log_2(1 + e^{-m})`; equal to 1 at :math:`m = 0`.

    Computed as :math:`\operatorname{softplus}(-m) / \log 2` with the stable
    :func:`d2lopt.losses.softplus`, so that no exponential overflows and the
    derivative is finite everywhere (:math:`-1/(2\log 2)` at :math:`m = 0`).

    Examples
    --------
    >>> float(logistic_loss(0.0))
    1.0
    >>> round(float(logistic_loss(-800.0)), 3)  # no overflow: about 800 / log 2
    1154.156
    """
    _, m = _ops(m)
    return softplus(-m) / math.log(2.0)


def hinge_loss(m: Array) -> Array:
    r"""The hinge loss :math:`\max(0, 1 - m)` of support vector machines.

    Examples
    --------
    >>> hinge_loss([-1.0, 0.0, 0.5, 2.0]).tolist()
    [2.0, 1.0, 0.5, 0.0]
    """
    ops, m = _ops(m)
    return ops.where(m < 1, 1.0 - m, 0.0 * m)


def squared_loss(m: Array) -> Array:
    r"""The squared loss :math:`(1 - m)^2 = (y - f(x))^2` for :math:`y = \pm 1`.

    It also penalizes predictions that are right by more than 1.

    Examples
    --------
    >>> squared_loss([0.0, 1.0, 3.0]).tolist()
    [1.0, 0.0, 4.0]
    """
    ops, m = _ops(m)
    return (1.0 - m) ** 2


def exponential_loss(m: Array) -> Array:
    r"""The exponential loss :math:`e^{-m}` of AdaBoost.

    Examples
    --------
    >>> float(exponential_loss(0.0))
    1.0
    """
    ops, m = _ops(m)
    return ops.exp(-m)


#: The surrogate losses by name, in the order the figures draw them.
SURROGATES: dict[str, Callable[[Array], Array]] = {
    "logistic": logistic_loss,
    "hinge": hinge_loss,
    "squared": squared_loss,
    "exponential": exponential_loss,
}
