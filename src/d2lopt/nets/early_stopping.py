"""Early stopping with patience on a recorded validation curve.

The rule (Goodfellow, Bengio & Courville, 2016, Algorithm 7.1): after every
epoch, compare the validation metric with the best so far; an epoch *improves*
if its value is below the best by more than ``min_delta``. Training stops at the
first epoch that ends ``patience`` epochs without an improvement, and the
parameters of the best epoch (the last improvement) are the ones returned.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["EarlyStop", "early_stopping"]


@dataclass(frozen=True)
class EarlyStop:
    """Where the patience rule stops.

    Attributes
    ----------
    best_epoch : int
        The epoch whose parameters are kept (the last improvement).
    stop_epoch : int
        The epoch at which training stops (``best_epoch + patience`` if the rule
        fired, else the last recorded epoch).
    best_value : float
        The metric at ``best_epoch``.
    stopped : bool
        Whether the rule fired before the recorded curve ended.
    patience : int
    """

    best_epoch: int
    stop_epoch: int
    best_value: float
    stopped: bool
    patience: int


def early_stopping(values: np.ndarray | list[float], patience: int, *,
                   min_delta: float = 0.0) -> EarlyStop:
    """Apply the patience rule to a validation curve (index = epoch).

    Parameters
    ----------
    values : array_like
        The validation metric after each epoch (lower is better).
    patience : int
        Epochs without improvement tolerated before stopping (>= 1).
    min_delta : float
        An improvement must lower the best value by more than this.

    Returns
    -------
    EarlyStop

    Examples
    --------
    >>> early_stopping([5, 3, 4, 2, 2.5, 2.2, 3, 3], patience=3)
    EarlyStop(best_epoch=3, stop_epoch=6, best_value=2.0, stopped=True, patience=3)
    """
    values = np.asarray(values, dtype=float)
    if values.ndim != 1 or values.size == 0:
        raise ValueError("values must be a non-empty 1-d sequence (one value per epoch)")
    if patience < 1:
        raise ValueError(f"patience must be >= 1, got {patience}")
    best_epoch, best = 0, values[0]
    for epoch in range(1, values.size):
        if values[epoch] < best - min_delta:
            best_epoch, best = epoch, values[epoch]
        elif epoch - best_epoch >= patience:
            return EarlyStop(best_epoch, epoch, float(best), True, patience)
    return EarlyStop(best_epoch, values.size - 1, float(best), False, patience)
