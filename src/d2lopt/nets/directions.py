r"""Random directions in weight space, filter-normalized, and the loss on slices along them.

A plot of :math:`t \mapsto L(\theta + t\,d)` along a random direction
:math:`d` says little by itself: a ReLU network's function does not change when
one layer's weights are multiplied by :math:`c > 0` and the next layer's by
:math:`1/c`, but a step of fixed length :math:`t\,\|d\|` is then large for the
shrunk layer and small for the grown one, so the same function shows a narrow
or a wide valley depending on :math:`c`. :cite:t:`li2018visualizing` fix this by
*filter normalization*: draw :math:`d` Gaussian, then rescale each filter of it
(for a fully connected layer, the row of incoming weights of one unit) to the
norm of the same filter of :math:`\theta`,

.. math::
    d_{l,i} \leftarrow \frac{d_{l,i}}{\|d_{l,i}\|}\,\|\theta_{l,i}\|,

and set the directions of biases (one-dimensional parameters) to zero. The
direction then scales with the weights, and the slice no longer depends on
:math:`c` (:func:`rescale_layer_pair` makes such a same-function copy).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from d2lopt.nets.gradients import flat_parameters, loss_of_parameters
from d2lopt.nets.losses import Loss
from d2lopt.nets.models import linear_layers

__all__ = ["filter_normalized_direction", "gaussian_direction", "loss_slice", "loss_surface",
           "rescale_layer_pair"]


def gaussian_direction(model: nn.Module, generator: torch.Generator) -> torch.Tensor:
    """A standard normal vector of the length of ``model``'s flat parameters (unnormalized).

    Examples
    --------
    >>> from d2lopt.nets.models import mlp
    >>> d = gaussian_direction(mlp((3, 4, 2)), torch.Generator().manual_seed(0))
    >>> tuple(d.shape)
    (26,)
    """
    if not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator, got {type(generator).__name__}")
    theta = flat_parameters(model)
    return torch.randn(theta.shape, generator=generator, dtype=theta.dtype)


def filter_normalized_direction(model: nn.Module, generator: torch.Generator, *,
                                ignore_biases: bool = True) -> torch.Tensor:
    r"""A random direction with each filter scaled to the norm of the model's filter.

    Every parameter with two or more dimensions is split into filters along its
    first axis (for ``nn.Linear`` weights of shape ``(out, in)``: one row per
    unit); each filter of a Gaussian draw is rescaled to the Euclidean norm of
    the same filter of the model. One-dimensional parameters (biases) get
    direction zero, as in :cite:t:`li2018visualizing`, or, with
    ``ignore_biases=False``, are normalized as a whole.

    Parameters
    ----------
    model : torch.nn.Module
        Any module; its parameters are read, not changed.
    generator : torch.Generator
        Source of the Gaussian draw (the same seed gives the same direction).
    ignore_biases : bool, default True
        Zero direction for one-dimensional parameters.

    Returns
    -------
    torch.Tensor
        A flat vector in the order of ``model.parameters()`` (like
        :func:`d2lopt.nets.flat_parameters`).

    Examples
    --------
    >>> from d2lopt.nets.models import mlp
    >>> net = mlp((3, 4, 2))
    >>> d = filter_normalized_direction(net, torch.Generator().manual_seed(0))
    >>> rows = d[:12].view(4, 3)          # the first layer's weights, one row per unit
    >>> bool(torch.allclose(rows.norm(dim=1), net[0].weight.norm(dim=1)))
    True
    >>> float(d[12:16].abs().sum())       # its biases
    0.0
    """
    if not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator, got {type(generator).__name__}")
    pieces = []
    for p in model.parameters():
        w = p.detach()
        d = torch.randn(w.shape, generator=generator, dtype=w.dtype)
        if w.ndim <= 1:
            if ignore_biases:
                d = torch.zeros_like(w)
            else:
                d = d * (w.norm() / d.norm().clamp_min(torch.finfo(w.dtype).tiny))
        else:
            d_rows = d.reshape(w.shape[0], -1)
            w_norms = w.reshape(w.shape[0], -1).norm(dim=1, keepdim=True)
            d = (d_rows * (w_norms / d_rows.norm(dim=1, keepdim=True))).reshape(w.shape)
        pieces.append(d.reshape(-1))
    return torch.cat(pieces)


def _check_direction(theta: torch.Tensor, d: torch.Tensor, name: str) -> None:
    if d.ndim != 1 or d.shape != theta.shape:
        raise ValueError(f"{name} must be a flat vector of length {theta.numel()} (the model's "
                         f"parameter count), got shape {tuple(d.shape)}")


@torch.no_grad()
def loss_slice(model: nn.Module, direction: torch.Tensor, ts: Sequence[float] | np.ndarray,
               X: torch.Tensor, y: torch.Tensor, loss: str | Loss = "cross_entropy",
               theta: torch.Tensor | None = None) -> np.ndarray:
    r"""The 1-D slice :math:`t \mapsto L(\theta + t\,d)` at each ``t`` (θ: the model's parameters).

    Examples
    --------
    >>> from d2lopt.nets.models import mlp
    >>> net = mlp((3, 4, 2))
    >>> X, y = torch.randn(6, 3), torch.tensor([0, 1, 0, 1, 1, 0])
    >>> d = filter_normalized_direction(net, torch.Generator().manual_seed(0))
    >>> at_zero = loss_slice(net, d, [0.0], X, y)[0]
    >>> bool(np.isclose(at_zero, float(torch.nn.functional.cross_entropy(net(X), y).detach())))
    True
    """
    theta = flat_parameters(model) if theta is None else theta.detach()
    _check_direction(theta, direction, "direction")
    f = loss_of_parameters(model, loss)
    return np.array([float(f(theta + float(t) * direction, X, y)) for t in np.asarray(ts)])


@torch.no_grad()
def loss_surface(model: nn.Module, d1: torch.Tensor, d2: torch.Tensor,
                 alphas: Sequence[float] | np.ndarray, betas: Sequence[float] | np.ndarray,
                 X: torch.Tensor, y: torch.Tensor, loss: str | Loss = "cross_entropy",
                 theta: torch.Tensor | None = None) -> np.ndarray:
    r"""The 2-D slice :math:`L(\theta + \alpha d_1 + \beta d_2)` on a grid.

    Returns
    -------
    numpy.ndarray, shape (len(betas), len(alphas))
        Row ``i``, column ``j`` is the loss at ``β = betas[i]``, ``α = alphas[j]``
        (the layout :func:`matplotlib.pyplot.contour` expects for ``(alphas, betas)``).

    Examples
    --------
    >>> from d2lopt.nets.models import mlp
    >>> net = mlp((3, 4, 2))
    >>> X, y = torch.randn(6, 3), torch.tensor([0, 1, 0, 1, 1, 0])
    >>> g = torch.Generator().manual_seed(0)
    >>> d1, d2 = filter_normalized_direction(net, g), filter_normalized_direction(net, g)
    >>> Z = loss_surface(net, d1, d2, [-1.0, 0.0, 1.0], [0.0, 0.5], X, y)
    >>> Z.shape, bool(np.isclose(Z[0, 1], loss_slice(net, d1, [0.0], X, y)[0]))
    ((2, 3), True)
    """
    theta = flat_parameters(model) if theta is None else theta.detach()
    _check_direction(theta, d1, "d1")
    _check_direction(theta, d2, "d2")
    f = loss_of_parameters(model, loss)
    alphas, betas = np.asarray(alphas, dtype=float), np.asarray(betas, dtype=float)
    Z = np.empty((betas.size, alphas.size))
    for i, b in enumerate(betas):
        for j, a in enumerate(alphas):
            Z[i, j] = float(f(theta + float(a) * d1 + float(b) * d2, X, y))
    return Z


def rescale_layer_pair(model: nn.Module, layer: int, factor: float) -> nn.Module:
    r"""A copy of ``model``: linear layer ``layer`` times ``factor``, the next times ``1/factor``.

    The weights and bias of layer ``layer`` are multiplied by ``factor > 0`` and
    the weights (not the bias) of layer ``layer + 1`` by ``1/factor``. When the
    only thing between the two layers is a ReLU (positively homogeneous,
    :math:`\max(0, cz) = c\max(0, z)`), the copy computes the same function with
    different parameters -- and a different Hessian: the curvature along the
    first layer's weights is divided by :math:`c^2` and along the second's
    multiplied by it, so the sharpness of the same minimum can be made as large
    as we like (Dinh et al., 2017; :func:`d2lopt.nets.sharpness`).

    Parameters
    ----------
    model : torch.nn.Module
        Its ``nn.Linear`` layers are numbered in order (:func:`d2lopt.nets.linear_layers`).
    layer : int
        Index of the first layer of the pair, ``0 <= layer < number of layers - 1``.
    factor : float
        The positive scale :math:`c`.

    Examples
    --------
    >>> from d2lopt.nets.models import mlp
    >>> net = mlp((3, 4, 2), "relu")
    >>> X = torch.randn(5, 3)
    >>> bool(torch.allclose(rescale_layer_pair(net, 0, 10.0)(X), net(X), atol=1e-5))
    True
    """
    if not factor > 0:
        raise ValueError(f"factor must be positive (ReLU is homogeneous for c > 0 only), "
                         f"got {factor}")
    new = copy.deepcopy(model)
    layers = linear_layers(new)
    if not 0 <= layer < len(layers) - 1:
        raise ValueError(f"layer must be in [0, {len(layers) - 2}] (a layer and the next), "
                         f"got {layer}")
    with torch.no_grad():
        layers[layer].weight.mul_(factor)
        if layers[layer].bias is not None:
            layers[layer].bias.mul_(factor)
        layers[layer + 1].weight.div_(factor)
    return new
