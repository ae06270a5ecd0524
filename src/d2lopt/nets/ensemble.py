"""Many independent MLPs of one architecture trained side by side in batched tensors.

Experiments that train dozens of small networks (random restarts, a grid of
learning rates) are dominated by Python overhead when run one by one. Here the
``M`` networks' weights are stacked along a leading axis and every layer is one
batched matrix product; the loss is the *sum* of the members' mean losses, so
each member's gradient is exactly its own. Member ``m`` starts equal to
``mlp(sizes, activation, init, seed=seeds[m])`` and is trained by plain SGD with
its own learning rate on the same sequence of minibatches as the others.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from d2lopt.nets.models import ACTIVATIONS, linear_layers, mlp

__all__ = ["StackedMLP", "EnsembleResult", "train_stacked"]


class StackedMLP:
    """``M`` MLPs with the same layer sizes, weights stacked as ``(M, out, in)``.

    Parameters
    ----------
    sizes : sequence of int
    activation, init : str
        As in :func:`~d2lopt.nets.mlp`.
    seeds : sequence of int
        One initialization seed per member.
    dtype : torch.dtype

    Examples
    --------
    >>> stack = StackedMLP((4, 8, 3), "tanh", "glorot", seeds=[0, 1])
    >>> X = torch.randn(5, 4)
    >>> one = mlp((4, 8, 3), "tanh", "glorot", seed=1)
    >>> bool(torch.allclose(stack(X)[1], one(X), atol=1e-6))  # float32 rounding
    True
    """

    def __init__(self, sizes: Sequence[int], activation: str = "relu", init: str = "he", *,
                 seeds: Sequence[int], dtype: torch.dtype = torch.float32) -> None:
        if len(seeds) < 1:
            raise ValueError("need at least one seed (one per member)")
        members = [linear_layers(mlp(sizes, activation, init, seed=s, dtype=dtype))
                   for s in seeds]
        self.weights = [torch.stack([m[i].weight.detach() for m in members]).requires_grad_()
                        for i in range(len(sizes) - 1)]
        self.biases = [torch.stack([m[i].bias.detach() for m in members]).requires_grad_()
                       for i in range(len(sizes) - 1)]
        self.act = ACTIVATIONS[activation]()
        self.size = len(seeds)

    def parameters(self) -> list[torch.Tensor]:
        """All stacked tensors (each with leading axis ``M``)."""
        return [*self.weights, *self.biases]

    def __call__(self, X: torch.Tensor) -> torch.Tensor:
        """Outputs ``(M, n, out)`` for shared inputs ``(n, in)``."""
        h = X.expand(self.size, *X.shape)
        last = len(self.weights) - 1
        for i, (W, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            h = torch.baddbmm(b.unsqueeze(1), h, W.transpose(1, 2))
            if i < last:
                h = self.act(h)
        return h

    @torch.no_grad()
    def loss(self, X: torch.Tensor, y: torch.Tensor) -> np.ndarray:
        """Each member's mean cross-entropy on ``(X, y)``, shape ``(M,)``."""
        return _member_losses(self(X), y).numpy().astype(float)


def _member_losses(out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    M, n, k = out.shape
    return F.cross_entropy(out.reshape(M * n, k), y.repeat(M), reduction="none").view(M, n).mean(1)


@dataclass(frozen=True)
class EnsembleResult:
    """Members' training losses: ``initial`` and ``final`` ``(M,)``, ``steps`` taken."""

    initial: np.ndarray
    final: np.ndarray
    steps: int


def train_stacked(stack: StackedMLP, X: torch.Tensor, y: torch.Tensor, *,
                  lrs: float | Sequence[float], batch_size: int, examples: int,
                  seed: int = 0) -> EnsembleResult:
    """Plain SGD on every member until ``examples`` training examples have been used.

    Parameters
    ----------
    stack : StackedMLP
        Trained in place.
    X, y : torch.Tensor
        Training inputs and integer labels.
    lrs : float or sequence of float
        One learning rate for all, or one per member.
    batch_size : int
    examples : int
        Budget of examples; ``examples // batch_size`` steps are taken (epochs of a
        fresh random order, shared by all members; a new epoch starts when fewer
        than ``batch_size`` examples of the current one are left).
    seed : int
        Seed of the minibatch order.

    Returns
    -------
    EnsembleResult
        Full-training-set losses before and after. A member that diverged has ``nan``/``inf``.
    """
    lr = torch.as_tensor(np.broadcast_to(np.asarray(lrs, float), (stack.size,)).copy(),
                         dtype=X.dtype)
    if torch.any(lr <= 0) or batch_size < 1 or examples < batch_size:
        raise ValueError("need positive learning rates, batch_size >= 1 and "
                         "examples >= batch_size")
    generator = torch.Generator().manual_seed(seed)
    n = len(X)
    initial = stack.loss(X, y)
    steps, order, pos = examples // batch_size, torch.randperm(n, generator=generator), 0
    params = stack.parameters()
    for _ in range(steps):
        if pos + batch_size > n:
            order, pos = torch.randperm(n, generator=generator), 0
        idx = order[pos:pos + batch_size]
        pos += batch_size
        total = _member_losses(stack(X[idx]), y[idx]).sum()
        grads = torch.autograd.grad(total, params)
        with torch.no_grad():
            for p, g in zip(params, grads, strict=True):
                p -= lr.view(-1, *([1] * (p.ndim - 1))) * g
    final = stack.loss(X, y)
    return EnsembleResult(initial, np.where(np.isfinite(final), final, np.inf), steps)
