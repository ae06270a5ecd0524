"""Hessian-vector products as NumPy ``matvec`` callables, and a one-call top-k for networks.

The estimators in :mod:`d2lopt.spectrum` take any ``v -> H v`` on float64
NumPy vectors. These adapters build one from a function of a flat parameter
vector (any d2lopt backend, through :func:`d2lopt.hvp`, the product
:mod:`d2lopt.nets` uses too) or from a PyTorch module and a batch; PyTorch is
imported only when a module is passed.

An iterative method multiplies by the Hessian at one point dozens of times, so
:func:`hessian_matvec` computes the gradient graph once and differentiates it
again for each vector (about one backward pass per product), where
:func:`d2lopt.hvp` redoes the forward pass and the gradient every time: on the
99,690-parameter network of ``benchmarks/hessian.py`` 58 ms against 146 ms per
product.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from d2lopt.backends import as_array
from d2lopt.derivatives import hvp
from d2lopt.spectrum._arrays import TorchArrays
from d2lopt.spectrum.lanczos import LanczosResult, lanczos

__all__ = ["HessianOperator", "hvp_matvec", "hessian_matvec", "hessian_top_eigenvalues"]


class HessianOperator:
    """A callable ``v -> H v`` on NumPy vectors that counts its calls.

    An operator built from a framework's model also multiplies that
    framework's vectors where they live, without a copy to the host:
    :meth:`native`, in the namespace ``array_namespace``
    (``d2lopt.spectrum._arrays.TorchArrays`` for PyTorch: tensors on the
    model's device in the model's dtype, float32 for a half-precision model),
    which :func:`~d2lopt.spectrum.lanczos` then uses for its basis.

    Attributes
    ----------
    dim : int
        Length of the vectors (number of parameters).
    n_calls : int
        Products computed so far (NumPy and native together).
    array_namespace : object or None
        The namespace of :meth:`native`'s vectors; None when there is only the
        NumPy product.
    """

    def __init__(self, product: Callable[[np.ndarray], np.ndarray], dim: int,
                 native: Callable[[Any], Any] | None = None,
                 array_namespace: Any = None,
                 native_block: Callable[[Any], Any] | None = None) -> None:
        self._product = product
        self._native = native
        self._native_block = native_block
        self.array_namespace = array_namespace if native is not None else None
        self.dim = int(dim)
        self.n_calls = 0

    def native(self, v: Any) -> Any:
        """``H v`` for a vector of ``array_namespace`` (a tensor on the model's device)."""
        if self._native is None:
            raise TypeError("this operator has only the NumPy product; call it on a NumPy vector")
        if tuple(v.shape) != (self.dim,):
            raise ValueError(f"expected a vector of length {self.dim}, got shape {tuple(v.shape)}")
        self.n_calls += 1
        return self._native(v)

    def native_block(self, block: Any) -> Any:
        """``H`` times each row of a ``(b, dim)`` block, batched where the operator can."""
        if tuple(block.shape[1:]) != (self.dim,) or block.ndim != 2:
            raise ValueError(f"expected a block of shape (b, {self.dim}), got "
                             f"{tuple(block.shape)}")
        if self._native_block is None:
            return _stack([self.native(row) for row in block])
        self.n_calls += block.shape[0]
        return self._native_block(block)

    def __call__(self, v: np.ndarray) -> np.ndarray:
        v = np.asarray(v, dtype=np.float64)
        if v.shape != (self.dim,):
            raise ValueError(f"expected a vector of length {self.dim}, got shape {v.shape}")
        self.n_calls += 1
        return self._product(v)

    def __repr__(self) -> str:
        return f"HessianOperator(dim={self.dim}, n_calls={self.n_calls})"


def hvp_matvec(f: Callable[[Any], Any], x: Any) -> HessianOperator:
    r"""The product :math:`v \mapsto \nabla^2 f(x)\,v` of any backend as a NumPy matvec.

    Parameters
    ----------
    f : callable
        Scalar function of a flat vector (NumPy/autograd, PyTorch or TensorFlow).
    x : array, shape (d,)
        The point; its framework and dtype are used for every product.

    Examples
    --------
    >>> import numpy as np
    >>> H = hvp_matvec(lambda x: x[0] ** 2 - 3 * x[1] ** 2, np.zeros(2))
    >>> H(np.array([1.0, 1.0])).tolist(), H.dim
    ([2.0, -6.0], 2)
    """
    backend, x = as_array(x)
    shape = backend.shape(x)
    if len(shape) != 1:
        raise ValueError(
            f"x must be a flat parameter vector, got shape {shape}; flatten it and write f "
            "as a function of the flat vector"
        )
    product = hvp(f)
    dtype = x.dtype

    def multiply(v: np.ndarray) -> np.ndarray:
        return backend.to_numpy(product(x, backend.tensor(v, dtype=dtype))).astype(np.float64)

    return HessianOperator(multiply, shape[0])


def hessian_matvec(
    model: Any, loss_fn: Callable[[Any, Any], Any], inputs: Any, targets: Any
) -> HessianOperator:
    r"""Products with the Hessian of ``loss_fn(model(inputs), targets)`` in the parameters.

    The gradient is computed once with ``create_graph=True``; each product is
    then one backward pass through it (Pearlmutter's trick, double backward),
    about the cost of two gradients, and the Hessian is never formed. The
    vector is the concatenation of the flattened parameters that require
    gradients, in ``model.parameters()`` order (as
    ``torch.nn.utils.parameters_to_vector``). Call ``model.eval()`` first if
    the model has dropout or batch normalization, so the loss is deterministic:
    a ``RuntimeWarning`` says so when such a layer is in training mode.

    Parameters
    ----------
    model : torch.nn.Module
    loss_fn : callable
        ``loss_fn(outputs, targets)`` returning a scalar tensor.
    inputs, targets : torch.Tensor
        The batch the loss is averaged over.

    Examples
    --------
    >>> import torch
    >>> model = torch.nn.Linear(2, 1, bias=False)
    >>> x = torch.tensor([[1.0, 0.0], [0.0, 2.0]]); y = torch.zeros(2, 1)
    >>> H = hessian_matvec(model, torch.nn.MSELoss(), x, y)   # H = xᵀx for mean over 2 rows
    >>> H(np.array([1.0, 1.0])).tolist()
    [1.0, 4.0]
    """
    import torch

    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    _warn_if_training(model)
    params = [p for p in model.parameters() if p.requires_grad]
    if not params:
        raise ValueError("the model has no parameters that require gradients")
    with torch.enable_grad():
        loss = loss_fn(model(inputs), targets)
        if not (isinstance(loss, torch.Tensor) and loss.dim() == 0):
            raise ValueError("loss_fn must return a scalar tensor (reduce the loss with a mean)")
        grads = torch.autograd.grad(loss, params, create_graph=True)
    # Gradients that do not depend on the parameters (a loss linear in them) add nothing.
    live = [i for i, g in enumerate(grads) if g.requires_grad]
    sizes = [p.numel() for p in params]
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    reference = params[0]

    dim = int(offsets[-1])
    # The basis dtype: the model's, float32 for half precision (see TorchArrays).
    dtype = reference.dtype if reference.dtype in (torch.float32, torch.float64) else torch.float32

    def native(v: Any) -> Any:
        """A tensor on the device in, ``H v`` in the basis dtype on the device out."""
        if not live:
            return torch.zeros(dim, dtype=dtype, device=reference.device)
        vt = v.to(dtype=reference.dtype, device=reference.device)
        chunks = [vt[offsets[i] : offsets[i + 1]].view_as(params[i]) for i in live]
        with torch.enable_grad():
            hv = torch.autograd.grad(
                [grads[i] for i in live], params, grad_outputs=chunks,
                retain_graph=True, allow_unused=True,
            )
        flat = [p.new_zeros(p.numel()) if block is None else block.detach().reshape(-1)
                for p, block in zip(params, hv, strict=True)]
        return torch.cat(flat).to(dtype)

    def native_block(block: Any) -> Any:
        """Rows of ``block`` times ``H`` in one batched double backward (``is_grads_batched``)."""
        b = block.shape[0]
        out = torch.zeros((b, dim), dtype=dtype, device=reference.device)
        if not live:
            return out
        vt = block.to(dtype=reference.dtype, device=reference.device)
        chunks = [vt[:, offsets[i] : offsets[i + 1]].reshape(b, *params[i].shape) for i in live]
        with torch.enable_grad():
            hv = torch.autograd.grad(
                [grads[i] for i in live], params, grad_outputs=chunks,
                retain_graph=True, allow_unused=True, is_grads_batched=True,
            )
        for i, piece in enumerate(hv):
            if piece is not None:
                out[:, offsets[i] : offsets[i + 1]] = piece.detach().reshape(b, -1)
        return out

    def multiply(v: np.ndarray) -> np.ndarray:
        return native(torch.from_numpy(v)).cpu().numpy().astype(np.float64)

    return HessianOperator(multiply, dim, native=native,
                           array_namespace=TorchArrays(reference.device, dtype),
                           native_block=native_block)


def _stack(rows: list[Any]) -> Any:
    import torch

    return torch.stack(rows)


def _warn_if_training(model: Any) -> None:
    """Warn when a layer whose output depends on the mode (dropout, normalization) is training."""
    import torch

    moded = (torch.nn.modules.dropout._DropoutNd, torch.nn.modules.batchnorm._NormBase)
    training = sorted({type(m).__name__ for m in model.modules()
                       if isinstance(m, moded) and m.training})
    if training:
        warnings.warn(
            f"the model is in training mode and has {', '.join(training)} layers, so each "
            "Hessian-vector product sees a different loss; call model.eval() first",
            RuntimeWarning,
            stacklevel=3,
        )


def hessian_top_eigenvalues(
    model: Any,
    loss_fn: Callable[[Any, Any], Any],
    data: tuple[Any, Any],
    k: int = 1,
    **options: Any,
) -> LanczosResult:
    """The ``k`` largest Hessian eigenvalues of a PyTorch model's loss on one batch.

    Parameters
    ----------
    model : torch.nn.Module
    loss_fn : callable
        ``loss_fn(outputs, targets)`` returning a scalar tensor.
    data : (inputs, targets)
        The batch.
    k : int, default 1
    **options
        Passed to :func:`lanczos` (``tol``, ``which``, ``max_basis``, ...).

    Examples
    --------
    >>> import torch
    >>> model = torch.nn.Linear(2, 1, bias=False)
    >>> x = torch.tensor([[1.0, 0.0], [0.0, 2.0]]); y = torch.zeros(2, 1)
    >>> result = hessian_top_eigenvalues(model, torch.nn.MSELoss(), (x, y), k=2)
    >>> result.eigenvalues.round(5).tolist()  # float32 products
    [4.0, 1.0]
    """
    if not (isinstance(data, (tuple, list)) and len(data) == 2):
        raise TypeError("data must be a pair (inputs, targets)")
    operator = hessian_matvec(model, loss_fn, *data)
    return lanczos(operator, operator.dim, k, **options)
