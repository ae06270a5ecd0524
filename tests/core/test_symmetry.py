"""Weight-space symmetry: the count n! 2^n per layer, checked by enumeration."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from d2lopt.symmetry import (
    equivalent_parameterizations,
    permute_hidden_units,
    symmetric_copies,
    tanh_mlp,
)


def random_params(width: int, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {"W1": rng.standard_normal((width, 2)), "b1": rng.standard_normal(width),
            "W2": rng.standard_normal((3, width)), "b2": rng.standard_normal(3)}


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
def test_every_copy_computes_the_same_function_and_all_are_distinct(width):
    params = random_params(width, seed=width)
    x = np.random.default_rng(99).standard_normal((40, 2))
    reference = tanh_mlp(params, x)
    copies = list(symmetric_copies(params))
    assert len(copies) == equivalent_parameterizations(width)
    vectors = set()
    for copy in copies:
        np.testing.assert_allclose(tanh_mlp(copy, x), reference, rtol=0, atol=1e-12)
        vectors.add(tuple(np.concatenate([np.ravel(copy[k]) for k in ("W1", "b1", "W2")])))
    assert len(vectors) == len(copies)


def test_forward_pass_matches_an_explicit_loop():
    params = random_params(3)
    x = np.array([[0.3, -1.2]])
    hidden = [math.tanh(sum(params["W1"][i, j] * x[0, j] for j in range(2)) + params["b1"][i])
              for i in range(3)]
    out = [sum(params["W2"][k, i] * hidden[i] for i in range(3)) + params["b2"][k]
           for k in range(3)]
    np.testing.assert_allclose(tanh_mlp(params, x)[0], out, rtol=1e-13)


def test_sign_flips_break_the_function_for_a_non_odd_activation():
    # With the logistic sigmoid the sign flip is not a symmetry (sigma(-z) != -sigma(z)).
    params = random_params(2)
    flipped = permute_hidden_units(params, [0, 1], signs=[-1, 1])
    x = np.random.default_rng(1).standard_normal((10, 2))

    def sigmoid_mlp(p):
        return 1 / (1 + np.exp(-(x @ p["W1"].T + p["b1"]))) @ p["W2"].T + p["b2"]

    assert not np.allclose(sigmoid_mlp(flipped), sigmoid_mlp(params))
    assert np.allclose(tanh_mlp(flipped, x), tanh_mlp(params, x))
    # permutations alone are a symmetry for any activation
    for perm in itertools.permutations(range(2)):
        np.testing.assert_allclose(sigmoid_mlp(permute_hidden_units(params, perm)),
                                   sigmoid_mlp(params), atol=1e-12)


def test_bad_arguments_are_rejected():
    params = random_params(3)
    with pytest.raises(ValueError, match="rearrangement"):
        permute_hidden_units(params, [0, 0, 1])
    with pytest.raises(ValueError, match="signs"):
        permute_hidden_units(params, [0, 1, 2], signs=[1, 2, 1])
    with pytest.raises(ValueError, match="missing"):
        tanh_mlp({"W1": params["W1"]}, np.zeros((1, 2)))
    with pytest.raises(ValueError, match="shapes"):
        tanh_mlp({**params, "W2": np.zeros((1, 4))}, np.zeros((1, 2)))
    with pytest.raises(ValueError, match="positive integers"):
        equivalent_parameterizations([3, 0])
