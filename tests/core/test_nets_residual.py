"""Tests of d2lopt.nets.residual: the block MLP against its formula."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from d2lopt.nets.residual import BlockMLP  # noqa: E402


def manual(net, x, skip):
    relu = torch.relu
    h = relu(net.input(x))
    for block in net.blocks:
        first, second = block[0], block[2]
        inner = second(relu(first(h)))
        h = relu((h + inner) / 2**0.5) if skip else relu(inner)
    return net.output(h)


@pytest.mark.parametrize("skip", [False, True])
def test_forward_is_the_formula(skip):
    net = BlockMLP(6, 5, 3, blocks=3, skip=skip, seed=1, dtype=torch.float64)
    x = torch.randn(4, 6, dtype=torch.float64)
    torch.testing.assert_close(net(x), manual(net, x, skip))


def test_plain_and_residual_share_weights_but_not_outputs():
    plain = BlockMLP(6, 5, 3, blocks=2, skip=False, seed=4)
    res = BlockMLP(6, 5, 3, blocks=2, skip=True, seed=4)
    assert all(torch.equal(a, b) for a, b in zip(plain.parameters(), res.parameters(),
                                                 strict=True))
    x = torch.randn(8, 6)
    assert not torch.allclose(plain(x), res(x))
    assert sum(p.numel() for p in res.parameters()) == 6 * 5 + 5 + 2 * 2 * (5 * 5 + 5) + 5 * 3 + 3


def test_skip_keeps_the_activation_scale_with_depth():
    x = torch.randn(2000, 32, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        scales = [float(BlockMLP(32, 32, 32, blocks=b, skip=True, seed=0)(x).std())
                  for b in (1, 16)]
    assert 0.2 < scales[1] / scales[0] < 5  # without the 1/√2 it would grow like 2^(b/2)


def test_bad_sizes_are_rejected():
    with pytest.raises(ValueError, match="widths must be >= 1"):
        BlockMLP(0, 4, 2, blocks=1)
