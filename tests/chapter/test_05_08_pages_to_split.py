"""Sections 5-8: every number the pages glue, recomputed by an independent route.

Each test repeats the computation of one page's hidden cell (same calls, same
settings) and checks the result against something computed differently: a
closed form, SciPy's optimizers, a hand-written gradient, exact probabilities.
The framework tabs of the four pages are executed once per installed framework.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from chapter_pages import snippet_outputs
from scipy.optimize import brentq, minimize_scalar

import d2lopt
from d2lopt import optim
from d2lopt.chapter.newton import escape_runs, nearest_critical_point
from d2lopt.chapter.saddle_points import all_positive_probability, positive_definite_fraction
from d2lopt.landscapes import (
    cliff_bias,
    cliff_onset,
    cubic,
    double_well,
    monkey_saddle,
    recurrent_cliff,
    risk,
    saddle,
    tanh_unit,
)
from d2lopt.landscapes.tanh_unit import TANH_UNIT_INPUTS, TANH_UNIT_TEACHER
from d2lopt.optim.many_starts import batched_gradient_descent, uniform_starts
from d2lopt.symmetry import equivalent_parameterizations

# The pages' structure is checked for all sections in test_chapter_pages.py.


def test_snippets_05_find_both_minima():
    expected_local = minimize_scalar(risk, bounds=(-1.0, 0.0), method="bounded",
                                     options={"xatol": 1e-10}).x
    expected_global = minimize_scalar(risk, bounds=(0.5, 1.5), method="bounded",
                                      options={"xatol": 1e-10}).x
    for out in snippet_outputs("05_local_minima.md").values():
        x_local, x_global = (float(v) for v in re.findall(r"x = (-?\d+\.\d+)", out))
        assert x_local == pytest.approx(expected_local, abs=2e-6)
        assert x_global == pytest.approx(expected_global, abs=2e-6)


def test_snippets_06_saddle_and_cubic():
    for out in snippet_outputs("06_saddle_points.md").values():
        first, second = out.splitlines()
        assert first.startswith("saddle")
        np.testing.assert_allclose([float(v) for v in re.findall(r"-?\d+\.", first)],
                                   [-2.0, 2.0])
        assert second == "degenerate"


def test_snippets_07_newton_iterates():
    x, expected = 0.2, [[0.2, 1.0]]
    for _ in range(6):
        x = 2 * x**3 / (3 * x**2 - 1)
        expected.append([x, 0.0])
    expected = np.round(np.array(expected), 6)
    for out in snippet_outputs("07_newton.md").values():
        numbers = np.array([float(v) for v in re.findall(r"-?\d+\.\d*(?:e-?\d+)?", out)])
        np.testing.assert_allclose(numbers.reshape(-1, 2), expected, atol=1e-6)


def test_snippets_08_clipping():
    unit = np.array([3.0, 1.0]) / math.sqrt(10.0)
    for out in snippet_outputs("08_cliffs.md").values():
        lines = out.splitlines()
        np.testing.assert_allclose([float(v) for v in re.findall(r"\d+\.\d*", lines[0])],
                                   unit.round(4))
        np.testing.assert_allclose([float(v) for v in re.findall(r"\d+\.\d*", lines[1])],
                                   [1.0, 1.0])


# -- section 5 -------------------------------------------------------------------

def risk_second_derivative(x: float) -> float:
    return -2 * math.pi * math.sin(math.pi * x) - math.pi**2 * x * math.cos(math.pi * x)


def test_05_minima_of_x_cos_pi_x():
    local_min, global_min = sorted(risk.points_of_kind("minimum"),
                                   key=lambda p: float(risk(p.array)), reverse=True)
    (maximum,) = risk.points_of_kind("maximum")
    for point, bounds in ((local_min, (-1.0, 0.0)), (global_min, (0.5, 1.5))):
        found = minimize_scalar(risk, bounds=bounds, method="bounded", options={"xatol": 1e-12})
        assert float(point.array) == pytest.approx(found.x, abs=1e-7)
        assert float(risk(point.array)) == pytest.approx(found.fun, abs=1e-12)
        curvature = float(d2lopt.hessian(risk)(point.array))
        assert curvature == pytest.approx(risk_second_derivative(float(point.array)), rel=1e-12)
        assert curvature > 0
    # a fine grid agrees on which is lower and where the global minimum is
    x = np.linspace(-1, 2, 3_000_001)
    assert x[np.argmin(risk(x))] == pytest.approx(float(global_min.array), abs=2e-6)
    top = maximum.array
    assert float(top) == pytest.approx(-float(local_min.array), abs=1e-12)  # f is odd
    assert risk_second_derivative(float(top)) < 0


def test_05_basins_split_at_the_maximum():
    local_min, _ = sorted(risk.points_of_kind("minimum"), key=lambda p: float(risk(p.array)),
                          reverse=True)
    (maximum,) = risk.points_of_kind("maximum")
    starts = np.linspace(-1.0, 2.0, 61)
    finals = np.array([optim.gradient_descent(risk, s, steps=300, lr=0.05).final[0]
                       for s in starts])
    in_local = np.isclose(finals, float(local_min.array), atol=1e-4)
    assert int(in_local.sum()) == int(np.sum(starts < float(maximum.array)))
    assert np.all(in_local == (starts < float(maximum.array)))


def test_05_symmetry_numbers_and_the_tanh_unit_saddle():
    assert equivalent_parameterizations(10) == math.factorial(10) * 2**10 == 3_715_891_200
    assert equivalent_parameterizations(10, sign_flips=False) == 3_628_800
    two = equivalent_parameterizations([100, 100])
    assert math.log10(two) == pytest.approx(
        (2 * math.lgamma(101) + 200 * math.log(2)) / math.log(10), rel=1e-13)
    y = TANH_UNIT_TEACHER[0] * np.tanh(TANH_UNIT_TEACHER[1] * TANH_UNIT_INPUTS)
    c = float(np.mean(TANH_UNIT_INPUTS * y))
    point = d2lopt.critical_point(tanh_unit, np.zeros(2))
    np.testing.assert_allclose(point.eigenvalues, [-2 * c, 2 * c], rtol=1e-12)
    assert float(tanh_unit(np.zeros(2))) == pytest.approx(float(np.mean(y**2)), rel=1e-13)


# -- section 6 -------------------------------------------------------------------

def test_06_hessian_eigenvalues_and_degenerate_points(backend):
    origin = backend.tensor([0.0, 0.0])
    h = backend.to_numpy(d2lopt.hessian(saddle)(origin))
    np.testing.assert_allclose(np.linalg.eigvalsh(h), [-2.0, 2.0])
    zero = backend.tensor(0.0)
    assert float(backend.to_numpy(d2lopt.hessian(cubic)(zero))) == 0.0
    assert float(backend.to_numpy(d2lopt.hessian(lambda x: x**4)(zero))) == 0.0
    assert d2lopt.critical_point(cubic, zero).kind == "degenerate"
    monkey = d2lopt.critical_point(monkey_saddle, origin)
    assert monkey.kind == "degenerate" and np.all(monkey.eigenvalues == 0)
    # x^3 is no extremum at 0; x^4 is a strict minimum although f''(0) = 0
    t = np.linspace(-1e-3, 1e-3, 11)
    assert np.any(t**3 < 0) and np.any(t**3 > 0)
    assert np.all(t[t != 0] ** 4 > 0)


def test_06_goe_table_agrees_with_exact_values():
    exact = {n: all_positive_probability(n) for n in range(1, 9)}
    for n in range(1, 9):
        est = positive_definite_fraction(n, 1_000_000, seed=n)
        if n == 1:
            assert est.probability == 0.5
        elif est.hits > 0:
            assert abs(est.probability - exact[n]) < 4 * est.standard_error
        assert exact[n] < 0.5**n or n == 1
    # the page's last row: no hit at n = 8, and a bound above the exact value
    last = positive_definite_fraction(8, 1_000_000, seed=8)
    assert last.hits == 0 and exact[8] < last.upper_bound()
    assert exact[2] == pytest.approx((1 - 1 / math.sqrt(2)) / 2, rel=1e-10)
    assert 4 * exact[2] == pytest.approx(2 - math.sqrt(2), rel=1e-10)
    log_p = [math.log(exact[n]) for n in (6, 7, 8)]
    theta = -0.5 * (log_p[2] - 2 * log_p[1] + log_p[0])
    assert theta == pytest.approx(math.log(3) / 4, abs=0.005)


# -- section 7 -------------------------------------------------------------------

def test_07_glued_runs():
    runs = escape_runs(start=np.array([0.2, 1.0]), steps=150, lr=0.1)
    kinds = {m: nearest_critical_point(double_well, r.final)[0].kind for m, r in runs.items()}
    assert kinds == {"gradient descent": "minimum", "Newton": "saddle",
                     "saddle-free Newton": "minimum", "perturbed gradient descent": "minimum"}
    newton = runs["Newton"]
    first = int(np.flatnonzero(np.linalg.norm(newton.points, axis=1) < 1e-12)[0])
    x, t = 0.2, 0
    while abs(x) >= 1e-12:  # the closed-form Newton map along x; y is 0 after one step
        x, t = 2 * x**3 / (3 * x**2 - 1), t + 1
    assert first == t
    manifold = escape_runs(start=np.array([0.0, 1.0]), steps=150, lr=0.1)
    assert manifold["gradient descent"].final[1] == pytest.approx(0.9**150, rel=1e-12)
    assert np.all(manifold["Newton"].final == 0)
    assert np.all(manifold["saddle-free Newton"].final == 0)
    pgd = manifold["perturbed gradient descent"]
    assert nearest_critical_point(double_well, pgd.final)[0].kind == "minimum"
    assert pgd.perturbations[0] == int(np.ceil(np.log(1e-3) / np.log(0.9))) + 1


# -- section 8 -------------------------------------------------------------------

def forward_gradient(w: np.ndarray, b: np.ndarray, steps: int = 50, h0: float = 0.5,
                     target: float = 0.7) -> tuple[np.ndarray, np.ndarray]:
    """Loss and gradient of (h_T - y)^2 by forward-mode recursion, written out by hand."""
    h = np.full_like(w, h0)
    dw = np.zeros_like(w)
    db = np.zeros_like(w)
    for _ in range(steps):
        new = np.tanh(w * h + b)
        slope = 1 - new**2
        dw, db = slope * (h + w * dw), slope * (1 + w * db)
        h = new
    r = h - target
    return r**2, np.stack([2 * r * dw, 2 * r * db])


def test_08_gradient_on_the_cliff_and_away_from_it():
    assert cliff_onset(0.5) == pytest.approx(4 / 3, rel=1e-15)
    b = cliff_bias(2.0, 0.5)
    g = d2lopt.grad(recurrent_cliff)(np.array([2.0, b]))
    closed = 0.4 * 0.75 * (1.5**50 - 1) / 0.5 * math.hypot(0.5, 1.0)
    assert np.linalg.norm(g) == pytest.approx(closed, rel=1e-5)
    for offset in (-0.5, 0.5):
        point = np.array([2.0, b + offset])
        auto = d2lopt.grad(recurrent_cliff)(point)
        _, hand = forward_gradient(point[:1], point[1:])
        np.testing.assert_allclose(auto, hand[:, 0], rtol=1e-10)
        h = 1e-6  # smooth here: central differences agree
        fd = [(float(recurrent_cliff(point + h * e)) - float(recurrent_cliff(point - h * e)))
              / (2 * h) for e in np.eye(2)]
        np.testing.assert_allclose(auto, fd, rtol=1e-5)


def test_08_the_single_run_thrown_off_the_cliff():
    (w_lo, w_hi), (b_lo, b_hi) = recurrent_cliff.domain
    diagonal = math.hypot(w_hi - w_lo, b_hi - b_lo)
    starts = uniform_starts(recurrent_cliff.domain, 200, seed=0)
    plain = batched_gradient_descent(recurrent_cliff, starts, steps=200, lr=0.3)
    clipped = batched_gradient_descent(recurrent_cliff, starts, steps=200, lr=0.3, max_norm=1.0)
    k = int(np.flatnonzero((plain.step_lengths.max(axis=0) > diagonal)
                           & (clipped.farthest <= diagonal))[0])
    run = optim.gradient_descent(recurrent_cliff, starts[:, k], steps=200, lr=0.3)
    # the same run with the hand-written gradient
    x = starts[:, k].copy()
    path = [x.copy()]
    for _ in range(200):
        _, g = forward_gradient(x[:1], x[1:])
        x = x - 0.3 * g[:, 0]
        path.append(x.copy())
    path = np.array(path)
    jump = int(np.argmax(np.linalg.norm(np.diff(run.points, axis=0), axis=1)))
    hand_jump = int(np.argmax(np.linalg.norm(np.diff(path, axis=0), axis=1)))
    assert jump == hand_jump
    np.testing.assert_allclose(run.points[: jump + 2], path[: jump + 2], rtol=1e-6)
    assert np.linalg.norm(run.points[jump + 1] - run.points[jump]) > diagonal
    assert run.values[-1] == pytest.approx((1.0 - 0.7) ** 2, abs=1e-6)   # h_T = 1 plateau
    kept = optim.gradient_descent(recurrent_cliff, starts[:, k], steps=200, lr=0.3,
                                  clip=("norm", 1.0))
    assert kept.values[-1] < 1e-3
    assert np.max(np.linalg.norm(np.diff(kept.points, axis=0), axis=1)) <= 0.3 + 1e-12


def test_08_fraction_thrown_far_with_and_without_clipping():
    (w_lo, w_hi), (b_lo, b_hi) = recurrent_cliff.domain
    diagonal = math.hypot(w_hi - w_lo, b_hi - b_lo)
    starts = uniform_starts(recurrent_cliff.domain, 2000, seed=0)
    plain = batched_gradient_descent(recurrent_cliff, starts, steps=200, lr=0.3)
    clipped = batched_gradient_descent(recurrent_cliff, starts, steps=200, lr=0.3, max_norm=1.0)
    # the same 2000 runs with the hand-written gradient, plain and clipped
    for runs, max_norm in ((plain, None), (clipped, 1.0)):
        x = starts.copy()
        farthest = np.zeros(x.shape[1])
        with np.errstate(over="ignore"):
            for _ in range(200):
                _, g = forward_gradient(x[0], x[1])
                if max_norm is not None:
                    norm = np.maximum(np.linalg.norm(g, axis=0), 1e-300)
                    g = g * np.minimum(1.0, max_norm / norm)
                x = x - 0.3 * g
                farthest = np.maximum(farthest, np.linalg.norm(x - starts, axis=0))
        # a cliff amplifies rounding differences, so allow a run or two to differ
        assert abs(np.sum(farthest > diagonal) - np.sum(runs.farthest > diagonal)) <= 2
    assert plain.fraction_farther_than(diagonal) > 0.005
    assert clipped.fraction_farther_than(diagonal) == 0.0
    assert clipped.farthest.max() <= 200 * 0.3


def test_08_clipping_angles():
    def angle(u, v):
        return math.degrees(math.acos(np.dot(u, v) / (np.linalg.norm(u) * np.linalg.norm(v))))

    def gradient_at(offset):  # as on the page: just above the cliff at w = 2, norm 3
        return d2lopt.grad(recurrent_cliff)(np.array([2.0, cliff_bias(2.0, 0.5) + offset]))

    s = brentq(lambda s: np.log(np.linalg.norm(gradient_at(10.0**s))) - np.log(3.0), -7, -5)
    g = gradient_at(10.0**s)
    assert np.linalg.norm(g) == pytest.approx(3.0, rel=1e-9)
    assert np.all(g > 1.0)  # so clipping by value gives exactly (1, 1)
    by_value = optim.clip_by_value(g, 1.0)
    assert angle(by_value, g) == pytest.approx(
        abs(math.degrees(math.atan2(g[1], g[0])) - 45.0), rel=1e-10)
    assert angle(optim.clip_by_norm(g, 1.0), g) == pytest.approx(0.0, abs=1e-6)
    rng = np.random.default_rng(0)
    long_g = 1e3 * rng.standard_normal(100_000)
    measured = angle(optim.clip_by_value(long_g, 1.0), long_g)
    # almost every component is clamped, leaving sign(g) ...
    assert measured == pytest.approx(angle(np.sign(long_g), long_g), abs=0.05)
    # ... whose angle with a Gaussian vector tends to arccos(E|z| / sqrt(E z^2)),
    # that is arccos(sqrt(2/pi))
    assert measured == pytest.approx(math.degrees(math.acos(math.sqrt(2 / math.pi))), abs=0.1)
