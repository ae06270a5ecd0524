"""Fair comparisons of optimizers: steps to a tolerance, and hyper-parameters picked from a grid.

Comparing optimizers with one learning rate each says more about the learning
rates than about the methods. :func:`tune` runs a method for every combination
of a grid of hyper-parameters and keeps the one that reaches the tolerance
first (:func:`steps_to_tolerance`); runs that diverge count as never reaching it.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from d2lopt._checks import check_real
from d2lopt.landscapes.base import Landscape
from d2lopt.optim.batched import ONE_RUN_ONLY, batched_runs
from d2lopt.optim.first_order import RULES
from d2lopt.optim.trajectory import Divergence, Trajectory

__all__ = ["steps_to_tolerance", "TuningResult", "tune"]


def steps_to_tolerance(values: Sequence[float], tol: float, minimum: float = 0.0, *,
                       stay: bool = True) -> float:
    r"""The first step :math:`t` from which :math:`f(x_s) - f^\star \le` ``tol`` (``inf`` if none).

    With ``stay=True`` (the default) the gap must stay below ``tol`` for every
    later step of the run, so a method that touches the tolerance and then
    bounces back out (as Adam can with a large constant step) does not count
    as having converged; with ``stay=False`` the first touch counts.

    Examples
    --------
    >>> steps_to_tolerance([1.0, 0.01, 0.1, 0.01], 0.05)
    3
    >>> steps_to_tolerance([1.0, 0.01, 0.1, 0.01], 0.05, stay=False)
    1
    >>> steps_to_tolerance([1.0, 0.5], 0.05)
    inf
    """
    tol = check_real(tol, "tol", positive=True)
    gaps = np.asarray(values, dtype=float) - check_real(minimum, "minimum")
    inside = gaps <= tol
    if stay:
        outside = np.flatnonzero(~inside)
        first = 0 if outside.size == 0 else int(outside[-1]) + 1
        return first if first < gaps.size else float("inf")
    hits = np.flatnonzero(inside)
    return int(hits[0]) if hits.size else float("inf")


@dataclass(frozen=True)
class TuningResult:
    """The outcome of :func:`tune`.

    Attributes
    ----------
    hyper : dict
        The chosen hyper-parameters (e.g. ``{"lr": 0.1, "beta": 0.5}``).
    trajectory : Trajectory
        The run with them.
    steps : float
        Its steps to the tolerance (``inf`` if it never got there).
    scores : dict
        Steps to the tolerance for every combination tried, keyed by the tuple
        of its values in the order of ``grid``.
    """

    hyper: dict[str, Any]
    trajectory: Trajectory
    steps: float
    scores: dict[tuple[Any, ...], float]


def _runs(optimizer: Callable[..., Trajectory], f: Callable[[Any], Any], x0: Any,
          hypers: list[dict[str, Any]], steps: int,
          fixed: Mapping[str, Any]) -> Iterator[Trajectory | Divergence]:
    """The run of every combination, or its :class:`Divergence`; side by side when possible.

    A :class:`~d2lopt.landscapes.Landscape` broadcasts over runs, so the three
    first-order methods run every combination in one loop (:func:`batched_runs`),
    unless a hyper-parameter acts on one run at a time (``clip``, ``tol``).
    """
    one_run_only = any(name in fixed or name in hypers[0] for name in ONE_RUN_ONLY)
    if optimizer in RULES and isinstance(f, Landscape) and not one_run_only:
        yield from batched_runs(optimizer, f, [x0], steps=steps, hypers=hypers,
                                on_divergence="return", **fixed)
        return
    for hyper in hypers:
        try:
            yield optimizer(f, x0, steps=steps, **hyper, **fixed)
        except Divergence as error:
            yield error


def tune(optimizer: Callable[..., Trajectory], f: Callable[[Any], Any], x0: Any, *,
         grid: Mapping[str, Sequence[Any]], steps: int, tol: float, minimum: float = 0.0,
         **fixed: Any) -> TuningResult:
    """Try every combination of ``grid`` and keep the one reaching ``f - minimum <= tol`` first.

    "Reaching" means staying below the tolerance until the end of the run
    (:func:`steps_to_tolerance` with ``stay=True``). Ties (including "never")
    are broken by the lowest final loss; runs that diverge (that raise
    :class:`~d2lopt.optim.Divergence`) count as never reaching the tolerance, while
    any other error, such as an invalid hyper-parameter, is raised. On a
    :class:`~d2lopt.landscapes.Landscape`, gradient descent, momentum and Adam
    run every combination side by side (:func:`~d2lopt.optim.batched_runs`): the
    same runs, one derivative call per step for all of them.

    Parameters
    ----------
    optimizer : callable
        A :mod:`d2lopt.optim` method, called as
        ``optimizer(f, x0, steps=steps, **combination, **fixed)``.
    f, x0
        The objective and the start point.
    grid : mapping of str to sequence
        Candidate values per hyper-parameter, e.g. ``{"lr": [0.01, 0.1], "beta": [0.5, 0.9]}``.
    steps : int
        Length of every run.
    tol, minimum : float
        The target :math:`f - f^\\star \\le` ``tol``.
    **fixed
        Hyper-parameters held fixed.

    Examples
    --------
    >>> from d2lopt.optim import gradient_descent
    >>> from d2lopt.landscapes import quadratic
    >>> result = tune(gradient_descent, quadratic(4.0), [1.0, 1.0],
    ...               grid={"lr": [0.01, 0.1, 0.4]}, steps=50, tol=1e-8)
    >>> result.hyper
    {'lr': 0.4}
    """
    if not grid or any(len(values) == 0 for values in grid.values()):
        raise ValueError("grid must name at least one hyper-parameter, each with candidate values")
    names = list(grid)
    combinations = list(itertools.product(*(grid[name] for name in names)))
    hypers = [dict(zip(names, combination, strict=True)) for combination in combinations]
    best: tuple[float, float, dict[str, Any], Trajectory] | None = None
    scores: dict[tuple[Any, ...], float] = {}
    runs = _runs(optimizer, f, x0, hypers, steps, fixed)
    for combination, hyper, run in zip(combinations, hypers, runs, strict=True):
        if isinstance(run, Divergence):
            scores[combination] = float("inf")
            continue
        reached = steps_to_tolerance(run.values, tol, minimum)
        scores[combination] = reached
        gap = float(run.values[-1] - minimum)
        if best is None or (reached, gap) < best[:2]:
            best = (reached, gap, hyper, run)
    if best is None:
        raise ValueError(f"every combination of {dict(grid)} diverged; try smaller learning rates")
    return TuningResult(hyper=best[2], trajectory=best[3], steps=best[0], scores=scores)
