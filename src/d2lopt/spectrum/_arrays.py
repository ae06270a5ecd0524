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

    def combine(self, coefficients: np.ndarray, basis: np.ndarray) -> np.ndarray:
        """``coefficients @ basis`` for a NumPy vector or matrix of coefficients."""
        if np.ndim(coefficients) == 1:
            return np.einsum("i,ij->j", coefficients, basis)
        return np.einsum("ki,ij->kj", coefficients, basis)


class TorchArrays(NumpyArrays):
    """Float64 tensors on one device (the model's); the products run in the model's dtype.

    The basis and the reorthogonalization are in float64 on the device, so the
    basis stays orthogonal to working precision whatever the model's dtype; a
    float32 product is cast up once per product, on the device.
    """

    name = "torch"

    def __init__(self, device: Any, dtype: Any = None) -> None:
        import torch

        self.torch = torch
        self.device = torch.device(device)
        self.dtype = torch.float64 if dtype is None else dtype

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

    def combine(self, coefficients: np.ndarray, basis: Any) -> Any:
        c = self.torch.as_tensor(np.ascontiguousarray(coefficients), dtype=self.dtype,
                                 device=self.device)
        return c @ basis


NUMPY = NumpyArrays()


def namespace_of(matvec: Any) -> NumpyArrays:
    """The namespace ``matvec`` asks for (its ``array_namespace``), else :data:`NUMPY`."""
    xp = getattr(matvec, "array_namespace", None)
    return NUMPY if xp is None else xp
