"""Rates of growth and decay: fitted from a run, and predicted by theory for quadratics.

A sequence that behaves like :math:`c\\,r^t` is a straight line of slope
:math:`\\log r` on a logarithmic axis; :func:`log_slope` fits that line.
For the quadratic with Hessian eigenvalues in :math:`[\\mu, L]` the classical
contraction factors of gradient descent and of the heavy-ball method are given
in closed form by :func:`gradient_descent_rate` and :func:`heavy_ball_rate`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = [
    "log_slope", "fitted_rate", "gradient_descent_rate", "optimal_gradient_descent_lr",
    "heavy_ball_parameters", "heavy_ball_rate", "escape_growth_factor",
]


def _positive_pair(mu: float, L: float) -> tuple[float, float]:
    mu, L = float(mu), float(L)
    if not (0 < mu <= L):
        raise ValueError(
            f"need 0 < mu <= L (smallest and largest curvature); got mu={mu}, L={L}"
        )
    return mu, L


def log_slope(x: Sequence[float], y: Sequence[float], *, log_x: bool = False) -> float:
    r"""Least-squares slope of :math:`\log y` against :math:`x` (or :math:`\log x`).

    Parameters
    ----------
    x, y : sequence of float
        The abscissae and the positive values, of equal length (at least two).
    log_x : bool
        Fit against :math:`\log x` instead of :math:`x` (a power law
        :math:`y \propto x^p` then has slope :math:`p`).

    Returns
    -------
    float
        The fitted slope: :math:`\log r` for :math:`y \approx c\, r^x`.

    Examples
    --------
    >>> round(log_slope([0, 1, 2, 3], [1.0, 0.5, 0.25, 0.125]) / float(np.log(0.5)), 12)
    1.0
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.shape != y.shape or x.ndim != 1 or x.size < 2:
        raise ValueError(f"x and y must be 1-D of equal length >= 2; got {x.shape}, {y.shape}")
    if np.any(y <= 0) or not np.all(np.isfinite(y)):
        raise ValueError("y must be positive and finite to take its logarithm")
    if log_x:
        if np.any(x <= 0):
            raise ValueError("x must be positive when log_x=True")
        x = np.log(x)
    return float(np.polyfit(x, np.log(y), 1)[0])


def fitted_rate(errors: Sequence[float], *, start: int = 0, stop: int | None = None) -> float:
    r"""Per-step contraction factor :math:`r` of a sequence :math:`e_t \approx c\, r^t`.

    The slope of :math:`\log e_t` against :math:`t` over ``errors[start:stop]``,
    exponentiated.

    Examples
    --------
    >>> round(fitted_rate(0.9 ** np.arange(20)), 12)
    0.9
    """
    errors = np.asarray(errors, dtype=float)
    steps = np.arange(errors.size)[start:stop]
    return float(np.exp(log_slope(steps, errors[start:stop])))


def gradient_descent_rate(mu: float, L: float, lr: float | None = None) -> float:
    r"""Contraction factor of gradient descent on a quadratic with curvatures in :math:`[\mu, L]`.

    With step :math:`\eta` the error along an eigenvector of eigenvalue
    :math:`\lambda` is multiplied by :math:`1 - \eta\lambda` at each step, so the
    worst factor is :math:`\max(|1-\eta\mu|, |1-\eta L|)`. The default
    :math:`\eta = 2/(\mu + L)` minimises it, giving :math:`(\kappa-1)/(\kappa+1)`.

    Examples
    --------
    >>> gradient_descent_rate(1.0, 3.0)
    0.5
    """
    mu, L = _positive_pair(mu, L)
    lr = optimal_gradient_descent_lr(mu, L) if lr is None else float(lr)
    return max(abs(1 - lr * mu), abs(1 - lr * L))


def optimal_gradient_descent_lr(mu: float, L: float) -> float:
    r"""The step :math:`2/(\mu + L)` that minimises gradient descent's worst contraction factor.

    Examples
    --------
    >>> optimal_gradient_descent_lr(1.0, 3.0)
    0.5
    """
    mu, L = _positive_pair(mu, L)
    return 2.0 / (mu + L)


def heavy_ball_parameters(mu: float, L: float) -> tuple[float, float]:
    r"""Polyak's optimal heavy-ball step and momentum for curvatures in :math:`[\mu, L]`.

    .. math::
        \eta = \frac{4}{(\sqrt{L} + \sqrt{\mu})^2}, \qquad
        \beta = \Bigl(\frac{\sqrt\kappa - 1}{\sqrt\kappa + 1}\Bigr)^2 .

    The update :math:`x_{t+1} = x_t - \eta\nabla f(x_t) + \beta(x_t - x_{t-1})` is
    the same as ``torch.optim.SGD(lr=η, momentum=β)``.

    Examples
    --------
    >>> heavy_ball_parameters(1.0, 9.0)
    (0.25, 0.25)
    """
    mu, L = _positive_pair(mu, L)
    root_kappa = np.sqrt(L / mu)
    lr = 4.0 / (np.sqrt(L) + np.sqrt(mu)) ** 2
    beta = ((root_kappa - 1) / (root_kappa + 1)) ** 2
    return float(lr), float(beta)


def heavy_ball_rate(mu: float, L: float) -> float:
    r"""Contraction factor :math:`(\sqrt\kappa - 1)/(\sqrt\kappa + 1)` of tuned heavy ball.

    This is :math:`\sqrt\beta` for the momentum of :func:`heavy_ball_parameters`:
    every eigenvalue of the two-step iteration matrix then has modulus
    :math:`\sqrt\beta`.

    Examples
    --------
    >>> heavy_ball_rate(1.0, 9.0)
    0.5
    """
    mu, L = _positive_pair(mu, L)
    root_kappa = np.sqrt(L / mu)
    return float((root_kappa - 1) / (root_kappa + 1))


def escape_growth_factor(lr: float, curvature: float, beta: float = 0.0) -> float:
    r"""Per-step growth of the unstable component near a saddle, for (heavy-ball) gradient descent.

    Along an eigenvector with negative curvature :math:`-c` (``curvature`` is
    :math:`c > 0`) the update :math:`x_{t+1} = x_t + \eta c\, x_t + \beta(x_t - x_{t-1})`
    grows like :math:`z^t`, :math:`z` the largest root of
    :math:`z^2 - (1 + \beta + \eta c) z + \beta = 0`; for :math:`\beta = 0` it
    is :math:`1 + \eta c`. Escaping from a distance :math:`x_0` to a distance
    :math:`a` takes about :math:`\log(a/x_0)/\log z` steps.

    Examples
    --------
    >>> escape_growth_factor(0.5, 1.0)
    1.5
    >>> escape_growth_factor(1.0, 1.0, beta=0.5)  # root of z^2 - 2.5 z + 0.5
    2.2807764064044154
    """
    lr, curvature, beta = float(lr), float(curvature), float(beta)
    if not (lr > 0 and curvature > 0):
        raise ValueError(f"lr and curvature must be positive; got lr={lr}, curvature={curvature}")
    if not 0 <= beta < 1:
        raise ValueError(f"beta must lie in [0, 1), got {beta}")
    b = 1.0 + beta + lr * curvature
    return float((b + np.sqrt(b * b - 4.0 * beta)) / 2.0)
