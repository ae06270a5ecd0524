"""Weight-space symmetry: the count n! 2^n per layer, and the relabelling of hidden units."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from d2lopt.symmetry import (
    check_params,
    equivalent_parameterizations,
    permute_hidden_units,
    relabel_hidden_units,
)


def random_params(width: int, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {"W1": rng.standard_normal((width, 2)), "b1": rng.standard_normal(width),
            "W2": rng.standard_normal((3, width)), "b2": rng.standard_normal(3)}


def network(p, x, activation=np.tanh):
    """The network W2 φ(W1 x + b1) + b2, written out again for the tests."""
    return activation(x @ p["W1"].T + p["b1"]) @ p["W2"].T + p["b2"]


@pytest.mark.parametrize("n", range(1, 13))
def test_count_is_factorial_times_power_of_two(n):
    assert equivalent_parameterizations(n) == math.factorial(n) * 2**n
    assert equivalent_parameterizations(n, sign_flips=False) == math.factorial(n)


def test_counts_multiply_across_layers_exactly():
    count = equivalent_parameterizations([100, 100])
    assert count == (math.factorial(100) * 2**100) ** 2
    assert math.log10(count) == pytest.approx(2 * (math.lgamma(101) + 100 * math.log(2))
                                              / math.log(10), rel=1e-12)
    assert equivalent_parameterizations(10) == 3_715_891_200


@pytest.mark.parametrize("width", [1, 2, 3, 4])
def test_relabelling_is_the_permutation_and_sign_matrices(width):
    # W_in' = S P W_in, b' = S P b, W_out' = W_out P^T S with P[i, perm[i]] = 1.
    p = random_params(width, seed=width)
    rng = np.random.default_rng(width)
    for perm in itertools.permutations(range(width)):
        signs = rng.choice([-1.0, 1.0], size=width)
        P = np.eye(width)[list(perm)]
        S = np.diag(signs)
        W1, b1, W2 = relabel_hidden_units(p["W1"], p["b1"], p["W2"], perm, signs)
        np.testing.assert_array_equal(W1, S @ P @ p["W1"])
        np.testing.assert_array_equal(b1, S @ P @ p["b1"])
        np.testing.assert_array_equal(W2, p["W2"] @ P.T @ S)


def test_relabelling_without_bias_or_signs():
    p = random_params(3)
    W1, b1, W2 = relabel_hidden_units(p["W1"], None, p["W2"], [2, 0, 1])
    assert b1 is None
    np.testing.assert_array_equal(W1, p["W1"][[2, 0, 1]])
    np.testing.assert_array_equal(W2, p["W2"][:, [2, 0, 1]])


@pytest.mark.parametrize("width", [1, 2, 3])
def test_every_relabelling_computes_the_same_function(width):
    params = random_params(width, seed=width)
    x = np.random.default_rng(99).standard_normal((40, 2))
    reference = network(params, x)
    seen = set()
    for perm in itertools.permutations(range(width)):
        for signs in itertools.product((1.0, -1.0), repeat=width):
            copy = permute_hidden_units(params, perm, signs)
            np.testing.assert_allclose(network(copy, x), reference, rtol=0, atol=1e-12)
            np.testing.assert_array_equal(copy["b2"], params["b2"])
            seen.add(tuple(np.concatenate([np.ravel(copy[k]) for k in ("W1", "b1", "W2")])))
    assert len(seen) == equivalent_parameterizations(width)


def test_sign_flips_break_the_function_for_a_non_odd_activation():
    # With the logistic sigmoid the sign flip is not a symmetry (sigma(-z) != -sigma(z)).
    params = random_params(2)
    flipped = permute_hidden_units(params, [0, 1], signs=[-1, 1])
    x = np.random.default_rng(1).standard_normal((10, 2))

    def sigmoid(z):
        return 1 / (1 + np.exp(-z))

    assert not np.allclose(network(flipped, x, sigmoid), network(params, x, sigmoid))
    assert np.allclose(network(flipped, x), network(params, x))
    # permutations alone are a symmetry for any activation
    for perm in itertools.permutations(range(2)):
        np.testing.assert_allclose(network(permute_hidden_units(params, perm), x, sigmoid),
                                   network(params, x, sigmoid), atol=1e-12)


def test_bad_arguments_are_rejected():
    params = random_params(3)
    with pytest.raises(ValueError, match="rearrangement"):
        permute_hidden_units(params, [0, 0, 1])
    with pytest.raises(ValueError, match="rearrangement"):
        permute_hidden_units(params, [0, 1])
    with pytest.raises(ValueError, match="signs"):
        permute_hidden_units(params, [0, 1, 2], signs=[1, 2, 1])
    with pytest.raises(ValueError, match="missing"):
        check_params({"W1": params["W1"]})
    with pytest.raises(ValueError, match="shapes"):
        check_params({**params, "W2": np.zeros((1, 4))})
    with pytest.raises(ValueError, match="shapes"):
        relabel_hidden_units(params["W1"], params["b1"], np.zeros((1, 4)), [0, 1, 2])
    with pytest.raises(ValueError, match="positive integers"):
        equivalent_parameterizations([3, 0])
