r"""Weight-space symmetry: many parameter vectors compute the same network.

Relabel the :math:`n` hidden units of a layer (permute the rows of the weights
into the layer, its biases, and the columns of the weights out of it) and the
network computes the same function: :math:`n!` parameter vectors per layer.
With an odd activation such as :math:`\tanh`, flipping the signs of a unit's
incoming weights, bias and outgoing weights also leaves the function
unchanged, because :math:`\tanh(-z) = -\tanh(z)`: another factor :math:`2^n`.
A network whose hidden layers have widths :math:`n_1, \dots, n_L` therefore
has at least :math:`\prod_l n_l!\,2^{n_l}` parameter vectors per function, so
the loss has at least as many minima of equal value: local minima that exist
because the model is not identifiable, not because training is hard.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np

__all__ = [
    "equivalent_parameterizations", "tanh_mlp", "permute_hidden_units", "symmetric_copies",
]

Params = Mapping[str, Any]


def equivalent_parameterizations(widths: int | Sequence[int], *, sign_flips: bool = True
                                 ) -> int:
    r"""How many parameter vectors the hidden-unit symmetries map one network to.

    :math:`\prod_l n_l!\,2^{n_l}` for an odd activation (``sign_flips=True``,
    e.g. tanh), :math:`\prod_l n_l!` otherwise (e.g. ReLU or sigmoid, which have
    the permutations but not the sign flips; ReLU also has a continuous
    rescaling symmetry not counted here). The count is exact for parameters in
    general position: then all these copies are distinct.

    Parameters
    ----------
    widths : int or sequence of int
        The width of each hidden layer.
    sign_flips : bool
        Count the sign flips of an odd activation.

    Returns
    -------
    int
        An exact (arbitrary-precision) integer.

    Examples
    --------
    >>> equivalent_parameterizations(3)   # 3! * 2**3
    48
    >>> equivalent_parameterizations([2, 2], sign_flips=False)
    4
    """
    widths = [widths] if isinstance(widths, (int, np.integer)) else list(widths)
    if not widths or any(isinstance(n, bool) or int(n) != n or n < 1 for n in widths):
        raise ValueError(f"widths must be positive integers (one per hidden layer), got {widths}")
    total = 1
    for n in widths:
        total *= math.factorial(int(n)) * (2 ** int(n) if sign_flips else 1)
    return total


def _check_params(params: Params) -> dict[str, np.ndarray]:
    missing = {"W1", "b1", "W2", "b2"} - set(params)
    if missing:
        raise ValueError(f"params needs the keys W1, b1, W2, b2; missing {sorted(missing)}")
    p = {k: np.asarray(params[k], dtype=float) for k in ("W1", "b1", "W2", "b2")}
    n = p["b1"].shape[0]
    if p["W1"].ndim != 2 or p["W1"].shape[0] != n or p["W2"].ndim != 2 or p["W2"].shape[1] != n:
        raise ValueError(
            f"shapes do not fit one hidden layer of width {n}: W1 {p['W1'].shape} must be "
            f"({n}, d), W2 {p['W2'].shape} must be (k, {n})"
        )
    return p


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
    p = _check_params(params)
    x = np.atleast_2d(np.asarray(x, dtype=float))
    return np.tanh(x @ p["W1"].T + p["b1"]) @ p["W2"].T + p["b2"]


def permute_hidden_units(params: Params, permutation: Sequence[int],
                         signs: Sequence[float] | None = None) -> dict[str, np.ndarray]:
    r"""Relabel (and optionally flip) the hidden units; the function computed is unchanged.

    Unit :math:`i` of the result is unit ``permutation[i]`` of ``params``, its
    incoming weights, bias and outgoing weights multiplied by ``signs[i]``
    (:math:`\pm 1`; a flip preserves the function only for an odd activation).

    Examples
    --------
    >>> p = {"W1": [[1.0], [2.0]], "b1": [0.1, 0.2], "W2": [[3.0, 4.0]], "b2": [0.0]}
    >>> q = permute_hidden_units(p, [1, 0], signs=[-1, 1])
    >>> q["W1"].ravel().tolist(), q["W2"].ravel().tolist()
    ([-2.0, 1.0], [-4.0, 3.0])
    >>> bool(np.allclose(tanh_mlp(p, [[0.7]]), tanh_mlp(q, [[0.7]])))
    True
    """
    p = _check_params(params)
    n = p["b1"].shape[0]
    perm = np.asarray(permutation)
    if sorted(perm.tolist()) != list(range(n)):
        raise ValueError(f"permutation must be a rearrangement of 0..{n - 1}, got {permutation}")
    s = np.ones(n) if signs is None else np.asarray(signs, dtype=float)
    if s.shape != (n,) or not np.all(np.abs(s) == 1):
        raise ValueError(f"signs must be {n} numbers, each +1 or -1; got {signs}")
    return {
        "W1": s[:, None] * p["W1"][perm], "b1": s * p["b1"][perm],
        "W2": p["W2"][:, perm] * s[None, :], "b2": p["b2"].copy(),
    }


def symmetric_copies(params: Params, *, sign_flips: bool = True
                     ) -> Iterator[dict[str, np.ndarray]]:
    """Every relabelling (and sign flip) of the hidden units: ``n! 2^n`` parameter sets.

    Examples
    --------
    >>> p = {"W1": [[1.0], [2.0]], "b1": [0.1, 0.2], "W2": [[3.0, 4.0]], "b2": [0.0]}
    >>> len(list(symmetric_copies(p)))
    8
    """
    n = _check_params(params)["b1"].shape[0]
    sign_choices = itertools.product((1.0, -1.0), repeat=n) if sign_flips else [(1.0,) * n]
    sign_choices = list(sign_choices)
    for perm in itertools.permutations(range(n)):
        for signs in sign_choices:
            yield permute_hidden_units(params, perm, signs)
