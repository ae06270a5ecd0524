"""Tests of d2lopt.nets.directions: filter normalization, slices, and the ReLU rescaling."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from torch.nn.utils import vector_to_parameters  # noqa: E402

from d2lopt import nets  # noqa: E402
from d2lopt.nets.directions import (  # noqa: E402
    filter_normalized_direction,
    gaussian_direction,
    loss_slice,
    loss_surface,
    rescale_layer_pair,
)


def problem(seed=0, sizes=(5, 7, 6, 3)):
    gen = torch.Generator().manual_seed(seed)
    X = torch.randn(20, sizes[0], generator=gen, dtype=torch.float64)
    y = torch.randint(0, sizes[-1], (20,), generator=gen)
    return nets.mlp(sizes, "relu", "he", seed=seed, dtype=torch.float64), X, y


def reference_loss(model, theta, X, y):
    """The loss at θ by writing θ into a copy of the model (no torch.func)."""
    import copy

    m = copy.deepcopy(model)
    with torch.no_grad():
        vector_to_parameters(theta, m.parameters())
        return float(torch.nn.functional.cross_entropy(m(X), y))


def split(model, d):
    out, start = [], 0
    for p in model.parameters():
        out.append(d[start:start + p.numel()].view(p.shape))
        start += p.numel()
    return out


def test_each_filter_has_the_norm_of_the_weights_filter_and_biases_are_zero():
    net, _, _ = problem()
    d = filter_normalized_direction(net, torch.Generator().manual_seed(3))
    assert d.shape == nets.flat_parameters(net).shape
    for p, dp in zip(net.parameters(), split(net, d), strict=True):
        if p.ndim == 2:
            torch.testing.assert_close(dp.norm(dim=1), p.detach().norm(dim=1))
            assert not torch.allclose(dp, p.detach())  # a random direction, not the weights
        else:
            assert torch.count_nonzero(dp) == 0


def test_biases_normalized_as_a_whole_when_not_ignored():
    net, _, _ = problem()
    with torch.no_grad():
        for p in net.parameters():
            if p.ndim == 1:
                p.uniform_(-1, 1)
    d = filter_normalized_direction(net, torch.Generator().manual_seed(0), ignore_biases=False)
    for p, dp in zip(net.parameters(), split(net, d), strict=True):
        if p.ndim == 1:
            torch.testing.assert_close(dp.norm(), p.detach().norm())


def test_convolution_filters_are_normalized_per_output_channel():
    conv = torch.nn.Conv2d(3, 4, 3, dtype=torch.float64)
    d = filter_normalized_direction(conv, torch.Generator().manual_seed(0))
    w = split(conv, d)[0]
    torch.testing.assert_close(w.flatten(1).norm(dim=1),
                               conv.weight.detach().flatten(1).norm(dim=1))


def test_the_same_seed_gives_the_same_direction():
    net, _, _ = problem()
    a = filter_normalized_direction(net, torch.Generator().manual_seed(5))
    b = filter_normalized_direction(net, torch.Generator().manual_seed(5))
    c = filter_normalized_direction(net, torch.Generator().manual_seed(6))
    assert torch.equal(a, b) and not torch.equal(a, c)


def test_slices_agree_with_the_loss_written_into_the_model():
    net, X, y = problem()
    gen = torch.Generator().manual_seed(1)
    d1, d2 = filter_normalized_direction(net, gen), filter_normalized_direction(net, gen)
    theta = nets.flat_parameters(net)
    ts = np.array([-0.7, 0.0, 0.3])
    line = loss_slice(net, d1, ts, X, y)
    np.testing.assert_allclose(line, [reference_loss(net, theta + t * d1, X, y) for t in ts],
                               rtol=1e-12)
    assert line[1] == pytest.approx(float(torch.nn.functional.cross_entropy(net(X), y).detach()),
                                    rel=1e-12)
    alphas, betas = np.array([-0.5, 0.0, 0.25]), np.array([0.0, 0.4])
    Z = loss_surface(net, d1, d2, alphas, betas, X, y)
    assert Z.shape == (2, 3)
    np.testing.assert_allclose(Z[0], loss_slice(net, d1, alphas, X, y), rtol=1e-12)
    assert Z[1, 2] == pytest.approx(reference_loss(net, theta + 0.25 * d1 + 0.4 * d2, X, y),
                                    rel=1e-12)


@pytest.mark.parametrize("factor", [0.1, 3.0, 50.0])
def test_rescaled_copy_is_the_same_function_and_filter_normalized_slices_do_not_change(factor):
    net, X, y = problem()
    copy = rescale_layer_pair(net, 1, factor)
    torch.testing.assert_close(copy(X), net(X), rtol=1e-10, atol=1e-10)
    assert not torch.allclose(nets.flat_parameters(copy), nets.flat_parameters(net))
    ts = np.linspace(-1, 1, 9)
    normalized = [loss_slice(m, filter_normalized_direction(m, torch.Generator().manual_seed(2)),
                             ts, X, y) for m in (net, copy)]
    np.testing.assert_allclose(normalized[0], normalized[1], rtol=1e-9)
    g = gaussian_direction(net, torch.Generator().manual_seed(2))
    fixed = [loss_slice(m, g, ts, X, y) for m in (net, copy)]
    assert np.max(np.abs(fixed[0] - fixed[1])) > 1e-3  # the unnormalized slice sees the scale


def test_bad_input_is_rejected_early():
    net, X, y = problem()
    with pytest.raises(TypeError, match="generator"):
        filter_normalized_direction(net, 0)
    with pytest.raises(ValueError, match="direction must be a flat vector"):
        loss_slice(net, torch.zeros(3, dtype=torch.float64), [0.0], X, y)
    with pytest.raises(ValueError, match="factor must be positive"):
        rescale_layer_pair(net, 0, -1.0)
    with pytest.raises(ValueError, match="layer must be in"):
        rescale_layer_pair(net, 2, 2.0)
