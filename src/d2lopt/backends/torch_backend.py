"""PyTorch adapter: derivatives through torch.autograd."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from d2lopt.backends.base import Array, Backend, Scalar


def _require_scalar(value: Any) -> None:
    if not isinstance(value, torch.Tensor):
        raise TypeError(
            f"the function must return a torch.Tensor computed from its input, got {type(value)}"
        )
    if value.dim() != 0:
        raise ValueError(
            f"the function must return a scalar, got an output of shape {tuple(value.shape)}; "
            "to differentiate a landscape evaluated on many points, sum its values first"
        )


class TorchBackend(Backend):
    """PyTorch tensors, differentiated by torch.autograd."""

    name = "torch"

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

    def value_and_grad(self, f: Scalar, x: Array) -> tuple[Array, Array]:
        leaf = x.detach().requires_grad_(True)
        with torch.enable_grad():
            value = f(leaf)
            _require_scalar(value)
            (g,) = torch.autograd.grad(value, leaf, allow_unused=True)
        if g is None:
            g = torch.zeros_like(leaf)
        return value.detach(), g

    def grad(self, f: Scalar, x: Array) -> Array:
        return self.value_and_grad(f, x)[1]

    def hessian(self, f: Scalar, x: Array) -> Array:
        _require_scalar(f(x.detach()))
        return torch.autograd.functional.hessian(f, x.detach())

    def hvp(self, f: Scalar, x: Array, v: Array) -> Array:
        _require_scalar(f(x.detach()))
        return torch.autograd.functional.hvp(f, x.detach(), v.detach())[1]

    cos = staticmethod(torch.cos)
    sin = staticmethod(torch.sin)
    exp = staticmethod(torch.exp)
    log = staticmethod(torch.log)
    tanh = staticmethod(torch.tanh)
    sqrt = staticmethod(torch.sqrt)
    abs = staticmethod(torch.abs)
    log1p = staticmethod(torch.log1p)
    sigmoid = staticmethod(torch.sigmoid)

    def stack(self, xs: list[Array], axis: int = 0) -> Array:
        return torch.stack(list(xs), dim=axis)

    def sum(self, x: Array, axis: int | None = None) -> Array:
        return torch.sum(x) if axis is None else torch.sum(x, dim=axis)

    def where(self, condition: Array, x: Array, y: Array) -> Array:
        return torch.where(condition, x, y)

    def shape(self, x: Array) -> tuple[int, ...]:
        return tuple(x.shape)


BACKEND = TorchBackend()
