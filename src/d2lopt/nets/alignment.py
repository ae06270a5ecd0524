r"""Aligning the hidden units of two networks (weight matching) and the barrier between them.

Two MLPs trained from different seeds compute similar functions with their
hidden units in unrelated orders; relabelling the units of a layer changes the
parameters but not the function (:mod:`d2lopt.nets.symmetry`). *Weight
matching* :cite:p:`ainsworth2023git` picks, layer by layer, the permutation
:math:`P_l` of network B's units that maximizes the agreement of the weights
with network A's,

.. math::
    \max_{P_l}\ \langle W^A_l,\ P_l W^B_l P_{l-1}^\top\rangle
    + \langle b^A_l,\ P_l b^B_l\rangle
    + \langle W^A_{l+1},\ P_{l+1} W^B_{l+1} P_l^\top\rangle ,

a linear assignment problem in :math:`P_l` when the others are fixed
(:func:`scipy.optimize.linear_sum_assignment`); with one hidden layer it is
solved exactly in one step, with more, by sweeping over the layers until no
permutation changes.

The *loss barrier* on the straight line between :math:`\theta_A` and
:math:`\theta_B` :cite:p:`entezari2022role` is the largest excess of the loss
over the linear interpolation of the end values,

.. math::
    B = \max_{\alpha\in[0,1]} L((1-\alpha)\theta_A + \alpha\theta_B)
        - [(1-\alpha) L(\theta_A) + \alpha L(\theta_B)].
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from scipy.optimize import linear_sum_assignment
from torch import nn

from d2lopt.nets.gradients import flat_parameters
from d2lopt.nets.interpolation import loss_along_line
from d2lopt.nets.losses import Loss
from d2lopt.nets.models import linear_layers
from d2lopt.nets.symmetry import permute_hidden_units

__all__ = ["Matching", "interpolation_barrier", "weight_matching"]


@dataclass(frozen=True)
class Matching:
    """The result of :func:`weight_matching`.

    Attributes
    ----------
    permutations : list of numpy.ndarray
        One per hidden layer: unit ``i`` of the aligned B is unit ``permutations[l][i]`` of B
        (the convention of :func:`d2lopt.nets.permute_hidden_units`).
    model : torch.nn.Module
        The aligned copy of B (the same function as B).
    sweeps : int
        Passes over the layers until no permutation changed.
    """

    permutations: list[np.ndarray]
    model: nn.Module
    sweeps: int


def _check_same_architecture(a: list[nn.Linear], b: list[nn.Linear]) -> None:
    shapes_a = [tuple(m.weight.shape) for m in a]
    shapes_b = [tuple(m.weight.shape) for m in b]
    if shapes_a != shapes_b:
        raise ValueError(f"model_a and model_b need the same layer shapes, got {shapes_a} "
                         f"and {shapes_b}")


def weight_matching(model_a: nn.Module, model_b: nn.Module, *, max_sweeps: int = 100
                    ) -> Matching:
    """Permute the hidden units of ``model_b`` to match ``model_a``'s weights.

    Parameters
    ----------
    model_a, model_b : torch.nn.Module
        MLPs of the same shape: ``nn.Linear`` layers in order with elementwise
        activations between them (as :func:`d2lopt.nets.mlp` builds).
    max_sweeps : int
        Upper bound on the passes over the layers (more than one hidden layer only).

    Returns
    -------
    Matching
        The permutations, the permuted copy of B and the number of sweeps.

    Examples
    --------
    >>> from d2lopt.nets.models import mlp
    >>> from d2lopt.nets.symmetry import permute_hidden_units
    >>> a = mlp((3, 5, 2), seed=0)
    >>> b = permute_hidden_units(a, 0, [3, 0, 4, 1, 2])
    >>> m = weight_matching(a, b)
    >>> m.permutations[0].tolist()           # undoes the relabelling
    [1, 3, 4, 0, 2]
    >>> bool(torch.equal(flat_parameters(m.model), flat_parameters(a)))
    True
    """
    if max_sweeps < 1:
        raise ValueError(f"max_sweeps must be >= 1, got {max_sweeps}")
    la, lb = linear_layers(model_a), linear_layers(model_b)
    _check_same_architecture(la, lb)
    n_hidden = len(la) - 1
    if n_hidden < 1:
        raise ValueError("the models have no hidden layer to align (one nn.Linear only)")

    def as_np(t: torch.Tensor | None) -> np.ndarray | None:
        return None if t is None else t.detach().double().cpu().numpy()

    Wa = [as_np(m.weight) for m in la]
    ba = [as_np(m.bias) for m in la]
    Wb = [as_np(m.weight) for m in lb]
    bb = [as_np(m.bias) for m in lb]
    perms = [np.arange(la[i].out_features) for i in range(n_hidden)]

    def permuted_b(i: int, p_in: np.ndarray | None, p_out: np.ndarray | None) -> np.ndarray:
        """Layer i's weights of B with its output units in order p_out and inputs in p_in."""
        W = Wb[i]
        if p_out is not None:
            W = W[p_out]
        if p_in is not None:
            W = W[:, p_in]
        return W

    sweeps = 0
    for sweeps in range(1, max_sweeps + 1):  # noqa: B007 - the count is returned
        changed = False
        for layer in range(n_hidden):
            p_prev = perms[layer - 1] if layer > 0 else None
            p_next = perms[layer + 1] if layer + 1 < n_hidden else None
            # similarity[i, j]: unit i of A against unit j of B
            incoming_b = permuted_b(layer, p_prev, None)
            similarity = Wa[layer] @ incoming_b.T
            if ba[layer] is not None:
                similarity = similarity + np.outer(ba[layer], bb[layer])
            outgoing_b = permuted_b(layer + 1, None, p_next)
            similarity = similarity + Wa[layer + 1].T @ outgoing_b
            _, cols = linear_sum_assignment(similarity, maximize=True)
            if not np.array_equal(cols, perms[layer]):
                changed = True
                perms[layer] = cols
        if not changed or n_hidden == 1:
            break
    aligned = model_b
    for layer, p in enumerate(perms):
        aligned = permute_hidden_units(aligned, layer, torch.as_tensor(p))
    return Matching([np.asarray(p) for p in perms], aligned, sweeps)


def interpolation_barrier(model_a: nn.Module, model_b: nn.Module, X: torch.Tensor,
                          y: torch.Tensor, *, alphas: np.ndarray | int = 25,
                          loss: str | Loss = "cross_entropy") -> tuple[float, np.ndarray,
                                                                       np.ndarray]:
    r"""The loss barrier on the segment from ``model_a``'s to ``model_b``'s parameters.

    Parameters
    ----------
    model_a, model_b : torch.nn.Module
        Two models of the same architecture.
    X, y : torch.Tensor
        Data on which the loss is measured.
    alphas : int or array of float
        Points on ``[0, 1]`` (an int: that many evenly spaced, both ends included).
    loss : str or callable
        ``"cross_entropy"``, ``"squared"`` or ``(outputs, targets) -> scalar``
        (:func:`d2lopt.nets.zero_one_error` gives the error barrier).

    Returns
    -------
    barrier : float
        :math:`\max_\alpha` of the loss minus the chord between the end values.
    alphas : numpy.ndarray
    losses : numpy.ndarray
        The loss at each ``α`` (:func:`d2lopt.nets.loss_along_line`).

    Examples
    --------
    >>> from d2lopt.nets.models import mlp
    >>> a = mlp((3, 4, 2), seed=0)
    >>> X, y = torch.randn(8, 3), torch.tensor([0, 1] * 4)
    >>> barrier, _, _ = interpolation_barrier(a, a, X, y, alphas=5)
    >>> abs(barrier) < 1e-6
    True
    """
    if isinstance(alphas, int | np.integer):
        if alphas < 2:
            raise ValueError(f"alphas must be at least 2 points, got {alphas}")
        alphas = np.linspace(0.0, 1.0, int(alphas))
    alphas = np.asarray(alphas, dtype=float)
    if alphas.ndim != 1 or alphas.size < 2 or alphas.min() < 0 or alphas.max() > 1:
        raise ValueError("alphas must be a 1-D array of at least two points in [0, 1]")
    _check_same_architecture(linear_layers(model_a), linear_layers(model_b))
    theta_a, theta_b = flat_parameters(model_a), flat_parameters(model_b)
    losses = loss_along_line(model_a, theta_a, theta_b, alphas, X, y, loss)
    ends = loss_along_line(model_a, theta_a, theta_b, np.array([0.0, 1.0]), X, y, loss)
    chord = (1 - alphas) * ends[0] + alphas * ends[1]
    return float(np.max(losses - chord)), alphas, losses
