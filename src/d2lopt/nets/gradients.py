r"""Gradients of a network's loss as functions of one flat parameter vector θ.

A model's parameters are concatenated into :math:`\theta \in \mathbb R^P` (the
order of ``model.parameters()``, as :func:`torch.nn.utils.parameters_to_vector`);
:func:`loss_of_parameters` turns ``(model, X, y)`` into ``θ -> loss`` with
:func:`torch.func.functional_call`, so :mod:`torch.func` gives per-example
gradients (``vmap`` of ``grad``) and dense Hessians; Hessian-vector products
are :func:`d2lopt.hvp` of ``θ -> loss``, the one product of the package (which
:mod:`d2lopt.spectrum` builds on too).
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn
from torch.func import functional_call, grad, jacrev, vmap
from torch.nn.utils import parameters_to_vector, vector_to_parameters

from d2lopt import derivatives
from d2lopt.nets.losses import Loss, get_loss

__all__ = [
    "curvature_along", "flat_parameters", "full_gradient", "hessian", "hvp",
    "loss_of_parameters", "per_example_gradients", "set_flat_parameters",
]


def flat_parameters(model: nn.Module) -> torch.Tensor:
    """A detached copy of all parameters as one vector θ of length P."""
    return parameters_to_vector(model.parameters()).detach().clone()


def set_flat_parameters(model: nn.Module, theta: torch.Tensor) -> nn.Module:
    """Write the vector ``theta`` into ``model``'s parameters (in place) and return ``model``."""
    n = sum(p.numel() for p in model.parameters())
    if theta.ndim != 1 or theta.numel() != n:
        raise ValueError(f"theta must be a vector of length {n}, got shape {tuple(theta.shape)}")
    with torch.no_grad():
        vector_to_parameters(theta.detach().to(next(model.parameters()).dtype), model.parameters())
    return model


def _unflatten(model: nn.Module) -> Callable[[torch.Tensor], dict[str, torch.Tensor]]:
    named = [(name, p.shape, p.numel()) for name, p in model.named_parameters()]

    def unflatten(theta: torch.Tensor) -> dict[str, torch.Tensor]:
        out, start = {}, 0
        for name, shape, numel in named:
            out[name] = theta[start:start + numel].view(shape)
            start += numel
        return out

    return unflatten


def loss_of_parameters(model: nn.Module, loss: str | Loss = "cross_entropy"
                       ) -> Callable[[torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor]:
    """``(θ, X, y) -> loss(model_θ(X), y)``, a pure function of the flat parameters.

    Examples
    --------
    >>> from d2lopt.nets.models import mlp
    >>> net = mlp((3, 4, 2), "tanh", "glorot")
    >>> f = loss_of_parameters(net)
    >>> X, y = torch.randn(5, 3), torch.tensor([0, 1, 1, 0, 1])
    >>> bool(torch.isclose(f(flat_parameters(net), X, y),
    ...                    torch.nn.functional.cross_entropy(net(X), y)))
    True
    """
    unflatten, loss_fn = _unflatten(model), get_loss(loss)

    def f(theta: torch.Tensor, X: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return loss_fn(functional_call(model, unflatten(theta), (X,)), y)

    return f


def _theta(model: nn.Module, theta: torch.Tensor | None) -> torch.Tensor:
    return flat_parameters(model) if theta is None else theta.detach()


def full_gradient(model: nn.Module, X: torch.Tensor, y: torch.Tensor,
                  loss: str | Loss = "cross_entropy", theta: torch.Tensor | None = None
                  ) -> torch.Tensor:
    """The gradient of the mean loss over ``(X, y)`` at θ (default: the model's parameters)."""
    return grad(loss_of_parameters(model, loss))(_theta(model, theta), X, y)


def per_example_gradients(model: nn.Module, X: torch.Tensor, y: torch.Tensor,
                          loss: str | Loss = "cross_entropy",
                          theta: torch.Tensor | None = None, chunk_size: int | None = 256
                          ) -> torch.Tensor:
    """The gradient of each example's loss, as the rows of an ``(N, P)`` matrix.

    Their mean is :func:`full_gradient` (the loss is a mean over examples).

    Examples
    --------
    >>> from d2lopt.nets.models import mlp
    >>> net = mlp((3, 4, 2), "tanh", "glorot", dtype=torch.float64)
    >>> X, y = torch.randn(5, 3, dtype=torch.float64), torch.tensor([0, 1, 1, 0, 1])
    >>> G = per_example_gradients(net, X, y)
    >>> G.shape == (5, 26), bool(torch.allclose(G.mean(0), full_gradient(net, X, y)))
    (True, True)
    """
    f = loss_of_parameters(model, loss)

    def one(theta: torch.Tensor, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        return f(theta, x.unsqueeze(0), t.unsqueeze(0))

    return vmap(grad(one), in_dims=(None, 0, 0), chunk_size=chunk_size)(
        _theta(model, theta), X, y)


def hvp(model: nn.Module, X: torch.Tensor, y: torch.Tensor, v: torch.Tensor,
        loss: str | Loss = "cross_entropy", theta: torch.Tensor | None = None) -> torch.Tensor:
    """The Hessian-vector product ``H v`` of the mean loss at θ, by :func:`d2lopt.hvp`.

    Examples
    --------
    >>> net = torch.nn.Linear(2, 1, bias=False)
    >>> X, y = torch.tensor([[1.0, 0.0], [0.0, 2.0]]), torch.zeros(2, 1)
    >>> hvp(net, X, y, torch.ones(2), loss="squared")   # H = XᵀX / 2 for the mean of ½‖·‖²
    tensor([0.5000, 2.0000])
    """
    f = loss_of_parameters(model, loss)
    theta = _theta(model, theta)
    return derivatives.hvp(lambda t: f(t, X, y))(theta, v.to(theta.dtype))


def hessian(model: nn.Module, X: torch.Tensor, y: torch.Tensor,
            loss: str | Loss = "cross_entropy", theta: torch.Tensor | None = None
            ) -> torch.Tensor:
    """The dense ``(P, P)`` Hessian of the mean loss at θ (for small models only).

    Reverse-over-reverse (:func:`torch.func.jacrev` of the gradient, in chunks of 64
    columns) and symmetrized; it costs about P gradient evaluations and ``P²``
    numbers of memory.
    """
    theta = _theta(model, theta)
    P = theta.numel()
    if P > 5000:
        raise ValueError(f"a dense Hessian of {P} parameters needs {P * P * 8 / 1e9:.1f} GB; "
                         "use hvp() with an iterative method (d2lopt.spectrum) instead")
    H = jacrev(grad(loss_of_parameters(model, loss)), chunk_size=64)(theta, X, y)
    return 0.5 * (H + H.T)


def curvature_along(model: nn.Module, X: torch.Tensor, y: torch.Tensor, v: torch.Tensor,
                    loss: str | Loss = "cross_entropy", theta: torch.Tensor | None = None
                    ) -> float:
    r"""The Rayleigh quotient :math:`v^\top H v / v^\top v` (curvature along ``v``)."""
    Hv = hvp(model, X, y, v, loss, theta)
    return float(v @ Hv / (v @ v))
