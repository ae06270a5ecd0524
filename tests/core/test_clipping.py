"""Gradient clipping: properties (hypothesis) and every backend."""

from __future__ import annotations

import functools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from d2lopt.optim import clip_by_norm, clip_by_value, gradient_descent
from d2lopt.optim.clipping import as_clip

gradients = arrays(np.float64, st.integers(1, 6),
                   elements=st.floats(-1e6, 1e6, allow_nan=False, allow_subnormal=False))
thresholds = st.floats(1e-3, 1e3)


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


@given(gradients, thresholds)
def test_clip_by_norm_shortens_to_max_norm_and_keeps_direction(g, max_norm):
    clipped = clip_by_norm(g, max_norm)
    norm, clipped_norm = np.linalg.norm(g), np.linalg.norm(clipped)
    assert clipped.shape == g.shape
    assert clipped_norm <= norm * (1 + 1e-12)
    assert clipped_norm <= max_norm * (1 + 1e-12)
    if norm <= max_norm:
        np.testing.assert_array_equal(clipped, g)
    else:
        assert clipped_norm == pytest.approx(max_norm, rel=1e-12)
    if norm > 1e-150:
        assert _cosine(clipped, g) == pytest.approx(1.0, abs=1e-12)


@given(gradients, thresholds)
def test_clip_by_value_bounds_each_component(g, limit):
    clipped = clip_by_value(g, limit)
    assert np.all(np.abs(clipped) <= limit)
    inside = np.abs(g) <= limit
    np.testing.assert_array_equal(clipped[inside], g[inside])
    np.testing.assert_array_equal(clipped[~inside], np.sign(g[~inside]) * limit)


def test_clip_by_value_can_turn_the_direction_clip_by_norm_cannot():
    g = np.array([3.0, 0.5])
    by_value = clip_by_value(g, 1.0)
    by_norm = clip_by_norm(g, 1.0)
    np.testing.assert_array_equal(by_value, [1.0, 0.5])
    angle = np.degrees(np.arccos(_cosine(by_value, g)))
    # atan(0.5) − atan(1/6): the direction turns by about 17 degrees
    assert angle == pytest.approx(np.degrees(np.arctan(0.5) - np.arctan(0.5 / 3.0)), rel=1e-10)
    assert angle > 10
    np.testing.assert_allclose(by_norm, g / np.linalg.norm(g), rtol=1e-15)


def test_zero_gradient_stays_zero():
    np.testing.assert_array_equal(clip_by_norm(np.zeros(3), 1.0), np.zeros(3))
    np.testing.assert_array_equal(clip_by_value(np.zeros(3), 1.0), np.zeros(3))


def test_clipping_returns_the_callers_framework(backend):
    g = backend.tensor([3.0, -4.0, 0.5])
    by_norm = clip_by_norm(g, 2.5)
    by_value = clip_by_value(g, 1.0)
    assert backend.owns(by_norm) and backend.owns(by_value)
    assert backend.shape(by_norm) == backend.shape(by_value) == (3,)
    np.testing.assert_allclose(backend.to_numpy(by_norm),
                               np.array([3.0, -4.0, 0.5]) * 2.5 / np.sqrt(25.25), rtol=1e-15)
    np.testing.assert_array_equal(backend.to_numpy(by_value), [1.0, -1.0, 0.5])
    small = backend.tensor([0.1, 0.2])
    np.testing.assert_array_equal(backend.to_numpy(clip_by_norm(small, 1.0)), [0.1, 0.2])


def test_lists_are_accepted():
    np.testing.assert_allclose(clip_by_norm([3.0, 4.0], 1.0), [0.6, 0.8], rtol=1e-15)
    np.testing.assert_array_equal(clip_by_value([3.0, -4.0], 2.0), [2.0, -2.0])


@pytest.mark.parametrize("bad", [0.0, -1.0, float("nan")])
def test_thresholds_must_be_positive(bad):
    with pytest.raises(ValueError, match="max_norm must be (positive|a finite number)"):
        clip_by_norm(np.ones(2), bad)
    with pytest.raises(ValueError, match="limit must be (positive|a finite number)"):
        clip_by_value(np.ones(2), bad)


def test_non_finite_gradient_is_an_error():
    with pytest.raises(ValueError, match="NaN or infinity"):
        clip_by_norm(np.array([np.inf, 1.0]), 1.0)


def test_tuple_and_partial_forms_agree():
    g = np.array([30.0, -40.0])
    np.testing.assert_array_equal(as_clip(("norm", 5.0))(g), clip_by_norm(g, 5.0))
    np.testing.assert_array_equal(as_clip(("value", 5.0))(g), clip_by_value(g, 5.0))
    f = lambda x: 100 * (x**2).sum()  # noqa: E731
    a = gradient_descent(f, [1.0, -2.0], steps=5, lr=0.01, clip=("norm", 1.0))
    b = gradient_descent(f, [1.0, -2.0], steps=5, lr=0.01,
                         clip=functools.partial(clip_by_norm, max_norm=1.0))
    np.testing.assert_array_equal(a.points, b.points)
    with pytest.raises(ValueError, match="max_norm must be (positive|a finite number)"):
        as_clip(("norm", 0.0))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_clip_by_value_refuses_nan_and_inf_like_clip_by_norm(bad):
    import torch

    for g in (np.array([bad, 1.0]), torch.tensor([bad, 1.0])):
        for clip in (functools.partial(clip_by_value, limit=1.0),
                     functools.partial(clip_by_norm, max_norm=1.0)):
            with pytest.raises(ValueError, match="NaN or infinity"):
                clip(g)


def test_clip_by_norm_of_a_finite_gradient_whose_norm_overflows():
    g = np.array([1e308, -1e308])
    np.testing.assert_allclose(clip_by_norm(g, 2.0), [np.sqrt(2.0), -np.sqrt(2.0)], rtol=1e-15)
