"""The :class:`Trajectory` record and the loop every optimizer shares.

An optimizer here is a rule ``x_t = step(t, x_{t-1}, g_{t-1})`` on NumPy
float64 vectors. :class:`Problem` turns the caller's ``f`` and start point
(NumPy, PyTorch or TensorFlow) into that setting: each iterate goes back to the
caller's framework, shape and dtype before ``f`` and its derivatives are
evaluated, so the same call works for every backend.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from d2lopt._checks import check_callable, check_integer, check_real
from d2lopt.backends import as_array
from d2lopt.backends.mismatch import call_checked

Array = Any
Objective = Callable[[Array], Array]

__all__ = [
    "Trajectory", "Divergence", "Problem", "run", "check_steps", "check_positive",
    "check_fraction", "check_tol",
]


@dataclass(frozen=True, eq=False)
class Trajectory:
    """The iterates of one optimizer run, with the loss and gradient norm at each.

    Attributes
    ----------
    points : numpy.ndarray
        Shape ``(steps + 1, d)``: the start point and every iterate, flattened
        (``d = 1`` for a scalar start point).
    values : numpy.ndarray
        Shape ``(steps + 1,)``: :math:`f` at each point.
    grad_norms : numpy.ndarray
        Shape ``(steps + 1,)``: :math:`\\|\\nabla f\\|` at each point (before any clipping).
    method : str
        The optimizer that produced it, e.g. ``"gradient descent"``.
    perturbations : tuple of int
        The steps :math:`t` at which :func:`~d2lopt.optim.perturbed_gradient_descent`
        added noise (``points[t]`` is the perturbed point); empty for other methods.
    stopped_at : int or None
        The step :math:`t` at which the stopping rule ``tol`` of the optimizer was
        met (:math:`\\|\\nabla f(x_t)\\| \\le` ``tol``, ``points[t]`` the last point), or
        ``None`` when the run took all its steps (no ``tol``, or never met).

    Examples
    --------
    >>> import numpy as np
    >>> run = Trajectory(np.zeros((3, 2)), np.zeros(3), np.zeros(3), "demo")
    >>> len(run), run.final.tolist(), run.stopped
    (3, [0.0, 0.0], False)
    >>> Trajectory(np.zeros((0, 2)), [], [])
    Trajectory(method='', no points)
    """

    points: np.ndarray
    values: np.ndarray
    grad_norms: np.ndarray
    method: str = ""
    perturbations: tuple[int, ...] = field(default=())
    stopped_at: int | None = None

    def __post_init__(self) -> None:
        points = np.asarray(self.points, dtype=float)
        if points.ndim == 1:
            points = points[:, None]
        values = np.asarray(self.values, dtype=float)
        grad_norms = np.asarray(self.grad_norms, dtype=float)
        if points.ndim != 2 or values.shape != (len(points),) or grad_norms.shape != values.shape:
            raise ValueError(
                "a Trajectory needs points of shape (n, d) and values and grad_norms of shape "
                f"(n,); got {points.shape}, {values.shape} and {grad_norms.shape}"
            )
        for name, array in (("points", points), ("values", values), ("grad_norms", grad_norms)):
            array.setflags(write=False)
            object.__setattr__(self, name, array)
        object.__setattr__(self, "perturbations", tuple(int(t) for t in self.perturbations))
        if self.stopped_at is not None:
            stopped_at = check_integer(self.stopped_at, "stopped_at", minimum=0)
            if stopped_at != len(points) - 1:
                raise ValueError(f"stopped_at must be the last step, {len(points) - 1}; "
                                 f"got {stopped_at}")
            object.__setattr__(self, "stopped_at", stopped_at)

    @property
    def stopped(self) -> bool:
        """Whether the run ended early because its stopping rule ``tol`` was met."""
        return self.stopped_at is not None

    @property
    def final(self) -> np.ndarray:
        """The last iterate, shape ``(d,)``."""
        if len(self.points) == 0:
            raise ValueError("this Trajectory has no points, so no final iterate")
        return self.points[-1].copy()

    @property
    def steps(self) -> int:
        """The number of steps taken (one less than the number of points; 0 when there are none)."""
        return max(len(self.points) - 1, 0)

    def __len__(self) -> int:
        return len(self.points)

    def __repr__(self) -> str:
        if len(self.points) == 0:
            return f"Trajectory(method={self.method!r}, no points)"
        stopped = f", stopped_at={self.stopped_at}" if self.stopped else ""
        return (
            f"Trajectory(method={self.method!r}, steps={self.steps}, "
            f"final={np.array2string(self.points[-1], precision=4)}, "
            f"value={self.values[-1]:.4g}{stopped})"
        )


class Divergence(ValueError):
    """An optimizer's iterate, loss or gradient stopped being finite.

    A :class:`ValueError`, so code that only cares that the run failed can catch
    that; code that must tell a diverging run from bad arguments (such as
    :func:`~d2lopt.optim.tune`) catches this class.

    Attributes
    ----------
    trajectory
        The run up to the last finite iterate: a :class:`Trajectory`, or the
        :class:`~d2lopt.optim.ManyRuns` of a batched run.
    step : int
        The step :math:`t` at which the run stopped being finite.

    Examples
    --------
    >>> from d2lopt.optim import gradient_descent
    >>> try:
    ...     gradient_descent(lambda x: x ** 2, 1.0, steps=1000, lr=2.0)
    ... except Divergence as err:
    ...     print(err.step, err.trajectory.steps)
    324 323
    """

    def __init__(self, message: str, trajectory: Any, step: int) -> None:
        super().__init__(message)
        self.trajectory = trajectory
        self.step = int(step)


# -- validation --------------------------------------------------------------

def check_steps(steps: Any) -> int:
    """Return ``steps`` as an int, or raise if it is not a non-negative integer."""
    return check_integer(steps, "steps", minimum=0)


def check_positive(name: str, value: Any) -> float:
    """Return ``value`` as a float, or raise unless it is a finite number > 0."""
    return check_real(value, name, positive=True)


def check_fraction(name: str, value: Any) -> float:
    """Return ``value`` as a float, or raise unless ``0 <= value < 1``."""
    return check_real(value, name, nonnegative=True, below=1.0)


def check_tol(tol: Any) -> float | None:
    """Return the stopping rule ``tol`` as a float (``None``: off), or raise unless it is > 0."""
    return None if tol is None else check_real(tol, "tol", positive=True)


# -- the objective as seen by an optimizer ------------------------------------

class Problem:
    """``f`` and a start point, seen through NumPy float64 vectors.

    Parameters
    ----------
    f : callable
        Scalar function of one array of the start point's framework.
    x0 : array_like
        Start point: NumPy array, Python number or list, ``torch.Tensor`` or ``tf.Tensor``.

    Examples
    --------
    >>> problem = Problem(lambda x: (x ** 2).sum(), [1.0, 2.0])
    >>> value, g = problem.value_and_grad(problem.start)
    >>> value, g.tolist()
    (5.0, [2.0, 4.0])
    """

    def __init__(self, f: Objective, x0: Array) -> None:
        self.f = check_callable(f)
        dtype = getattr(x0, "dtype", None)
        if "complex" in str(dtype if dtype is not None else np.asarray(x0).dtype):
            raise TypeError(f"the start point x0 must be real, got the complex dtype {dtype}; "
                            "optimize the real and imaginary parts as separate coordinates")
        self.backend, x = as_array(x0, name="the start point x0")
        self.shape = self.backend.shape(x)
        self.dtype = x.dtype
        start = np.asarray(self.backend.to_numpy(x))
        if start.size == 0:
            raise ValueError(f"the start point x0 is empty (shape {self.shape}); pass at least "
                             "one coordinate")
        self.start = start.astype(np.float64).reshape(-1)
        self.dim = self.start.size

    def to_caller(self, x: np.ndarray) -> Array:
        """The vector ``x`` as an array of the caller's framework, shape and dtype."""
        return self.backend.tensor(np.reshape(x, self.shape), self.dtype)

    def to_vector(self, a: Array) -> np.ndarray:
        """An array of the caller's framework as a flat float64 NumPy vector."""
        return np.asarray(self.backend.to_numpy(a), dtype=np.float64).reshape(-1)

    def value_and_grad(self, x: np.ndarray) -> tuple[float, np.ndarray]:
        """``f(x)`` as a float and ``∇f(x)`` as a flat float64 vector."""
        # Overflow is reported by the optimizer loop as divergence, with advice.
        with np.errstate(over="ignore", invalid="ignore"):
            value, g = call_checked(self.backend.value_and_grad, self.f, self.to_caller(x),
                                    self.backend)
        return float(self.backend.to_numpy(value)), self.to_vector(g)

    def gradient_in_caller(self, g: np.ndarray) -> Array:
        """A gradient vector as an array shaped like ``x0`` (what ``clip=`` receives)."""
        return self.to_caller(g)

    def hessian(self, x: np.ndarray) -> np.ndarray:
        """The Hessian at ``x`` as a ``(d, d)`` float64 matrix."""
        h = call_checked(self.backend.hessian, self.f, self.to_caller(x), self.backend)
        return np.asarray(self.backend.to_numpy(h), dtype=np.float64).reshape(self.dim, self.dim)


Step = Callable[[int, np.ndarray, np.ndarray], np.ndarray]


def _show(x: np.ndarray) -> str:
    return np.array2string(x, precision=4)


def _diverged(method: str, t: int, what: str, so_far: Trajectory) -> Divergence:
    return Divergence(
        f"{method} diverged at step {t}: {what} is no longer finite "
        f"(last finite iterate {_show(so_far.points[-1])}); use a smaller learning "
        "rate lr, or clip the gradient (clip=('norm', 1.0))",
        so_far, t,
    )


def run(problem: Problem, steps: int, step: Step, method: str,
        perturbations: list[int] | None = None, tol: float | None = None) -> Trajectory:
    """Iterate ``x_t = step(t, x_{t-1}, g_{t-1})`` and record the trajectory.

    ``step`` receives the step number ``t`` (from 1), the current point and the
    gradient there (both NumPy float64 vectors) and returns the next point.
    With ``tol``, the run ends at the first point (the start included) where
    :math:`\\|\\nabla f\\| \\le` ``tol``, and the trajectory's ``stopped_at`` is
    its step. The record grows with the steps actually taken: nothing is
    allocated in proportion to ``steps``.

    Raises
    ------
    Divergence
        If an iterate, its value or its gradient becomes NaN or infinite; the
        message names the step and suggests a smaller learning rate or clipping,
        and the exception carries the trajectory up to the last finite iterate.
    ValueError
        If ``f`` or its gradient is not finite at the start point.
    """
    x = problem.start.copy()
    value, g = problem.value_and_grad(x)
    if not (np.isfinite(value) and np.all(np.isfinite(g))):
        raise ValueError(
            f"f or its gradient is not finite at the start point {x} (f = {value}, "
            f"gradient = {g}); start inside the domain of f"
        )
    points, values, norms = [x], [value], [float(np.linalg.norm(g))]

    def so_far(stopped_at: int | None = None) -> Trajectory:
        kept = tuple(t for t in perturbations or () if t < len(points))
        return Trajectory(np.stack(points), np.array(values), np.array(norms), method, kept,
                          stopped_at)

    if tol is not None and norms[-1] <= tol:
        return so_far(0)
    for t in range(1, steps + 1):
        new = np.asarray(step(t, x, g), dtype=np.float64).reshape(-1)
        if not np.all(np.isfinite(new)):
            raise _diverged(method, t, "the iterate", so_far())
        value, g = problem.value_and_grad(new)
        if not np.isfinite(value):
            raise _diverged(method, t, f"the loss at {_show(new)}", so_far())
        if not np.all(np.isfinite(g)):
            raise _diverged(method, t, f"the gradient at {_show(new)}", so_far())
        x = new
        points.append(x)
        values.append(value)
        with np.errstate(over="ignore"):
            norms.append(float(np.linalg.norm(g)))
        if tol is not None and norms[-1] <= tol:
            return so_far(t)
    return so_far()
