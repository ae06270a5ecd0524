r"""The 0-1 loss and its surrogates, as functions of the margin :math:`m = y\,f(x)`.

For a label :math:`y \in \{-1, +1\}` and a real score :math:`f(x)`, the
prediction :math:`\operatorname{sign} f(x)` is right when the margin
:math:`m = y f(x)` is positive. The 0-1 loss counts the mistakes; it is flat
everywhere except for a jump at :math:`m = 0`, so its derivative is zero almost
everywhere and a gradient method learns nothing from it. The surrogates below
are convex, have useful derivatives, and each one is at least the 0-1 loss at
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
number) and returns one of the same framework, so :func:`derivative` can
differentiate it with :func:`d2lopt.grad`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from d2lopt.backends import Backend, as_array, backend_for

__all__ = [
    "Settings", "SETTINGS", "margin", "zero_one_loss", "logistic_loss", "hinge_loss",
    "squared_loss",
    "exponential_loss", "SURROGATES", "derivative",
]

Array = Any


@dataclass(frozen=True)
class Settings:
    """The values that section 2's page, gallery script and tests share.

    Attributes
    ----------
    random_margins : int
        How many random margins the derivative of the 0-1 loss is evaluated at.
    margin_std : float
        Standard deviation of those margins, drawn from :math:`\\mathcal N(0, \\sigma^2)`
        (margin units).
    seed : int
        Seed of :func:`numpy.random.default_rng` that draws them.
    grid_limits : (float, float)
        Ends of the grid of margins on which the losses are compared and drawn.
    grid_points : int
        Number of points of that grid (2001 on ``(-2, 3)`` puts a point at exactly 0).

    Examples
    --------
    >>> import numpy as np
    >>> grid = np.linspace(*SETTINGS.grid_limits, SETTINGS.grid_points)
    >>> bool(np.any(grid == 0.0))
    True
    """

    random_margins: int = 1000
    margin_std: float = 2.0
    seed: int = 0
    grid_limits: tuple[float, float] = (-2.0, 3.0)
    grid_points: int = 2001


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
    r"""The 0-1 loss: 1 for a mistake (:math:`m \le 0`), 0 for a correct prediction.

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

    Computed as :math:`-m + \log(1 + e^{m})` for :math:`m < 0` and
    :math:`\log(1 + e^{-m})` otherwise, so that no exponential overflows; each
    branch only ever sees margins of its own sign, so the derivative is finite
    everywhere (:math:`-1/(2\log 2)` at :math:`m = 0`).

    Examples
    --------
    >>> float(logistic_loss(0.0))
    1.0
    >>> round(float(logistic_loss(-800.0)), 3)  # no overflow: about 800 / log 2
    1154.156
    """
    ops, m = _ops(m)
    negative = m < 0
    m_neg = ops.where(negative, m, 0.0 * m)  # the margin where it is negative, else 0
    m_pos = ops.where(negative, 0.0 * m, m)  # the margin where it is >= 0, else 0
    nats = ops.where(negative, ops.log1p(ops.exp(m_neg)) - m_neg, ops.log1p(ops.exp(-m_pos)))
    return nats / math.log(2.0)


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


def derivative(loss: Callable[[Array], Array]) -> Callable[[Array], Array]:
    r"""The derivative of a margin loss at each margin, by automatic differentiation.

    The losses act elementwise, so the gradient of :math:`\sum_i \ell(m_i)` is
    the vector of :math:`\ell'(m_i)`. Where a loss has a kink or a jump the
    framework's convention applies (for the 0-1 loss every framework reports 0,
    including at the jump).

    Examples
    --------
    >>> import numpy as np
    >>> derivative(exponential_loss)(np.array([0.0])).tolist()
    [-1.0]
    >>> derivative(zero_one_loss)(np.array([-0.3, 0.7])).tolist()
    [0.0, 0.0]
    """
    if not callable(loss):
        raise TypeError(f"expected a loss function of the margin, got {type(loss).__name__}")
    from d2lopt.derivatives import grad

    def summed(m: Array) -> Array:
        return backend_for(m).sum(loss(m))

    return grad(summed)
