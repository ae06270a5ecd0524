"""The recurrent-unit cliff: values, the closed-form gradient on the cliff line, the jump."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.optimize import brentq

import d2lopt
from d2lopt.landscapes import cliff_bias, cliff_onset, recurrent_cliff, recurrent_loss


def final_state_loop(w: float, b: float, steps: int = 50, h0: float = 0.5) -> float:
    h = h0
    for _ in range(steps):
        h = math.tanh(w * h + b)
    return h


def test_values_match_a_plain_loop_on_every_backend(backend, rng):
    for w, b in rng.uniform([0.0, -1.5], [3.0, 1.0], size=(5, 2)):
        value = float(backend.to_numpy(recurrent_cliff(backend.tensor([w, b]))))
        assert value == pytest.approx((final_state_loop(w, b) - 0.7) ** 2, rel=1e-10, abs=1e-14)


def test_broadcasts_over_a_grid(backend):
    W, B = np.meshgrid(np.linspace(0, 3, 4), np.linspace(-1.5, 1, 3))
    values = backend.to_numpy(recurrent_cliff(backend.tensor(np.stack([W, B]))))
    loop = np.array([[(final_state_loop(w, b) - 0.7) ** 2 for w, b in zip(wr, br, strict=True)]
                     for wr, br in zip(W, B, strict=True)])
    np.testing.assert_allclose(values, loop, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("w", [1.5, 2.0])
def test_gradient_on_the_cliff_line_equals_the_closed_form(backend, w):
    h0, y, T = 0.5, 0.7, 50
    rate = w * (1 - h0**2)
    dh_db = (1 - h0**2) * (rate**T - 1) / (rate - 1)
    expected = 2 * (h0 - y) * dh_db * np.array([h0, 1.0])
    g = backend.to_numpy(d2lopt.grad(recurrent_cliff)(backend.tensor([w, cliff_bias(w, h0)])))
    # b is rounded to float64; the unstable fixed point amplifies that by rate^T
    np.testing.assert_allclose(g, expected, rtol=1e-4)


def test_below_the_onset_the_line_is_smooth():
    # For w < 1/(1 - h0^2) the fixed point is stable: the gradient stays bounded.
    w = 0.9 * cliff_onset(0.5)
    rate = w * 0.75
    g = d2lopt.grad(recurrent_cliff)(np.array([w, cliff_bias(w, 0.5)]))
    bound = 2 * 0.2 * 0.75 / (1 - rate) * math.hypot(0.5, 1.0)
    assert np.linalg.norm(g) <= bound * (1 + 1e-9)


def test_the_state_jumps_across_the_cliff():
    # Just above the line h_T is at the upper stable fixed point of h -> tanh(wh + b), just
    # below it at the lower one (found here by Brent's method).
    w = 2.0
    b = cliff_bias(w, 0.5)
    upper = brentq(lambda h: math.tanh(w * h + b) - h, 0.6, 1.0)
    lower = brentq(lambda h: math.tanh(w * h + b) - h, -1.0, 0.0)
    assert final_state_loop(w, b + 1e-3) == pytest.approx(upper, abs=1e-3)
    assert final_state_loop(w, b - 1e-3) == pytest.approx(lower, abs=1e-3)
    assert upper - lower > 1.8
    assert recurrent_cliff.final_state(np.array([w, b + 1e-3])) == pytest.approx(
        final_state_loop(w, b + 1e-3), rel=1e-12)


def test_cliff_line_and_onset_closed_forms():
    assert cliff_onset(0.5) == pytest.approx(4 / 3)
    for w in (1.0, 2.0, 3.0):
        b = cliff_bias(w, 0.5)
        assert math.tanh(w * 0.5 + b) == pytest.approx(0.5, abs=1e-15)
    np.testing.assert_allclose(cliff_bias(np.array([1.0, 2.0]), 0.5),
                               [math.atanh(0.5) - 0.5, math.atanh(0.5) - 1.0])


def test_factory_attributes_and_errors():
    f = recurrent_loss(steps=10, h0=-0.2, target=0.1)
    assert (f.steps, f.h0, f.target, f.dim) == (10, -0.2, 0.1, 2)
    assert f.critical_points == ()
    assert float(f(np.array([1.0, 0.3]))) == pytest.approx(
        (final_state_loop(1.0, 0.3, 10, -0.2) - 0.1) ** 2)
    with pytest.raises(ValueError, match="h0"):
        recurrent_loss(h0=1.0)
    with pytest.raises(ValueError, match="steps"):
        recurrent_loss(steps=0)
    with pytest.raises(ValueError, match="h0"):
        cliff_onset(-1.5)
