r"""A minibatch training loop that records what the chapter measures.

Per epoch (and once before training, at epoch 0): training and validation
negative log-likelihood (NLL), training and validation 0-1 error, the norm of the
full-batch training gradient :math:`g`, and optionally the curvature along it,
:math:`g^\top H g / g^\top g`, from one Hessian-vector product. Per step: the
minibatch loss and the norm of the minibatch gradient. Optionally also the
sharpness, the largest Hessian eigenvalue :math:`\lambda_{\max}`, by Lanczos
iteration on Hessian-vector products (:func:`d2lopt.spectrum.hessian_top_eigenvalues`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from d2lopt.nets.data import Split
from d2lopt.nets.gradients import flat_parameters, full_gradient, hvp
from d2lopt.nets.losses import cross_entropy, zero_one_error

__all__ = ["OPTIMIZERS", "History", "evaluate", "train"]

#: Optimizer names :func:`train` accepts.
OPTIMIZERS = ("sgd", "adam")


@dataclass
class History:
    """What :func:`train` recorded; per-epoch arrays have ``epochs + 1`` entries (epoch 0 first).

    Attributes
    ----------
    epoch : ndarray of int
    train_nll, val_nll : ndarray
        Mean cross-entropy on the whole training / validation set.
    train_error, val_error : ndarray
        0-1 error (fraction misclassified).
    grad_norm : ndarray
        Norm of the full-batch training gradient.
    minibatch_grad_norm : ndarray
        Mean norm of the minibatch gradients of the epoch's steps (NaN at epoch 0).
    curvature : ndarray
        :math:`g^\\top H g / g^\\top g` of the training loss (NaN where not recorded).
    sharpness : ndarray
        Largest eigenvalue of the training-loss Hessian (NaN where not recorded).
    step_loss, step_grad_norm : ndarray
        Minibatch loss and gradient norm at every step.
    initial_parameters, final_parameters : torch.Tensor
        Flat parameter vectors before and after training.
    """

    epoch: np.ndarray
    train_nll: np.ndarray
    val_nll: np.ndarray
    train_error: np.ndarray
    val_error: np.ndarray
    grad_norm: np.ndarray
    minibatch_grad_norm: np.ndarray
    curvature: np.ndarray
    sharpness: np.ndarray
    step_loss: np.ndarray
    step_grad_norm: np.ndarray
    initial_parameters: torch.Tensor = field(repr=False)
    final_parameters: torch.Tensor = field(repr=False)

    @property
    def epochs(self) -> int:
        """Number of training epochs."""
        return int(self.epoch[-1])


@torch.no_grad()
def evaluate(model: nn.Module, X: torch.Tensor, y: torch.Tensor) -> tuple[float, float]:
    """``(mean NLL, 0-1 error)`` of a classifier on ``(X, y)``."""
    out = model(X)
    return float(cross_entropy(out, y)), float(zero_one_error(out, y))


def _make_optimizer(model: nn.Module, optimizer: str, lr: float, momentum: float,
                    weight_decay: float) -> torch.optim.Optimizer:
    if optimizer == "sgd":
        return torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum,
                               weight_decay=weight_decay)
    if optimizer == "adam":
        return torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
    raise ValueError(f"unknown optimizer {optimizer!r}; choose one of {OPTIMIZERS}")


def train(model: nn.Module, data: Split, *, epochs: int, batch_size: int, lr: float,
          momentum: float = 0.0, optimizer: str = "sgd", weight_decay: float = 0.0,
          curvature: bool = False, sharpness: bool = False, seed: int = 0) -> History:
    """Train a classifier with minibatch SGD (or Adam) on ``data`` and record its :class:`History`.

    Each epoch visits the training set once in a fresh random order, in
    minibatches of ``batch_size`` (the last one smaller if it does not divide).

    Parameters
    ----------
    model : torch.nn.Module
        Maps ``(n, d)`` inputs to ``(n, classes)`` logits; trained in place.
    data : Split
    epochs, batch_size : int
    lr, momentum, weight_decay : float
        Hyperparameters of :class:`torch.optim.SGD` (``momentum`` is ignored by Adam).
    optimizer : {"sgd", "adam"}
    curvature : bool
        Also record :math:`g^\\top H g / g^\\top g` each epoch (one Hessian-vector product).
    sharpness : bool
        Also record the largest Hessian eigenvalue each epoch (Lanczos, relative
        tolerance 1e-3; a few dozen Hessian-vector products).
    seed : int
        Seed of the minibatch order.

    Returns
    -------
    History
        Per-epoch metrics (epoch 0 is before training), per-step losses and gradient
        norms, and the parameters at the start and at the end.

    Examples
    --------
    >>> from d2lopt.nets.data import load_digits_split
    >>> from d2lopt.nets.models import mlp
    >>> data = load_digits_split()
    >>> h = train(mlp((64, 32, 10)), data, epochs=3, batch_size=64, lr=0.1)
    >>> len(h.val_error), bool(h.train_nll[-1] < h.train_nll[0])
    (4, True)
    """
    if epochs < 0 or batch_size < 1 or lr <= 0:
        raise ValueError(f"need epochs >= 0, batch_size >= 1 and lr > 0, "
                         f"got {epochs}, {batch_size}, {lr}")
    opt = _make_optimizer(model, optimizer, lr, momentum, weight_decay)
    generator = torch.Generator().manual_seed(seed)
    X, y = data.X_train, data.y_train
    n = len(X)
    rows: list[tuple[float, ...]] = []
    step_loss: list[float] = []
    step_grad: list[float] = []
    initial = flat_parameters(model)

    def record(epoch_grads: list[float]) -> None:
        train_nll, train_err = evaluate(model, X, y)
        val_nll, val_err = evaluate(model, data.X_val, data.y_val)
        g = full_gradient(model, X, y)
        g_norm = float(g.norm())
        curv = math.nan
        if curvature and g_norm > 0:
            curv = float(g @ hvp(model, X, y, g) / (g @ g))
        top = math.nan
        if sharpness:
            from d2lopt.spectrum import hessian_top_eigenvalues

            top = float(hessian_top_eigenvalues(model, cross_entropy, (X, y), k=1,
                                                tol=1e-3).eigenvalues[0])
        mb = float(np.mean(epoch_grads)) if epoch_grads else math.nan
        rows.append((train_nll, val_nll, train_err, val_err, g_norm, mb, curv, top))

    record([])
    for _ in range(epochs):
        order = torch.randperm(n, generator=generator)
        epoch_grads = []
        for start in range(0, n, batch_size):
            idx = order[start:start + batch_size]
            opt.zero_grad(set_to_none=False)
            loss = cross_entropy(model(X[idx]), y[idx])
            loss.backward()
            grad_norm = math.sqrt(sum(float(p.grad.pow(2).sum()) for p in model.parameters()))
            opt.step()
            step_loss.append(float(loss.detach()))
            step_grad.append(grad_norm)
            epoch_grads.append(grad_norm)
        record(epoch_grads)
    cols = np.array(rows).T
    return History(np.arange(epochs + 1), *cols, np.array(step_loss), np.array(step_grad),
                   initial, flat_parameters(model))
