r"""Risk and empirical risk: where their minima lie, and how fast one approaches the other.

The *risk* of a predictor is its expected loss over the data distribution; the
*empirical risk* is the average loss over :math:`n` examples drawn from it. For
i.i.d. examples the empirical risk is an unbiased estimate of the risk whose
standard deviation is the standard deviation of one example's loss divided by
:math:`\sqrt n`.

The model used to show this has a risk known in closed form: a constant
prediction :math:`c` of a target :math:`Y \sim \mathcal N(\mu, \sigma^2)` under
the squared loss :math:`(Y - c)^2`,

.. math::
    R(c) = \mathbb E (Y - c)^2 = \sigma^2 + (c - \mu)^2, \qquad
    \operatorname{Var}\,(Y - c)^2 = 2\sigma^4 + 4\sigma^2 (c - \mu)^2 .
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from d2lopt.landscapes.base import Landscape
from d2lopt.rates import log_slope

__all__ = [
    "Settings", "SETTINGS", "lowest_minimum_in", "constant_predictor_risk", "squared_loss_std",
    "sample_empirical_risks", "RiskConvergence", "empirical_risk_convergence",
]


@dataclass(frozen=True)
class Settings:
    """The values that section 1's page, gallery scripts and tests share.

    Attributes
    ----------
    interval : (float, float)
        Where the minima of the risk :math:`x\\cos(\\pi x)` and of the empirical
        risk are looked for (parameter units).
    mean, std : float
        :math:`\\mu` and :math:`\\sigma` of the target :math:`Y \\sim \\mathcal N(\\mu, \\sigma^2)`
        (target units).
    c : float
        The constant prediction whose empirical risk is sampled (target units).
    sizes : tuple of int
        The sample sizes :math:`n` (numbers of examples).
    repeats : int
        Independent samples drawn at each size.
    seed : int
        Seed of :func:`numpy.random.default_rng` for those samples.
    minimizer_sizes : tuple of int
        Sizes of the three samples whose empirical risks are minimized over :math:`c`.
    minimizer_seed : int
        Seed of the generator that draws those three samples.
    exercise_n : int
        Exercises: sample size :math:`n` at which the spread of the empirical risk is measured.
    exercise_small_n : int
        Exercises: the small sample size :math:`n` of the "training loss is optimistic" test.
    exercise_samples : int
        Exercises: number of samples of that size whose empirical risks are averaged.

    Examples
    --------
    >>> SETTINGS.sizes[-1], SETTINGS.repeats
    (1024, 2000)
    """

    interval: tuple[float, float] = (0.5, 1.5)
    mean: float = 1.0
    std: float = 1.0
    c: float = 0.0
    sizes: tuple[int, ...] = tuple(2**k for k in range(11))
    repeats: int = 2000
    seed: int = 0
    minimizer_sizes: tuple[int, ...] = (5, 50, 500)
    minimizer_seed: int = 2
    # Exercises
    exercise_n: int = 100
    exercise_small_n: int = 5
    exercise_samples: int = 20_000


#: The settings of section 1.
SETTINGS = Settings()


def _check_scale(std: float) -> float:
    std = float(std)
    if not std > 0:
        raise ValueError(f"the standard deviation of the targets must be positive, got {std}")
    return std


def lowest_minimum_in(landscape: Landscape, interval: tuple[float, float]
                      ) -> tuple[float, float]:
    """The interior local minimum of a 1-D landscape with the lowest value in ``interval``.

    The critical points come from :meth:`~d2lopt.landscapes.Landscape.critical_points_in`
    (sign changes of the derivative refined by Brent's method).

    Parameters
    ----------
    landscape : Landscape
        A one-dimensional landscape.
    interval : (float, float)
        Where to look.

    Returns
    -------
    (float, float)
        The location :math:`x^\\star` and the value :math:`f(x^\\star)`.

    Raises
    ------
    ValueError
        If the interval holds no interior minimum (the lowest value is then at an end).

    Examples
    --------
    >>> from d2lopt.landscapes import risk
    >>> x, fx = lowest_minimum_in(risk, (0.5, 1.5))
    >>> round(x, 4), round(fx, 4)
    (1.0904, -1.0467)
    """
    minima = [p for p in landscape.critical_points_in(interval) if p.kind == "minimum"]
    if not minima:
        raise ValueError(
            f"{landscape.name} has no interior minimum in {interval}; widen the interval "
            "or compare the values at its ends"
        )
    values = [float(landscape(p.array)) for p in minima]
    best = int(np.argmin(values))
    return float(minima[best].array), values[best]


def constant_predictor_risk(c: float | np.ndarray, mean: float, std: float
                            ) -> float | np.ndarray:
    r"""Risk :math:`\sigma^2 + (c - \mu)^2` of predicting ``c`` for :math:`Y \sim N(\mu, \sigma^2)`.

    Examples
    --------
    >>> constant_predictor_risk(0.0, mean=1.0, std=1.0)
    2.0
    """
    std = _check_scale(std)
    value = std**2 + (np.asarray(c, dtype=float) - float(mean)) ** 2
    return float(value) if value.ndim == 0 else value


def squared_loss_std(c: float, mean: float, std: float) -> float:
    r"""Standard deviation of one loss :math:`(Y - c)^2` when :math:`Y \sim N(\mu, \sigma^2)`.

    With :math:`Y - c \sim \mathcal N(d, \sigma^2)`, :math:`d = \mu - c`, the
    fourth moment gives :math:`\operatorname{Var}(Y-c)^2 = 2\sigma^4 + 4 d^2 \sigma^2`.
    The empirical risk over :math:`n` i.i.d. examples has standard deviation
    ``squared_loss_std(c, mean, std) / sqrt(n)``.

    Examples
    --------
    >>> round(squared_loss_std(0.0, mean=1.0, std=1.0) ** 2, 12)
    6.0
    """
    std = _check_scale(std)
    d = float(mean) - float(c)
    return float(np.sqrt(2 * std**4 + 4 * d**2 * std**2))


def sample_empirical_risks(c: float, mean: float, std: float, sizes: Sequence[int], *,
                           repeats: int, seed: int = 0) -> np.ndarray:
    r"""Empirical risks :math:`\frac1n\sum_i (y_i - c)^2` over fresh samples, ``repeats`` per size.

    Parameters
    ----------
    c : float
        The constant prediction.
    mean, std : float
        :math:`\mu` and :math:`\sigma` of the target distribution.
    sizes : sequence of int
        Sample sizes :math:`n \ge 1`.
    repeats : int
        Independent samples drawn at each size.
    seed : int
        Seed of :func:`numpy.random.default_rng`.

    Returns
    -------
    numpy.ndarray
        Shape ``(len(sizes), repeats)``.

    Examples
    --------
    >>> sample_empirical_risks(0.0, 1.0, 1.0, [1, 10], repeats=5).shape
    (2, 5)
    """
    std = _check_scale(std)
    sizes = [int(n) for n in sizes]
    if not sizes or min(sizes) < 1:
        raise ValueError(f"sample sizes must be positive integers, got {sizes}")
    if int(repeats) < 2:
        raise ValueError(f"need at least 2 repeats to measure a spread, got {repeats}")
    rng = np.random.default_rng(seed)
    out = np.empty((len(sizes), int(repeats)))
    for i, n in enumerate(sizes):
        y = rng.normal(mean, std, size=(int(repeats), n))
        out[i] = np.mean((y - c) ** 2, axis=1)
    return out


@dataclass(frozen=True)
class RiskConvergence:
    """How the empirical risk of a constant predictor approaches its risk.

    Attributes
    ----------
    sizes : numpy.ndarray
        The sample sizes :math:`n`.
    means, stds : numpy.ndarray
        Mean and standard deviation (``ddof=1``) of the empirical risk over the repeats.
    risk : float
        The risk :math:`R(c)`, in closed form.
    predicted_stds : numpy.ndarray
        :math:`\\operatorname{sd}((Y-c)^2)/\\sqrt n`, in closed form.
    slope : float
        Least-squares slope of :math:`\\log` ``stds`` against :math:`\\log n` (theory: -1/2).
    samples : numpy.ndarray
        All the empirical risks, shape ``(len(sizes), repeats)``.
    """

    sizes: np.ndarray
    means: np.ndarray
    stds: np.ndarray
    risk: float
    predicted_stds: np.ndarray
    slope: float
    samples: np.ndarray


def empirical_risk_convergence(c: float, mean: float, std: float, sizes: Sequence[int], *,
                               repeats: int = SETTINGS.repeats, seed: int = SETTINGS.seed
                               ) -> RiskConvergence:
    """Sample empirical risks at each size and compare their spread with the closed form.

    Examples
    --------
    >>> run = empirical_risk_convergence(0.0, 1.0, 1.0, [1, 4, 16, 64], repeats=4000, seed=1)
    >>> run.risk
    2.0
    >>> abs(run.slope + 0.5) < 0.05
    True
    """
    samples = sample_empirical_risks(c, mean, std, sizes, repeats=repeats, seed=seed)
    sizes_arr = np.asarray([int(n) for n in sizes])
    stds = samples.std(axis=1, ddof=1)
    return RiskConvergence(
        sizes=sizes_arr,
        means=samples.mean(axis=1),
        stds=stds,
        risk=float(constant_predictor_risk(c, mean, std)),
        predicted_stds=squared_loss_std(c, mean, std) / np.sqrt(sizes_arr),
        slope=log_slope(sizes_arr, stds, log_x=True),
        samples=samples,
    )
