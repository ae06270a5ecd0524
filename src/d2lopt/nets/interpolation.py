r"""The loss along the straight line between two parameter vectors.

:math:`\theta(\alpha) = (1-\alpha)\,\theta_0 + \alpha\,\theta_1`: ``α = 0`` is
:math:`\theta_0`, ``α = 1`` is :math:`\theta_1`, and ``α`` outside ``[0, 1]``
extrapolates (Goodfellow, Vinyals & Saxe, 2015).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from d2lopt.nets.gradients import loss_of_parameters
from d2lopt.nets.losses import Loss

__all__ = ["loss_along_line", "max_rise"]


@torch.no_grad()
def loss_along_line(model: nn.Module, theta0: torch.Tensor, theta1: torch.Tensor,
                    alphas: np.ndarray, X: torch.Tensor, y: torch.Tensor,
                    loss: str | Loss = "cross_entropy") -> np.ndarray:
    """The loss of ``model``'s architecture at ``(1 − α) θ0 + α θ1`` for each ``α``.

    ``model`` only supplies the architecture; its own parameters are not changed.

    Examples
    --------
    >>> from d2lopt.nets.models import mlp
    >>> from d2lopt.nets.gradients import flat_parameters
    >>> net = mlp((3, 4, 2))
    >>> X, y = torch.randn(6, 3), torch.tensor([0, 1, 0, 1, 1, 0])
    >>> t0 = flat_parameters(net)
    >>> losses = loss_along_line(net, t0, 2 * t0, np.array([0.0, 1.0]), X, y)
    >>> bool(np.isclose(losses[0], float(torch.nn.functional.cross_entropy(net(X), y).detach())))
    True
    """
    if theta0.shape != theta1.shape or theta0.ndim != 1:
        raise ValueError("theta0 and theta1 must be flat vectors of the same length")
    f = loss_of_parameters(model, loss)
    return np.array([float(f((1 - a) * theta0 + a * theta1, X, y)) for a in np.asarray(alphas)])


def max_rise(values: np.ndarray) -> float:
    """The largest increase ``values[j] − values[i]`` over ``i < j`` (0 for a non-increasing curve).

    Examples
    --------
    >>> max_rise(np.array([3.0, 2.0, 2.5, 1.0]))
    0.5
    >>> max_rise(np.array([3.0, 2.0, 1.0]))
    0.0
    """
    values = np.asarray(values, dtype=float)
    running_min = np.minimum.accumulate(values)
    return float(np.max(values - running_min))
