"""Two-dimensional landscapes: contour maps with trajectories, and 3-D surfaces."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes

from d2lopt._checks import check_integer
from d2lopt.landscapes.base import Landscape
from d2lopt.optim.trajectory import Trajectory
from d2lopt.plot._runs import labelled_runs
from d2lopt.plot.style import MARKERS

__all__ = ["contour", "surface", "evaluate_grid", "mathtext"]


_PLURAL = {"minimum": "minima", "maximum": "maxima", "saddle": "saddles",
           "degenerate": "degenerate points"}


def _check_2d(landscape: Landscape) -> None:
    if not isinstance(landscape, Landscape) or landscape.dim != 2:
        raise ValueError(
            "expected a two-dimensional d2lopt Landscape (e.g. d2lopt.landscapes.himmelblau); "
            f"got {landscape!r}; plot one-dimensional ones with d2lopt.plot.curve"
        )


def evaluate_grid(landscape: Landscape, num: int, xlim: Sequence[float] | None = None,
                  ylim: Sequence[float] | None = None
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``X, Y, Z`` on a ``num × num`` grid over ``xlim × ylim`` (default: the domain).

    ``num`` must be at least 2 (a contour needs a grid), and each window a pair
    of finite numbers ``(low, high)`` with ``low < high``.
    """
    _check_2d(landscape)
    num = check_integer(num, "num", minimum=2)
    (x0, x1), (y0, y1) = (_window(xlim, landscape.domain[0], "xlim"),
                          _window(ylim, landscape.domain[1], "ylim"))
    X, Y = np.meshgrid(np.linspace(x0, x1, num), np.linspace(y0, y1, num))
    Z = np.asarray(landscape(np.stack([X, Y])), dtype=float)
    return X, Y, Z


def _window(limits: Sequence[float] | None, default: Sequence[float], name: str
            ) -> tuple[float, float]:
    """``limits`` (or ``default``) as ``(low, high)``, finite with ``low < high``."""
    pair = np.asarray(default if limits is None else limits, dtype=float).reshape(-1)
    if not (pair.size == 2 and np.all(np.isfinite(pair)) and pair[0] < pair[1]):
        raise ValueError(f"{name} must be a pair of finite numbers (low, high) with low < high, "
                         f"got {limits!r}")
    return float(pair[0]), float(pair[1])


def _as_points(run: Trajectory | Any) -> np.ndarray:
    points = np.asarray(run.points if isinstance(run, Trajectory) else run, dtype=float)
    if points.ndim != 2 or points.shape[1] != 2:
        raise ValueError(f"a trajectory to draw on a contour map needs shape (n, 2), got "
                         f"{points.shape}")
    return points


def mathtext(formula: str) -> str:
    r"""A landscape's LaTeX formula in the subset Matplotlib's mathtext parses.

    ``\tfrac14`` becomes ``\frac{1}{4}``; a formula mathtext still cannot parse
    gives ``""``.

    Examples
    --------
    >>> mathtext(r"\tfrac12 x^2")
    '\\frac{1}{2} x^2'
    """
    from matplotlib.mathtext import MathTextParser

    text = formula.replace(r"\tfrac", r"\frac").replace(r"\dfrac", r"\frac")
    text = re.sub(r"\\frac(\d)(\d)", r"\\frac{\1}{\2}", text)
    try:
        MathTextParser("path").parse(f"${text}$")
    except ValueError:
        return ""
    return text


def _default_title(landscape: Landscape) -> str:
    formula = mathtext(landscape.formula)
    return f"{landscape.name}: $f(x, y) = {formula}$" if formula else landscape.name


def contour(ax: Axes, landscape: Landscape, *,
            trajectories: Mapping[str, Trajectory | Any] | Sequence[Trajectory | Any] | None = None,
            levels: int | Any = 30,
            num: int = 201, xlim: Sequence[float] | None = None,
            ylim: Sequence[float] | None = None, log_levels: bool = False,
            mark_critical: bool = True, filled: bool = True, cmap: str = "viridis",
            title: str | None = None) -> Axes:
    """Draw a contour map of a 2-D landscape, optionally with optimizer trajectories.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    landscape : Landscape
        A two-dimensional landscape.
    trajectories : dict of str to Trajectory or (n, 2) array, optional
        Each is drawn as a line with a circle at its start and a cross at its end.
        One Trajectory or a list of runs is accepted too, labelled by method.
    levels : int or array_like
        Number of contour levels, or the levels themselves.
    num : int
        Grid points per axis (at least 2).
    xlim, ylim : (float, float), optional
        The window; by default the landscape's domain.
    log_levels : bool
        Space the levels geometrically above the minimum of the window (for
        landscapes such as Rosenbrock's whose values span many decades).
    mark_critical : bool
        Mark the documented critical points inside the window, by kind, with a legend.
    filled : bool
        Filled contours (``contourf``) rather than lines.
    cmap : str
        Colour map of the contours.
    title : str, optional
        Default: the landscape's name and formula.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax``, with the contours, the trajectories and the marked points drawn.

    Examples
    --------
    >>> from d2lopt.landscapes import himmelblau
    >>> from d2lopt.optim import gradient_descent
    >>> run = gradient_descent(himmelblau, [0.0, 0.0], steps=50, lr=0.01)
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = contour(ax, himmelblau, trajectories={"GD": run}, num=51)
    >>> ax.get_xlabel(), ax.get_ylabel()
    ('$x$', '$y$')
    >>> plt.close(fig)
    """
    runs = labelled_runs(trajectories)
    X, Y, Z = evaluate_grid(landscape, num, xlim, ylim)
    if log_levels and np.ndim(levels) == 0:
        low, high = float(Z.min()), float(Z.max())
        span = max(high - low, 1e-12)
        levels = low + np.geomspace(span * 1e-4, span, int(levels))
    draw = ax.contourf if filled else ax.contour
    draw(X, Y, Z, levels=levels, cmap=cmap, alpha=0.85 if filled else 1.0)
    if filled:
        ax.contour(X, Y, Z, levels=levels, colors="white", linewidths=0.3, alpha=0.5)
    for label, run in runs.items():
        points = _as_points(run)
        (line,) = ax.plot(points[:, 0], points[:, 1], label=label, marker=".",
                          markersize=3, linewidth=1.5)
        color = line.get_color()
        ax.plot(points[:1, 0], points[:1, 1], color=color, markeredgecolor="white",
                **MARKERS["start"])
        ax.plot(points[-1:, 0], points[-1:, 1], color=color, **MARKERS["end"])
    if mark_critical:
        (x0, x1), (y0, y1) = (X.min(), X.max()), (Y.min(), Y.max())
        for kind in ("minimum", "maximum", "saddle", "degenerate"):
            inside = [p.location for p in landscape.points_of_kind(kind)
                      if x0 <= p.location[0] <= x1 and y0 <= p.location[1] <= y1]
            if inside:
                xy = np.array(inside)
                label = kind if len(inside) == 1 else _PLURAL[kind]
                ax.plot(xy[:, 0], xy[:, 1], label=label, zorder=4, **MARKERS[kind])
    ax.set_xlim(X.min(), X.max())
    ax.set_ylim(Y.min(), Y.max())
    ax.grid(False)  # the level lines are the grid of a contour map
    ax.set_xlabel("$x$")
    ax.set_ylabel("$y$")
    ax.set_title(_default_title(landscape) if title is None else title)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="best")
    return ax


def surface(ax3d: Any, landscape: Landscape, *, num: int = 81, cmap: str = "viridis",
            mark: Sequence[tuple[str, Sequence[float]]] | None = None,
            xlim: Sequence[float] | None = None, ylim: Sequence[float] | None = None,
            title: str | None = None) -> Any:
    """Draw a 2-D landscape as a 3-D surface, optionally marking points on it.

    Parameters
    ----------
    ax3d : mpl_toolkits.mplot3d.axes3d.Axes3D
        Made with ``fig.add_subplot(projection="3d")``.
    landscape : Landscape
        A two-dimensional landscape.
    num : int
        Grid points per axis.
    cmap : str
        Colour map of the surface.
    mark : list of (str, (float, float)), optional
        Points to mark; their height is computed from the landscape.
    xlim, ylim : (float, float), optional
        The window; by default the landscape's domain.
    title : str, optional
        Default: the landscape's name and formula.

    Returns
    -------
    Axes3D
        ``ax3d``, with the surface and the marked points drawn.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from d2lopt.landscapes import saddle
    >>> fig = plt.figure()
    >>> ax = fig.add_subplot(projection="3d")
    >>> _ = surface(ax, saddle, num=21, mark=[("saddle point", (0.0, 0.0))])
    >>> ax.get_zlabel()
    '$f(x, y)$'
    >>> plt.close(fig)
    """
    if not hasattr(ax3d, "plot_surface"):
        raise TypeError('surface() needs 3-D axes: fig.add_subplot(projection="3d")')
    X, Y, Z = evaluate_grid(landscape, num, xlim, ylim)
    ax3d.plot_surface(X, Y, Z, cmap=cmap, alpha=0.8, linewidth=0, antialiased=True)
    for label, (x, y) in mark or ():
        z = float(np.asarray(landscape(np.array([float(x), float(y)]))))
        ax3d.scatter([x], [y], [z], color="black", s=40, depthshade=False, zorder=10)
        ax3d.text(x, y, z, f"  {label}", color="black", zorder=11)
    ax3d.set_xlabel("$x$")
    ax3d.set_ylabel("$y$")
    ax3d.set_zlabel("$f(x, y)$")
    ax3d.set_title(_default_title(landscape) if title is None else title)
    return ax3d
