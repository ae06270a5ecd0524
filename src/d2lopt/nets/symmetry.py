r"""Weight-space symmetries of an MLP: permuting and sign-flipping hidden units.

Reordering the units of a hidden layer (rows of its weight matrix and bias,
columns of the next layer's weights) computes the same function, so every
minimum comes with :math:`\prod_l n_l!` copies. With an odd activation
(:math:`\tanh(-z) = -\tanh z`) negating a unit's incoming and outgoing weights
changes nothing either, a further :math:`2^{n_l}` per layer. (ReLU adds a
continuous symmetry, scaling a unit's inputs by ``c > 0`` and outputs by ``1/c``,
so its minima are not even isolated.)
"""

from __future__ import annotations

import copy
from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from d2lopt.nets.models import linear_layers
from d2lopt.symmetry import equivalent_parameterizations, relabel_hidden_units

__all__ = ["count_equivalent_minima", "flip_hidden_signs", "permute_hidden_units",
           "random_symmetry"]

_ODD = (nn.Tanh, nn.Identity)


def _check_layer(layers: list[nn.Linear], layer: int) -> None:
    if not 0 <= layer < len(layers) - 1:
        raise ValueError(f"hidden layer index must be in [0, {len(layers) - 2}] "
                         f"(the output of Linear layer i feeds layer i + 1), got {layer}")


def _relabelled(model: nn.Module, layer: int, permutation: Sequence[int] | torch.Tensor,
                signs: Sequence[float] | torch.Tensor | None) -> nn.Module:
    """A copy of ``model``, :func:`d2lopt.symmetry.relabel_hidden_units` applied to ``layer``."""
    new = copy.deepcopy(model)
    layers = linear_layers(new)
    _check_layer(layers, layer)
    into, out = layers[layer], layers[layer + 1]

    def numpy(t: torch.Tensor | Sequence[float]) -> np.ndarray:
        return t.detach().cpu().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)

    bias = None if into.bias is None else numpy(into.bias)
    W_in, b_in, W_out = relabel_hidden_units(
        numpy(into.weight), bias, numpy(out.weight), numpy(permutation),
        None if signs is None else numpy(signs))
    with torch.no_grad():  # a permutation and a change of sign are exact in every dtype
        into.weight.copy_(torch.from_numpy(W_in))
        if into.bias is not None:
            into.bias.copy_(torch.from_numpy(b_in))
        out.weight.copy_(torch.from_numpy(W_out))
    return new


def permute_hidden_units(model: nn.Module, layer: int, permutation: Sequence[int] | torch.Tensor
                         ) -> nn.Module:
    """A copy of ``model`` with the units of hidden layer ``layer`` reordered.

    The index arithmetic is :func:`d2lopt.symmetry.relabel_hidden_units`, applied
    to the weights into and out of the layer.

    Parameters
    ----------
    model : torch.nn.Module
        An MLP (its ``nn.Linear`` layers in order, elementwise activations between).
    layer : int
        Which hidden layer: the outputs of the ``layer``-th ``nn.Linear``.
    permutation : sequence of int
        New order of the units (a permutation of ``range(width)``).

    Examples
    --------
    >>> from d2lopt.nets.models import mlp
    >>> net = mlp((3, 4, 2), "tanh", "glorot")
    >>> X = torch.randn(5, 3)
    >>> permuted = permute_hidden_units(net, 0, [2, 0, 3, 1])
    >>> bool(torch.allclose(permuted(X), net(X), atol=1e-6))  # float32 rounding
    True
    """
    return _relabelled(model, layer, permutation, None)


def flip_hidden_signs(model: nn.Module, layer: int, signs: Sequence[float] | torch.Tensor
                      ) -> nn.Module:
    """A copy of ``model`` with hidden units of ``layer`` negated where ``signs`` is -1.

    Valid for odd activations (tanh, identity), which must follow every hidden layer.

    Raises
    ------
    ValueError
        If the model has a non-odd activation (sigmoid, ReLU), for which a sign flip
        changes the function.
    """
    if any(isinstance(m, nn.ReLU | nn.Sigmoid) for m in model.modules()):
        raise ValueError("sign flips preserve the function only for odd activations (tanh); "
                         "this model has ReLU or sigmoid units")
    layers = linear_layers(model)
    _check_layer(layers, layer)
    return _relabelled(model, layer, range(layers[layer].out_features), signs)


def random_symmetry(model: nn.Module, generator: torch.Generator, *, sign_flips: bool = False
                    ) -> nn.Module:
    """A copy of ``model`` with every hidden layer randomly permuted (and sign-flipped)."""
    layers = linear_layers(model)
    for layer in range(len(layers) - 1):
        width = layers[layer].out_features
        model = permute_hidden_units(model, layer, torch.randperm(width, generator=generator))
        if sign_flips:
            signs = 2.0 * torch.randint(0, 2, (width,), generator=generator) - 1.0
            model = flip_hidden_signs(model, layer, signs)
    return model


def count_equivalent_minima(widths: Sequence[int], *, sign_flips: bool = False) -> int:
    r"""Number of parameter vectors a generic point is mapped to: :math:`\prod_l n_l!\,(2^{n_l})`.

    :func:`d2lopt.symmetry.equivalent_parameterizations` with the sign flips
    off by default (the networks here default to ReLU, which has none).

    Parameters
    ----------
    widths : sequence of int
        Hidden-layer widths.
    sign_flips : bool
        Count the :math:`2^{n_l}` sign flips of odd activations too.

    Examples
    --------
    >>> count_equivalent_minima([3, 2])
    12
    >>> count_equivalent_minima([3], sign_flips=True)
    48
    """
    return equivalent_parameterizations(widths, sign_flips=sign_flips)
