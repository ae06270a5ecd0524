"""Second-order methods: Newton's method and saddle-free Newton.

Both form the full Hessian through the backend of ``x0``, so they are meant for
the low-dimensional landscapes of the chapter.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from d2lopt._checks import check_real
from d2lopt.optim.trajectory import (
    Objective,
    Problem,
    Trajectory,
    check_positive,
    check_steps,
    check_tol,
    run,
)

Array = Any

__all__ = ["newton", "saddle_free_newton"]

#: Hessians with a larger condition number count as singular for :func:`newton`
#: (and, with ``damping=0``, for :func:`saddle_free_newton`).
SINGULAR_CONDITION = 1e12


def _finite_hessian(problem: Problem, x: np.ndarray, t: int, method: str) -> np.ndarray:
    """The Hessian at ``x``, or a ValueError saying it holds NaN or infinity (not "singular")."""
    h = problem.hessian(x)
    if not np.all(np.isfinite(h)):
        what = "NaN" if np.any(np.isnan(h)) else "an infinity"
        raise ValueError(
            f"{method} cannot take step {t}: the Hessian at the iterate "
            f"{np.array2string(x, precision=6)} holds {what}; f is not twice "
            "differentiable there: start elsewhere"
        )
    return h


def newton(f: Objective, x0: Array, *, steps: int, lr: float = 1.0,
           tol: float | None = None) -> Trajectory:
    r"""Newton's method :math:`x_t = x_{t-1} - \eta\, H(x_{t-1})^{-1} \nabla f(x_{t-1})`.

    The Newton step jumps to the critical point of the local quadratic model,
    whatever its kind: near a saddle it moves *towards* the saddle.

    Parameters
    ----------
    f, x0, steps
        As in :func:`~d2lopt.optim.gradient_descent`; the Hessian is taken by the
        framework of ``x0`` too.
    lr : float
        Step size :math:`\eta > 0` (1 is the pure Newton step).
    tol : float, optional
        Stopping rule: end the run at the first point (the start included) where
        the gradient norm is at most ``tol``; the trajectory's ``stopped_at``
        says at which step. Off by default: exactly ``steps`` steps. Near a
        nondegenerate critical point Newton's steps shrink quadratically; once
        the gradient is tiny, every further step costs a Hessian and moves the
        iterate by next to nothing.

    Returns
    -------
    Trajectory
        The iterates; a run that leaves the finite numbers raises
        :class:`~d2lopt.optim.Divergence` instead.

    Raises
    ------
    ValueError
        If the Hessian at an iterate is singular (condition number above
        ``SINGULAR_CONDITION`` = 1e12): the message names the iterate and suggests
        :func:`saddle_free_newton`, which damps small curvatures. A Hessian holding
        NaN or an infinity is reported as such.

    Examples
    --------
    >>> from d2lopt.landscapes import saddle
    >>> newton(saddle, [0.3, -0.7], steps=1).final.tolist()  # onto the saddle of x² − y²
    [0.0, 0.0]
    >>> newton(saddle, [0.3, -0.7], steps=100, tol=1e-12).stopped_at  # one step, then ∇f = 0
    1
    """
    steps = check_steps(steps)
    lr = check_positive("lr", lr)
    tol = check_tol(tol)
    problem = Problem(f, x0)

    def step(t: int, x: np.ndarray, g: np.ndarray) -> np.ndarray:
        h = _finite_hessian(problem, x, t, "Newton's method")
        condition = np.linalg.cond(h)
        if not condition < SINGULAR_CONDITION:
            raise ValueError(
                f"Newton's method cannot take step {t}: the Hessian at the iterate "
                f"{np.array2string(x, precision=6)} is singular (condition number "
                f"{condition:.3g}); start elsewhere, or use saddle_free_newton, whose damping "
                "keeps the step finite"
            )
        return x - lr * np.linalg.solve(h, g)

    return run(problem, steps, step, "Newton", tol=tol)


def saddle_free_newton(f: Objective, x0: Array, *, steps: int, lr: float = 1.0,
                       damping: float = 1e-3, tol: float | None = None) -> Trajectory:
    r"""Saddle-free Newton (Dauphin et al., 2014): :math:`x_t = x_{t-1} - \eta |H|^{-1} \nabla f`.

    With the eigendecomposition :math:`H = V \Lambda V^\top`, :math:`|H| = V
    \max(|\Lambda|, \delta) V^\top`: the curvature is taken in absolute value, so
    directions of negative curvature are descended instead of climbed, and
    eigenvalues below the damping :math:`\delta` are raised to it. Saddles repel
    the method where plain Newton is attracted to them.

    Parameters
    ----------
    f, x0, steps, lr, tol
        As in :func:`newton`.
    damping : float
        :math:`\delta \ge 0`, the smallest curvature the step divides by. With
        ``damping=0`` (pure saddle-free Newton) every :math:`|H|` met must be
        nonsingular (condition number below ``SINGULAR_CONDITION``), else a
        ``ValueError`` names the iterate.

    Returns
    -------
    Trajectory
        The iterates, their values and gradient norms.

    Examples
    --------
    >>> from d2lopt.landscapes import saddle
    >>> saddle_free_newton(saddle, [0.5, 0.1], steps=1).final.tolist()  # y is doubled
    [0.0, 0.2]
    >>> saddle_free_newton(saddle, [0.5, 0.1], steps=1, damping=0).final.tolist()
    [0.0, 0.2]
    """
    steps = check_steps(steps)
    lr = check_positive("lr", lr)
    damping = check_real(damping, "damping", nonnegative=True)
    tol = check_tol(tol)
    problem = Problem(f, x0)

    def step(t: int, x: np.ndarray, g: np.ndarray) -> np.ndarray:
        h = _finite_hessian(problem, x, t, "saddle-free Newton")
        eigenvalues, vectors = np.linalg.eigh((h + h.T) / 2)
        curvature = np.maximum(np.abs(eigenvalues), damping)
        if not curvature.max() < SINGULAR_CONDITION * curvature.min():
            raise ValueError(
                f"saddle-free Newton cannot take step {t}: |H| at the iterate "
                f"{np.array2string(x, precision=6)} is singular (curvatures "
                f"{np.array2string(np.abs(eigenvalues), precision=3)}); pass damping > 0, "
                "e.g. damping=1e-3"
            )
        return x - lr * vectors @ ((vectors.T @ g) / curvature)

    return run(problem, steps, step, "saddle-free Newton", tol=tol)
