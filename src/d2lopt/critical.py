"""Classifying a point by its gradient and the eigenvalues of its Hessian."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from d2lopt.backends import as_array
from d2lopt.derivatives import Scalar

Kind = Literal["minimum", "maximum", "saddle", "degenerate", "not critical"]
KINDS: tuple[str, ...] = ("minimum", "maximum", "saddle", "degenerate", "not critical")

__all__ = ["CriticalPoint", "critical_point", "classify_eigenvalues", "KINDS"]


@dataclass(frozen=True)
class CriticalPoint:
    """What the second-derivative test says about a point.

    Attributes
    ----------
    location : numpy.ndarray
        The point, flattened to shape ``(d,)``.
    kind : str
        ``"minimum"``, ``"maximum"``, ``"saddle"``, ``"degenerate"`` (the gradient
        vanishes but a zero eigenvalue leaves the test inconclusive) or
        ``"not critical"``.
    eigenvalues : numpy.ndarray
        Eigenvalues of the Hessian, ascending.
    gradient_norm : float
        Euclidean norm of the gradient.
    """

    location: np.ndarray
    kind: str
    eigenvalues: np.ndarray
    gradient_norm: float

    @property
    def index(self) -> float:
        """Fraction of the Hessian's eigenvalues that are negative."""
        return float(np.mean(self.eigenvalues < 0))


def _check_tolerances(grad_tol: float, eig_tol: float) -> None:
    if not (grad_tol >= 0 and eig_tol >= 0):  # also rejects NaN
        raise ValueError(
            f"grad_tol and eig_tol must be non-negative numbers, got grad_tol={grad_tol!r} "
            f"and eig_tol={eig_tol!r}"
        )


def classify_eigenvalues(
    eigenvalues: np.ndarray, gradient_norm: float = 0.0, *, grad_tol: float = 1e-6,
    eig_tol: float = 1e-8,
) -> str:
    """Name the kind of point from its gradient norm and Hessian eigenvalues.

    A point with eigenvalues of both signs is a saddle even if some eigenvalues
    are zero; a zero eigenvalue with all others of one sign is ``"degenerate"``.

    Examples
    --------
    >>> classify_eigenvalues(np.array([-2.0, 2.0]))
    'saddle'
    >>> classify_eigenvalues(np.array([0.0, 1.0]))
    'degenerate'
    """
    _check_tolerances(grad_tol, eig_tol)
    if gradient_norm > grad_tol:
        return "not critical"
    eigenvalues = np.asarray(eigenvalues, dtype=float)
    positive = eigenvalues > eig_tol
    negative = eigenvalues < -eig_tol
    if positive.any() and negative.any():
        return "saddle"
    if positive.all():
        return "minimum"
    if negative.all():
        return "maximum"
    return "degenerate"


def critical_point(
    f: Scalar, x: Any, *, grad_tol: float = 1e-6, eig_tol: float = 1e-8
) -> CriticalPoint:
    r"""Classify ``x`` for the scalar function ``f`` by the second-derivative test.

    Parameters
    ----------
    f : callable
        A scalar function of one array; a :mod:`d2lopt.landscapes` landscape works.
    x : array
        The point, of any supported framework; a scalar for one-dimensional ``f``.
    grad_tol : float
        ``x`` counts as critical when :math:`\|\nabla f(x)\| \le` ``grad_tol``.
    eig_tol : float
        Eigenvalues with absolute value at most ``eig_tol`` count as zero.

    Returns
    -------
    CriticalPoint

    Examples
    --------
    >>> import numpy as np
    >>> point = critical_point(lambda x: x[0] ** 2 - x[1] ** 2, np.zeros(2))
    >>> point.kind, point.eigenvalues.tolist()
    ('saddle', [-2.0, 2.0])
    >>> critical_point(lambda x: x ** 3, 0.0).kind
    'degenerate'
    """
    _check_tolerances(grad_tol, eig_tol)
    backend, x = as_array(x)
    g = backend.to_numpy(backend.grad(f, x)).ravel()
    h = backend.to_numpy(backend.hessian(f, x))
    d = g.size
    h = h.reshape(d, d)
    eigenvalues = np.linalg.eigvalsh(0.5 * (h + h.T))
    norm = float(np.linalg.norm(g))
    kind = classify_eigenvalues(eigenvalues, norm, grad_tol=grad_tol, eig_tol=eig_tol)
    return CriticalPoint(
        location=backend.to_numpy(x).ravel(), kind=kind, eigenvalues=eigenvalues,
        gradient_norm=norm,
    )
