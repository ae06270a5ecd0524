r"""Ill-conditioning: what the second-order Taylor expansion says about one gradient step.

A gradient step of size :math:`\varepsilon` from :math:`x` changes the loss by

.. math::
    f(x - \varepsilon g) - f(x) \approx -\varepsilon\, g^\top g
        + \tfrac12 \varepsilon^2\, g^\top H g ,

with :math:`g = \nabla f(x)` and :math:`H = \nabla^2 f(x)`. When the curvature
along the gradient is positive, the quadratic model is lowest at the *best
step* :math:`\varepsilon^\star = g^\top g / g^\top H g`, and the step stops
paying off at :math:`2\varepsilon^\star`: longer steps increase the loss. For a
quadratic :math:`f` the expansion is exact.

On the quadratic with Hessian eigenvalues in :math:`[\lambda_{\min}, \lambda_{\max}]`
and condition number :math:`\kappa = \lambda_{\max}/\lambda_{\min}`, gradient
descent with the step :math:`\eta = 2/(\lambda_{\min} + \lambda_{\max})` multiplies
every eigen-coordinate of the error by :math:`\pm(\kappa-1)/(\kappa+1)`, hence the
loss by :math:`((\kappa-1)/(\kappa+1))^2`, per step (:func:`gradient_descent_loss_rate`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from d2lopt.rates import gradient_descent_rate

__all__ = [
    "Settings", "SETTINGS", "TaylorStep", "taylor_step", "step_changes", "line_search",
    "condition_number",
    "gradient_descent_loss_rate", "steps_to_reduce",
]

Array = Any


@dataclass(frozen=True)
class Settings:
    r"""The values that section 4's page, gallery scripts and tests share.

    Attributes
    ----------
    taylor_kappa : float
        Condition number of the quadratic :math:`\tfrac12(x^2 + \kappa y^2)` whose
        one-step Taylor model is drawn.
    taylor_point : (float, float)
        The point of that quadratic where the step is taken.
    rosenbrock_point : (float, float)
        The point of Rosenbrock's function where the step is taken.
    line_search_xatol : float
        Absolute tolerance, in step-size units, of the bounded line search for the
        true best step (:func:`line_search`).
    start : (float, float)
        Start of gradient descent on the quadratics of condition numbers ``kappas``.
    kappas : tuple of float
        Those condition numbers :math:`\kappa = \lambda_{\max}/\lambda_{\min}`.
    steps : int
        Gradient-descent steps of each of those runs.
    reduction : float
        The fraction of the initial loss whose first step below is counted.
    safe_kappa : float
        Condition number of the quadratic run with the safe step :math:`1/\lambda_{\max}`.
    safe_steps : int
        Steps of that run.
    safe_fit_start : int
        First step of the fit of its rate (after the steep coordinate has vanished).
    exercise_kappa : float
        Exercises: condition number of the quadratic whose gradient-descent rate is measured.
    exercise_steps : int
        Exercises: steps of that run.
    exercise_safe_kappa : float
        Exercises: the worse condition number that replaces ``safe_kappa``.
    exercise_safe_steps : int
        Exercises: the longer run that replaces ``safe_steps`` on that bowl.
    exercise_lr_kappa : float
        Exercises: condition number of the quadratic on which learning rates are compared.
    exercise_lr_steps : int
        Exercises: steps of each of those runs.
    exercise_lr_multiples : tuple of float
        Exercises: the learning rates compared, as multiples of :math:`1/\lambda_{\max}`.

    Examples
    --------
    >>> SETTINGS.kappas
    (1.0, 10.0, 100.0)
    """

    taylor_kappa: float = 10.0
    taylor_point: tuple[float, float] = (1.0, 1.0)
    rosenbrock_point: tuple[float, float] = (-1.2, 1.0)
    line_search_xatol: float = 1e-12
    start: tuple[float, float] = (-0.9, 0.6)
    kappas: tuple[float, ...] = (1.0, 10.0, 100.0)
    steps: int = 400
    reduction: float = 1e-6
    safe_kappa: float = 10.0
    safe_steps: int = 60
    safe_fit_start: int = 20
    # Exercises
    exercise_kappa: float = 30.0
    exercise_steps: int = 200
    exercise_safe_kappa: float = 100.0
    exercise_safe_steps: int = 200
    exercise_lr_kappa: float = 10.0
    exercise_lr_steps: int = 50
    exercise_lr_multiples: tuple[float, ...] = (0.5, 1.0, 1.5, 1.8, 1.9, 2.1)


#: The settings of section 4.
SETTINGS = Settings()


@dataclass(frozen=True)
class TaylorStep:
    r"""The quadratic model of :math:`\varepsilon \mapsto f(x - \varepsilon g) - f(x)`.

    Attributes
    ----------
    gradient : numpy.ndarray
        :math:`g = \nabla f(x)`.
    g_dot_g : float
        :math:`g^\top g`, the first-order decrease per unit step.
    g_H_g : float
        :math:`g^\top H g`, the curvature along the gradient (times :math:`\|g\|^2`).

    Examples
    --------
    >>> step = TaylorStep(np.array([1.0, 10.0]), 101.0, 1001.0)
    >>> round(step.best_step, 6), round(step.break_even_step, 6)
    (0.100899, 0.201798)
    """

    gradient: np.ndarray
    g_dot_g: float
    g_H_g: float

    @property
    def best_step(self) -> float:
        r""":math:`\varepsilon^\star = g^\top g / g^\top H g`, where the model is lowest.

        Infinite when :math:`g^\top H g \le 0` (no curvature stops the step).
        """
        return self.g_dot_g / self.g_H_g if self.g_H_g > 0 else float("inf")

    @property
    def break_even_step(self) -> float:
        r""":math:`2 g^\top g / g^\top H g`: a longer step *increases* the (modelled) loss."""
        return 2.0 * self.best_step

    @property
    def best_change(self) -> float:
        r"""The model's change at the best step, :math:`-(g^\top g)^2 / (2\, g^\top H g)`."""
        return -self.g_dot_g**2 / (2.0 * self.g_H_g) if self.g_H_g > 0 else float("-inf")

    def predicted_change(self, eps: float | np.ndarray) -> float | np.ndarray:
        r"""The model :math:`-\varepsilon\, g^\top g + \tfrac12 \varepsilon^2 g^\top H g`."""
        eps = np.asarray(eps, dtype=float)
        change = -eps * self.g_dot_g + 0.5 * eps**2 * self.g_H_g
        return float(change) if change.ndim == 0 else change

    def first_order_change(self, eps: float | np.ndarray) -> float | np.ndarray:
        r"""The linear term alone, :math:`-\varepsilon\, g^\top g`."""
        eps = np.asarray(eps, dtype=float)
        change = -eps * self.g_dot_g
        return float(change) if change.ndim == 0 else change


def taylor_step(f: Callable[[Array], Array], x: Array) -> TaylorStep:
    r"""Compute :math:`g^\top g` and :math:`g^\top H g` at ``x`` by automatic differentiation.

    The curvature term uses a Hessian-vector product (:func:`d2lopt.hvp`), so
    the Hessian itself is never formed. ``x`` may be a NumPy, PyTorch or
    TensorFlow array; derivatives are taken by its framework.

    Parameters
    ----------
    f : callable
        A scalar function, e.g. a :class:`~d2lopt.landscapes.Landscape`.
    x : array_like
        The point.

    Returns
    -------
    TaylorStep
        The first- and second-order terms along :math:`-g` and the best step size.

    Examples
    --------
    >>> from d2lopt.landscapes import quadratic
    >>> step = taylor_step(quadratic(10.0), np.array([1.0, 1.0]))
    >>> step.g_dot_g, step.g_H_g, round(step.best_step, 6)
    (101.0, 1001.0, 0.100899)
    """
    from d2lopt.backends import as_array, backend_for
    from d2lopt.derivatives import grad, hvp

    backend, x = as_array(x)
    g = grad(f)(x)
    Hg = hvp(f)(x, g)
    g_np = np.asarray(backend.to_numpy(g), dtype=float).ravel()
    Hg_np = np.asarray(backend_for(Hg).to_numpy(Hg), dtype=float).ravel()
    return TaylorStep(gradient=g_np, g_dot_g=float(g_np @ g_np), g_H_g=float(g_np @ Hg_np))


def step_changes(f: Callable[[Array], Array], x: Array, steps: np.ndarray) -> np.ndarray:
    r"""The true changes :math:`f(x - \varepsilon g) - f(x)` for each step size :math:`\varepsilon`.

    Evaluated in NumPy (``f`` must accept NumPy arrays, as every landscape does).

    Examples
    --------
    >>> from d2lopt.landscapes import quadratic
    >>> step_changes(quadratic(1.0), np.array([1.0, 0.0]), np.array([0.0, 1.0, 2.0])).tolist()
    [0.0, -0.5, 0.0]
    """
    from d2lopt.backends import get_backend

    x = np.asarray(x, dtype=float)
    g = np.asarray(get_backend("numpy").grad(f, x), dtype=float)
    f0 = float(f(x))
    return np.array([float(f(x - float(eps) * g)) - f0 for eps in np.ravel(steps)])


def line_search(f: Callable[[Array], Array], x: Array, upper: float, *,
                xatol: float = SETTINGS.line_search_xatol) -> tuple[float, float]:
    r"""The true best step along :math:`-g` in :math:`[0, \text{upper}]`, by a bounded line search.

    Minimizes :func:`step_changes` with :func:`scipy.optimize.minimize_scalar`
    (bounded Brent).

    Returns
    -------
    (float, float)
        The step :math:`\varepsilon` and the change :math:`f(x - \varepsilon g) - f(x)` there.

    Raises
    ------
    ValueError
        If ``upper`` is not positive and finite.

    Examples
    --------
    >>> from d2lopt.landscapes import quadratic
    >>> step, change = line_search(quadratic(1.0), np.array([1.0, 0.0]), 2.0)
    >>> round(step, 6), round(change, 6)
    (1.0, -0.5)
    """
    from scipy.optimize import minimize_scalar

    upper = float(upper)
    if not 0 < upper < float("inf"):
        raise ValueError(f"upper must be positive and finite, got {upper}")
    x = np.asarray(x, dtype=float)
    result = minimize_scalar(lambda eps: float(step_changes(f, x, [eps])[0]), bounds=(0.0, upper),
                             method="bounded", options={"xatol": float(xatol)})
    return float(result.x), float(result.fun)


def condition_number(hessian: np.ndarray) -> float:
    r"""The condition number :math:`\lambda_{\max}/\lambda_{\min}` of a positive definite matrix.

    Raises
    ------
    ValueError
        If the matrix is not square and symmetric, or not positive definite (the
        ratio of eigenvalues then says nothing about gradient descent's speed).

    Examples
    --------
    >>> condition_number(np.diag([1.0, 100.0]))
    100.0
    """
    H = np.asarray(hessian, dtype=float)
    if H.ndim != 2 or H.shape[0] != H.shape[1] or not np.allclose(H, H.T):
        raise ValueError(f"expected a symmetric square matrix, got shape {H.shape}")
    eigenvalues = np.linalg.eigvalsh(H)
    if eigenvalues[0] <= 0:
        raise ValueError(
            f"the matrix is not positive definite (smallest eigenvalue {eigenvalues[0]:g}); "
            "the condition number of a Hessian is only meaningful near a minimum"
        )
    return float(eigenvalues[-1] / eigenvalues[0])


def gradient_descent_loss_rate(kappa: float) -> float:
    r"""Per-step loss factor :math:`((\kappa-1)/(\kappa+1))^2` of gradient descent, best fixed step.

    For a quadratic with curvatures in :math:`[\mu, L]`, :math:`\kappa = L/\mu`,
    the step :math:`\eta = 2/(\mu + L)` multiplies the error along every
    eigenvector by :math:`\pm(\kappa-1)/(\kappa+1)` (see
    :func:`d2lopt.rates.gradient_descent_rate`). The loss is a weighted sum of
    the squared coordinates, so it shrinks by the square of that factor.

    Examples
    --------
    >>> gradient_descent_loss_rate(3.0)
    0.25
    """
    kappa = float(kappa)
    if not kappa >= 1:
        raise ValueError(f"a condition number is at least 1, got {kappa}")
    return gradient_descent_rate(1.0, kappa) ** 2


def steps_to_reduce(factor: float, rate: float) -> int:
    r"""The fewest steps :math:`t` with :math:`\text{rate}^t \le \text{factor}`.

    Examples
    --------
    >>> steps_to_reduce(1e-3, 0.5)  # 2**-10 < 1e-3 < 2**-9
    10
    """
    factor, rate = float(factor), float(rate)
    if not 0 < factor < 1:
        raise ValueError(f"the reduction factor must be in (0, 1), got {factor}")
    if not 0 <= rate < 1:
        raise ValueError(f"a contraction rate must be in [0, 1), got {rate}")
    if rate == 0:
        return 1
    t = int(np.ceil(np.log(factor) / np.log(rate) - 1e-12))
    return max(t, 1)
