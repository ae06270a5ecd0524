r"""Section 5, local minima: the extrema of :math:`x\cos(\pi x)`, a tanh network and its copies.

Weight-space symmetry itself (counting and applying relabellings of hidden
units) is core, :mod:`d2lopt.symmetry`, since the experiments on real networks
use it too. This module holds what only the section uses: the network
:math:`W_2 \tanh(W_1 x + b_1) + b_2` on a NumPy parameter dict
(:func:`tanh_mlp`) and the enumeration of all :math:`n!\,2^n` relabellings of
its hidden units (:func:`symmetric_copies`).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from d2lopt.landscapes import KnownPoint, risk
from d2lopt.optim.many_starts import batched_gradient_descent
from d2lopt.symmetry import check_params, permute_hidden_units

__all__ = ["Settings", "SETTINGS", "risk_extrema", "gradient_descent_ends", "tanh_mlp",
           "symmetric_copies"]


@dataclass(frozen=True)
class Settings:
    """The values that section 5's page, gallery scripts and tests share.

    Attributes
    ----------
    starts : int
        Number of evenly spaced starts of gradient descent on the domain of
        :data:`d2lopt.landscapes.risk`, :math:`[-1, 2]`.
    steps : int
        Gradient-descent steps from each start.
    lr : float
        Its learning rate.
    basin_atol : float
        How close (parameter units) an end point must be to a minimum to count as in its basin.
    width : int
        Width :math:`n` of the hidden layer whose :math:`n!\\,2^n` copies are quoted.
    layer_widths : tuple of int
        Widths of the two-layer network whose number of copies is quoted.
    check_width : int
        Width of the random tanh network whose copies are enumerated by brute force.
    check_inputs : int
        Number of random inputs its copies are compared on.
    check_seed : int
        Seed of :func:`numpy.random.default_rng` that draws that network and its inputs.
    exercise_layer_widths : tuple of int
        Exercises: widths :math:`(n_1, n_2)` of the two hidden layers whose copies are counted.
    exercise_lrs : tuple of float
        Exercises: the larger learning rates of the basin experiment.
    exercise_restart_widths : tuple of int
        Exercises: hidden widths of the narrow and the wide network that are restarted.
    exercise_restarts : int
        Exercises: number of restarts (seeds) of each network.
    exercise_restart_epochs : int
        Exercises: training epochs of every restart.
    exercise_restart_train_size : int
        Exercises: number of training digits.
    exercise_restart_seed : int
        Exercises: seed of the restarts (and of :func:`torch.manual_seed`).

    Examples
    --------
    >>> SETTINGS.starts, SETTINGS.steps, SETTINGS.lr
    (61, 300, 0.05)
    """

    starts: int = 61
    steps: int = 300
    lr: float = 0.05
    basin_atol: float = 1e-4
    width: int = 10
    layer_widths: tuple[int, ...] = (100, 100)
    check_width: int = 3
    check_inputs: int = 50
    check_seed: int = 0
    # Exercises
    exercise_layer_widths: tuple[int, int] = (3, 2)
    exercise_lrs: tuple[float, ...] = (0.2, 0.3)
    exercise_restart_widths: tuple[int, int] = (2, 64)
    exercise_restarts: int = 10
    exercise_restart_epochs: int = 3
    exercise_restart_train_size: int = 300
    exercise_restart_seed: int = 0


#: The settings of section 5.
SETTINGS = Settings()


def risk_extrema() -> tuple[KnownPoint, KnownPoint, KnownPoint]:
    r"""The local minimum, the global minimum and the maximum of :math:`x\cos(\pi x)` on [-1, 2].

    They are the known critical points of :data:`d2lopt.landscapes.risk`
    (roots of :math:`f'` refined by Brent's method); the two minima are told
    apart by their values.

    Examples
    --------
    >>> local_min, global_min, maximum = risk_extrema()
    >>> [round(float(p.array), 4) for p in (local_min, maximum, global_min)]
    [-0.2739, 0.2739, 1.0904]
    """
    local_min, global_min = sorted(risk.points_of_kind("minimum"),
                                   key=lambda p: float(risk(p.array)), reverse=True)
    (maximum,) = risk.points_of_kind("maximum")
    return local_min, global_min, maximum


def gradient_descent_ends(*, starts: int = SETTINGS.starts, steps: int = SETTINGS.steps,
                          lr: float = SETTINGS.lr) -> tuple[np.ndarray, np.ndarray]:
    r"""Gradient descent on :math:`x\cos(\pi x)` from evenly spaced starts on [-1, 2], all at once.

    Parameters
    ----------
    starts : int
        Number of evenly spaced starts (default :attr:`Settings.starts`).
    steps : int
        Steps of every run (default :attr:`Settings.steps`).
    lr : float
        Learning rate of every run (default :attr:`Settings.lr`).

    Returns
    -------
    x0, ends : numpy.ndarray, shape (starts,)
        The starts and the last iterate of the run from each.

    Raises
    ------
    ValueError
        If ``starts`` is not an integer >= 2 (``steps`` and ``lr`` are checked by
        :func:`d2lopt.optim.batched_gradient_descent`).

    Examples
    --------
    >>> x0, ends = gradient_descent_ends(starts=3, steps=200)
    >>> x0.tolist(), ends.round(4).tolist()
    ([-1.0, 0.5, 2.0], [-0.2739, 1.0904, 1.0904])
    """
    if isinstance(starts, bool) or not isinstance(starts, (int, np.integer)) or starts < 2:
        raise ValueError(f"starts must be an integer >= 2 (the number of evenly spaced starts), "
                         f"got {starts!r}")
    lo, hi = risk.domain[0]
    x0 = np.linspace(lo, hi, int(starts))
    runs = batched_gradient_descent(risk, x0[None, :], steps=steps, lr=lr)
    return x0, runs.points[-1, 0]


Params = Mapping[str, Any]


def tanh_mlp(params: Params, x: Any) -> np.ndarray:
    r"""A one-hidden-layer tanh network :math:`W_2 \tanh(W_1 x + b_1) + b_2`.

    Parameters
    ----------
    params : mapping
        ``W1`` (n, d), ``b1`` (n,), ``W2`` (k, n), ``b2`` (k,).
    x : array_like, shape (m, d)
        Inputs, one per row.

    Returns
    -------
    numpy.ndarray, shape (m, k)

    Examples
    --------
    >>> p = {"W1": [[1.0]], "b1": [0.0], "W2": [[2.0]], "b2": [0.5]}
    >>> tanh_mlp(p, [[0.0]]).tolist()
    [[0.5]]
    """
    p = check_params(params)
    x = np.atleast_2d(np.asarray(x, dtype=float))
    return np.tanh(x @ p["W1"].T + p["b1"]) @ p["W2"].T + p["b2"]


def symmetric_copies(params: Params, *, sign_flips: bool = True
                     ) -> Iterator[dict[str, np.ndarray]]:
    """Every relabelling (and sign flip) of the hidden units: ``n! 2^n`` parameter sets.

    Examples
    --------
    >>> p = {"W1": [[1.0], [2.0]], "b1": [0.1, 0.2], "W2": [[3.0, 4.0]], "b2": [0.0]}
    >>> len(list(symmetric_copies(p)))
    8
    >>> q = next(symmetric_copies(p))   # the identity comes first
    >>> bool(np.allclose(tanh_mlp(p, [[0.7]]), tanh_mlp(q, [[0.7]])))
    True
    """
    n = check_params(params)["b1"].shape[0]
    sign_choices = itertools.product((1.0, -1.0), repeat=n) if sign_flips else [(1.0,) * n]
    sign_choices = list(sign_choices)
    for perm in itertools.permutations(range(n)):
        for signs in sign_choices:
            yield permute_hidden_units(params, perm, signs)
