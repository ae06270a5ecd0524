"""Fitted rates and the standard error of a mean, against exact enumerations and closed forms."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from d2lopt.rates import (
    check_sample_sizes,
    finite_population_correction,
    fitted_rate,
    log_slope,
    standard_error,
)


def test_log_slope_recovers_a_power_law_and_a_geometric_rate():
    x = np.geomspace(1, 100, 7)
    assert log_slope(x, 5 * x**-0.7, log_x=True) == pytest.approx(-0.7, rel=1e-12)
    t = np.arange(12)
    assert log_slope(t, 3 * 0.8**t) == pytest.approx(math.log(0.8), rel=1e-12)
    assert fitted_rate(3 * 0.8**t) == pytest.approx(0.8, rel=1e-12)


@pytest.mark.parametrize(("x", "y", "log_x", "match"), [
    ([1, 2], [1.0, -1.0], False, "positive"),
    ([0, 2], [1.0, 2.0], True, "x must be positive"),
    ([1], [1.0], False, "length >= 2"),
])
def test_log_slope_rejects_what_has_no_logarithm(x, y, log_x, match):
    with pytest.raises(ValueError, match=match):
        log_slope(x, y, log_x=log_x)


def test_the_formula_is_exact_for_vectors_drawn_without_replacement():
    # RMS distance of the mean of every B-subset of 6 gradient vectors from their mean,
    # against sigma/sqrt(B) sqrt((N - B)/(N - 1)) with sigma^2 the total variance.
    G = np.random.default_rng(0).standard_normal((6, 3)) * [1.0, 3.0, 0.5]
    sigma = math.sqrt(np.mean(np.sum((G - G.mean(0)) ** 2, axis=1)))
    sizes = np.arange(1, 7)
    exact = [math.sqrt(np.mean([np.sum((G[list(s)].mean(0) - G.mean(0)) ** 2)
                                for s in itertools.combinations(range(6), B)])) for B in sizes]
    np.testing.assert_allclose(standard_error(sigma, sizes, population=6), exact, rtol=1e-12,
                               atol=1e-15)


def test_correction_closed_form_shapes_and_edges():
    n = np.array([[1, 2], [5, 9]])
    factors = finite_population_correction(n, 9)
    assert factors.shape == (2, 2)
    np.testing.assert_allclose(factors, np.sqrt((9 - n) / 8), rtol=1e-15)
    assert finite_population_correction(1, 1) == 0.0
    assert isinstance(finite_population_correction(3, 9), float)
    errors = standard_error(2.0, n)
    assert errors.shape == (2, 2)
    np.testing.assert_allclose(errors, 2.0 / np.sqrt(n), rtol=1e-15)
    assert standard_error(0.0, 4, population=4) == 0.0


def test_sample_sizes_are_checked():
    assert check_sample_sizes(3).tolist() == [3]
    assert check_sample_sizes(np.array([1, 4]), population=4).dtype == np.int64
    with pytest.raises(ValueError, match="positive integer"):
        check_sample_sizes([1, 2.5])
    with pytest.raises(ValueError, match="positive integer"):
        check_sample_sizes(0)
    with pytest.raises(ValueError, match="larger than the population"):
        finite_population_correction(5, 4)
    with pytest.raises(ValueError, match="negative"):
        standard_error(-0.1, 3)
