"""Rates of growth and decay: fitted from a run, and predicted by theory for quadratics.

A sequence that behaves like :math:`c\\,r^t` is a straight line of slope
:math:`\\log r` on a logarithmic axis; :func:`log_slope` fits that line.
For the quadratic with Hessian eigenvalues in :math:`[\\mu, L]` the classical
contraction factors of gradient descent and of the heavy-ball method are given
in closed form by :func:`gradient_descent_rate` and :func:`heavy_ball_rate`.
The error of a mean of :math:`n` samples falls like :math:`\\sigma/\\sqrt n`
(:func:`standard_error`), faster when the samples are distinct members of a
finite set (:func:`finite_population_correction`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = [
    "log_slope", "fitted_rate", "gradient_descent_rate", "optimal_gradient_descent_lr",
    "heavy_ball_parameters", "heavy_ball_rate", "escape_growth_factor",
    "check_sample_sizes", "finite_population_correction", "standard_error",
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


def check_sample_sizes(n: int | Sequence[int] | np.ndarray, population: int | None = None
                       ) -> np.ndarray:
    """``n`` flattened to a 1-D integer array, each a positive integer at most ``population``.

    Raises
    ------
    ValueError
        If a size is not a positive integer, or exceeds ``population`` (a sample
        without replacement cannot be larger than the set it is drawn from).

    Examples
    --------
    >>> check_sample_sizes([1, 4], population=4).tolist()
    [1, 4]
    """
    sizes = np.asarray(n).reshape(-1)
    for size in sizes:
        if int(size) != size or size < 1:
            raise ValueError(f"the minibatch size must be a positive integer, got {size!r}")
        if population is not None and not 1 <= size <= population:
            raise ValueError(
                f"a sample without replacement cannot be larger than the population: "
                f"n={size}, N={population}"
            )
    return sizes.astype(np.int64)


def finite_population_correction(n: int | np.ndarray, population: int) -> float | np.ndarray:
    r"""The factor :math:`\sqrt{(N - n)/(N - 1)}` for :math:`n` of :math:`N` distinct examples.

    Drawing :math:`n` distinct members of a set of :math:`N` (sampling without
    replacement) multiplies the standard deviation of their mean by this
    factor: 1 for :math:`n = 1`, 0 for :math:`n = N`.

    Parameters
    ----------
    n : int or array of int
        The sample size(s), each in :math:`[1, N]`.
    population : int
        :math:`N`.

    Returns
    -------
    float or numpy.ndarray
        A float for a scalar ``n``, an array shaped like ``n`` otherwise.

    Examples
    --------
    >>> finite_population_correction(1, 100), finite_population_correction(100, 100)
    (1.0, 0.0)
    >>> finite_population_correction(np.array([1, 3, 5]), 5).round(4).tolist()
    [1.0, 0.7071, 0.0]
    """
    sizes = check_sample_sizes(n, population)
    if population == 1:
        factors = np.zeros(sizes.shape)
    else:
        factors = np.sqrt((population - sizes) / (population - 1))
    return float(factors[0]) if np.ndim(n) == 0 else factors.reshape(np.shape(n))


def standard_error(sigma: float, n: int | np.ndarray, population: int | None = None
                   ) -> float | np.ndarray:
    r"""Standard deviation :math:`\sigma/\sqrt n` of the mean of :math:`n` draws.

    Parameters
    ----------
    sigma : float
        Standard deviation of one per-example quantity (for a finite population,
        the population standard deviation, i.e. ``ddof=0``; for vectors, the
        square root of the total variance).
    n : int or array of int
        The sample (minibatch) size(s).
    population : int, optional
        :math:`N`, when the :math:`n` examples are distinct members of a set of
        :math:`N` (sampling without replacement): multiplies by
        :func:`finite_population_correction`. Leave it out for i.i.d. draws
        (sampling with replacement, or fresh data).

    Returns
    -------
    float or numpy.ndarray
        :math:`\sigma/\sqrt n`, times the correction if ``population`` is given:
        one value per size in ``n``.

    Examples
    --------
    >>> standard_error(2.0, 100)
    0.2
    >>> standard_error(2.0, 100, population=100)
    0.0
    """
    sigma = float(sigma)
    if not sigma >= 0:
        raise ValueError(f"a standard deviation cannot be negative, got {sigma}")
    sizes = check_sample_sizes(n, population)
    se = sigma / np.sqrt(sizes.astype(float))
    if population is not None:
        se = se * np.atleast_1d(finite_population_correction(sizes, population))
    return float(se[0]) if np.ndim(n) == 0 else se.reshape(np.shape(n))
