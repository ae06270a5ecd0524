"""The losses of the network experiments, by name."""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

__all__ = ["LOSSES", "Loss", "cross_entropy", "get_loss", "half_squared_error", "zero_one_error"]

Loss = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def cross_entropy(outputs: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Mean negative log-likelihood of integer ``labels`` under ``softmax(outputs)``."""
    return F.cross_entropy(outputs, labels)


def half_squared_error(outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    r"""``½ · mean over examples of ‖output − target‖²`` (sum over output components)."""
    return 0.5 * (outputs - targets).pow(2).sum(dim=-1).mean()


def zero_one_error(outputs: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Fraction of examples whose largest output is not at the label (0-1 loss)."""
    return (outputs.argmax(dim=-1) != labels).to(outputs.dtype).mean()


#: Loss name -> function ``(outputs, targets) -> scalar``.
LOSSES: dict[str, Loss] = {"cross_entropy": cross_entropy, "squared": half_squared_error}


def get_loss(loss: str | Loss) -> Loss:
    """The loss function called ``loss`` (or ``loss`` itself if it is callable).

    Examples
    --------
    >>> get_loss("squared")(torch.ones(2, 3), torch.zeros(2, 3))
    tensor(1.5000)
    """
    if callable(loss):
        return loss
    try:
        return LOSSES[loss]
    except KeyError:
        raise ValueError(f"unknown loss {loss!r}; choose one of {tuple(LOSSES)} "
                         "or pass a function (outputs, targets) -> scalar") from None
