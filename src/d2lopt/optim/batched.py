r"""Many runs of one first-order method in one loop: one derivative call per step for all.

A :class:`~d2lopt.landscapes.Landscape` broadcasts over trailing axes, so one
evaluation of :math:`\sum_k f(x^{(k)})` and its gradient serves :math:`K` runs
stacked along a last axis. The updates of :func:`~d2lopt.optim.gradient_descent`,
:func:`~d2lopt.optim.momentum` and :func:`~d2lopt.optim.adam` are elementwise,
so each run can have its own start and its own hyper-parameters.
:func:`batched_runs` returns what the :math:`K` separate calls would return,
for a fraction of the time: on a two-dimensional landscape a derivative call
costs about the same for one point as for a hundred.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from d2lopt._checks import check_choice
from d2lopt.backends.mismatch import call_checked
from d2lopt.optim.first_order import RULES
from d2lopt.optim.trajectory import Divergence, Problem, Trajectory, _show, check_steps
from d2lopt.optim.trajectory import _diverged as diverged

__all__ = ["batched_runs"]

#: Arguments of the one-run methods that :func:`batched_runs` does not take.
ONE_RUN_ONLY = ("clip", "tol")


def _runs(starts: Sequence[Any], hypers: Sequence[Mapping[str, Any]]) -> int:
    counts = {len(starts), len(hypers)} - {1}
    if len(counts) > 1:
        raise ValueError(f"starts ({len(starts)}) and hypers ({len(hypers)}) must have the same "
                         "length, or one of them length 1 (shared by every run)")
    return counts.pop() if counts else 1


def batched_runs(optimizer: Callable[..., Trajectory], f: Callable[[Any], Any],
                 starts: Sequence[Any], *, steps: int,
                 hypers: Sequence[Mapping[str, Any]] | None = None,
                 on_divergence: str = "raise", **fixed: Any) -> list[Trajectory | Divergence]:
    r"""Run ``optimizer`` from every start, with every set of hyper-parameters, side by side.

    Run :math:`k` is ``optimizer(f, starts[k], steps=steps, **fixed, **hypers[k])``;
    a list of length 1 (``starts`` or ``hypers``) is shared by every run. All
    runs advance together, one derivative call per step for all of them, and
    each comes back as the :class:`~d2lopt.optim.Trajectory` its own call would
    return (equal to rounding).

    Parameters
    ----------
    optimizer : callable
        :func:`~d2lopt.optim.gradient_descent`, :func:`~d2lopt.optim.momentum`
        or :func:`~d2lopt.optim.adam`.
    f : callable
        A function that broadcasts over a trailing axis of runs, as every
        :class:`~d2lopt.landscapes.Landscape` does: on an array of shape
        ``x0.shape + (K,)`` it returns the ``K`` values, each of its own column.
        This is checked at the starts.
    starts : sequence of array_like
        The start points, all of one framework, shape and dtype (derivatives are
        taken by that framework).
    steps : int
        Number of updates of every run.
    hypers : sequence of mapping, optional
        Per-run hyper-parameters, e.g. ``[{"lr": 0.1}, {"lr": 0.2}]``.
    on_divergence : {"raise", "return"}
        What a run that diverges does: raise its
        :class:`~d2lopt.optim.Divergence` (the first run's in list order, as the
        separate calls would), or take its place in the list (its
        ``trajectory`` holds the run up to the last finite iterate) while the
        others go on.
    **fixed
        Hyper-parameters shared by every run. ``clip`` and ``tol`` are not
        taken: they act on one run's gradient, so call the optimizer run by run.

    Returns
    -------
    list of Trajectory (or Divergence)
        One per run, in order.

    Raises
    ------
    TypeError
        For an optimizer that is not one of the three, or ``clip`` / ``tol``.
    ValueError
        For bad hyper-parameters (as the optimizer raises them), starts that
        differ in framework or shape, or an ``f`` that does not broadcast.

    Examples
    --------
    >>> from d2lopt import optim
    >>> from d2lopt.landscapes import quadratic
    >>> runs = batched_runs(optim.gradient_descent, quadratic(4.0), [[1.0, 1.0]], steps=2,
    ...                     hypers=[{"lr": 0.1}, {"lr": 0.2}])
    >>> [run.final.round(4).tolist() for run in runs]  # (1 - lr λ)^2, λ = 1 and 4
    [[0.81, 0.36], [0.64, 0.04]]
    """
    rule = RULES.get(optimizer)
    if rule is None:
        names = ", ".join(method.__name__ for method in RULES)
        raise TypeError(f"batched_runs runs {names}; got {optimizer!r}: call it run by run")
    steps = check_steps(steps)
    on_divergence = check_choice(on_divergence, "on_divergence", ("raise", "return"))
    hypers = [{}] if hypers is None else list(hypers)
    if not isinstance(starts, (list, tuple)) or not starts:
        raise TypeError("starts must be a non-empty list of start points (one per run, or one "
                        f"shared by every run); got {type(starts).__name__}")
    if not hypers:
        raise ValueError("hypers must hold at least one mapping of hyper-parameters")
    for name in ONE_RUN_ONLY:
        if name in fixed or any(name in h for h in hypers):
            raise TypeError(f"batched_runs does not take {name}=, which acts on one run at a "
                            f"time; call {optimizer.__name__} run by run")
    count = _runs(starts, hypers)
    settings = [rule.hyper(**{**fixed, **hypers[k % len(hypers)]}) for k in range(count)]
    problems = [Problem(f, start) for start in starts]
    first = problems[0]
    for k, problem in enumerate(problems):
        if (problem.backend is not first.backend or problem.shape != first.shape
                or problem.dtype != first.dtype):
            raise ValueError(
                f"every start must be of one framework, shape and dtype; starts[{k}] is a "
                f"{problem.backend.name} array of shape {problem.shape} ({problem.dtype}), "
                f"starts[0] a {first.backend.name} array of shape {first.shape} ({first.dtype})")
    backend, shape = first.backend, tuple(first.shape)
    per_run = [problems[k % len(problems)] for k in range(count)]
    x = np.stack([p.start.reshape(shape) for p in per_run], axis=-1)
    hyper = {key: np.array([s[key] for s in settings]) for key in settings[0]}
    update = rule.update(hyper)
    axes = tuple(range(x.ndim - 1))  # every axis but the runs'

    def total(X: Any) -> Any:
        return backend.sum(f(X))

    total.pure = getattr(f, "pure", False)  # a backend may compile it (see Landscape.pure)

    def evaluate(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        X = backend.tensor(x, first.dtype)
        # Overflow shows as a non-finite value or gradient, reported per run below.
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            g = call_checked(backend.grad, total, X, backend)
            values = np.asarray(backend.to_numpy(f(X)), dtype=np.float64)
        return values, np.asarray(backend.to_numpy(g), dtype=np.float64).reshape(x.shape)

    values, g = evaluate(x)
    if values.shape != (count,):
        raise ValueError(f"f must map an array of shape {shape + (count,)} to {count} values, "
                         f"one per run (as a d2lopt Landscape does); got shape {values.shape}")
    for k, problem in enumerate(per_run):
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            one = float(problem.backend.to_numpy(f(problem.to_caller(problem.start))))
        if not np.isclose(values[k], one, rtol=1e-9, atol=1e-300) and np.isfinite(one):
            raise ValueError(f"f does not broadcast over a last axis of runs: run {k} has the "
                             f"value {one} alone and {values[k]} among the others; call "
                             f"{optimizer.__name__} run by run")
    finite = np.isfinite(values) & np.all(np.isfinite(g), axis=axes)
    if not finite.all():
        k = int(np.flatnonzero(~finite)[0])
        raise ValueError(f"f or its gradient is not finite at the start point {x[..., k]} "
                         f"(f = {values[k]}); start inside the domain of f")

    points, record, norms = [x], [values], [_norms(g)]
    alive = np.ones(count, dtype=bool)
    ended: dict[int, tuple[int, str]] = {}  # run -> (step, what stopped being finite)
    for t in range(1, steps + 1):
        with np.errstate(over="ignore", invalid="ignore"):
            new = update(t, x, g)
        failed = alive & ~np.all(np.isfinite(new), axis=axes)
        for k in np.flatnonzero(failed):
            ended[int(k)] = (t, "the iterate")
        alive &= ~failed
        new = np.where(alive, new, x)  # an ended run stays at its last finite point
        new_values, new_g = evaluate(new)
        for label, bad in (("the loss", ~np.isfinite(new_values)),
                           ("the gradient", ~np.all(np.isfinite(new_g), axis=axes))):
            for k in np.flatnonzero(alive & bad):
                ended[int(k)] = (t, f"{label} at {_show(new[..., k].reshape(-1))}")
                alive[k] = False
        new = np.where(alive, new, x)
        values = np.where(alive, new_values, values)
        g = np.where(alive, new_g, g)
        x = new
        points.append(x)
        record.append(values)
        norms.append(_norms(g))
        if not alive.any():
            break

    stacked, record_array, norm_array = np.stack(points), np.stack(record), np.stack(norms)
    results: list[Trajectory | Divergence] = []
    for k, setting in enumerate(settings):
        end, what = ended.get(k, (len(points), ""))
        run = Trajectory(stacked[:end, ..., k].reshape(end, -1), record_array[:end, k],
                         norm_array[:end, k], rule.name(setting))
        results.append(diverged(rule.name(setting), end, what, run) if what else run)
    if on_divergence == "raise":
        for result in results:
            if isinstance(result, Divergence):
                raise result
    return results


def _norms(g: np.ndarray) -> np.ndarray:
    """Each run's gradient norm (the runs along the last axis)."""
    with np.errstate(over="ignore"):  # a norm past float max is inf, as for one run
        return np.linalg.norm(g.reshape(-1, g.shape[-1]), axis=0)

