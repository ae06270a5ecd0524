r"""Multilayer perceptrons with a chosen activation and initialization.

Initializations (``fan_in`` inputs, ``fan_out`` outputs of a layer; biases start at 0):

- ``"standard"``: :math:`W_{ij} \sim U[-1/\sqrt{n}, 1/\sqrt{n}]`, ``n = fan_in``, the
  heuristic Glorot & Bengio (2010) started from;
- ``"glorot"``: :math:`U[-\sqrt{6/(n_{in}+n_{out})}, \sqrt{6/(n_{in}+n_{out})}]`, their
  normalized initialization;
- ``"he"``: :math:`\mathcal N(0, 2/n_{in})` (He et al., 2015), for ReLU.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import nn

__all__ = ["ACTIVATIONS", "INITS", "SCHEMES", "initialize_", "linear_layers", "mlp",
           "two_layer_linear"]

#: Activation name -> module class.
ACTIVATIONS: dict[str, type[nn.Module]] = {
    "sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU, "linear": nn.Identity,
}

#: The initialization names :func:`mlp` accepts.
INITS = ("standard", "glorot", "he")

#: The four activation/initialization pairs of the depth experiment, label -> (activation, init).
SCHEMES: dict[str, tuple[str, str]] = {
    "sigmoid, standard init": ("sigmoid", "standard"),
    "tanh, standard init": ("tanh", "standard"),
    "tanh, Glorot init": ("tanh", "glorot"),
    "ReLU, He init": ("relu", "he"),
}


def initialize_(layer: nn.Linear, init: str, generator: torch.Generator | None = None
                ) -> nn.Linear:
    """Initialize one linear layer in place (weights by ``init``, bias 0) and return it."""
    fan_out, fan_in = layer.weight.shape
    with torch.no_grad():
        if init == "standard":
            bound = 1.0 / math.sqrt(fan_in)
            nn.init.uniform_(layer.weight, -bound, bound, generator=generator)
        elif init == "glorot":
            bound = math.sqrt(6.0 / (fan_in + fan_out))
            nn.init.uniform_(layer.weight, -bound, bound, generator=generator)
        elif init == "he":
            nn.init.normal_(layer.weight, 0.0, math.sqrt(2.0 / fan_in), generator=generator)
        else:
            raise ValueError(f"unknown init {init!r}; choose one of {INITS}")
        if layer.bias is not None:
            layer.bias.zero_()
    return layer


def mlp(sizes: Sequence[int], activation: str = "relu", init: str = "he", *,
        seed: int | None = 0, bias: bool = True, dtype: torch.dtype = torch.float32
        ) -> nn.Sequential:
    """A fully connected network ``Linear, act, Linear, act, ..., Linear``.

    Parameters
    ----------
    sizes : sequence of int
        Layer widths from input to output, e.g. ``(64, 32, 10)`` (one hidden layer).
    activation : {"sigmoid", "tanh", "relu", "linear"}
        Nonlinearity after every layer but the last.
    init : {"standard", "glorot", "he"}
        Weight initialization (see the module docstring); biases start at 0.
    seed : int or None
        Seed of the initialization (``None``: torch's global generator).
    bias : bool
        Whether the layers have biases.
    dtype : torch.dtype

    Returns
    -------
    torch.nn.Sequential

    Examples
    --------
    >>> net = mlp((64, 32, 10), "tanh", "glorot")
    >>> sum(p.numel() for p in net.parameters())
    2410
    """
    sizes = [int(s) for s in sizes]
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError("sizes needs at least an input and an output width, all >= 1, "
                         f"got {sizes}")
    if activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}; choose one of {tuple(ACTIVATIONS)}")
    if init not in INITS:
        raise ValueError(f"unknown init {init!r}; choose one of {INITS}")
    generator = None if seed is None else torch.Generator().manual_seed(seed)
    layers: list[nn.Module] = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        layers.append(initialize_(nn.Linear(n_in, n_out, bias=bias, dtype=dtype), init, generator))
        if i < len(sizes) - 2:
            layers.append(ACTIVATIONS[activation]())
    return nn.Sequential(*layers)


def two_layer_linear(d_in: int, hidden: int, d_out: int, *, seed: int | None = 0,
                     dtype: torch.dtype = torch.float64) -> nn.Sequential:
    """The linear network ``y = W2 W1 x`` (no biases), ``W1`` of shape ``(hidden, d_in)``.

    Examples
    --------
    >>> net = two_layer_linear(4, 2, 3)
    >>> [tuple(p.shape) for p in net.parameters()]
    [(2, 4), (3, 2)]
    """
    return mlp((d_in, hidden, d_out), "linear", "glorot", seed=seed, bias=False, dtype=dtype)


def linear_layers(model: nn.Module) -> list[nn.Linear]:
    """The ``nn.Linear`` layers of ``model`` in order (input to output)."""
    layers = [m for m in model.modules() if isinstance(m, nn.Linear)]
    if not layers:
        raise TypeError(f"{type(model).__name__} has no nn.Linear layers")
    return layers
