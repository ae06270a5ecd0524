r"""Critical points of a two-layer linear network in closed form (Baldi & Hornik, 1989).

The network :math:`\hat y = W_2 W_1 x` (``W1`` of shape ``(k, d_x)``, ``W2`` of
shape ``(d_y, k)``) with the loss :math:`L = \frac1{2N}\sum_i \lVert y_i - W_2W_1x_i\rVert^2`
depends on the data only through :math:`\Sigma_{xx} = X^\top X/N`,
:math:`\Sigma_{yx} = Y^\top X/N` and :math:`\Sigma_{yy} = Y^\top Y/N`. Let
:math:`\Sigma = \Sigma_{yx}\Sigma_{xx}^{-1}\Sigma_{xy}` have distinct eigenvalues
:math:`\lambda_1 > \dots > \lambda_{d_y}` with orthonormal eigenvectors ``U``.
For every set ``I`` of at most ``k`` eigenvector indices,

.. math:: W_2 = [U_I,\ 0], \qquad W_1 = \begin{bmatrix} U_I^\top \Sigma_{yx}\Sigma_{xx}^{-1} \\
          0\end{bmatrix}

is a critical point with :math:`W_2W_1 = P_{U_I}\Sigma_{yx}\Sigma_{xx}^{-1}` and loss
:math:`\tfrac12(\operatorname{tr}\Sigma_{yy} - \sum_{i\in I}\lambda_i)`; so is its image
under :math:`(W_1, W_2) \mapsto (C^{-1}W_1, W_2C)` for any invertible ``C`` (for
``|I| = k``), the :math:`GL(k)` symmetry that makes the Hessian singular in
:math:`k^2` directions. Only ``I = {1, …, k}`` is a minimum (it is the global
one); every other critical point is a saddle.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np
import torch

__all__ = ["HessianInertia", "LinearCriticalPoint", "critical_points", "covariances",
           "hessian_inertia", "linear_network_loss"]


@dataclass(frozen=True)
class LinearCriticalPoint:
    """One closed-form critical point.

    Attributes
    ----------
    subset : tuple of int
        Indices ``I`` (0-based, eigenvalues sorted descending) of the eigenvectors used.
    W1, W2 : torch.Tensor
        The weights, shapes ``(k, d_x)`` and ``(d_y, k)``.
    loss : float
        The closed form :math:`\\frac12(\\mathrm{tr}\\,\\Sigma_{yy} - \\sum_{i\\in I}\\lambda_i)`.
    """

    subset: tuple[int, ...]
    W1: torch.Tensor
    W2: torch.Tensor
    loss: float

    @property
    def parameters(self) -> torch.Tensor:
        """``θ = (vec W1, vec W2)``, the order of ``two_layer_linear(...).parameters()``."""
        return torch.cat([self.W1.reshape(-1), self.W2.reshape(-1)])


@dataclass(frozen=True)
class HessianInertia:
    """Signs of the Hessian's eigenvalues at a point (zero within a relative tolerance).

    Attributes
    ----------
    eigenvalues : ndarray
        All eigenvalues, ascending.
    negative, zero, positive : int
        Counts; ``zero`` counts ``|λ| <= tol · max|λ|``.
    index : float
        Fraction of negative eigenvalues, ``negative / P``.
    """

    eigenvalues: np.ndarray
    negative: int
    zero: int
    positive: int
    index: float


def covariances(X: torch.Tensor, Y: torch.Tensor) -> tuple[torch.Tensor, ...]:
    """``(Σ_xx, Σ_yx, Σ_yy)``, uncentred second moments over the rows of ``X`` and ``Y``."""
    if X.ndim != 2 or Y.ndim != 2 or len(X) != len(Y):
        raise ValueError(f"X and Y must be (N, d) matrices with the same N, got shapes "
                         f"{tuple(X.shape)} and {tuple(Y.shape)}")
    n = len(X)
    return X.T @ X / n, Y.T @ X / n, Y.T @ Y / n


def linear_network_loss(W1: torch.Tensor, W2: torch.Tensor, X: torch.Tensor, Y: torch.Tensor
                        ) -> torch.Tensor:
    """``½ · mean_i ‖y_i − W2 W1 x_i‖²``."""
    return 0.5 * (Y - X @ W1.T @ W2.T).pow(2).sum(1).mean()


def critical_points(X: torch.Tensor, Y: torch.Tensor, hidden: int, *,
                    min_gap: float = 1e-8) -> list[LinearCriticalPoint]:
    """Every closed-form critical point ``I ⊆ {0, …, d_y − 1}``, ``|I| <= hidden``.

    Parameters
    ----------
    X : torch.Tensor, shape (N, d_x)
    Y : torch.Tensor, shape (N, d_y)
    hidden : int
        Width ``k`` of the hidden layer (``1 <= k <= d_y``).
    min_gap : float
        Smallest relative gap between eigenvalues of Σ accepted as distinct.

    Returns
    -------
    list of LinearCriticalPoint
        Ordered by size of ``I``, then lexicographically; ``sum_r C(d_y, r)`` points.

    Raises
    ------
    ValueError
        If ``Σ_xx`` is singular or Σ has (nearly) repeated eigenvalues, where the
        critical points are no longer isolated up to symmetry.

    Examples
    --------
    >>> from d2lopt.nets.data import linear_teacher
    >>> X, Y = linear_teacher(200, [3.0, 2.0, 1.0])
    >>> len(critical_points(X, Y, hidden=2))  # 1 + 3 + 3
    7
    """
    Sxx, Syx, Syy = covariances(X, Y)
    d_y = Syx.shape[0]
    if not 1 <= hidden <= d_y:
        raise ValueError(f"hidden must be in [1, d_y = {d_y}], got {hidden}")
    if torch.linalg.matrix_rank(Sxx) < Sxx.shape[0]:
        raise ValueError("Σ_xx is singular: use more examples than input dimensions")
    W_star = torch.linalg.solve(Sxx, Syx.T).T              # Σ_yx Σ_xx⁻¹
    lam, U = torch.linalg.eigh(W_star @ Syx.T)             # Σ = Σ_yx Σ_xx⁻¹ Σ_xy
    lam, U = lam.flip(0), U.flip(1)
    gaps = -torch.diff(lam) / lam.abs().max()
    if torch.any(gaps < min_gap):
        raise ValueError("Σ_yx Σ_xx⁻¹ Σ_xy has repeated eigenvalues; choose a teacher with "
                         "distinct singular values")
    trace_yy = float(torch.trace(Syy))
    points = []
    for r in range(hidden + 1):
        for subset in combinations(range(d_y), r):
            W2 = torch.zeros(d_y, hidden, dtype=X.dtype)
            W1 = torch.zeros(hidden, X.shape[1], dtype=X.dtype)
            if r:
                U_I = U[:, list(subset)]
                W2[:, :r] = U_I
                W1[:r] = U_I.T @ W_star
            loss = 0.5 * (trace_yy - float(lam[list(subset)].sum()))
            points.append(LinearCriticalPoint(subset, W1, W2, loss))
    return points


def hessian_inertia(X: torch.Tensor, Y: torch.Tensor, W1: torch.Tensor, W2: torch.Tensor, *,
                    tol: float = 1e-9) -> HessianInertia:
    """Eigenvalues of the full Hessian of the loss in ``θ = (vec W1, vec W2)`` and their signs.

    The Hessian comes from :func:`torch.autograd.functional.hessian`. Eigenvalues with
    ``|λ| <= tol · max|λ|`` count as zero: at a critical point with ``|I| = k`` at least
    ``k²`` of them vanish exactly (the :math:`GL(k)` directions), and round-off makes them
    tiny of either sign, so a tolerance is needed to count the negative ones.
    """
    k, d_x = W1.shape
    split = W1.numel()

    def f(theta: torch.Tensor) -> torch.Tensor:
        return linear_network_loss(theta[:split].view(k, d_x), theta[split:].view(-1, k), X, Y)

    theta = torch.cat([W1.reshape(-1), W2.reshape(-1)])
    H = torch.autograd.functional.hessian(f, theta)
    eig = np.linalg.eigvalsh(0.5 * (H + H.T).detach().numpy())
    cutoff = tol * np.abs(eig).max()
    negative = int(np.sum(eig < -cutoff))
    positive = int(np.sum(eig > cutoff))
    zero = eig.size - negative - positive
    return HessianInertia(eig, negative, zero, positive, negative / eig.size)
