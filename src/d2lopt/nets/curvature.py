r"""Sharpness of a network's loss: its top Hessian eigenvalue, tracked during training.

The *sharpness* at parameters θ is the largest eigenvalue :math:`\lambda_{\max}`
of the Hessian of the mean training loss. On a quadratic, gradient descent with
step η is stable exactly when :math:`\lambda_{\max} < 2/\eta`; Cohen et al.
(2021) found that full-batch gradient descent on a network drives the sharpness
up to about :math:`2/\eta` and keeps it there ("the edge of stability").

- :func:`sharpness`: :math:`\lambda_{\max}` by Lanczos
  (:func:`d2lopt.spectrum.lanczos` on :func:`d2lopt.spectrum.hessian_matvec`).
- :func:`full_batch_descent`: full-batch gradient descent that records the loss
  every step and the sharpness every few steps, as a :class:`SharpnessTrace`.

:func:`d2lopt.nets.rescale_layer_pair` makes the ReLU rescaling ``W_i -> α W_i``,
``W_{i+1} -> W_{i+1}/α`` that leaves the function unchanged and the sharpness not
(Dinh et al., 2017).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from d2lopt.nets.losses import Loss, get_loss

__all__ = ["SharpnessTrace", "full_batch_descent", "sharpness"]


def sharpness(model: nn.Module, X: torch.Tensor, y: torch.Tensor,
              loss: str | Loss = "cross_entropy", *, tol: float = 1e-4, seed: int = 0) -> float:
    r"""The largest eigenvalue of the Hessian of the mean loss over ``(X, y)``.

    Lanczos (:func:`d2lopt.spectrum.lanczos`, ``which="largest"``) on
    Hessian-vector products (:func:`d2lopt.spectrum.hessian_matvec`); the
    Hessian is never formed.

    Parameters
    ----------
    model : torch.nn.Module
        Evaluated as it is (call ``model.eval()`` first if it has dropout).
    X, y : torch.Tensor
        The batch the loss is averaged over (the whole training set for full-batch
        gradient descent).
    loss : {"cross_entropy", "squared"} or callable
        The loss (:data:`d2lopt.nets.LOSSES`).
    tol : float, default 1e-4
        Relative tolerance of the eigenvalue's residual bound.
    seed : int
        Seed of the Lanczos start vector.

    Returns
    -------
    float

    Examples
    --------
    >>> net = torch.nn.Linear(2, 1, bias=False)
    >>> X, y = torch.tensor([[1.0, 0.0], [0.0, 2.0]]), torch.zeros(2, 1)
    >>> round(sharpness(net, X, y, "squared"), 4)   # H = XᵀX / 2 = diag(0.5, 2)
    2.0
    """
    return _top_pair(model, X, y, get_loss(loss), tol, seed, None)[0]


def _top_pair(model: nn.Module, X: torch.Tensor, y: torch.Tensor, loss_fn: Loss, tol: float,
              seed: int, v0: np.ndarray | None) -> tuple[float, np.ndarray]:
    from d2lopt.spectrum import hessian_matvec, lanczos

    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    operator = hessian_matvec(model, loss_fn, X, y)
    result = lanczos(operator, operator.dim, 1, which="largest", tol=tol, seed=seed, v0=v0,
                     check_symmetry=False)
    return float(result.eigenvalues[0]), result.eigenvectors[:, 0]


@dataclass(frozen=True)
class SharpnessTrace:
    """What :func:`full_batch_descent` recorded.

    Attributes
    ----------
    lr : float
        The step size η.
    losses : ndarray, shape (steps + 1,)
        Training loss before each step and after the last.
    sharpness_steps : ndarray of int
        Steps at which the sharpness was measured (0, ``every``, 2 ``every``, ..., ``steps``).
    sharpness : ndarray
        :math:`\\lambda_{\\max}` at those steps.
    """

    lr: float
    losses: np.ndarray
    sharpness_steps: np.ndarray
    sharpness: np.ndarray

    @property
    def threshold(self) -> float:
        """The stability limit ``2/lr`` of gradient descent on a quadratic."""
        return 2.0 / self.lr

    def first_crossing(self, fraction: float = 0.9) -> int | None:
        """First measured step with sharpness at least ``fraction * 2/lr`` (None if never)."""
        above = np.nonzero(self.sharpness >= fraction * self.threshold)[0]
        return int(self.sharpness_steps[above[0]]) if above.size else None

    def after(self, step: int) -> np.ndarray:
        """The sharpness values measured at or after ``step``."""
        return self.sharpness[self.sharpness_steps >= step]


def full_batch_descent(model: nn.Module, X: torch.Tensor, y: torch.Tensor, *, lr: float,
                       steps: int, every: int = 10, loss: str | Loss = "squared",
                       tol: float = 1e-3) -> SharpnessTrace:
    r"""Full-batch gradient descent ``θ ← θ − η ∇L(θ)``, recording loss and sharpness.

    Parameters
    ----------
    model : torch.nn.Module
        Trained in place.
    X, y : torch.Tensor
        The whole training set.
    lr : float
        Step size η > 0.
    steps : int
        Number of steps.
    every : int, default 10
        Measure the sharpness (:func:`sharpness`) every ``every`` steps, and after the last.
    loss : {"squared", "cross_entropy"} or callable
    tol : float
        Relative tolerance of each sharpness measurement.

    Returns
    -------
    SharpnessTrace

    Examples
    --------
    >>> net = torch.nn.Linear(2, 1, bias=False)
    >>> X, y = torch.tensor([[1.0, 0.0], [0.0, 2.0]]), torch.ones(2, 1)
    >>> trace = full_batch_descent(net, X, y, lr=0.1, steps=20, every=10)
    >>> trace.sharpness_steps.tolist(), trace.sharpness.round(4).tolist()   # a quadratic
    ([0, 10, 20], [2.0, 2.0, 2.0])
    """
    if not lr > 0:
        raise ValueError(f"lr must be positive, got {lr}")
    if steps < 0 or every < 1:
        raise ValueError(f"need steps >= 0 and every >= 1, got steps={steps}, every={every}")
    loss_fn = get_loss(loss)
    params = [p for p in model.parameters() if p.requires_grad]
    losses: list[float] = []
    marks: list[int] = []
    tops: list[float] = []
    vector = None   # the last top eigenvector starts the next Lanczos run (it moves slowly)
    for t in range(steps + 1):
        if t % every == 0 or t == steps:
            top, vector = _top_pair(model, X, y, loss_fn, tol, 0, vector)
            marks.append(t)
            tops.append(top)
        value = loss_fn(model(X), y)
        losses.append(float(value.detach()))
        if t == steps:
            break
        grads = torch.autograd.grad(value, params)
        with torch.no_grad():
            for p, g in zip(params, grads, strict=True):
                p -= lr * g
    return SharpnessTrace(float(lr), np.array(losses), np.array(marks), np.array(tops))
