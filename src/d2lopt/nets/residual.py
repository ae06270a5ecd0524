r"""A deep ReLU MLP made of two-layer blocks, with or without skip connections.

The same weights serve both variants, which differ only in the forward pass:
with ``skip=True`` each block computes :math:`h \leftarrow \mathrm{relu}((h + W_2\,
\mathrm{relu}(W_1 h + b_1) + b_2)/\sqrt2)` (a residual block of :cite:t:`he2016deep`;
without batch normalization the factor :math:`1/\sqrt2` keeps the activations from
doubling in variance with every block at initialization), with ``skip=False`` the plain
:math:`h \leftarrow \mathrm{relu}(W_2\,\mathrm{relu}(W_1 h + b_1) + b_2)`.
"""

from __future__ import annotations

import torch
from torch import nn

from d2lopt.nets.models import initialize_

__all__ = ["BlockMLP"]

#: The sum of a block's input and output is scaled by 1/√2, so that at initialization
#: its variance stays that of the input instead of doubling with every block.
_HALF_SQRT = 2.0 ** -0.5


class BlockMLP(nn.Module):
    """``Linear → ReLU``, then ``blocks`` two-layer blocks, then a linear read-out.

    Parameters
    ----------
    n_in, width, n_out : int
        Input, hidden and output widths.
    blocks : int
        Number of two-layer blocks (the net has ``2 * blocks + 2`` linear layers).
    skip : bool
        Add each block's input to its output (a residual network) or not (a plain one).
    init : {"standard", "glorot", "he"}
        Initialization of every layer (``d2lopt.nets.models.initialize_``).
    seed : int
        Seed of the initialization: the same seed gives the same weights for both
        values of ``skip``.
    dtype : torch.dtype

    Examples
    --------
    >>> plain = BlockMLP(64, 16, 10, blocks=3, skip=False)
    >>> res = BlockMLP(64, 16, 10, blocks=3, skip=True)
    >>> sum(p.numel() for p in res.parameters()), len(list(res.parameters()))
    (2842, 16)
    >>> all(torch.equal(a, b) for a, b in zip(plain.parameters(), res.parameters()))
    True
    """

    def __init__(self, n_in: int, width: int, n_out: int, *, blocks: int, skip: bool = True,
                 init: str = "he", seed: int = 0, dtype: torch.dtype = torch.float32) -> None:
        super().__init__()
        if min(n_in, width, n_out) < 1 or blocks < 0:
            raise ValueError(f"widths must be >= 1 and blocks >= 0, got n_in={n_in}, "
                             f"width={width}, n_out={n_out}, blocks={blocks}")
        generator = torch.Generator().manual_seed(seed)

        def linear(a: int, b: int) -> nn.Linear:
            return initialize_(nn.Linear(a, b, dtype=dtype), init, generator)

        self.skip = bool(skip)
        self.input = linear(n_in, width)
        self.blocks = nn.ModuleList(
            nn.Sequential(linear(width, width), nn.ReLU(), linear(width, width))
            for _ in range(blocks))
        self.output = linear(width, n_out)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits of shape ``(n, n_out)`` for inputs of shape ``(n, n_in)``."""
        h = torch.relu(self.input(x))
        for block in self.blocks:
            h = torch.relu((h + block(h)) * _HALF_SQRT) if self.skip else torch.relu(block(h))
        return self.output(h)
