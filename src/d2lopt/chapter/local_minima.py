r"""Section 5, local minima: a one-hidden-layer tanh network and every copy of it.

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
from typing import Any

import numpy as np

from d2lopt.symmetry import check_params, permute_hidden_units

__all__ = ["tanh_mlp", "symmetric_copies"]

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
