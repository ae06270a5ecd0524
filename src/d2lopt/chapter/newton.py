r"""Four methods started side by side near a saddle: which of them escape it.

Newton's method jumps to the critical point of the local quadratic model,
whatever its kind, so near a saddle it is attracted to it. Gradient descent
moves away from a strict saddle unless it starts exactly on the saddle's
stable manifold; saddle-free Newton divides by :math:`|H|` and so descends
along negative curvature; perturbed gradient descent adds noise when the
gradient is small and leaves the saddle even from the stable manifold.
:func:`escape_runs` runs all four with shared settings so that the chapter,
its gallery and its tests see the same numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from d2lopt import optim
from d2lopt.landscapes import KnownPoint, Landscape, double_well
from d2lopt.optim import Trajectory

__all__ = ["Settings", "SETTINGS", "METHODS", "escape_runs", "nearest_critical_point",
           "interactive_runs", "interactive_controls", "InteractiveFrames", "interactive_figure"]


@dataclass(frozen=True)
class Settings:
    """The values section 7's page, gallery script and tests share.

    Try another value with ``dataclasses.replace(SETTINGS, lr=0.05)``.

    Attributes
    ----------
    steps : int
        Iterations of every method.
    lr : float
        Learning rate (step size) of gradient descent and perturbed gradient
        descent; Newton's methods take full steps.
    start : tuple of float
        The start :math:`(x_0, y_0)` off the saddle's stable manifold.
    on_manifold : tuple of float
        The start on the stable manifold :math:`x = 0`.
    radius : float
        Radius of the ball perturbed gradient descent draws its random step
        from (a distance in the plane).
    threshold : float
        Gradient norm below which perturbed gradient descent perturbs.
    interval : int
        Least number of iterations between two perturbations.
    seed : int
        Seed of the perturbations.
    at_saddle : float
        Distance from the saddle (the origin) within which Newton's iterate
        counts as having reached it.
    exercise_basin_x0 : tuple of float
        Exercises: starts :math:`x_0` of Newton's method on either side of :math:`1/\\sqrt5`.
    exercise_newton_steps : int
        Exercises: iterations of Newton's method.
    exercise_offsets : tuple of float
        Exercises: starts :math:`x_0` ever closer to the stable manifold.
    exercise_steps : int
        Exercises: iterations of gradient descent.
    exercise_escape : float
        Exercises: :math:`|x|` beyond which a run has left the saddle.
    exercise_far_start : tuple of float
        Exercises: the start from which both methods reach a minimum.
    exercise_tol : float
        Exercises: distance to the critical point that counts as arrived.
    interactive_x0s, interactive_y0s : tuple of float
        The grid of start points of the interactive figure (a slider each).
    interactive_steps : int
        Iterations of every method in the interactive figure.
    interactive_tol : float
        The Newton methods' runs in the interactive figure end once the gradient
        norm is this small (the rest of the run would not move a pixel, and each
        of its steps costs a Hessian).

    """

    steps: int = 150
    lr: float = 0.1
    start: tuple[float, float] = (0.2, 1.0)
    on_manifold: tuple[float, float] = (0.0, 1.0)
    radius: float = 0.1
    threshold: float = 1e-3
    interval: int = 10
    seed: int = 0
    at_saddle: float = 1e-12
    # Exercises
    exercise_basin_x0: tuple[float, float] = (0.44, 0.46)
    exercise_newton_steps: int = 12
    exercise_offsets: tuple[float, ...] = (1e-2, 1e-4, 1e-6)
    exercise_steps: int = 400
    exercise_escape: float = 0.5
    exercise_far_start: tuple[float, float] = (1.5, 1.0)
    exercise_tol: float = 1e-8
    interactive_x0s: tuple[float, ...] = (-1.5, -0.5, -0.1, 0.0, 0.1, 0.5, 1.5)
    interactive_y0s: tuple[float, ...] = (-1.2, -0.4, 0.4, 1.2)
    interactive_steps: int = 120
    interactive_tol: float = 1e-10


#: The settings of section 7.
SETTINGS = Settings()

#: The methods compared, in the order of :func:`escape_runs`'s result.
METHODS: tuple[str, ...] = (
    "gradient descent", "Newton", "saddle-free Newton", "perturbed gradient descent",
)


def escape_runs(f: Callable[[Any], Any] = double_well, start: Any = SETTINGS.start, *,
                steps: int = SETTINGS.steps, lr: float = SETTINGS.lr,
                radius: float = SETTINGS.radius, threshold: float = SETTINGS.threshold,
                interval: int = SETTINGS.interval, seed: int = SETTINGS.seed,
                methods: tuple[str, ...] = METHODS,
                newton_tol: float | None = None) -> dict[str, Trajectory]:
    r"""Run the methods of :data:`METHODS` from one start with shared settings.

    Parameters
    ----------
    f : callable
        The objective (default :data:`d2lopt.landscapes.double_well`).
    start : array_like
        The start point, of any supported framework (``d2l.tensor([0.2, 1.0])``;
        default :attr:`Settings.start`).
    steps : int
        Steps of every method (default :attr:`Settings.steps`).
    lr : float
        Learning rate of the first-order methods (Newton's methods take full steps).
    radius, threshold, interval, seed
        Of :func:`d2lopt.optim.perturbed_gradient_descent` (defaults from :data:`SETTINGS`).
    methods : tuple of str
        A subset of :data:`METHODS`.
    newton_tol : float, optional
        The stopping rule ``tol`` of Newton's method and saddle-free Newton (off:
        every method takes ``steps`` steps).

    Returns
    -------
    dict of str to Trajectory
        ``method -> run``.

    Examples
    --------
    >>> runs = escape_runs(start=SETTINGS.start, steps=20)
    >>> runs["Newton"].final.round(8).tolist()   # drawn to the saddle at the origin
    [0.0, 0.0]
    """
    unknown = set(methods) - set(METHODS)
    if unknown:
        raise ValueError(f"unknown methods {sorted(unknown)}; choose from {METHODS}")
    makers: dict[str, Callable[[], Trajectory]] = {
        "gradient descent": lambda: optim.gradient_descent(f, start, steps=steps, lr=lr),
        "Newton": lambda: optim.newton(f, start, steps=steps, tol=newton_tol),
        "saddle-free Newton": lambda: optim.saddle_free_newton(f, start, steps=steps,
                                                               tol=newton_tol),
        "perturbed gradient descent": lambda: optim.perturbed_gradient_descent(
            f, start, steps=steps, lr=lr, radius=radius, threshold=threshold,
            interval=interval, seed=seed),
    }
    return {name: makers[name]() for name in methods}


def nearest_critical_point(landscape: Landscape, point: Any) -> tuple[KnownPoint, float]:
    """The documented critical point of ``landscape`` nearest to ``point``, and its distance.

    Examples
    --------
    >>> p, d = nearest_critical_point(double_well, [0.9, 0.1])
    >>> p.location, round(d, 6)
    ((1.0, 0.0), 0.141421)
    """
    x = np.asarray(point, dtype=float).ravel()
    if not landscape.critical_points:
        raise ValueError(f"{landscape.name} documents no critical points")
    distances = [float(np.linalg.norm(x - np.asarray(p.location))) for p in
                 landscape.critical_points]
    best = int(np.argmin(distances))
    return landscape.critical_points[best], distances[best]


def interactive_runs(settings: Settings = SETTINGS
                     ) -> dict[tuple[float, float], dict[str, Trajectory]]:
    r""":func:`escape_runs` on the double well from every start of the interactive figure's grid.

    Returns
    -------
    dict
        ``(x0, y0) -> {method: Trajectory}`` for ``settings.interactive_x0s`` ×
        ``settings.interactive_y0s``, ``settings.interactive_steps`` steps (the
        Newton methods stop sooner, at ``settings.interactive_tol``).

    Examples
    --------
    >>> import dataclasses
    >>> small = dataclasses.replace(SETTINGS, interactive_x0s=(0.0, 0.5), interactive_y0s=(1.2,))
    >>> runs = interactive_runs(small)
    >>> sorted(runs), sorted(runs[0.0, 1.2]) == sorted(METHODS)
    ([(0.0, 1.2), (0.5, 1.2)], True)
    """
    return {(x0, y0): escape_runs(double_well, np.array([x0, y0]), steps=settings.interactive_steps,
                                  lr=settings.lr, radius=settings.radius,
                                  threshold=settings.threshold, interval=settings.interval,
                                  seed=settings.seed, newton_tol=settings.interactive_tol)
            for x0 in settings.interactive_x0s for y0 in settings.interactive_y0s}


def interactive_controls(settings: Settings = SETTINGS) -> list[Any]:
    """The sliders of the interactive figure: the start's :math:`x_0`, then its :math:`y_0`.

    Examples
    --------
    >>> [c.label for c in interactive_controls()]
    ['start x₀', 'start y₀']
    """
    from d2lopt.plot import format_number
    from d2lopt.plot.interactive import Control

    xs, ys = settings.interactive_x0s, settings.interactive_y0s
    return [
        Control("x0", "start x₀", xs, tuple(format_number(v, 2, trim=True) for v in xs),
                initial=xs.index(0.1) if 0.1 in xs else 0),
        Control("y0", "start y₀", ys, tuple(format_number(v, 2, trim=True) for v in ys),
                initial=len(ys) - 1),
    ]


def _ending(run: Trajectory) -> str:
    point, distance = nearest_critical_point(double_well, run.final)
    if distance > 0.2:
        return "no critical point"
    if point.kind == "saddle":
        return "saddle"
    return f"minimum ({point.location[0]:+.0f}, 0)".replace("-", "−")


class InteractiveFrames:
    r"""The frames of the interactive figure: the four methods' paths from one start.

    One figure, its artists updated per start: grey contours of the double well,
    a path per method of :data:`METHODS` (colour and line style), the legend
    saying where each ended (the nearest documented critical point, within 0.2).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("agg")
    >>> runs = escape_runs(start=np.array([0.0, 1.2]), steps=SETTINGS.interactive_steps)
    >>> fig = InteractiveFrames()(0.0, 1.2, runs)
    >>> [t.get_text() for t in fig.axes[0].get_legend().get_texts()][1]
    'Newton: saddle'
    """

    def __init__(self) -> None:
        import matplotlib.pyplot as plt

        from d2lopt.plot import COLOR_CYCLE, LINESTYLE_CYCLE, evaluate_grid, use_style

        use_style()
        self.fig, ax = plt.subplots(figsize=(6.9, 4.0), layout="constrained")
        (x_lo, x_hi), (y_lo, y_hi) = double_well.domain
        X, Y, Z = evaluate_grid(double_well, 81)
        ax.contour(X, Y, Z, levels=np.linspace(-0.24, 1.6, 12), colors="#9a9a9a", linewidths=0.8,
                   linestyles="solid")
        for p in double_well.critical_points:
            ax.plot(*p.location, marker="x" if p.kind == "saddle" else "*", color="black",
                    markersize=9, linestyle="none")
        self.paths = [ax.plot([], [], color=c, linestyle=ls, linewidth=1.6,
                              label=f"{name}: no critical point")[0]
                      for name, c, ls in zip(METHODS, COLOR_CYCLE, LINESTYLE_CYCLE, strict=False)]
        (self.start,) = ax.plot([], [], marker="s", color="black", linestyle="none")
        ax.set(xlim=(x_lo, x_hi), ylim=(y_lo, y_hi), xlabel="x", ylabel="y",
               title="double well from (−0.1, −1.2)")
        self.legend = ax.legend(loc="upper left", fontsize=9, ncols=1)
        self.ax = ax
        self.fig.canvas.draw()
        self.fig.set_layout_engine("none")

    def __call__(self, x0: float, y0: float, runs: dict[str, Trajectory]) -> Any:
        from d2lopt.plot import format_number

        (x_lo, x_hi), (y_lo, y_hi) = double_well.domain
        for line, text, name in zip(self.paths, self.legend.get_texts(), METHODS, strict=True):
            points = runs[name].points
            line.set_data(np.clip(points[:, 0], x_lo, x_hi), np.clip(points[:, 1], y_lo, y_hi))
            text.set_text(f"{name}: {_ending(runs[name])}")
        self.start.set_data([x0], [y0])
        self.ax.set_title(f"double well from ({format_number(x0, 2, trim=True)}, "
                          f"{format_number(y0, 2, trim=True)})")
        return self.fig


def interactive_figure(settings: Settings = SETTINGS) -> str:
    """The HTML of the interactive figure (start-point sliders), computed now.

    See ``d2lopt.plot.interactive``; every path is one of :func:`interactive_runs`.
    """
    from d2lopt.plot.interactive import interactive_html, render_states

    runs = interactive_runs(settings)
    controls = interactive_controls(settings)
    frames = InteractiveFrames()
    svgs = render_states(lambda x0, y0: frames(x0, y0, runs[x0, y0]), controls)
    return interactive_html(
        svgs, controls, name="newton-interactive",
        description=(
            "Two sliders, moved with the arrow keys, pick the start point from a grid. Look for "
            "Newton's method ending on the saddle from starts near the line x = 0, while "
            "saddle-free Newton and the gradient methods reach a minimum, and for the start on "
            "x = 0 itself, which only perturbed gradient descent leaves."),
        alt=("Grey contours of the double well with its two minima (stars) and saddle (cross), and "
             "the paths of gradient descent, Newton, saddle-free Newton and perturbed gradient "
             "descent from the chosen start; the legend says where each ended."))
