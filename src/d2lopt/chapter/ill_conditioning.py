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
    "interactive_runs", "InteractiveFrames", "interactive_controls", "interactive_figure",
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
    interactive_kappas : tuple of float
        The condition-number slider of the interactive figure (quadratics
        :math:`\tfrac12(x^2 + \kappa y^2)`, so :math:`\lambda_{\max} = \kappa`).
    interactive_step_ratios : tuple of float
        Its learning-rate slider, as :math:`\eta\,\lambda_{\max}`: gradient descent
        diverges beyond 2.
    interactive_steps : int
        Gradient-descent steps of each of its runs.
    interactive_initial : tuple of float
        The setting the figure opens at, :math:`(\kappa, \eta\,\lambda_{\max})`: one value
        of each slider.

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
    interactive_kappas: tuple[float, ...] = (1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0)
    interactive_step_ratios: tuple[float, ...] = (0.2, 0.5, 1.0, 1.5, 1.8, 1.95, 2.05)
    interactive_steps: int = 40
    interactive_initial: tuple[float, float] = (10.0, 1.0)


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


def interactive_runs(settings: Settings = SETTINGS) -> dict[tuple[float, float], Any]:
    r"""Gradient descent for every pair of the interactive figure's sliders.

    For each :math:`\kappa` in ``settings.interactive_kappas`` and each ratio
    :math:`r` in ``settings.interactive_step_ratios``, :func:`d2lopt.optim.gradient_descent`
    on :func:`d2lopt.landscapes.quadratic` (:math:`\kappa`) from ``settings.start``
    with :math:`\eta = r/\lambda_{\max}`, ``settings.interactive_steps`` steps.

    Returns
    -------
    dict
        ``(kappa, ratio) -> Trajectory``.

    Examples
    --------
    >>> runs = interactive_runs()
    >>> len(runs) == len(SETTINGS.interactive_kappas) * len(SETTINGS.interactive_step_ratios)
    True
    """
    from d2lopt.landscapes import quadratic
    from d2lopt.optim import gradient_descent

    runs = {}
    for kappa in settings.interactive_kappas:
        bowl = quadratic(kappa)
        for ratio in settings.interactive_step_ratios:
            runs[kappa, ratio] = gradient_descent(bowl, np.array(settings.start),
                                                  lr=ratio / bowl.eigenvalues[1],
                                                  steps=settings.interactive_steps)
    return runs


def interactive_controls(settings: Settings = SETTINGS) -> list[Any]:
    r"""The sliders of the interactive figure: :math:`\kappa`, then :math:`\eta\,\lambda_{\max}`.

    Examples
    --------
    >>> [(c.name, c.values[c.initial]) for c in interactive_controls()]
    [('kappa', 10.0), ('ratio', 1.0)]
    """
    from d2lopt.plot import format_number
    from d2lopt.plot.interactive import Control

    kappas, ratios = settings.interactive_kappas, settings.interactive_step_ratios
    kappa, ratio = settings.interactive_initial
    for name, value, values in (("kappa", kappa, kappas), ("ratio", ratio, ratios)):
        if value not in values:
            raise ValueError(f"settings.interactive_initial: its {name} {value!r} is not one of "
                             f"the slider's values {values}; pick one of them")
    return [
        Control("kappa", "condition number κ", kappas,
                tuple(format_number(k, 3, trim=True) for k in kappas),
                initial=kappas.index(kappa)),
        Control("ratio", "learning rate η × λmax", ratios,
                tuple(format_number(r, 3, trim=True) for r in ratios),
                initial=ratios.index(ratio)),
    ]


class InteractiveFrames:
    r"""The frames of the interactive figure, drawn on one figure whose artists are updated.

    Call it with ``kappa`` and ``ratio`` (values of the sliders) and the run; it
    returns the figure: left, gradient descent's path on the contours of
    :math:`\tfrac12(x^2 + \kappa y^2)`; right, :math:`f(x_t)/f(x_0)` on a log scale with
    the rate of this step, :math:`\rho^{2t}`, :math:`\rho = \max(|1 - \eta|, |1 - \eta\kappa|)`,
    and of the best fixed step, :math:`((\kappa-1)/(\kappa+1))^{2t}`. The title gives
    :math:`\eta` and the divergence threshold :math:`2/\lambda_{\max}`.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("agg")
    >>> frames = InteractiveFrames(SETTINGS.interactive_steps)
    >>> run = interactive_runs()[10.0, 1.0]
    >>> fig = frames(10.0, 1.0, run)
    >>> fig.axes[0].get_title(), fig.axes[1].get_title()
    ('path, κ = 10, 2/λmax = 0.200', 'η = 0.100')
    """

    floor = 1e-12

    def __init__(self, steps: int = SETTINGS.interactive_steps) -> None:
        import matplotlib.pyplot as plt

        from d2lopt.plot import COLORS, use_style
        from d2lopt.plot.interactive import power_of_ten

        use_style()
        self.fig, (self.ax, self.ax_loss) = plt.subplots(1, 2, figsize=(6.9, 3.6),
                                                         layout="constrained")
        self.kappa: float | None = None
        self.contours: Any = None
        ax, ax_loss = self.ax, self.ax_loss
        (self.path,) = ax.plot([], [], color=COLORS["blue"], marker="o", markersize=3,
                               linewidth=1.2)
        (self.start,) = ax.plot([], [], marker="s", color="black", linestyle="none")
        ax.set(xlim=(-1, 1), ylim=(-1, 1), xlabel="x", ylabel="y", aspect="equal",
               title="path, κ = 100, 2/λmax = 0.0200")
        (self.loss,) = ax_loss.plot([], [], color=COLORS["blue"], label="f(xₜ)/f(x₀)")
        (self.rate,) = ax_loss.plot([], [], color=COLORS["black"], linestyle=":",
                                    label="this step: ρ²ᵗ")
        (self.best,) = ax_loss.plot([], [], color=COLORS["bluish green"], linestyle="-.",
                                    label="best step: ((κ−1)/(κ+1))²ᵗ")
        ax_loss.set_yscale("log")
        ticks = [1e-12, 1e-8, 1e-4, 1.0, 1e4]
        ax_loss.set_yticks(ticks, [power_of_ten(v) for v in ticks])
        ax_loss.minorticks_off()
        ax_loss.set(xlim=(0, steps), ylim=(self.floor, 1e4), xlabel="step t", ylabel="loss ratio",
                    title="η = 0.000 (diverges)")
        ax_loss.legend(loc="lower left", fontsize=9)
        self.fig.canvas.draw()  # lay out once, with the longest title
        self.fig.set_layout_engine("none")

    def __call__(self, kappa: float, ratio: float, run: Any) -> Any:
        from d2lopt.landscapes import quadratic
        from d2lopt.plot import evaluate_grid, format_number

        bowl = quadratic(kappa)
        lam_min, lam_max = bowl.eigenvalues
        lr = ratio / lam_max
        if kappa != self.kappa:
            if self.contours is not None:
                self.contours.remove()
            X, Y, Z = evaluate_grid(bowl, 81)
            self.contours = self.ax.contour(X, Y, Z, levels=np.geomspace(0.005, 50, 9),
                                            colors="#9a9a9a", linewidths=0.8)
            self.ax.set_title(f"path, κ = {format_number(kappa, 3, trim=True)}, "
                              f"2/λmax = {format_number(2 / lam_max, 3)}")
            self.kappa = kappa
        diverges = lr * lam_max > 2
        shown = np.clip(run.points, -1.0, 1.0)
        self.path.set_data(shown[:, 0], shown[:, 1])
        self.start.set_data([run.points[0, 0]], [run.points[0, 1]])
        t = np.arange(len(run.values))
        rho = max(abs(1 - lr * lam_min), abs(1 - lr * lam_max))
        self.loss.set_data(t, np.maximum(run.values / run.values[0], self.floor))
        self.rate.set_data(t, np.maximum(rho ** (2.0 * t), self.floor))
        self.best.set_data(t, np.maximum(gradient_descent_loss_rate(kappa) ** t, self.floor))
        self.ax_loss.set_title(f"η = {format_number(lr, 3)}" + (" (diverges)" if diverges else ""))
        return self.fig


def interactive_figure(settings: Settings = SETTINGS) -> str:
    r"""The HTML of the interactive figure (κ and learning-rate sliders), computed now.

    See ``d2lopt.plot.interactive``; every path is one of :func:`interactive_runs`.
    """
    from d2lopt.plot.interactive import interactive_html, render_states

    runs = interactive_runs(settings)
    controls = interactive_controls(settings)
    frames = InteractiveFrames(settings.interactive_steps)
    svgs = render_states(lambda kappa, ratio: frames(kappa, ratio, runs[kappa, ratio]), controls)
    return interactive_html(
        svgs, controls, name="ill-conditioning-interactive",
        description=(
            "Two sliders, moved with the arrow keys: the condition number κ of the quadratic and "
            "the "
            "learning rate η in units of 1/λmax. Look for the zigzag across the narrow valley as κ "
            "grows, the loss following the rate ρ^(2t) of the chosen step, and the run diverging "
            "once η passes the threshold 2/λmax (η × λmax above 2)."),
        alt=("Left: gradient descent's path on the elliptic contours of the quadratic; right: "
             "its loss ratio against the step on a log scale, with the rate of the chosen step "
             "and of the best "
             "fixed step."))
