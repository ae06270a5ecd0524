r"""Gradient descent from many random starts at once, and how far each run travels.

A :class:`~d2lopt.landscapes.Landscape` broadcasts over trailing axes, so the
gradient of :math:`\sum_k f(x^{(k)})` with respect to the stacked starts
:math:`X = (x^{(1)}, \dots, x^{(K)})` is the stack of the individual gradients
:math:`\nabla f(x^{(k)})`. :func:`batched_gradient_descent` uses this to run
:math:`K` independent copies of :func:`d2lopt.optim.gradient_descent` (with the
same clipping by norm, applied to each run's own gradient) in one loop.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from d2lopt._checks import check_integer, check_real
from d2lopt.backends import as_array
from d2lopt.optim.trajectory import Divergence

__all__ = ["uniform_starts", "ManyRuns", "batched_gradient_descent"]


def uniform_starts(domain: Sequence[tuple[float, float]], count: int, *, seed: int = 0
                   ) -> np.ndarray:
    """``count`` points drawn uniformly from the box ``domain``, shape ``(d, count)``.

    The points are drawn one after the other, so the first :math:`k` columns are
    the same for every ``count >= k`` (with the same ``seed``).

    Examples
    --------
    >>> X = uniform_starts([(0, 1), (-1, 1)], 5)
    >>> X.shape, bool(np.all((X[0] >= 0) & (X[0] <= 1)))
    ((2, 5), True)
    """
    count = check_integer(count, "count", minimum=1)
    box = np.asarray(domain, dtype=float)
    if (box.ndim != 2 or box.shape[1] != 2 or not np.all(np.isfinite(box))
            or np.any(box[:, 1] <= box[:, 0])):
        raise ValueError(f"domain must be a sequence of finite (low, high) pairs with low < high, "
                         f"got {domain}")
    rng = np.random.default_rng(seed)
    # Drawn point by point, so the first k starts do not depend on ``count``.
    unit = rng.uniform(size=(int(count), len(box))).T
    return box[:, :1] + (box[:, 1:] - box[:, :1]) * unit


@dataclass(frozen=True, eq=False)
class ManyRuns:
    """The iterates of many gradient-descent runs.

    Attributes
    ----------
    points : numpy.ndarray
        Shape ``(steps + 1, d, K)``: every iterate of every run.
    step_lengths : numpy.ndarray
        Shape ``(steps, K)``: :math:`\\|x_t - x_{t-1}\\|`.
    grad_norms : numpy.ndarray
        Shape ``(steps + 1, K)``: the gradient norm at each iterate, before clipping.
    """

    points: np.ndarray
    step_lengths: np.ndarray
    grad_norms: np.ndarray

    @property
    def farthest(self) -> np.ndarray:
        r"""For each run, :math:`\max_t \|x_t - x_0\|`, the farthest it got from its start."""
        return np.linalg.norm(self.points - self.points[:1], axis=1).max(axis=0)

    def fraction_farther_than(self, radius: float) -> float:
        """The fraction of runs whose farthest point is more than ``radius`` from their start."""
        return float(np.mean(self.farthest > radius))


def batched_gradient_descent(f: Callable[[Any], Any], starts: Any, *, steps: int, lr: float,
                             max_norm: float | None = None) -> ManyRuns:
    r"""Run :math:`x_t = x_{t-1} - \eta\,\operatorname{clip}(\nabla f(x_{t-1}))` from every start.

    Parameters
    ----------
    f : callable
        A landscape (or any function) that maps an array of shape ``(d, K)`` to
        ``K`` values, one per column, each depending only on its own column.
    starts : array, shape (d, K)
        The start points as columns, of any supported framework (derivatives are
        taken by that framework).
    steps : int
        Number of updates.
    lr : float
        Learning rate :math:`\eta > 0`.
    max_norm : float, optional
        Clip each run's gradient to this Euclidean norm (as
        :func:`d2lopt.optim.clip_by_norm` does); ``None`` for no clipping.

    Returns
    -------
    ManyRuns

    Raises
    ------
    Divergence
        If an iterate or its gradient becomes NaN or infinite; its ``trajectory``
        is the :class:`ManyRuns` up to the last finite iterate.
    ValueError
        For bad arguments, or a gradient that is not finite at the starts.

    Examples
    --------
    >>> from d2lopt.landscapes import quadratic
    >>> runs = batched_gradient_descent(quadratic(4.0), np.ones((2, 3)), steps=2, lr=0.1)
    >>> runs.points[-1, :, 0].round(6).tolist()   # (1 - 0.1 λ)^2 with λ = 1 and 4
    [0.81, 0.36]
    """
    steps = check_integer(steps, "steps", minimum=0)
    lr = check_real(lr, "lr", positive=True)
    if max_norm is not None:
        max_norm = check_real(max_norm, "max_norm", positive=True)
    backend, X = as_array(starts, name="starts")
    if len(backend.shape(X)) != 2:
        raise ValueError(f"starts must have shape (d, K), one column per run; got "
                         f"{backend.shape(X)}")
    dtype = X.dtype

    def total(Y: Any) -> Any:
        return backend.sum(f(Y))

    total.pure = getattr(f, "pure", False)  # a backend may compile it (see Landscape.pure)

    x = backend.to_numpy(X).astype(np.float64)
    points, norms, lengths = [x], [], []

    def so_far() -> ManyRuns:
        lengths_array = np.array(lengths) if lengths else np.zeros((0, x.shape[1]))
        return ManyRuns(np.stack(points), lengths_array, np.stack(norms))

    for t in range(int(steps) + 1):
        # cosh and exp may overflow to inf far out on a plateau, where the
        # derivative they feed (1/cosh^2, ...) is then exactly 0: not an error.
        with np.errstate(over="ignore"):
            g = np.asarray(backend.to_numpy(backend.grad(total, backend.tensor(x, dtype))),
                           dtype=np.float64)
        if not np.all(np.isfinite(g)):
            message = f"the gradient is not finite at step {t}; lower lr or set max_norm"
            if t == 0:
                raise ValueError(message)
            points.pop()  # the run so far ends at the last point with a finite gradient
            lengths.pop()
            raise Divergence(message, so_far(), t)
        with np.errstate(over="ignore"):  # a norm past float max is inf; the step then diverges
            norm = np.linalg.norm(g, axis=0)
        norms.append(norm)
        if t == steps:
            break
        if max_norm is not None:
            with np.errstate(over="ignore"):  # max_norm / a subnormal norm is inf: no clipping
                g = g * np.minimum(1.0, max_norm / np.maximum(norm, np.finfo(float).tiny))
        new = x - lr * g
        if not np.all(np.isfinite(new)):
            raise Divergence(f"an iterate became infinite at step {t + 1}; lower lr or set "
                             "max_norm", so_far(), t + 1)
        with np.errstate(over="ignore"):
            lengths.append(np.linalg.norm(new - x, axis=0))
        x = new
        points.append(x)
    return so_far()
