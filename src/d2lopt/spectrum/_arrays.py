"""The few long-vector operations the Lanczos iteration needs, for NumPy and for PyTorch.

:func:`d2lopt.spectrum.lanczos` is written once against this tiny namespace;
the operator chooses it (a :class:`~d2lopt.spectrum.HessianOperator` built from
a PyTorch model carries a :class:`TorchArrays` on the model's device through its
``array_namespace`` attribute, any other callable gets :data:`NUMPY`). Long
vectors (length ``dim``) and the basis stay in the namespace's arrays; only
short coefficient vectors (one number per basis vector) and scalars come back
to NumPy, for the small projected matrix.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["NUMPY", "NumpyArrays", "TorchArrays", "namespace_of"]


class NumpyArrays:
    """Float64 NumPy arrays; all long-vector work through ``einsum``.

    ``einsum`` is single-threaded, not BLAS: OpenBLAS's threads keep spinning
    for a while after each call and fight those of the framework computing the
    products (PyTorch's OpenMP pool). Measured on 2 cores with a 100k-parameter
    MLP: a 15 x 100,000 projection took 33 ms through threaded BLAS right after
    a PyTorch product and 1.3 ms through ``einsum``.
    """

    name = "numpy"
    #: Unit roundoff of the arrays' dtype.
    eps = float(np.finfo(np.float64).eps)

    def empty(self, rows: int, dim: int) -> np.ndarray:
        return np.empty((rows, dim))

    def asarray(self, v: np.ndarray) -> np.ndarray:
        return np.asarray(v, dtype=np.float64)

    def to_numpy(self, v: Any) -> np.ndarray:
        return np.asarray(v, dtype=np.float64)

    def result(self, v: Any) -> Any:
        return np.asarray(v, dtype=np.float64)

    def coerce(self, v: Any) -> np.ndarray:
        """A product's output as a float64 vector of this namespace."""
        return np.asarray(v, dtype=np.float64)

    def shape(self, v: Any) -> tuple[int, ...]:
        return tuple(np.shape(v))

    def copy(self, v: Any) -> Any:
        return v.copy()

    def all_finite(self, v: np.ndarray) -> bool:
        return bool(np.all(np.isfinite(v)))

    def norm(self, w: np.ndarray) -> float:
        return float(np.sqrt(np.einsum("i,i->", w, w)))

    def dot(self, u: np.ndarray, w: np.ndarray) -> float:
        return float(np.einsum("i,i->", u, w))

    def max_abs(self, w: np.ndarray) -> float:
        return float(np.abs(w).max())

    def project(self, basis: np.ndarray, w: np.ndarray) -> np.ndarray:
        """``basis @ w`` (one coefficient per row), as NumPy."""
        return np.einsum("ij,j->i", basis, w)

    def eigh(self, matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Eigenvalues (ascending) and eigenvectors of a small symmetric float64 matrix."""
        return np.linalg.eigh(matrix)

    def subtract(self, w: Any, coefficients: np.ndarray, basis: Any) -> Any:
        """``w - coefficients @ basis`` for a NumPy vector of coefficients."""
        return w - self.combine(coefficients, basis)

    def combine(self, coefficients: np.ndarray, basis: np.ndarray) -> np.ndarray:
        """``coefficients @ basis`` for a NumPy vector or matrix of coefficients."""
        if np.ndim(coefficients) == 1:
            return np.einsum("i,ij->j", coefficients, basis)
        return np.einsum("ki,ij->kj", coefficients, basis)


class TorchArrays(NumpyArrays):
    """Tensors on one device (the model's), in one floating dtype (the basis dtype).

    :func:`~d2lopt.spectrum.hessian_matvec` asks for its model's dtype, or float32
    for a half-precision model. A float32 product carries rounding errors of
    about ``1e-7`` to ``1e-6`` of ``‖H‖`` whatever the basis, so a float64 basis
    buys no digits the products have: the basis in the products' dtype halves
    the memory and the traffic of the reorthogonalization, and the small
    projected problem is still solved in float64 (see
    :func:`~d2lopt.spectrum.lanczos`).
    """

    name = "torch"

    def __init__(self, device: Any, dtype: Any = None) -> None:
        import torch

        self.torch = torch
        self.device = torch.device(device)
        self.dtype = torch.float64 if dtype is None else dtype
        self.eps = float(torch.finfo(self.dtype).eps)

    def __repr__(self) -> str:
        return f"TorchArrays(device={self.device}, dtype={self.dtype})"

    def empty(self, rows: int, dim: int) -> Any:
        return self.torch.empty((rows, dim), dtype=self.dtype, device=self.device)

    def asarray(self, v: Any) -> Any:
        return self.torch.as_tensor(v, dtype=self.dtype, device=self.device)

    def coerce(self, v: Any) -> Any:
        if not isinstance(v, self.torch.Tensor):
            raise TypeError(
                f"matvec returned {type(v).__name__}, expected a torch.Tensor on {self.device}"
            )
        return v.to(dtype=self.dtype)

    def to_numpy(self, v: Any) -> np.ndarray:
        return v.detach().cpu().numpy().astype(np.float64)

    def result(self, v: Any) -> Any:
        return v

    def shape(self, v: Any) -> tuple[int, ...]:
        return tuple(v.shape)

    def copy(self, v: Any) -> Any:
        return v.clone()

    def all_finite(self, v: Any) -> bool:
        return bool(self.torch.isfinite(v).all())

    def norm(self, w: Any) -> float:
        return float(self.torch.linalg.vector_norm(w))

    def dot(self, u: Any, w: Any) -> float:
        return float(self.torch.dot(u, w))

    def max_abs(self, w: Any) -> float:
        return float(w.abs().max())

    def project(self, basis: Any, w: Any) -> np.ndarray:
        return (basis @ w).cpu().numpy()

    def eigh(self, matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The small problem through PyTorch's LAPACK on the host, in float64.

        Not NumPy's: from 32 rows on, its LAPACK calls threaded OpenBLAS, whose
        threads keep spinning after the call and slow the next product, which
        runs on PyTorch's threads. Measured on 2 cores with the 99,690-parameter
        MLP of ``benchmarks/hessian.py`` at top-20 (a 60-vector float64 basis):
        60 ms per Lanczos step with NumPy's ``eigh``, 23 ms with this one.
        """
        matrix = self.torch.from_numpy(np.ascontiguousarray(matrix))
        values, vectors = self.torch.linalg.eigh(matrix)
        return values.numpy(), vectors.numpy()

    def subtract(self, w: Any, coefficients: np.ndarray, basis: Any) -> Any:
        c = self.asarray(np.ascontiguousarray(coefficients))
        return self.torch.addmv(w, basis.T, c, alpha=-1)  # one kernel, no temporary

    def combine(self, coefficients: np.ndarray, basis: Any) -> Any:
        return self.asarray(np.ascontiguousarray(coefficients)) @ basis


NUMPY = NumpyArrays()


def namespace_of(matvec: Any) -> NumpyArrays:
    """The namespace ``matvec`` asks for (its ``array_namespace``), else :data:`NUMPY`."""
    xp = getattr(matvec, "array_namespace", None)
    return NUMPY if xp is None else xp
