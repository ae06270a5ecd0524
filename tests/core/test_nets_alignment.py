"""Tests of d2lopt.nets.alignment: weight matching against brute force, and the loss barrier."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("scipy")

from d2lopt import nets  # noqa: E402
from d2lopt.nets.alignment import interpolation_barrier, weight_matching  # noqa: E402


def data(d=4, k=3, n=30, seed=0):
    gen = torch.Generator().manual_seed(seed)
    return (torch.randn(n, d, generator=gen, dtype=torch.float64),
            torch.randint(0, k, (n,), generator=gen))


def with_random_biases(net, seed):
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in nets.linear_layers(net):
            m.bias.copy_(torch.randn(m.bias.shape, generator=gen, dtype=m.bias.dtype))
    return net


@pytest.mark.parametrize("sizes", [(4, 9, 3), (4, 8, 6, 3)])
def test_a_randomly_permuted_copy_is_matched_back(sizes):
    a = with_random_biases(nets.mlp(sizes, "relu", "he", seed=1, dtype=torch.float64), 2)
    b = nets.random_symmetry(a, torch.Generator().manual_seed(7))
    X, _ = data(sizes[0])
    torch.testing.assert_close(b(X), a(X))
    assert not torch.equal(nets.flat_parameters(b), nets.flat_parameters(a))
    m = weight_matching(a, b)
    assert torch.equal(nets.flat_parameters(m.model), nets.flat_parameters(a))
    # composing B's relabelling of A with the matching gives the identity
    for layer, p in enumerate(m.permutations):
        W_a = nets.linear_layers(a)[layer].weight
        W_b = nets.linear_layers(b)[layer].weight
        prev = m.permutations[layer - 1] if layer else np.arange(sizes[0])
        torch.testing.assert_close(W_b[p][:, prev], W_a, rtol=0, atol=0)
    np.testing.assert_array_equal(
        weight_matching(a, a).permutations[0], np.arange(sizes[1]))


def objective(a, b, p):
    (Wa1, Wa2), (Wb1, Wb2) = ([m.weight.detach() for m in nets.linear_layers(n)] for n in (a, b))
    ba, bb = (nets.linear_layers(n)[0].bias.detach() for n in (a, b))
    return float((Wa1 * Wb1[p]).sum() + (ba * bb[p]).sum() + (Wa2 * Wb2[:, p]).sum())


def test_one_hidden_layer_matching_is_the_best_permutation_by_brute_force():
    a = with_random_biases(nets.mlp((4, 6, 3), "relu", "he", seed=0, dtype=torch.float64), 5)
    b = with_random_biases(nets.mlp((4, 6, 3), "relu", "he", seed=1, dtype=torch.float64), 6)
    m = weight_matching(a, b)
    best = max(itertools.permutations(range(6)), key=lambda p: objective(a, b, list(p)))
    assert m.permutations[0].tolist() == list(best)
    X, _ = data()
    torch.testing.assert_close(m.model(X), b(X))  # the matched B is B's function


def test_barrier_of_a_net_with_itself_is_zero_and_of_two_nets_is_the_chord_excess():
    X, y = data()
    a = nets.mlp((4, 8, 3), "relu", "he", seed=0, dtype=torch.float64)
    b = nets.mlp((4, 8, 3), "relu", "he", seed=1, dtype=torch.float64)
    assert interpolation_barrier(a, a, X, y)[0] == pytest.approx(0.0, abs=1e-12)
    barrier, alphas, losses = interpolation_barrier(a, b, X, y, alphas=np.linspace(0, 1, 21))
    theta_a, theta_b = nets.flat_parameters(a), nets.flat_parameters(b)
    net = nets.mlp((4, 8, 3), "relu", "he", dtype=torch.float64)
    reference = []
    for t in alphas:
        nets.set_flat_parameters(net, (1 - t) * theta_a + t * theta_b)
        with torch.no_grad():
            reference.append(float(torch.nn.functional.cross_entropy(net(X), y)))
    reference = np.array(reference)
    np.testing.assert_allclose(losses, reference, rtol=1e-12)
    chord = (1 - alphas) * reference[0] + alphas * reference[-1]
    assert barrier == pytest.approx(np.max(reference - chord), rel=1e-10)


def test_bad_input_is_rejected():
    a = nets.mlp((4, 8, 3))
    X, y = data()
    with pytest.raises(ValueError, match="same layer shapes"):
        weight_matching(a, nets.mlp((4, 5, 3)))
    with pytest.raises(ValueError, match="no hidden layer"):
        weight_matching(torch.nn.Linear(4, 3), torch.nn.Linear(4, 3))
    with pytest.raises(ValueError, match="alphas"):
        interpolation_barrier(a, a, X.float(), y, alphas=np.array([0.0, 2.0]))
