r"""The trace of a symmetric operator from products only: Hutchinson's estimator."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from d2lopt.spectrum._checks import Matvec, check_dim, check_positive_int, checked_matvec, probe

__all__ = ["TraceEstimate", "hutchinson_trace"]


class TraceEstimate(NamedTuple):
    """Hutchinson's estimate of a trace.

    Attributes
    ----------
    estimate : float
        Mean of :math:`v^\\top H v` over the probes.
    stderr : float
        Standard error of that mean (sample standard deviation over
        :math:`\\sqrt{n_\\text{probes}}`); NaN with one probe, where it is
        undefined.
    samples : ndarray, shape (n_probes,)
        The values :math:`v^\\top H v`, one per probe.
    """

    estimate: float
    stderr: float
    samples: np.ndarray


def hutchinson_trace(
    matvec: Matvec,
    dim: int,
    *,
    n_probes: int = 100,
    seed: int | None = 0,
    distribution: str = "rademacher",
) -> TraceEstimate:
    r"""Estimate :math:`\operatorname{tr} H` as the mean of :math:`v^\top H v`.

    For probes with :math:`\mathbb E[vv^\top] = I` the estimate is unbiased.
    With Rademacher probes (entries :math:`\pm 1`) its variance per probe is
    :math:`2(\|H\|_F^2 - \sum_i H_{ii}^2)`, the smallest of any i.i.d. probe,
    and zero for a diagonal ``H``; Gaussian probes give
    :math:`2\|H\|_F^2` (Hutchinson, 1989; Avron & Toledo, 2011).

    Parameters
    ----------
    matvec : callable
        ``v -> H v`` on float64 NumPy vectors of length ``dim``.
    dim : int
        Length of the vectors.
    n_probes : int, default 100
        Number of random probes, one product each.
    seed : int or None, default 0
        Seed of the probes.
    distribution : {"rademacher", "gaussian"}
        Distribution of the probe entries.

    Returns
    -------
    TraceEstimate
        ``(estimate, stderr, samples)``.

    Examples
    --------
    >>> import numpy as np
    >>> D = np.diag([1.0, 2.0, 3.0])
    >>> hutchinson_trace(lambda v: D @ v, 3, n_probes=5)[:2]
    (6.0, 0.0)
    >>> hutchinson_trace(lambda v: D @ v, 3, n_probes=1).stderr  # one sample: no spread
    nan

    Notes
    -----
    The estimate is unbiased for any square ``H``, symmetric or not, so no
    symmetry check is made here (only the variance formulas assume symmetry).
    """
    dim = check_dim(dim)
    n_probes = check_positive_int(n_probes, "n_probes")
    A = checked_matvec(matvec, dim)
    rng = np.random.default_rng(seed)
    samples = np.empty(n_probes)
    for i in range(n_probes):
        v = probe(rng, dim, distribution)
        samples[i] = np.einsum("i,i->", v, A(v))  # not BLAS: see _arrays.NumpyArrays
    stderr = float(samples.std(ddof=1) / np.sqrt(n_probes)) if n_probes > 1 else float("nan")
    return TraceEstimate(float(samples.mean()), stderr, samples)
