r"""How far a minibatch gradient lies from the full-batch gradient.

With per-example gradients :math:`g_1, \dots, g_N` (mean :math:`\bar g`) and
:math:`\sigma^2 = \frac1N \sum_i \lVert g_i - \bar g\rVert^2` (the trace of their
covariance), the mean :math:`\hat g_B` of ``B`` of them drawn *without
replacement* has

.. math:: \mathbb E\,\lVert \hat g_B - \bar g \rVert^2
          = \frac{\sigma^2}{B}\,\frac{N - B}{N - 1},

the finite-population correction of the variance of a sample mean: the
standard error (:func:`d2lopt.rates.standard_error` of :math:`\sigma` with
``population=N``) falls like :math:`1/\sqrt B` while ``B ≪ N`` and reaches 0 at ``B = N``.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import torch

__all__ = [
    "exact_minibatch_spread", "minibatch_gradient_spread", "total_variance",
]


def _as_numpy(G: torch.Tensor | np.ndarray) -> np.ndarray:
    G = G.detach().cpu().numpy() if isinstance(G, torch.Tensor) else np.asarray(G)
    if G.ndim != 2 or G.shape[0] < 2:
        raise ValueError(f"per-example gradients must be an (N, P) matrix with N >= 2, "
                         f"got shape {G.shape}")
    return G.astype(np.float64)


def total_variance(per_example: torch.Tensor | np.ndarray) -> float:
    r"""σ² = mean squared distance of the per-example gradients from their mean.

    Examples
    --------
    >>> total_variance(np.array([[0.0, 0.0], [2.0, 0.0]]))
    1.0
    """
    G = _as_numpy(per_example)
    return float(np.mean(np.sum((G - G.mean(0)) ** 2, axis=1)))


def minibatch_gradient_spread(per_example: torch.Tensor | np.ndarray,
                              batch_sizes: np.ndarray | list[int], *, samples: int = 400,
                              seed: int = 0) -> np.ndarray:
    r"""Monte Carlo RMS of :math:`\lVert\hat g_B - \bar g\rVert` for each batch size.

    Each of ``samples`` minibatches is a uniformly random subset of ``B``
    examples (without replacement, as one step of an epoch over shuffled data).
    The squared distances come from the Gram matrix ``K`` of the centred
    gradients, :math:`\lVert \hat g_B - \bar g\rVert^2 = \mathbf 1_S^\top K \mathbf 1_S / B^2`,
    so large parameter counts cost nothing extra per sample.

    Returns
    -------
    ndarray, shape (len(batch_sizes),)
    """
    G = _as_numpy(per_example)
    N = G.shape[0]
    centred = G - G.mean(0)
    K = centred @ centred.T
    rng = np.random.default_rng(seed)
    out = []
    for B in np.asarray(batch_sizes, dtype=int):
        if not 1 <= B <= N:
            raise ValueError(f"batch sizes must be in [1, N = {N}], got {B}")
        subsets = np.argsort(rng.random((samples, N)), axis=1)[:, :B]
        indicator = np.zeros((samples, N))
        np.put_along_axis(indicator, subsets, 1.0, axis=1)
        sq = np.einsum("rn,rn->r", indicator @ K, indicator) / B**2
        out.append(np.sqrt(np.mean(sq)))
    return np.array(out)


def exact_minibatch_spread(per_example: torch.Tensor | np.ndarray, batch_size: int) -> float:
    """The exact RMS distance, averaging over every subset of ``batch_size`` examples.

    Enumerates ``C(N, B)`` subsets: for tiny ``N`` only (checks the formula).
    """
    G = _as_numpy(per_example)
    N = G.shape[0]
    if N > 20:
        raise ValueError(f"exact enumeration is for N <= 20 examples, got {N}")
    mean = G.mean(0)
    sq = [np.sum((G[list(idx)].mean(0) - mean) ** 2) for idx in combinations(range(N), batch_size)]
    return float(np.sqrt(np.mean(sq)))
