"""Hessian spectra from Hessian-vector products: top eigenvalues, density and trace.

The estimators take ``matvec``, any ``v -> H v`` on float64 NumPy vectors, so
they work for every backend and never form the Hessian:

- :func:`lanczos`: the ``k`` extreme eigenvalues (Lanczos, full
  reorthogonalization, thick restarts, residual-based stopping).
- :func:`slq_density`: the eigenvalue density by stochastic Lanczos quadrature.
- :func:`hutchinson_trace`: the trace with its standard error.
- :func:`hvp_matvec` (a function of a flat vector, any backend),
  :func:`hessian_matvec` and :func:`hessian_top_eigenvalues` (a PyTorch module
  and a batch) build the ``matvec``.

>>> import numpy as np
>>> from d2lopt import spectrum
>>> H = np.diag([3.0, 1.0, -2.0])
>>> spectrum.lanczos(lambda v: H @ v, 3, k=1).eigenvalues.round(12).tolist()
[3.0]
"""

from d2lopt.spectrum.density import SpectralDensity, gauss_quadrature, slq_density
from d2lopt.spectrum.lanczos import BOUNDS, WHICH, LanczosResult, lanczos, lanczos_tridiagonal
from d2lopt.spectrum.operators import (
    HessianOperator,
    hessian_matvec,
    hessian_top_eigenvalues,
    hvp_matvec,
)
from d2lopt.spectrum.trace import TraceEstimate, hutchinson_trace

__all__ = [
    "BOUNDS", "WHICH", "HessianOperator", "LanczosResult", "SpectralDensity", "TraceEstimate",
    "gauss_quadrature", "hessian_matvec", "hessian_top_eigenvalues", "hutchinson_trace",
    "hvp_matvec", "lanczos", "lanczos_tridiagonal", "slq_density",
]
