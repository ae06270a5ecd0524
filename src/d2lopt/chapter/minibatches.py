r"""The error of a minibatch gradient: the standard error of a mean.

The minibatch gradient is the mean of :math:`n` per-example gradients. If the
examples are drawn independently from a population whose per-example gradients
have standard deviation :math:`\sigma`, the mean has standard deviation
:math:`\sigma/\sqrt n`: a hundred times more examples buy only ten times less
error. Drawing :math:`n` *distinct* examples from a finite set of :math:`N`
(sampling without replacement, as one pass over a shuffled data set does)
is more accurate by the finite-population correction:

.. math::
    \operatorname{sd}(\bar g_n) = \frac{\sigma}{\sqrt n}
        \sqrt{\frac{N - n}{N - 1}} ,

which is zero at :math:`n = N`, where the "minibatch" is the full batch.
Both formulas are core, :func:`d2lopt.rates.standard_error` and
:func:`d2lopt.rates.finite_population_correction`, since the experiments on real
networks use them too; this module measures them on data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from d2lopt.rates import check_sample_sizes

__all__ = [
    "Settings", "SETTINGS",
    "samples_for_error_reduction",
    "linear_regression_data", "linear_regression_gradients", "minibatch_mean_stds",
    "sgd_stationary_variance", "simulate_sgd_on_quadratic",
]


@dataclass(frozen=True)
class Settings:
    r"""The values that section 3's page, gallery script and tests share.

    Attributes
    ----------
    examples : int
        :math:`N`, the number of training examples of the linear regression.
    data_slope, data_intercept, data_noise : float
        :math:`a`, :math:`b` and the noise scale of :math:`y = a x + b + \text{noise}\cdot z`
        (:func:`linear_regression_data`).
    data_seed : int
        Seed of the generator that draws that data set.
    weights : (float, float)
        The parameters :math:`(w_1, w_0)` at which the per-example gradients are taken.
    sizes : tuple of int
        The minibatch sizes :math:`n` (examples per minibatch), at most :math:`N/2`.
    repeats : int
        Minibatches drawn at each size to measure the spread of their mean.
    seed_with_replacement, seed_without_replacement : int
        Seeds of the two samplings (:func:`minibatch_mean_stds`).
    error_factor : float
        The reduction of the error whose cost in examples is shown
        (:func:`samples_for_error_reduction`).
    small_batch : int
        The minibatch size from which that reduction is counted on the page.
    sgd_lr : float
        Learning rate of minibatch SGD on the quadratic :math:`\frac1N\sum_i \tfrac12(x - a_i)^2`.
    sgd_targets : int
        Number of targets :math:`a_i` of that quadratic.
    sgd_target_std : float
        Standard deviation of the targets, drawn from :math:`\mathcal N(0, \sigma^2)`.
    sgd_target_seed : int
        Seed of the generator that draws the targets.
    sgd_batch_sizes : (int, int)
        The two minibatch sizes whose stationary variances are compared.
    sgd_steps : int
        SGD steps of each chain (enough to forget the start at ``sgd_lr``).
    sgd_chains : int
        Independent SGD chains whose final iterates measure the variance.
    sgd_seed : int
        Seed of the minibatch draws of :func:`simulate_sgd_on_quadratic`.
    exercise_batch_fraction : float
        Exercises: share of the ``examples`` in a minibatch drawn without replacement.
    exercise_noise : float
        Exercises: the raised noise level that replaces ``data_noise``.
    exercise_lrs : tuple of float
        Exercises: learning rates (a small and a large one) at which the linear scaling rule
        is tested.
    exercise_batch : int
        Exercises: minibatch size those learning rates start from.
    exercise_scale : int
        Exercises: the factor by which the rule scales batch size and learning rate together.

    Examples
    --------
    >>> SETTINGS.examples, SETTINGS.sizes[-1]
    (1024, 512)
    """

    examples: int = 1024
    data_slope: float = 2.0
    data_intercept: float = 1.0
    data_noise: float = 0.5
    data_seed: int = 0
    weights: tuple[float, float] = (0.0, 0.0)
    sizes: tuple[int, ...] = tuple(2**k for k in range(10))
    repeats: int = 2000
    seed_with_replacement: int = 1
    seed_without_replacement: int = 2
    error_factor: float = 10
    small_batch: int = 100
    sgd_lr: float = 0.1
    sgd_targets: int = 1000
    sgd_target_std: float = 2.0
    sgd_target_seed: int = 0
    sgd_batch_sizes: tuple[int, int] = (4, 16)
    sgd_steps: int = 400
    sgd_chains: int = 4000
    sgd_seed: int = 1
    # Exercises
    exercise_batch_fraction: float = 0.5
    exercise_noise: float = 2.0
    exercise_lrs: tuple[float, ...] = (0.1, 0.8)
    exercise_batch: int = 4
    exercise_scale: int = 2


#: The settings of section 3.
SETTINGS = Settings()


def samples_for_error_reduction(factor: float) -> float:
    r"""How many times more examples cut the standard error by ``factor``: :math:`\text{factor}^2`.

    Examples
    --------
    >>> samples_for_error_reduction(10)
    100.0
    """
    factor = float(factor)
    if not factor > 0:
        raise ValueError(f"the reduction factor must be positive, got {factor}")
    return factor**2


def linear_regression_data(num_examples: int, *, slope: float = SETTINGS.data_slope,
                           intercept: float = SETTINGS.data_intercept,
                           noise: float = SETTINGS.data_noise, seed: int = SETTINGS.data_seed
                           ) -> tuple[np.ndarray, np.ndarray]:
    r"""Synthetic data :math:`y = a x + b + \text{noise}\cdot z` with :math:`x, z \sim N(0, 1)`.

    Returns
    -------
    features : numpy.ndarray
        Shape ``(N, 2)``: the columns :math:`x` and 1 (for the intercept).
    y : numpy.ndarray
        Shape ``(N,)``.

    Examples
    --------
    >>> features, y = linear_regression_data(5)
    >>> features.shape, y.shape, features[:, 1].tolist()
    ((5, 2), (5,), [1.0, 1.0, 1.0, 1.0, 1.0])
    """
    if int(num_examples) != num_examples or num_examples < 1:
        raise ValueError(f"num_examples must be a positive integer, got {num_examples!r}")
    rng = np.random.default_rng(seed)
    x = rng.normal(size=int(num_examples))
    y = slope * x + intercept + noise * rng.normal(size=int(num_examples))
    return np.column_stack([x, np.ones_like(x)]), y


def linear_regression_gradients(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> np.ndarray:
    r"""Per-example gradients :math:`(x_i^\top w - y_i)\, x_i` of the squared error.

    Parameters
    ----------
    x : numpy.ndarray
        Inputs, shape ``(N, d)``.
    y : numpy.ndarray
        Targets, shape ``(N,)``.
    w : numpy.ndarray
        Weights, shape ``(d,)``.

    Returns
    -------
    numpy.ndarray
        Shape ``(N, d)``: row :math:`i` is example :math:`i`'s gradient.

    Examples
    --------
    >>> linear_regression_gradients(np.array([[1.0], [2.0]]), np.array([0.0, 1.0]),
    ...                             np.array([1.0])).tolist()
    [[1.0], [2.0]]
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    w = np.asarray(w, dtype=float)
    if x.ndim != 2 or y.shape != (x.shape[0],) or w.shape != (x.shape[1],):
        raise ValueError(
            f"need x of shape (N, d), y of shape (N,) and w of shape (d,); got {x.shape}, "
            f"{y.shape}, {w.shape}"
        )
    return (x @ w - y)[:, None] * x


def minibatch_mean_stds(values: np.ndarray, sizes: Sequence[int], *, repeats: int,
                        replace: bool, seed: int = 0) -> np.ndarray:
    r"""Measured standard deviation of the mean of random minibatches of ``values``.

    For each size :math:`n`, draw ``repeats`` minibatches of :math:`n` entries
    (with or without replacement), average each, and return the standard
    deviation of those averages around the mean of all ``values``.

    Parameters
    ----------
    values : numpy.ndarray
        Shape ``(N,)``: one per-example quantity (e.g. one coordinate of the gradient).
    sizes : sequence of int
        Minibatch sizes.
    repeats : int
        Minibatches drawn per size.
    replace : bool
        Sample with replacement (i.i.d. draws) or without (distinct examples).
    seed : int
        Seed of :func:`numpy.random.default_rng`.

    Returns
    -------
    numpy.ndarray
        One standard deviation per size.

    Examples
    --------
    >>> values = np.arange(10.0)
    >>> minibatch_mean_stds(values, [10], repeats=5, replace=False).tolist()  # full batch
    [0.0]
    """
    values = np.asarray(values, dtype=float)
    if values.ndim != 1 or values.size < 2:
        raise ValueError(f"values must be 1-D with at least 2 entries, got shape {values.shape}")
    if int(repeats) < 2:
        raise ValueError(f"need at least 2 repeats to measure a spread, got {repeats}")
    population = None if replace else values.size
    check_sample_sizes(sizes, population)
    rng = np.random.default_rng(seed)
    full_mean = values.mean()
    stds = []
    for n in sizes:
        if replace:
            index = rng.integers(0, values.size, size=(int(repeats), int(n)))
        else:
            # the first n entries of a uniformly random permutation, one per repeat
            index = np.array([rng.choice(values.size, size=int(n), replace=False)
                              for _ in range(int(repeats))])
        means = values[index].mean(axis=1)
        stds.append(float(np.sqrt(np.mean((means - full_mean) ** 2))))
    return np.array(stds)


def sgd_stationary_variance(lr: float, curvature: float, gradient_variance: float,
                            batch_size: int) -> float:
    r"""Long-run variance of SGD's iterate on a one-dimensional quadratic.

    On :math:`f(x) = \tfrac12 h x^2` with minibatch gradients
    :math:`h x + \xi`, :math:`\operatorname{Var}\xi = s^2/n`, the update
    :math:`x_{t+1} = (1 - \eta h) x_t - \eta \xi_t` settles into a distribution
    around the minimum with variance

    .. math::
        v = \frac{\eta^2 s^2 / n}{1 - (1 - \eta h)^2}
          = \frac{\eta\, s^2}{n\, h\, (2 - \eta h)}
          \approx \frac{\eta}{n}\,\frac{s^2}{2h} \quad (\eta h \ll 1).

    To first order only the ratio :math:`\eta/n` matters: halving the batch
    with the same learning rate doubles the spread around the minimum, and
    halving the learning rate with it restores it.

    Parameters
    ----------
    lr : float
        The learning rate :math:`\eta`, with :math:`0 < \eta h < 2` (stability).
    curvature : float
        :math:`h > 0`.
    gradient_variance : float
        :math:`s^2`, the variance of one example's gradient noise.
    batch_size : int
        :math:`n`.

    Examples
    --------
    >>> sgd_stationary_variance(0.1, 1.0, 1.0, 1) / sgd_stationary_variance(0.1, 1.0, 1.0, 4)
    4.0
    """
    lr, curvature = float(lr), float(curvature)
    check_sample_sizes(batch_size)
    if not curvature > 0:
        raise ValueError(f"the curvature must be positive, got {curvature}")
    if not 0 < lr * curvature < 2:
        raise ValueError(
            f"SGD is unstable unless 0 < lr * curvature < 2; got {lr * curvature:g}: "
            "lower the learning rate"
        )
    if gradient_variance < 0:
        raise ValueError(f"a variance cannot be negative, got {gradient_variance}")
    return lr * float(gradient_variance) / (batch_size * curvature * (2 - lr * curvature))


def simulate_sgd_on_quadratic(lr: float, targets: np.ndarray, batch_size: int, *,
                              steps: int, chains: int, seed: int = 0) -> np.ndarray:
    r"""Run minibatch SGD on :math:`\frac1N \sum_i \tfrac12 (x - a_i)^2`, many chains at once.

    Each step draws, for every chain, a minibatch of ``batch_size`` targets
    (with replacement) and moves :math:`x \leftarrow x - \eta (x - \bar a_B)`.
    The minimum is :math:`\bar a` and the per-example gradient variance is the
    variance of the targets (curvature 1), so the spread of the final iterates
    can be compared with :func:`sgd_stationary_variance`.

    Returns
    -------
    numpy.ndarray
        Shape ``(chains,)``: the last iterate of each chain, started at the minimum.

    Examples
    --------
    >>> simulate_sgd_on_quadratic(0.1, np.array([1.0, 1.0]), 1, steps=5, chains=3).tolist()
    [1.0, 1.0, 1.0]
    """
    targets = np.asarray(targets, dtype=float)
    if targets.ndim != 1 or targets.size < 1:
        raise ValueError(f"targets must be a non-empty 1-D array, got shape {targets.shape}")
    check_sample_sizes(batch_size)
    rng = np.random.default_rng(seed)
    x = np.full(int(chains), targets.mean())
    for _ in range(int(steps)):
        batch = targets[rng.integers(0, targets.size, size=(int(chains), int(batch_size)))]
        x = x - lr * (x - batch.mean(axis=1))
    return x
