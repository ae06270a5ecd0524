r"""Gradient sizes layer by layer in a deep MLP (Glorot & Bengio, 2010).

Two measurements per ``nn.Linear`` layer ``l`` (pre-activations
:math:`z_l = W_l h_{l-1} + b_l`): the norm of the weight gradient
:math:`\lVert\partial L/\partial W_l\rVert_F` and the norm of the back-propagated
gradient :math:`\lVert\partial L/\partial z_l\rVert_F` (over the batch). The
weight gradient is the product of the second with the layer's input, so it can
stay level across layers while the back-propagated signal decays.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from d2lopt.nets.losses import Loss, get_loss
from d2lopt.nets.models import linear_layers

__all__ = ["LayerGradients", "layer_gradient_norms"]


@dataclass(frozen=True)
class LayerGradients:
    """Per-layer norms, input layer first: one entry per ``nn.Linear`` layer of the model.

    In a deep sigmoid network both fall geometrically towards the input (the
    vanishing gradient); with ReLU and He initialization they stay of the same order.

    Attributes
    ----------
    weight : ndarray
        :math:`\\lVert \\partial L/\\partial W_l \\rVert_F`.
    backprop : ndarray
        :math:`\\lVert \\partial L/\\partial z_l \\rVert_F`, the gradient reaching layer ``l``'s
        pre-activations.
    """

    weight: np.ndarray
    backprop: np.ndarray


def layer_gradient_norms(model: nn.Sequential, X: torch.Tensor, y: torch.Tensor,
                         loss: str | Loss = "cross_entropy") -> LayerGradients:
    """Weight and back-propagated gradient norms of every linear layer at the current weights.

    Parameters
    ----------
    model : torch.nn.Sequential
        Linear layers and elementwise activations (as built by :func:`~d2lopt.nets.mlp`).
    X, y : torch.Tensor
        A batch and its targets.
    loss : str or callable

    Returns
    -------
    LayerGradients
        The two norms of each layer, for the batch ``(X, y)``.

    Examples
    --------
    >>> from d2lopt.nets.models import mlp
    >>> net = mlp((4, 8, 8, 3), "tanh", "glorot")
    >>> g = layer_gradient_norms(net, torch.randn(16, 4), torch.randint(0, 3, (16,)))
    >>> g.weight.shape, g.backprop.shape
    ((3,), (3,))
    """
    if not isinstance(model, nn.Sequential):
        raise TypeError("layer_gradient_norms needs an nn.Sequential MLP (see nets.models.mlp)")
    layers = linear_layers(model)
    pre: list[torch.Tensor] = []
    h = X
    for module in model:
        h = module(h)
        if isinstance(module, nn.Linear):
            h.retain_grad()
            pre.append(h)
    for p in model.parameters():
        p.grad = None
    get_loss(loss)(h, y).backward()
    weight = np.array([float(layer.weight.grad.norm()) for layer in layers])
    backprop = np.array([float(z.grad.norm()) for z in pre])
    return LayerGradients(weight, backprop)
