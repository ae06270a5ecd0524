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

:func:`relabel_hidden_units` is the index arithmetic of one relabelling, on the
three arrays it touches; :func:`permute_hidden_units` applies it to a NumPy
parameter dict, :func:`d2lopt.nets.permute_hidden_units` to a PyTorch MLP.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

__all__ = ["equivalent_parameterizations", "relabel_hidden_units", "permute_hidden_units"]

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


def relabel_hidden_units(W_in: Any, b_in: Any | None, W_out: Any, permutation: Sequence[int],
                         signs: Sequence[float] | None = None
                         ) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
    r"""Relabel (and optionally flip) the units of one hidden layer, given its three arrays.

    Unit :math:`i` of the result is unit ``permutation[i]`` of the input, its
    incoming weights (row of ``W_in``), bias and outgoing weights (column of
    ``W_out``) multiplied by ``signs[i]``:

    .. math::
        W_{\text{in}}' = S P W_{\text{in}}, \quad b' = S P b, \quad
        W_{\text{out}}' = W_{\text{out}} P^\top S,

    with :math:`P` the permutation matrix and :math:`S = \operatorname{diag}(\pm 1)`.
    A permutation never changes the function; a flip preserves it only for an
    odd activation.

    Parameters
    ----------
    W_in : array_like, shape (n, d)
        The weights into the layer (one row per hidden unit).
    b_in : array_like, shape (n,), or None
        The layer's biases (``None`` for a layer without them).
    W_out : array_like, shape (k, n)
        The weights out of the layer (one column per hidden unit).
    permutation : sequence of int
        A rearrangement of ``0, ..., n - 1``.
    signs : sequence of float, optional
        :math:`\pm 1` per unit; all :math:`+1` by default.

    Returns
    -------
    W_in, b_in, W_out : numpy.ndarray
        New arrays (``b_in`` stays ``None`` if it was).

    Examples
    --------
    >>> W1, b1, W2 = relabel_hidden_units([[1.0], [2.0]], [0.1, 0.2], [[3.0, 4.0]], [1, 0],
    ...                                   signs=[-1, 1])
    >>> W1.ravel().tolist(), b1.tolist(), W2.ravel().tolist()
    ([-2.0, 1.0], [-0.2, 0.1], [-4.0, 3.0])
    """
    W_in = np.asarray(W_in, dtype=float)
    W_out = np.asarray(W_out, dtype=float)
    n = W_in.shape[0] if W_in.ndim == 2 else -1
    if n < 0 or W_out.ndim != 2 or W_out.shape[1] != n:
        raise ValueError(
            f"shapes do not fit one hidden layer: W_in {W_in.shape} must be (n, d) and "
            f"W_out {W_out.shape} must be (k, n)"
        )
    perm = np.asarray(permutation)
    if perm.shape != (n,) or sorted(perm.tolist()) != list(range(n)):
        raise ValueError(f"permutation must be a rearrangement of 0..{n - 1}, got {permutation}")
    s = np.ones(n) if signs is None else np.asarray(signs, dtype=float)
    if s.shape != (n,) or not np.all(np.abs(s) == 1):
        raise ValueError(f"signs must be {n} numbers, each +1 or -1; got {signs}")
    b_new = None if b_in is None else s * np.asarray(b_in, dtype=float)[perm]
    return s[:, None] * W_in[perm], b_new, W_out[:, perm] * s[None, :]


def check_params(params: Params) -> dict[str, np.ndarray]:
    """The arrays ``W1, b1, W2, b2`` of a one-hidden-layer network, with their shapes checked.

    Raises
    ------
    ValueError
        If a key is missing or the shapes do not fit one hidden layer.

    Examples
    --------
    >>> check_params({"W1": [[1.0]], "b1": [0.0], "W2": [[2.0]], "b2": [0.5]})["W2"].shape
    (1, 1)
    """
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


def permute_hidden_units(params: Params, permutation: Sequence[int],
                         signs: Sequence[float] | None = None) -> dict[str, np.ndarray]:
    r"""Relabel (and optionally flip) the hidden units; the function computed is unchanged.

    :func:`relabel_hidden_units` applied to a parameter dict with keys ``W1``
    (n, d), ``b1`` (n,), ``W2`` (k, n) and ``b2`` (k,) of the network
    :math:`W_2 \phi(W_1 x + b_1) + b_2`: unit :math:`i` of the result is unit
    ``permutation[i]`` of ``params``, multiplied by ``signs[i]`` (:math:`\pm 1`; a
    flip preserves the function only for an odd activation).

    Examples
    --------
    >>> p = {"W1": [[1.0], [2.0]], "b1": [0.1, 0.2], "W2": [[3.0, 4.0]], "b2": [0.0]}
    >>> q = permute_hidden_units(p, [1, 0], signs=[-1, 1])
    >>> q["W1"].ravel().tolist(), q["W2"].ravel().tolist()
    ([-2.0, 1.0], [-4.0, 3.0])
    """
    p = check_params(params)
    W1, b1, W2 = relabel_hidden_units(p["W1"], p["b1"], p["W2"], permutation, signs)
    return {"W1": W1, "b1": b1, "W2": W2, "b2": p["b2"].copy()}
