"""Section 8, cliffs and exploding gradients: the settings its page, scripts and tests share.

The cliff landscapes are core (:data:`d2lopt.landscapes.recurrent_cliff`), and so
are batched runs from many starts (:func:`d2lopt.optim.batched_gradient_descent`)
and clipping (:func:`d2lopt.optim.clip_by_norm`). This module holds the section's settings and
the two small steps its page and its scripts share: the window's diagonal,
the distance that counts as "thrown far", and the paired runs with and
without clipping from the same random starts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from d2lopt.landscapes import Landscape, recurrent_cliff
from d2lopt.optim.many_starts import ManyRuns, batched_gradient_descent

__all__ = ["Settings", "SETTINGS", "window_diagonal", "clipping_runs", "first_thrown"]


@dataclass(frozen=True)
class Settings:
    """The values section 8's page, gallery scripts and tests share.

    Try another value with ``dataclasses.replace(SETTINGS, lr=0.1)``.

    Attributes
    ----------
    w : float
        The recurrent weight :math:`w` at which the cliff is crossed (the
        gradient on and off the cliff line, the clipped gradient).
    away : float
        Offset in :math:`b` from the cliff line at which the gradient is
        measured "away from the cliff" (below and above it), in bias units.
    seed : int
        Seed of the uniform random starts.
    search_count : int
        Number of random starts searched for the one run that is shown.
    count : int
        Number of random starts of the many-starts experiment.
    steps : int
        Gradient-descent steps of every run.
    lr : float
        Learning rate of every run.
    max_norm : float
        Gradient norm the clipped runs clip to.
    converged : float
        Loss below which a run counts as converged.
    target_norm : float
        Gradient norm of the gradient near the cliff that is clipped both ways.
    log_offset_bracket : tuple of float
        Bracket of :math:`\\log_{10}` of the offset from the cliff line in which
        the point with gradient norm ``target_norm`` is searched.
    threshold : float
        The clipping threshold :math:`c` of the by-norm / by-value comparison.
    long_size : int
        Components of the long random gradient clipped by value.
    long_scale : float
        Standard deviation of its (Gaussian) components.
    long_seed : int
        Seed of its components.
    exercise_lengths : tuple of int
        Exercises: sequence lengths :math:`T` at which the gradient on the cliff line is measured.
    exercise_max_norms : tuple of float
        Exercises: the smaller and the larger clipping threshold of the many-starts experiment.
    exercise_points : int
        Exercises: random points of the window at which the gradient is clipped.

    """

    w: float = 2.0
    away: float = 0.5
    seed: int = 0
    search_count: int = 200
    count: int = 2000
    steps: int = 200
    lr: float = 0.3
    max_norm: float = 1.0
    converged: float = 1e-3
    target_norm: float = 3.0
    log_offset_bracket: tuple[float, float] = (-7.0, -5.0)
    threshold: float = 1.0
    long_size: int = 100_000
    long_scale: float = 1e3
    long_seed: int = 0
    # Exercises
    exercise_lengths: tuple[int, ...] = (10, 20, 30, 40, 50)
    exercise_max_norms: tuple[float, float] = (0.1, 10.0)
    exercise_points: int = 500


#: The settings of section 8.
SETTINGS = Settings()


def window_diagonal(landscape: Landscape = recurrent_cliff) -> float:
    """The length of the diagonal of the landscape's plotting window.

    No path that stays in the window moves farther than this from its start,
    so a run farther than that from its start has been thrown out of it.

    Examples
    --------
    >>> round(window_diagonal(), 4)   # the window [0, 3] x [-1.5, 1]
    3.9051
    """
    if landscape.domain is None or len(landscape.domain) != 2:
        raise ValueError(f"{landscape.name} has no two-dimensional window")
    (x_lo, x_hi), (y_lo, y_hi) = landscape.domain
    return math.hypot(x_hi - x_lo, y_hi - y_lo)


def clipping_runs(starts: Any, *, steps: int, lr: float, max_norm: float,
                  landscape: Landscape = recurrent_cliff) -> tuple[ManyRuns, ManyRuns]:
    """Gradient descent from every start, plain and with the gradient clipped by norm.

    Parameters
    ----------
    starts : array_like, shape (2, count)
        One start per column, in any supported framework.
    steps, lr : int, float
        Of every run.
    max_norm : float
        The norm the clipped runs clip their gradient to.
    landscape : Landscape
        The loss (default :data:`d2lopt.landscapes.recurrent_cliff`).

    Returns
    -------
    plain, clipped : ManyRuns

    Examples
    --------
    >>> plain, clipped = clipping_runs(np.array([[2.0], [-0.2]]), steps=5, lr=0.3, max_norm=1.0)
    >>> bool(clipped.step_lengths.max() <= 0.3 + 1e-12)
    True
    """
    plain = batched_gradient_descent(landscape, starts, steps=steps, lr=lr)
    clipped = batched_gradient_descent(landscape, starts, steps=steps, lr=lr, max_norm=max_norm)
    return plain, clipped


def first_thrown(plain: ManyRuns, clipped: ManyRuns, distance: float) -> int:
    """The first start whose plain run makes one step longer than ``distance``, clipped not.

    "Clipped not" means the clipped run from the same start never gets farther
    than ``distance`` from it.

    Raises
    ------
    ValueError
        If no start qualifies.

    Examples
    --------
    >>> starts = np.array([[0.5, 2.0], [0.0, -0.2]])
    >>> plain, clipped = clipping_runs(starts, steps=3, lr=0.3, max_norm=1.0)
    >>> plain.step_lengths.max(axis=0).round(3).tolist(), clipped.farthest.round(3).tolist()
    ([0.84, 0.045], [0.458, 0.119])
    >>> first_thrown(plain, clipped, 0.5)
    0
    """
    thrown = np.flatnonzero((plain.step_lengths.max(axis=0) > distance)
                            & (clipped.farthest <= distance))
    if thrown.size == 0:
        raise ValueError(f"no plain run makes a step longer than {distance} while its "
                         "clipped twin stays within it; try more starts")
    return int(thrown[0])
