r"""The eigenvalue density of a symmetric operator by stochastic Lanczos quadrature.

For a unit probe :math:`q`, :math:`q^\top f(H) q = \sum_i (u_i^\top q)^2 f(\lambda_i)`
is an integral against the probe's spectral measure. ``m`` Lanczos steps from
:math:`q` give its ``m``-point Gauss quadrature: nodes the eigenvalues
:math:`\theta_j` of the tridiagonal ``T``, weights the squared first components
:math:`\tau_j^2` of its eigenvectors, exact for polynomials of degree up to
:math:`2m - 1`. For random probes with :math:`\mathbb E[qq^\top] = I/n` the
measure averages to the eigenvalue density :math:`\frac1n\sum_i\delta(t-\lambda_i)`;
each node is then spread into a Gaussian of width ``sigma`` to draw it
(Golub & Meurant, 2010; Ubaru, Chen & Saad, 2017; Ghorbani, Krishnan & Xiao, 2019).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy.integrate import trapezoid
from scipy.linalg import eigh_tridiagonal

from d2lopt._checks import check_real
from d2lopt.spectrum._checks import (
    Matvec,
    check_dim,
    check_positive_int,
    check_symmetric,
    checked_matvec,
    probe,
)
from d2lopt.spectrum.lanczos import lanczos_tridiagonal

__all__ = ["SpectralDensity", "gauss_quadrature", "slq_density"]


class SpectralDensity(NamedTuple):
    """A smoothed eigenvalue density and the quadrature it came from.

    Attributes
    ----------
    grid : ndarray, shape (g,)
        Eigenvalue axis.
    density : ndarray, shape (g,)
        Gaussian-broadened density on ``grid``, integrating to 1 (trapezoid rule).
    nodes : ndarray, shape (n_probes, steps)
        Gauss quadrature nodes (Ritz values), one row per probe.
    weights : ndarray, shape (n_probes, steps)
        Their weights; each row sums to 1. A probe whose Krylov space closed
        early has its unused entries padded with weight 0.
    """

    grid: np.ndarray
    density: np.ndarray
    nodes: np.ndarray
    weights: np.ndarray

    def moment(self, power: int) -> float:
        r"""The quadrature's estimate of :math:`\frac1n\operatorname{tr} H^p`.

        Exact per probe for ``power <= 2 * steps - 1``; averaged over probes it
        equals the Hutchinson estimate of :math:`\operatorname{tr}(H^p)/n`.
        """
        return float(np.mean(np.sum(self.weights * self.nodes**power, axis=1)))


def gauss_quadrature(alpha: np.ndarray, beta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights of the Gauss rule of the Jacobi matrix ``tridiag(beta, alpha, beta)``.

    Examples
    --------
    >>> import numpy as np
    >>> nodes, weights = gauss_quadrature(np.zeros(2), np.ones(1))
    >>> nodes.tolist(), weights.round(12).tolist()
    ([-1.0, 1.0], [0.5, 0.5])
    """
    alpha = np.asarray(alpha, dtype=np.float64)
    if alpha.size == 1:
        return alpha.copy(), np.ones(1)
    nodes, vectors = eigh_tridiagonal(alpha, np.asarray(beta, dtype=np.float64))
    return nodes, vectors[0] ** 2


def slq_density(
    matvec: Matvec,
    dim: int,
    *,
    n_probes: int = 10,
    steps: int = 80,
    grid: np.ndarray | int = 1000,
    sigma: float | None = None,
    seed: int | None = 0,
    distribution: str = "rademacher",
    check_symmetry: bool = True,
) -> SpectralDensity:
    r"""Estimate the eigenvalue density of ``H`` by stochastic Lanczos quadrature.

    Parameters
    ----------
    matvec : callable
        ``v -> H v`` on float64 NumPy vectors of length ``dim``, ``H`` symmetric.
    dim : int
        Length of the vectors.
    n_probes : int, default 10
        Random probes, each one Lanczos run (``steps`` products).
    steps : int, default 80
        Lanczos steps per probe (quadrature nodes); memory ``steps * dim`` floats.
    grid : ndarray or int, default 1000
        Eigenvalue axis, or the number of points of an even grid spanning the
        nodes plus ``4 * sigma`` on each side.
    sigma : float, optional
        Width of the Gaussian each node is spread into; default 1% of the
        nodes' range (or 1e-3 when the range is 0).
    seed : int or None, default 0
        Seed of the probes.
    distribution : {"rademacher", "gaussian"}
        Distribution of the probe entries (normalized to unit length).
    check_symmetry : bool, default True
        First check that ``matvec`` is symmetric, from two extra products (once,
        not per probe); a ``ValueError`` if not.

    Returns
    -------
    SpectralDensity
        ``(grid, density, nodes, weights)``; ``density`` integrates to 1 over
        ``grid`` and ``.moment(p)`` estimates :math:`\operatorname{tr}(H^p)/n`.

    Examples
    --------
    >>> import numpy as np
    >>> H = np.diag(np.linspace(-1.0, 3.0, 200))
    >>> spectrum = slq_density(lambda v: H @ v, 200, n_probes=4, steps=30)
    >>> round(spectrum.moment(1), 12)  # trace / n, exact for a diagonal H
    1.0
    """
    dim = check_dim(dim)
    n_probes = check_positive_int(n_probes, "n_probes")
    steps = check_positive_int(steps, "steps")
    if sigma is not None:
        sigma = check_real(sigma, "sigma", positive=True)
    if check_symmetry:
        check_symmetric(checked_matvec(matvec, dim), dim)
    rng = np.random.default_rng(seed)
    width = min(steps, dim)
    nodes = np.zeros((n_probes, width))
    weights = np.zeros((n_probes, width))
    for p in range(n_probes):
        alpha, beta = lanczos_tridiagonal(matvec, probe(rng, dim, distribution), width,
                                          check_symmetry=False)
        theta, tau2 = gauss_quadrature(alpha, beta)
        nodes[p, : theta.size] = theta
        nodes[p, theta.size :] = theta[-1]
        weights[p, : theta.size] = tau2
    low, high = float(nodes.min()), float(nodes.max())
    if sigma is None:
        sigma = 0.01 * (high - low) if high > low else 1e-3
    if np.ndim(grid) == 0:
        points = check_positive_int(grid, "grid")
        grid = np.linspace(low - 4 * sigma, high + 4 * sigma, points)
    grid = np.asarray(grid, dtype=np.float64)
    if grid.ndim != 1 or grid.size < 2 or np.any(np.diff(grid) <= 0):
        raise ValueError("grid must be an increasing 1-D array of at least 2 points, or a count")
    gaussians = np.exp(-0.5 * ((grid[:, None] - nodes.ravel()[None, :]) / sigma) ** 2)
    density = gaussians @ weights.ravel() / (n_probes * sigma * np.sqrt(2 * np.pi))
    area = trapezoid(density, grid)
    if not area > 1e-6:
        raise ValueError(
            f"the grid [{grid[0]:.3g}, {grid[-1]:.3g}] misses the spectrum "
            f"[{low:.3g}, {high:.3g}]; widen it or pass a count of points"
        )
    return SpectralDensity(grid, density / area, nodes, weights)
