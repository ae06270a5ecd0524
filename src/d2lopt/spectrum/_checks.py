"""Argument checks shared by the spectrum estimators."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Matvec = Callable[[np.ndarray], np.ndarray]

__all__ = ["Matvec", "checked_matvec", "check_dim", "check_positive_int", "probe"]


def check_dim(dim: object) -> int:
    """Return ``dim`` as a positive int or raise a ValueError that says so."""
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)) or dim < 1:
        raise ValueError(f"dim must be a positive integer (the number of parameters), got {dim!r}")
    return int(dim)


def check_positive_int(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def checked_matvec(matvec: Matvec, dim: int) -> Matvec:
    """Wrap ``matvec`` so each product is a finite float64 vector of length ``dim``."""
    if not callable(matvec):
        raise TypeError(
            f"matvec must be a function v -> H v on NumPy vectors, got {type(matvec).__name__}; "
            "build one with d2lopt.spectrum.hvp_matvec(f, x) or hessian_matvec(model, ...)"
        )

    def product(v: np.ndarray) -> np.ndarray:
        out = np.asarray(matvec(v), dtype=np.float64)
        if out.shape != (dim,):
            raise ValueError(
                f"matvec returned shape {out.shape}, expected ({dim},): it must map a flat "
                "vector of length dim to a flat vector of the same length"
            )
        if not np.all(np.isfinite(out)):
            raise ValueError(
                "matvec returned NaN or infinity: check that the loss is finite at this point"
            )
        return out

    return product


def probe(rng: np.random.Generator, dim: int, distribution: str) -> np.ndarray:
    """One random probe vector with E[v vᵀ] = I: Rademacher (±1) or standard Gaussian."""
    if distribution == "rademacher":
        return rng.integers(0, 2, size=dim).astype(np.float64) * 2.0 - 1.0
    if distribution == "gaussian":
        return rng.standard_normal(dim)
    raise ValueError(f"distribution must be 'rademacher' or 'gaussian', got {distribution!r}")
