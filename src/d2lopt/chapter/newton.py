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

__all__ = ["Settings", "SETTINGS", "METHODS", "escape_runs", "nearest_critical_point"]


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
                methods: tuple[str, ...] = METHODS) -> dict[str, Trajectory]:
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
        "Newton": lambda: optim.newton(f, start, steps=steps),
        "saddle-free Newton": lambda: optim.saddle_free_newton(f, start, steps=steps),
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
