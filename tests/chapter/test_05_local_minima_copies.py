"""Section 5: the tanh network on a parameter dict, and all n! 2^n copies of its hidden units."""

from __future__ import annotations

import math

import numpy as np
import pytest

from d2lopt.chapter.local_minima import symmetric_copies, tanh_mlp
from d2lopt.symmetry import equivalent_parameterizations


def random_params(width: int, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {"W1": rng.standard_normal((width, 2)), "b1": rng.standard_normal(width),
            "W2": rng.standard_normal((3, width)), "b2": rng.standard_normal(3)}


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


def test_without_sign_flips_only_the_permutations():
    params = random_params(3)
    copies = list(symmetric_copies(params, sign_flips=False))
    assert len(copies) == math.factorial(3) == equivalent_parameterizations(3, sign_flips=False)
    for copy in copies:  # every copy holds the same rows, only reordered
        assert sorted(map(tuple, copy["W1"])) == sorted(map(tuple, params["W1"]))


def test_forward_pass_matches_an_explicit_loop():
    params = random_params(3)
    x = np.array([[0.3, -1.2]])
    hidden = [math.tanh(sum(params["W1"][i, j] * x[0, j] for j in range(2)) + params["b1"][i])
              for i in range(3)]
    out = [sum(params["W2"][k, i] * hidden[i] for i in range(3)) + params["b2"][k]
           for k in range(3)]
    np.testing.assert_allclose(tanh_mlp(params, x)[0], out, rtol=1e-13)


def test_bad_parameters_are_rejected():
    params = random_params(3)
    with pytest.raises(ValueError, match="missing"):
        tanh_mlp({"W1": params["W1"]}, np.zeros((1, 2)))
    with pytest.raises(ValueError, match="shapes"):
        tanh_mlp({**params, "W2": np.zeros((1, 4))}, np.zeros((1, 2)))
