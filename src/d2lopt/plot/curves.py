"""Curves against one variable: functions of x and losses against the iteration."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes

from d2lopt.optim.trajectory import Trajectory
from d2lopt.plot._runs import labelled_runs
from d2lopt.plot.annotate import annotate_point

__all__ = ["curve", "loss_curves"]

Point = tuple[str, Sequence[float]]


def _finish(ax: Axes, xlabel: str, ylabel: str, title: str | None) -> None:
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title is not None:
        ax.set_title(title)
    handles, _ = ax.get_legend_handles_labels()
    if len(handles) > 1:
        ax.legend()


def curve(ax: Axes, x: Any, ys: Mapping[str, Any] | Any, *,
          points: Sequence[Point] | None = None, xlabel: str = "$x$",
          ylabel: str = "$f(x)$", title: str | None = None) -> Axes:
    """Plot one or more labelled curves over ``x`` and annotate points on them.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    x : array_like
        The abscissae.
    ys : dict of str to array_like, or array_like
        ``label -> y`` (one curve each); a bare array is one unlabelled curve.
    points : list of (str, (float, float)), optional
        Points to mark with :func:`~d2lopt.plot.annotate_point`, e.g. computed minima.
    xlabel, ylabel, title : str
        Axis labels and title (a legend is added when there is more than one curve).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib.pyplot as plt, numpy as np
    >>> fig, ax = plt.subplots()
    >>> x = np.linspace(-1, 1, 5)
    >>> _ = curve(ax, x, {"x²": x ** 2, "x³": x ** 3}, points=[("min", (0.0, 0.0))],
    ...           title="Powers")
    >>> len(ax.get_lines()), ax.get_legend() is not None
    (3, True)
    >>> plt.close(fig)
    """
    x = np.asarray(x, dtype=float)
    curves = dict(ys) if isinstance(ys, Mapping) else {None: ys}
    for label, y in curves.items():
        y = np.asarray(y, dtype=float)
        if y.shape != x.shape:
            raise ValueError(f"curve {label!r} has shape {y.shape}, but x has shape {x.shape}")
        ax.plot(x, y, label=label)
    ax.relim()
    ax.autoscale_view()
    for text, xy in points or ():
        annotate_point(ax, text, xy)
    _finish(ax, xlabel, ylabel, title)
    return ax


def loss_curves(ax: Axes, trajectories: Mapping[str, Trajectory | Any] | Sequence[Any], *,
                log: bool = True,
                optimum: float | None = None, xlabel: str = "iteration $t$",
                ylabel: str | None = None, title: str | None = None) -> Axes:
    """Plot the loss against the iteration for several runs.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    trajectories : dict of str to Trajectory or array_like
        ``label -> run`` (a run's :attr:`~d2lopt.optim.Trajectory.values`) or
        ``label -> values``; one Trajectory or a list of runs is accepted too,
        labelled by method.
    log : bool
        Logarithmic loss axis; needs positive values (see ``optimum``).
    optimum : float, optional
        If given, plot the suboptimality :math:`f(x_t) - f^\\star` instead of :math:`f(x_t)`.
    xlabel, ylabel, title : str

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        If ``log`` is true and a plotted value is not positive.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from d2lopt.optim import gradient_descent
    >>> from d2lopt.landscapes import quadratic
    >>> fig, ax = plt.subplots()
    >>> runs = {f"lr = {lr}": gradient_descent(quadratic(10.0), [1.0, 1.0], steps=20, lr=lr)
    ...         for lr in (0.05, 0.15)}
    >>> len(loss_curves(ax, runs, title="Loss").get_lines())
    2
    >>> plt.close(fig)
    """
    runs = labelled_runs(trajectories)
    if not runs:
        raise ValueError("loss_curves needs at least one trajectory")
    for label, run in runs.items():
        values = np.asarray(run.values if isinstance(run, Trajectory) else run, dtype=float)
        if optimum is not None:
            values = values - float(optimum)
        if log and np.any(values <= 0):
            raise ValueError(
                f"run {label!r} has loss values <= 0, which a log axis cannot show; pass "
                "optimum=f_star to plot f - f_star, or log=False"
            )
        ax.plot(np.arange(len(values)), values, label=label)
    if log:
        ax.set_yscale("log")
    if ylabel is None:
        ylabel = "$f(x_t) - f^\\star$" if optimum is not None else "loss $f(x_t)$"
    _finish(ax, xlabel, ylabel, title)
    return ax
