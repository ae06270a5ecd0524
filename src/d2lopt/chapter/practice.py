r"""Gradient descent, heavy-ball momentum and Adam, each tuned, on two test problems.

* :func:`quadratic_comparison`: the ill-conditioned quadratic
  :math:`\tfrac12(\mu x^2 + L y^2)`. Gradient descent and momentum use their
  theoretically optimal constants (:mod:`d2lopt.rates`), which need
  :math:`\mu` and :math:`L`; Adam gets the best learning rate and
  :math:`\beta_1` of a grid.
* :func:`saddle_comparison`: the double well
  :math:`\tfrac14x^4 - \tfrac12x^2 + \tfrac12y^2` started next to its saddle;
  every method gets the best hyper-parameters of a grid.

"Best" means fewest steps until :math:`f - f^\star \le` ``tol``
(:func:`d2lopt.optim.tune`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from d2lopt import optim
from d2lopt.landscapes import Landscape, Quadratic, double_well, quadratic
from d2lopt.optim.tuning import steps_to_tolerance, tune
from d2lopt.rates import heavy_ball_parameters, optimal_gradient_descent_lr

__all__ = ["Settings", "SETTINGS", "Comparison", "quadratic_comparison", "saddle_comparison",
           "escape_step", "LR_GRID", "BETA_GRID", "interactive_runs", "interactive_controls",
           "InteractiveFrames", "interactive_figure"]


@dataclass(frozen=True)
class Settings:
    r"""The values section 12's page, gallery scripts and tests share.

    Try another value with ``dataclasses.replace(SETTINGS, kappa=100.0)``.

    Attributes
    ----------
    kappa : float
        Condition number :math:`\kappa = L/\mu` of the quadratic (:math:`\mu = 1`).
    start : tuple of float
        Start point on the quadratic (in the axis-aligned bowl's coordinates).
    steps : int
        Iterations of every run on the quadratic.
    tol : float
        Tolerance on :math:`f - f^\star` that counts as converged.
    saddle_start : tuple of float
        Start point next to the saddle of the double well.
    saddle_steps : int
        Iterations of every run on the double well.
    lr_grid : tuple of float
        Learning rates tried when a method is tuned on a grid.
    beta_grid : tuple of float
        Momentum coefficients (heavy ball's :math:`\beta`, Adam's :math:`\beta_1`) tried.
    fit_window : tuple of int
        Iterations ``(start, stop)`` over which the per-step rate of :math:`\|x_t\|` is fitted.
    escape_threshold : float
        :math:`|x_t|` at which a run has left the saddle (half way to a minimum).
    offsets : tuple of float
        Largest and smallest distance :math:`x_0` of a start from the stable manifold.
    n_offsets : int
        Number of geometrically spaced distances between them.
    exercise_lr : float
        Exercises: learning rate :math:`\eta` of the effective-step measurements.
    exercise_slope : float
        Exercises: slope :math:`g` of the linear function :math:`f(x) = g\,x` run by momentum.
    exercise_step : int
        Exercises: iteration :math:`t` at which the step length is measured.
    exercise_adam_slopes : tuple of float
        Exercises: slopes :math:`g` of the linear functions run by Adam.
    exercise_kappa_factor : float
        Exercises: factor by which the condition number ``kappa`` is raised.
    exercise_default_lr : float
        Exercises: PyTorch's default learning rate of Adam, tested against ``lr_grid``.
    interactive_betas : tuple of float
        The momentum slider of the interactive figure (heavy ball's :math:`\beta`,
        at gradient descent's optimal learning rate; :math:`\beta = 0` is gradient
        descent). Its Adam slider is ``lr_grid``.
    interactive_steps : int
        Iterations of every run in the interactive figure.

    """

    kappa: float = 50.0
    start: tuple[float, float] = (-0.9, 0.6)
    steps: int = 300
    tol: float = 1e-6
    saddle_start: tuple[float, float] = (1e-3, 0.5)
    saddle_steps: int = 150
    lr_grid: tuple[float, ...] = (0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
    beta_grid: tuple[float, ...] = (0.5, 0.7, 0.9)
    fit_window: tuple[int, int] = (20, 120)
    escape_threshold: float = 0.5
    offsets: tuple[float, float] = (1e-2, 1e-12)
    n_offsets: int = 11
    # Exercises
    exercise_lr: float = 0.1
    exercise_slope: float = 2.0
    exercise_step: int = 100
    exercise_adam_slopes: tuple[float, ...] = (1e-3, 1.0, 1e3)
    exercise_kappa_factor: float = 2.0
    exercise_default_lr: float = 1e-3
    interactive_betas: tuple[float, ...] = (0.0, 0.5, 0.7, 0.8, 0.9, 0.95, 0.99)
    interactive_steps: int = 150


#: The settings of section 12.
SETTINGS = Settings()

#: Learning rates tried when a method is tuned on a grid (:attr:`Settings.lr_grid`).
LR_GRID: tuple[float, ...] = SETTINGS.lr_grid
#: Momentum coefficients tried (:attr:`Settings.beta_grid`).
BETA_GRID: tuple[float, ...] = SETTINGS.beta_grid

_NAMES = ("gradient descent", "momentum", "Adam")


@dataclass(frozen=True)
class Comparison:
    """Runs of the three methods on one problem.

    Attributes
    ----------
    landscape : Landscape
        The problem.
    runs : dict of str to Trajectory
        ``"gradient descent"``, ``"momentum"``, ``"Adam"``.
    hyper : dict of str to dict
        The hyper-parameters each run used.
    steps_to_tol : dict of str to float
        First step with :math:`f - f^\\star \\le` ``tol`` (``inf`` if never).
    tol : float
        The tolerance.
    """

    landscape: Landscape
    runs: dict[str, optim.Trajectory]
    hyper: dict[str, dict[str, Any]]
    steps_to_tol: dict[str, float]
    tol: float


def _adam(f: Landscape, start: Any, steps: int, tol: float, minimum: float,
          lr_grid: Sequence[float], beta_grid: Sequence[float]) -> tuple[dict, optim.Trajectory]:
    result = tune(optim.adam, f, start, grid={"lr": lr_grid, "betas": [(b, 0.999) for b in
                                                                        beta_grid]},
                  steps=steps, tol=tol, minimum=minimum)
    return result.hyper, result.trajectory


def quadratic_comparison(condition_number: float = SETTINGS.kappa, start: Any = SETTINGS.start, *,
                         steps: int = SETTINGS.steps, tol: float = SETTINGS.tol,
                         landscape: Quadratic | None = None,
                         lr_grid: Sequence[float] = LR_GRID,
                         beta_grid: Sequence[float] = BETA_GRID) -> Comparison:
    r"""The three methods on :func:`~d2lopt.landscapes.quadratic` ``(condition_number)``.

    Gradient descent uses :math:`\eta = 2/(\mu + L)`; momentum uses Polyak's
    :math:`(\eta, \beta)` from :func:`~d2lopt.rates.heavy_ball_parameters`;
    Adam is tuned over ``lr_grid`` × ``beta_grid`` (:math:`\beta_2 = 0.999`).

    Parameters
    ----------
    condition_number : float
        :math:`\kappa = L/\mu` (with :math:`\mu = 1`).
    start : array_like
        Start point; its framework (NumPy, PyTorch, TensorFlow) computes the gradients.
    steps, tol : int, float
        Run length and the tolerance on :math:`f - 0`.
    landscape : Quadratic, optional
        A :class:`~d2lopt.landscapes.Quadratic` to use instead (e.g. one made by
        :func:`~d2lopt.landscapes.rotated_quadratic`); its ``eigenvalues`` set the
        step sizes.

    Examples
    --------
    >>> result = quadratic_comparison(10.0, steps=60, lr_grid=(0.1,), beta_grid=(0.9,))
    >>> sorted(result.runs)
    ['Adam', 'gradient descent', 'momentum']
    """
    bowl = quadratic(condition_number) if landscape is None else landscape
    if not isinstance(bowl, Quadratic):
        raise TypeError(f"landscape must be a d2lopt.landscapes.Quadratic (it declares the "
                        f"eigenvalues that set the step sizes), got {bowl!r}")
    mu, L = bowl.eigenvalues
    lr_gd = optimal_gradient_descent_lr(mu, L)
    lr_hb, beta_hb = heavy_ball_parameters(mu, L)
    runs = {
        "gradient descent": optim.gradient_descent(bowl, start, steps=steps, lr=lr_gd),
        "momentum": optim.momentum(bowl, start, steps=steps, lr=lr_hb, beta=beta_hb),
    }
    hyper: dict[str, dict[str, Any]] = {
        "gradient descent": {"lr": lr_gd}, "momentum": {"lr": lr_hb, "beta": beta_hb},
    }
    hyper["Adam"], runs["Adam"] = _adam(bowl, start, steps, tol, 0.0, lr_grid, beta_grid)
    reached = {name: steps_to_tolerance(runs[name].values, tol) for name in _NAMES}
    return Comparison(bowl, {n: runs[n] for n in _NAMES}, {n: hyper[n] for n in _NAMES},
                      reached, tol)


def saddle_comparison(start: Any = SETTINGS.saddle_start, *, steps: int = SETTINGS.saddle_steps,
                      tol: float = SETTINGS.tol,
                      lr_grid: Sequence[float] = LR_GRID,
                      beta_grid: Sequence[float] = BETA_GRID) -> Comparison:
    r"""The three methods on :data:`~d2lopt.landscapes.double_well`, started near its saddle.

    Every method is tuned on the grid: gradient descent over ``lr_grid``,
    momentum over ``lr_grid`` × ``beta_grid``, Adam over ``lr_grid`` ×
    ``beta_grid`` (as :math:`\beta_1`). The target is :math:`f - (-\tfrac14) \le` ``tol``.

    Examples
    --------
    >>> result = saddle_comparison(steps=40, lr_grid=(0.3,), beta_grid=(0.5,))
    >>> result.hyper["momentum"]
    {'lr': 0.3, 'beta': 0.5}
    """
    f_star = float(double_well(double_well.global_minimum.array))
    gd = tune(optim.gradient_descent, double_well, start, grid={"lr": lr_grid}, steps=steps,
              tol=tol, minimum=f_star)
    mom = tune(optim.momentum, double_well, start, grid={"lr": lr_grid, "beta": beta_grid},
               steps=steps, tol=tol, minimum=f_star)
    hyper = {"gradient descent": gd.hyper, "momentum": mom.hyper}
    runs = {"gradient descent": gd.trajectory, "momentum": mom.trajectory}
    hyper["Adam"], runs["Adam"] = _adam(double_well, start, steps, tol, f_star, lr_grid,
                                        beta_grid)
    reached = {name: steps_to_tolerance(runs[name].values, tol, f_star) for name in _NAMES}
    return Comparison(double_well, runs, hyper, reached, tol)


def escape_step(run: optim.Trajectory, threshold: float = SETTINGS.escape_threshold,
                coordinate: int = 0) -> float:
    """The first step at which ``|x_t[coordinate]| >= threshold`` (``inf`` if never).

    For the double well, leaving the saddle means the first coordinate growing
    from near 0 towards :math:`\\pm 1`.

    Examples
    --------
    >>> from d2lopt.optim import Trajectory
    >>> run = Trajectory(np.array([[0.0, 0.0], [0.2, 0.0], [0.7, 0.0]]), np.zeros(3), np.zeros(3))
    >>> escape_step(run)
    2
    """
    hits = np.flatnonzero(np.abs(run.points[:, coordinate]) >= threshold)
    return int(hits[0]) if hits.size else float("inf")


def interactive_runs(settings: Settings = SETTINGS) -> dict[tuple[str, float], optim.Trajectory]:
    r"""The runs of the interactive figure on the quadratic of condition number ``settings.kappa``.

    Heavy-ball momentum (:func:`d2lopt.optim.momentum`) for each :math:`\beta` of
    ``settings.interactive_betas`` and Adam (:func:`d2lopt.optim.adam`, PyTorch's
    defaults otherwise) for each learning rate of ``settings.lr_grid``, both from
    ``settings.start`` for ``settings.interactive_steps`` steps; momentum uses
    gradient descent's optimal learning rate :math:`2/(\mu + L)`.

    Returns
    -------
    dict
        ``("momentum", beta) -> Trajectory`` and ``("Adam", lr) -> Trajectory``.

    Examples
    --------
    >>> runs = interactive_runs()
    >>> len(runs) == len(SETTINGS.interactive_betas) + len(SETTINGS.lr_grid)
    True
    """
    bowl = quadratic(settings.kappa)
    mu, L = bowl.eigenvalues
    lr = optimal_gradient_descent_lr(mu, L)
    start = np.array(settings.start)
    steps = settings.interactive_steps
    betas, lrs = settings.interactive_betas, settings.lr_grid
    momentum = optim.batched_runs(optim.momentum, bowl, [start], steps=steps, lr=lr,
                                  hypers=[{"beta": beta} for beta in betas])
    adam = optim.batched_runs(optim.adam, bowl, [start], steps=steps,
                              hypers=[{"lr": adam_lr} for adam_lr in lrs])
    return {**{("momentum", beta): run for beta, run in zip(betas, momentum, strict=True)},
            **{("Adam", adam_lr): run for adam_lr, run in zip(lrs, adam, strict=True)}}


def interactive_controls(settings: Settings = SETTINGS) -> list[Any]:
    r"""The sliders of the interactive figure: momentum :math:`\beta`, then Adam's learning rate.

    Examples
    --------
    >>> [c.name for c in interactive_controls()]
    ['beta', 'adam_lr']
    """
    from d2lopt.plot import format_number
    from d2lopt.plot.interactive import Control

    betas, lrs = settings.interactive_betas, settings.lr_grid
    return [
        Control("beta", "momentum β", betas, tuple(format_number(b, 2, trim=True) for b in betas),
                initial=betas.index(0.9) if 0.9 in betas else 0),
        Control("adam_lr", "Adam's learning rate", lrs,
                tuple(format_number(v, 2, trim=True) for v in lrs),
                initial=lrs.index(0.1) if 0.1 in lrs else 0),
    ]


class InteractiveFrames:
    r"""The frames of the interactive figure: momentum's and Adam's paths and losses.

    One figure, its artists updated per setting: left, the paths on the contours
    of the quadratic (clipped to its domain); right, :math:`f(x_t)` on a log scale.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("agg")
    >>> runs = interactive_runs()
    >>> fig = InteractiveFrames()(runs["momentum", 0.9], runs["Adam", 0.1], 0.9, 0.1)
    >>> fig.axes[0].get_title()
    'momentum β = 0.9, Adam η = 0.1'
    """

    floor = 1e-12

    def __init__(self, settings: Settings = SETTINGS) -> None:
        import matplotlib.pyplot as plt

        from d2lopt.plot import COLORS, evaluate_grid, format_number, use_style
        from d2lopt.plot.interactive import power_of_ten

        use_style()
        self.fig, (ax, ax_loss) = plt.subplots(1, 2, figsize=(6.9, 3.6), layout="constrained")
        bowl = quadratic(settings.kappa)
        X, Y, Z = evaluate_grid(bowl, 81)
        ax.contour(X, Y, Z, levels=np.geomspace(0.01, 50, 9), colors="#9a9a9a", linewidths=0.8)
        styles = {"momentum": (COLORS["blue"], "-"), "Adam": (COLORS["vermillion"], "--")}
        self.paths = {name: ax.plot([], [], color=c, linestyle=ls, linewidth=1.4, label=name)[0]
                      for name, (c, ls) in styles.items()}
        self.losses = {name: ax_loss.semilogy([], [], color=c, linestyle=ls, label=name)[0]
                       for name, (c, ls) in styles.items()}
        ax.plot(*settings.start, marker="s", color="black", linestyle="none")
        ax.set(xlim=(-1, 1), ylim=(-1, 1), xlabel="x", ylabel="y", aspect="equal",
               title="momentum β = 0.95, Adam η = 0.003")
        ticks = [1e-12, 1e-8, 1e-4, 1.0]
        ax_loss.set_yticks(ticks, [power_of_ten(v) for v in ticks])
        ax_loss.minorticks_off()
        ax_loss.set(xlim=(0, settings.interactive_steps), ylim=(self.floor, 1e2), xlabel="step t",
                    ylabel="loss f(xₜ)",
                    title=f"loss, κ = {format_number(settings.kappa, 3, trim=True)}")
        ax_loss.legend(loc="lower left", fontsize=9)
        self.ax = ax
        self.fig.canvas.draw()
        self.fig.set_layout_engine("none")

    def __call__(self, momentum: optim.Trajectory, adam: optim.Trajectory, beta: float,
                 adam_lr: float) -> Any:
        from d2lopt.plot import format_number

        for name, run in (("momentum", momentum), ("Adam", adam)):
            shown = np.clip(run.points, -1.0, 1.0)
            self.paths[name].set_data(shown[:, 0], shown[:, 1])
            self.losses[name].set_data(np.arange(len(run.values)),
                                       np.maximum(run.values, self.floor))
        self.ax.set_title(f"momentum β = {format_number(beta, 2, trim=True)}, "
                          f"Adam η = {format_number(adam_lr, 2, trim=True)}")
        return self.fig


def interactive_figure(settings: Settings = SETTINGS) -> str:
    """The HTML of the interactive figure (momentum β and Adam's learning rate), computed now.

    See ``d2lopt.plot.interactive``; every run is one of :func:`interactive_runs`.
    """
    from d2lopt.plot.interactive import interactive_html, render_states

    runs = interactive_runs(settings)
    controls = interactive_controls(settings)
    frames = InteractiveFrames(settings)
    svgs = render_states(
        lambda beta, adam_lr: frames(runs["momentum", beta], runs["Adam", adam_lr], beta, adam_lr),
        controls)
    return interactive_html(
        svgs, controls, name="practice-interactive",
        description=(
            "Two sliders, moved with the arrow keys: the momentum coefficient β of heavy ball "
            "(β = 0 is plain gradient descent) and Adam's learning rate. Look for momentum "
            "crossing the valley in wide swings that die out faster as β grows, until a β near 1 "
            "swings for long, and for Adam's path turning with the coordinate axes, stalling "
            "with a "
            "small learning rate and circling the minimum with a large one."),
        alt=("Left: the paths of heavy-ball momentum and Adam on the contours of the "
             "ill-conditioned quadratic; right: their losses against the step on a log scale."))
