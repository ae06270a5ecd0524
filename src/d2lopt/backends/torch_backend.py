"""PyTorch adapter: derivatives through torch.autograd."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from d2lopt.backends.base import Array, Backend, Scalar


class TorchBackend(Backend):
    """PyTorch tensors, differentiated by torch.autograd."""

    name = "torch"
    array_type = "torch.Tensor"
    xp = torch

    def owns(self, x: Any) -> bool:
        return isinstance(x, torch.Tensor)

    def tensor(self, data: Any, dtype: Any = None) -> torch.Tensor:
        if isinstance(data, torch.Tensor):
            return data.to(torch.float64 if dtype is None else dtype)
        return torch.as_tensor(np.asarray(data), dtype=torch.float64 if dtype is None else dtype)

    def to_numpy(self, x: Array) -> np.ndarray:
        return x.detach().cpu().numpy().astype(float, copy=True)

    def as_float(self, x: Array) -> Array:
        return x if x.is_floating_point() else x.to(torch.float64)

    def epsilon(self, x: Array) -> float:
        return float(torch.finfo(x.dtype).eps)

    def value_and_grad(self, f: Scalar, x: Array) -> tuple[Array, Array]:
        leaf = x.detach().requires_grad_(True)
        with torch.enable_grad():
            value = f(leaf)
            self.require_scalar(value)
            (g,) = torch.autograd.grad(value, leaf, allow_unused=True)
        if g is None:
            g = torch.zeros_like(leaf)
        return value.detach(), g

    def hessian(self, f: Scalar, x: Array) -> Array:
        self.require_scalar(f(x.detach()))
        return torch.autograd.functional.hessian(f, x.detach())

    def hvp(self, f: Scalar, x: Array, v: Array) -> Array:
        self.require_scalar(f(x.detach()))
        return torch.autograd.functional.hvp(f, x.detach(), v.detach())[1]


BACKEND = TorchBackend()
