r"""Logistic loss on linearly separable data: a loss with no minimizer.

For labels :math:`y_i = \pm 1` and the mean logistic loss

.. math::
    L(w) = \frac1n \sum_{i=1}^n \log\bigl(1 + e^{-y_i x_i^\top w}\bigr),

any :math:`w` that separates the data (:math:`y_i x_i^\top w > 0` for all
:math:`i`) gives :math:`L(c\,w) \to 0` as :math:`c \to \infty`, yet
:math:`L > 0` everywhere: the infimum is not attained. Gradient descent with a
small enough step drives :math:`\|w_t\| \to \infty` like
:math:`\|\hat w\|\log t`, where :math:`\hat w` is the hard-margin SVM solution
(Soudry et al., 2018), while :math:`L(w_t)` decays like :math:`1/t`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from d2lopt.backends import backend_for
from d2lopt.losses import softplus

__all__ = [
    "Settings", "SETTINGS", "separable_data", "logistic_risk", "logistic_gradient",
    "logistic_smoothness", "max_margin", "logistic_gradient_descent",
]


@dataclass(frozen=True)
class Settings:
    r"""The values section 11's page, gallery scripts and tests share.

    Try another value with ``dataclasses.replace(SETTINGS, lr=0.1)``.

    Attributes
    ----------
    lr : float
        Learning rate of gradient descent on the mountain.
    steps : int
        Its iterations; the runaway rates are fitted over :math:`t \ge` ``steps // 10``.
    runaway_starts : tuple of tuple of float
        Starts left of the summit, from which the runs walk away from the basin.
    basin_starts : tuple of tuple of float
        Starts right of the summit, from which the runs reach the basin.
    basin_tol : float
        Distance from the basin's minimum within which a run has reached it.
    seed : int
        Seed of the random restarts and of the separable data.
    n_starts : int
        Uniform random starts of the restart experiment.
    box : tuple of tuple of float
        Their box, ``((x_lo, x_hi), (y_lo, y_hi))``.
    restart_steps : int
        Gradient-descent iterations from each of them.
    restart_tol : float
        Distance from the basin's minimum within which a restart counts as a success.
    restarts : int
        Number of restarts whose joint success probability is quoted.
    n_points : int
        Points of the separable data set.
    logistic_steps : int
        Iterations of gradient descent on their logistic loss.
    records : int
        Geometrically spaced iterations at which its weights are kept.
    early_step : int
        The early iteration at which the direction is compared with the max-margin one.
    probe : tuple of float
        Weights at which the closed-form gradient is checked by autodiff.
    exercise_success : float
        Exercises: probability with which the restarts must find the basin.
    exercise_weight_decay : float
        Exercises: coefficient :math:`\lambda` of the penalty :math:`\tfrac\lambda2\|w\|^2`
        added to the logistic loss.
    exercise_decay_steps : int
        Exercises: iterations of gradient descent with and without it; the norms are
        compared at ``exercise_decay_steps // 10`` and at the end.
    exercise_falling_steps : int
        Exercises: iterations of the runs from ``runaway_starts`` whose losses are examined.

    """

    lr: float = 0.3
    steps: int = 1500
    runaway_starts: tuple[tuple[float, float], ...] = ((-0.4, 0.0), (-0.5, 1.2), (-0.3, -1.8))
    basin_starts: tuple[tuple[float, float], ...] = ((0.5, 0.3), (0.6, -1.2), (3.5, 2.5))
    basin_tol: float = 1e-3
    seed: int = 0
    n_starts: int = 400
    box: tuple[tuple[float, float], tuple[float, float]] = ((-3.0, 4.0), (-3.0, 3.0))
    restart_steps: int = 400
    restart_tol: float = 1e-2
    restarts: int = 5
    n_points: int = 40
    logistic_steps: int = 300_000
    records: int = 200
    early_step: int = 1000
    probe: tuple[float, float] = (0.3, -0.7)
    # Exercises
    exercise_success: float = 0.99
    exercise_weight_decay: float = 1e-3
    exercise_decay_steps: int = 20_000
    exercise_falling_steps: int = 300


#: The settings of section 11.
SETTINGS = Settings()


def _check_data(X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    if X.ndim != 2 or y.shape != (X.shape[0],):
        raise ValueError(f"X must have shape (n, d) and y shape (n,); got {X.shape}, {y.shape}")
    if not np.all(np.isin(y, (-1.0, 1.0))):
        raise ValueError("labels y must be -1 or +1")
    return X, y


def separable_data(n: int = SETTINGS.n_points, *, margin: float = 0.3, noise: float = 0.6,
                   seed: int = SETTINGS.seed) -> tuple[np.ndarray, np.ndarray]:
    r"""Two Gaussian clouds in the plane, separable by a line through the origin.

    Points are drawn around :math:`\pm\mu`, :math:`\mu = (1.5, 0.5)`, with
    standard deviation ``noise``; any point closer than ``margin`` to the line
    :math:`\mu^\top x = 0` (or on its wrong side) is redrawn, so the data are
    separable with a margin of at least ``margin`` along :math:`\mu/\|\mu\|`.

    Returns
    -------
    X : numpy.ndarray, shape (n, 2)
    y : numpy.ndarray, shape (n,)
        Labels :math:`\pm 1` (both classes present).

    Examples
    --------
    >>> X, y = separable_data(10)
    >>> X.shape, sorted(set(y.tolist()))
    ((10, 2), [-1.0, 1.0])
    """
    if n < 2:
        raise ValueError(f"need at least two points, got n={n}")
    if not margin > 0:
        raise ValueError(f"margin must be positive, got {margin}")
    rng = np.random.default_rng(seed)
    mu = np.array([1.5, 0.5])
    direction = mu / np.linalg.norm(mu)
    y = np.where(np.arange(n) % 2 == 0, 1.0, -1.0)
    X = np.empty((n, 2))
    for i in range(n):
        while True:
            x = y[i] * mu + noise * rng.standard_normal(2)
            if y[i] * x @ direction >= margin:
                X[i] = x
                break
    return X, y


def logistic_risk(w: Any, X: Any, y: Any) -> Any:
    r"""The logistic risk :math:`L(w) = \frac1n\sum_i \log(1 + e^{-y_i x_i^\top w})` of ``w``.

    The empirical risk of the linear classifier :math:`\operatorname{sign}(x^\top w)`:
    the mean over the data of the logistic loss (in nats) of the margins
    :math:`y_i x_i^\top w`, computed in ``w``'s framework with the stable
    :func:`d2lopt.losses.softplus`, so ``d2lopt.grad`` differentiates it on every
    framework.

    Examples
    --------
    >>> round(float(logistic_risk(np.zeros(2), np.eye(2), np.array([1.0, -1.0]))), 6)
    0.693147
    """
    ops = backend_for(w)
    Xn, yn = _check_data(X, y)
    Z = ops.tensor(yn[:, None] * Xn)
    margins = ops.sum(Z * w[None, :], axis=1)
    return ops.sum(softplus(-margins)) / Xn.shape[0]


def logistic_gradient(w: Any, X: Any, y: Any) -> np.ndarray:
    r"""The gradient :math:`-\frac1n \sum_i \sigma(-y_i x_i^\top w)\, y_i x_i` (NumPy, closed form).

    Examples
    --------
    >>> logistic_gradient(np.zeros(2), np.eye(2), np.array([1.0, -1.0])).tolist()
    [-0.25, 0.25]
    """
    from scipy.special import expit

    X, y = _check_data(X, y)
    Z = y[:, None] * X
    return -(expit(-(Z @ np.asarray(w, dtype=float)))[:, None] * Z).mean(axis=0)


def logistic_smoothness(X: Any) -> float:
    r"""A Lipschitz constant of :math:`\nabla L`: :math:`\beta = \sigma_{\max}(X)^2 / (4n)`.

    The Hessian is :math:`\frac1n X^\top D X` with :math:`D \preceq \tfrac14 I`.
    Gradient descent with :math:`\eta < 2/\beta` decreases the loss at every step.

    Examples
    --------
    >>> logistic_smoothness(np.eye(4))
    0.0625
    """
    X = np.asarray(X, dtype=float)
    if X.ndim != 2:
        raise ValueError(f"X must have shape (n, d); got {X.shape}")
    return float(np.linalg.norm(X, 2) ** 2 / (4 * X.shape[0]))


def max_margin(X: Any, y: Any) -> np.ndarray:
    r"""The hard-margin SVM :math:`\hat w = \arg\min \|w\|^2` s.t. :math:`y_i x_i^\top w \ge 1`.

    Solved with :func:`scipy.optimize.minimize` (SLSQP). Its norm is
    :math:`1/\gamma`, :math:`\gamma` the largest geometric margin of a separator
    through the origin.

    Raises
    ------
    ValueError
        If the data are not linearly separable through the origin.

    Examples
    --------
    >>> max_margin(np.array([[2.0, 0.0], [-1.0, 0.0]]), np.array([1.0, -1.0])).round(6).tolist()
    [1.0, 0.0]
    """
    from scipy.optimize import minimize

    X, y = _check_data(X, y)
    Z = y[:, None] * X
    start = np.linalg.lstsq(Z, np.ones(len(y)), rcond=None)[0]
    result = minimize(
        lambda w: 0.5 * w @ w, start, jac=lambda w: w, method="SLSQP",
        constraints=[{"type": "ineq", "fun": lambda w: Z @ w - 1.0, "jac": lambda w: Z}],
        options={"ftol": 1e-14, "maxiter": 500},
    )
    if not result.success or np.min(Z @ result.x) < 1 - 1e-6:
        raise ValueError(
            "the data are not linearly separable through the origin (no w with "
            f"y_i x_i^T w >= 1 found: {result.message}); add a bias feature or check the labels"
        )
    return result.x


def logistic_gradient_descent(X: Any, y: Any, *, lr: float, steps: int,
                              record: Any = None, w0: Any = None, weight_decay: float = 0.0
                              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Gradient descent on the mean logistic loss, in NumPy (fast enough for :math:`10^5` steps).

    With ``weight_decay`` :math:`\lambda > 0` it descends the regularized loss
    :math:`L(w) + \tfrac\lambda2\|w\|^2`, which (unlike :math:`L`) has a
    minimizer; gradient descent on it converges for :math:`\eta < 2/(\beta + \lambda)`.

    Parameters
    ----------
    X, y : array_like
        Data of shape (n, d) and labels :math:`\pm 1`.
    lr : float
        Step size :math:`\eta > 0`.
    steps : int
        Number of updates.
    record : array_like of int, optional
        Steps :math:`t` (between 0 and ``steps``) at which to keep :math:`w_t`;
        by default every step.
    w0 : array_like, optional
        Start point (default zero).
    weight_decay : float, optional
        :math:`\lambda \ge 0`, the coefficient of the penalty :math:`\tfrac\lambda2\|w\|^2`
        (default 0: the plain logistic loss).

    Returns
    -------
    t : numpy.ndarray of int
        The recorded steps.
    weights : numpy.ndarray, shape (len(t), d)
        :math:`w_t`.
    losses : numpy.ndarray, shape (len(t),)
        :math:`L(w_t)`, the data term only (without the penalty).

    Examples
    --------
    >>> X, y = separable_data(10)
    >>> t, w, loss = logistic_gradient_descent(X, y, lr=1.0, steps=100, record=[0, 100])
    >>> bool(loss[1] < loss[0]) and bool(np.linalg.norm(w[1]) > 0)
    True
    >>> t, w, _ = logistic_gradient_descent(X, y, lr=1.0, steps=2000, record=[1000, 2000],
    ...                                     weight_decay=0.1)
    >>> bool(np.allclose(w[0], w[1]))   # with weight decay the weights converge
    True
    """
    from scipy.special import expit

    X, y = _check_data(X, y)
    if not lr > 0:
        raise ValueError(f"lr must be positive, got {lr}")
    if int(steps) != steps or steps < 0:
        raise ValueError(f"steps must be a non-negative integer, got {steps!r}")
    if not (np.isfinite(weight_decay) and weight_decay >= 0):
        raise ValueError(f"weight_decay must be a finite number >= 0, got {weight_decay!r}")
    record = np.arange(int(steps) + 1) if record is None else np.unique(np.asarray(record, int))
    if record.size and (record[0] < 0 or record[-1] > steps):
        raise ValueError(f"record must lie in [0, {steps}]")
    Z = y[:, None] * X
    n = len(y)
    w = np.zeros(X.shape[1]) if w0 is None else np.array(w0, dtype=float)
    weights, keep = [], set(record.tolist())
    for t in range(int(steps) + 1):
        if t in keep:
            weights.append(w.copy())
        if t < steps:
            w = w + (lr / n) * (expit(-(Z @ w)) @ Z) - (lr * weight_decay) * w
    weights = np.array(weights)
    losses = softplus(-(weights @ Z.T)).mean(axis=1)
    return record, weights, losses
