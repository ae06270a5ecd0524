"""Classifying a point by its gradient and the eigenvalues of its Hessian."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from d2lopt._checks import check_callable, check_real
from d2lopt.backends import as_array
from d2lopt.backends.mismatch import call_checked
from d2lopt.derivatives import Scalar

Kind = Literal["minimum", "maximum", "saddle", "degenerate", "not critical"]
KINDS: tuple[str, ...] = ("minimum", "maximum", "saddle", "degenerate", "not critical")

__all__ = ["CriticalPoint", "critical_point", "classify_eigenvalues", "default_tolerances",
           "KINDS"]


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


def default_tolerances(epsilon: float, scale: float) -> tuple[float, float]:
    r"""The default ``(grad_tol, eig_tol)`` for a dtype of machine epsilon ``epsilon``.

    Both follow the caller's precision and the size of the Hessian,
    :math:`s = \max(1, \max_i |\lambda_i|)`:

    - ``grad_tol`` :math:`= \varepsilon^{1/3} s`, the gradient test of Dennis
      and Schnabel: 6.1e-6 in float64 and 4.9e-3 in float32 (for :math:`s = 1`);
    - ``eig_tol`` :math:`= \sqrt{\varepsilon}\, s`, half the digits of the
      largest eigenvalue: 1.5e-8 in float64 and 3.5e-4 in float32.

    Rounding in a float32 Hessian leaves its zero eigenvalues near
    :math:`10^{-8}` times its largest, which an absolute ``1e-8`` would read as
    signs; relative to :math:`\sqrt{\varepsilon}` they count as zero.

    Examples
    --------
    >>> import numpy as np
    >>> grad_tol, eig_tol = default_tolerances(float(np.finfo(np.float64).eps), 1.0)
    >>> f"{grad_tol:.2g} {eig_tol:.2g}"
    '6.1e-06 1.5e-08'
    >>> [f"{t:.2g}" for t in default_tolerances(float(np.finfo(np.float32).eps), 100.0)]
    ['0.49', '0.035']
    """
    epsilon = check_real(epsilon, "epsilon", positive=True, below=1.0)
    scale = max(1.0, check_real(scale, "scale", nonnegative=True))
    return epsilon ** (1 / 3) * scale, epsilon ** 0.5 * scale


def _checked_eigenvalues(eigenvalues: Any) -> np.ndarray:
    raw = np.asarray(eigenvalues)
    if raw.dtype.kind == "c":
        raise TypeError("eigenvalues must be real (a symmetric matrix has real eigenvalues); "
                        "got complex values")
    if raw.dtype.kind not in "biuf":
        raise TypeError(f"eigenvalues must be an array of real numbers, got "
                        f"{type(eigenvalues).__name__} of dtype {raw.dtype}")
    values = raw.astype(float).ravel()
    if values.size == 0:
        raise ValueError("eigenvalues is empty: a point in d dimensions has d eigenvalues")
    if not np.all(np.isfinite(values)):
        raise ValueError(f"eigenvalues contains NaN or infinity ({values}); the Hessian is not "
                         "defined there, so the point has no kind")
    return values


def classify_eigenvalues(
    eigenvalues: np.ndarray, gradient_norm: float = 0.0, *, grad_tol: float = 1e-6,
    eig_tol: float = 1e-8,
) -> str:
    """Name the kind of point from its gradient norm and Hessian eigenvalues.

    A point with eigenvalues of both signs is a saddle even if some eigenvalues
    are zero; a zero eigenvalue with all others of one sign is ``"degenerate"``.
    The tolerances here are absolute; :func:`d2lopt.critical_point` chooses them from
    the precision of ``x`` (:func:`~d2lopt.critical.default_tolerances`).

    Raises
    ------
    ValueError
        If ``eigenvalues`` is empty or holds NaN or infinity, ``gradient_norm``
        is negative, NaN or infinite, or a tolerance is negative or NaN.
    TypeError
        If ``eigenvalues`` is complex or not numbers.

    Examples
    --------
    >>> classify_eigenvalues(np.array([-2.0, 2.0]))
    'saddle'
    >>> classify_eigenvalues(np.array([0.0, 1.0]))
    'degenerate'
    >>> classify_eigenvalues(np.array([np.nan, 1.0]))
    Traceback (most recent call last):
    ...
    ValueError: eigenvalues contains NaN or infinity ([nan  1.]); ...
    """
    grad_tol = check_real(grad_tol, "grad_tol", nonnegative=True, finite=False)
    eig_tol = check_real(eig_tol, "eig_tol", nonnegative=True, finite=False)
    gradient_norm = check_real(gradient_norm, "gradient_norm", nonnegative=True)
    eigenvalues = _checked_eigenvalues(eigenvalues)
    if gradient_norm > grad_tol:
        return "not critical"
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
    f: Scalar, x: Any, *, grad_tol: float | None = None, eig_tol: float | None = None
) -> CriticalPoint:
    r"""Classify ``x`` for the scalar function ``f`` by the second-derivative test.

    Parameters
    ----------
    f : callable
        A scalar function of one array; a :mod:`d2lopt.landscapes` landscape works.
    x : array
        The point, of any supported framework, real, finite and non-empty; a
        scalar for one-dimensional ``f``. Its dtype sets the default tolerances.
    grad_tol : float, optional
        ``x`` counts as critical when :math:`\|\nabla f(x)\| \le` ``grad_tol``.
        Default: :math:`\varepsilon^{1/3} s` (:func:`~d2lopt.critical.default_tolerances`), with
        :math:`\varepsilon` the machine epsilon of ``x``'s dtype and
        :math:`s = \max(1, \max_i|\lambda_i|)`: 6.1e-6 in float64, 4.9e-3 in float32.
    eig_tol : float, optional
        Eigenvalues with absolute value at most ``eig_tol`` count as zero.
        Default: :math:`\sqrt{\varepsilon}\, s`: 1.5e-8 in float64, 3.5e-4 in float32.

    Returns
    -------
    CriticalPoint

    Raises
    ------
    ValueError
        If ``x`` is empty or not finite, or ``f``, its gradient or its Hessian is
        NaN or infinite at ``x`` (such a point has no kind).
    TypeError
        If ``f`` is not callable, ``x`` is complex or of no supported framework,
        or ``f`` uses another framework's operations than ``x``'s.

    Examples
    --------
    >>> import numpy as np
    >>> point = critical_point(lambda x: x[0] ** 2 - x[1] ** 2, np.zeros(2))
    >>> point.kind, point.eigenvalues.tolist()
    ('saddle', [-2.0, 2.0])
    >>> critical_point(lambda x: x ** 3, 0.0).kind
    'degenerate'
    """
    check_callable(f)
    if grad_tol is not None:
        grad_tol = check_real(grad_tol, "grad_tol", nonnegative=True, finite=False)
    if eig_tol is not None:
        eig_tol = check_real(eig_tol, "eig_tol", nonnegative=True, finite=False)
    backend, x = as_array(x)
    value, g = call_checked(backend.value_and_grad, f, x, backend)
    h = backend.to_numpy(call_checked(backend.hessian, f, x, backend))
    value, g = backend.to_numpy(value), backend.to_numpy(g).ravel()
    for what, array in (("f(x)", value), ("the gradient", g), ("the Hessian", h)):
        if not np.all(np.isfinite(array)):
            raise ValueError(f"{what} is NaN or infinite at x = {backend.to_numpy(x)}; the "
                             "second-derivative test needs finite derivatives, so the point "
                             "has no kind")
    d = g.size
    h = h.reshape(d, d)
    eigenvalues = np.linalg.eigvalsh(0.5 * (h + h.T))
    norm = float(np.linalg.norm(g))
    default_grad, default_eig = default_tolerances(backend.epsilon(x),
                                                   float(np.max(np.abs(eigenvalues))))
    kind = classify_eigenvalues(
        eigenvalues, norm, grad_tol=default_grad if grad_tol is None else grad_tol,
        eig_tol=default_eig if eig_tol is None else eig_tol,
    )
    return CriticalPoint(
        location=backend.to_numpy(x).ravel(), kind=kind, eigenvalues=eigenvalues,
        gradient_norm=norm,
    )
