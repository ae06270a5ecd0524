"""Argument checks shared by the spectrum estimators."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from d2lopt._checks import check_integer
from d2lopt.spectrum._arrays import NUMPY, NumpyArrays

Matvec = Callable[[np.ndarray], np.ndarray]

__all__ = [
    "Matvec", "NOT_FINITE", "SYMMETRY_RTOL", "checked_matvec", "check_dim", "check_positive_int",
    "check_symmetric", "check_symmetric_pair", "probe",
]

#: Relative asymmetry :math:`|u^\top H w - w^\top H u| / (\|u\|\|Hw\| + \|w\|\|Hu\|)`
#: above which :func:`check_symmetric` refuses ``matvec``: far above the rounding
#: of float32 products (about 1e-7 times the square root of the dimension),
#: far below the order-one asymmetry of an operator that is not symmetric.
SYMMETRY_RTOL = 1e-3


def check_dim(dim: object) -> int:
    """Return ``dim`` as a positive int (Python, NumPy or 0-d array) or raise naming it."""
    if isinstance(dim, (str, bytes)) or dim is None:
        raise TypeError(f"dim must be a positive integer (the number of parameters), got {dim!r}")
    return check_integer(dim, "dim", minimum=1)


def check_positive_int(value: object, name: str) -> int:
    """Return ``value`` as a positive int (Python, NumPy or 0-d array) or raise naming it."""
    return check_integer(value, name, minimum=1)


#: The error for a product with NaN or infinity in it.
NOT_FINITE = "matvec returned NaN or infinity: check that the loss is finite at this point"


def checked_matvec(matvec: Matvec, dim: int, xp: NumpyArrays = NUMPY, *,
                   finite: bool = True) -> Matvec:
    """Wrap ``matvec`` so each product is a finite float64 vector of length ``dim``.

    ``xp`` is the array namespace of the vectors (NumPy by default; see
    :mod:`d2lopt.spectrum._arrays`). ``finite=False`` leaves out the test for NaN
    and infinity, for a caller that takes a norm of every product anyway (one
    pass over the vector fewer).
    """
    if not callable(matvec):
        raise TypeError(
            f"matvec must be a function v -> H v on NumPy vectors, got {type(matvec).__name__}; "
            "build one with d2lopt.spectrum.hvp_matvec(f, x) or hessian_matvec(model, ...)"
        )

    def product(v: np.ndarray) -> np.ndarray:
        out = xp.coerce(matvec(v))
        if xp.shape(out) != (dim,):
            raise ValueError(
                f"matvec returned shape {xp.shape(out)}, expected ({dim},): it must map a flat "
                "vector of length dim to a flat vector of the same length"
            )
        if finite and not xp.all_finite(out):
            raise ValueError(NOT_FINITE)
        return out

    return product


def probe(rng: np.random.Generator, dim: int, distribution: str) -> np.ndarray:
    """One random probe vector with E[v vᵀ] = I: Rademacher (±1) or standard Gaussian."""
    if distribution == "rademacher":
        return rng.integers(0, 2, size=dim).astype(np.float64) * 2.0 - 1.0
    if distribution == "gaussian":
        return rng.standard_normal(dim)
    raise ValueError(f"distribution must be 'rademacher' or 'gaussian', got {distribution!r}")


def check_symmetric(product: Matvec, dim: int, xp: NumpyArrays = NUMPY) -> None:
    r"""Refuse a ``matvec`` that is visibly not symmetric, from two extra products.

    For two random vectors :math:`u, w` a symmetric :math:`H` gives
    :math:`u^\top H w = w^\top H u`; the check raises a ``ValueError`` when the two
    differ by more than ``SYMMETRY_RTOL`` relative to :math:`\|u\|\|Hw\| +
    \|w\|\|Hu\|`. The vectors come from their own generator, so the estimator's
    random draws (and results) are the same with and without the check.

    Examples
    --------
    >>> check_symmetric(lambda v: np.array([[1.0, 2.0], [2.0, 3.0]]) @ v, 2)
    >>> check_symmetric(lambda v: np.array([[0.0, 1.0], [0.0, 0.0]]) @ v, 2)
    Traceback (most recent call last):
    ...
    ValueError: matvec is not symmetric: u·Hw = ...; pass check_symmetry=False to skip this check
    """
    rng = np.random.default_rng(20140601)
    u, w = xp.asarray(rng.standard_normal(dim)), xp.asarray(rng.standard_normal(dim))
    check_symmetric_pair(u, product(u), w, product(w), xp)


def check_symmetric_pair(u: Any, hu: Any, w: Any, hw: Any, xp: NumpyArrays = NUMPY) -> None:
    r"""The test of :func:`check_symmetric` on two vectors ``u, w`` and their products.

    :func:`~d2lopt.spectrum.lanczos` runs it on its first two Lanczos vectors,
    so the check costs no extra product there.
    """
    size = max(xp.max_abs(hu), xp.max_abs(hw))
    if size < np.finfo(float).tiny:
        return  # zero, or so small (subnormal) that no relative comparison is meaningful
    hu, hw = hu / size, hw / size  # no underflow or overflow in the products below
    left, right = xp.dot(u, hw), xp.dot(w, hu)
    scale = xp.norm(u) * xp.norm(hw) + xp.norm(w) * xp.norm(hu)
    if abs(left - right) > SYMMETRY_RTOL * scale:
        left, right = left * size, right * size
        raise ValueError(
            f"matvec is not symmetric: u·Hw = {left:.6g} but w·Hu = {right:.6g} for two vectors "
            "u, w; the estimators need a symmetric operator such as a Hessian (symmetrize a "
            "matrix with (A + A.T) / 2); pass check_symmetry=False to skip this check"
        )
