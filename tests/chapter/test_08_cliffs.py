"""Section 8 (cliffs and exploding gradients): the recurrent-unit cliff, and clipping.

The runs use :data:`d2lopt.chapter.cliffs.SETTINGS`, the values of
docs/chapter/08_cliffs.md and gallery/08_cliffs/; every number the page glues
is checked against an independent route: the closed-form gradient on the cliff
line, a hand-written forward-mode gradient, central differences, the limit
angle of clipping by value.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from chapter_pages import page_glue, run_solution, settings_problems, snippet_outputs
from scipy.optimize import brentq
from test_numbers import read_back

import d2lopt
from d2lopt import optim
from d2lopt.chapter import cliffs
from d2lopt.landscapes import cliff_bias, cliff_onset, recurrent_cliff
from d2lopt.optim.many_starts import uniform_starts
from d2lopt.plot.numbers import format_number

S = cliffs.SETTINGS


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


def hand_farthest(starts: np.ndarray, max_norm: float | None) -> np.ndarray:
    """Farthest distance from its start of each run, gradient descent with the hand gradient."""
    x, farthest = starts.copy(), np.zeros(starts.shape[1])
    with np.errstate(over="ignore"):
        for _ in range(S.steps):
            _, g = forward_gradient(x[0], x[1])
            if max_norm is not None:
                g = g * np.minimum(1.0, max_norm / np.maximum(np.linalg.norm(g, axis=0), 1e-300))
            x = x - S.lr * g
            farthest = np.maximum(farthest, np.linalg.norm(x - starts, axis=0))
    return farthest


@pytest.fixture(scope="module")
def many():
    starts = uniform_starts(recurrent_cliff.domain, S.count, seed=S.seed)
    return starts, *cliffs.clipping_runs(starts, steps=S.steps, lr=S.lr, max_norm=S.max_norm)


def test_window_diagonal_and_its_argument_check():
    assert cliffs.window_diagonal() == pytest.approx(math.sqrt(3**2 + 2.5**2), rel=1e-15)
    from d2lopt.landscapes import cubic
    with pytest.raises(ValueError, match="no two-dimensional window"):
        cliffs.window_diagonal(cubic)


def test_first_thrown_needs_a_thrown_run(many):
    _, plain, clipped = many
    with pytest.raises(ValueError, match="try more starts"):
        cliffs.first_thrown(plain, clipped, 1e9)


def test_gradient_on_the_cliff_and_away_from_it():
    g = page_glue("08_cliffs.md")
    assert cliff_onset(0.5) == pytest.approx(4 / 3, rel=1e-15)
    b = cliff_bias(S.w, 0.5)
    rate = S.w * (1 - 0.5**2)
    closed = 0.4 * 0.75 * (rate**50 - 1) / (rate - 1) * math.hypot(0.5, 1.0)
    assert np.linalg.norm(d2lopt.grad(recurrent_cliff)(np.array([S.w, b]))) == pytest.approx(
        closed, rel=1e-5)
    assert (g["cl_w"], g["cl_rate"], g["cl_b_cliff"]) == (
        format_number(S.w, 4, trim=True), format_number(rate, 4, trim=True), format_number(b, 6))
    assert g["cl_grad_cliff"] == g["cl_grad_closed"] == format_number(closed, 5)
    assert g["cl_grad_cliff_rounded"] == format_number(closed, 2)
    assert g["cl_onset"] == format_number(4 / 3, 5)
    assert (g["cl_h0"], g["cl_target"]) == ("0.5", format_number(recurrent_cliff.target, 4,
                                                                  trim=True))
    for name, offset in (("below", -S.away), ("above", S.away)):
        point = np.array([S.w, b + offset])
        auto = d2lopt.grad(recurrent_cliff)(point)
        _, hand = forward_gradient(point[:1], point[1:])
        np.testing.assert_allclose(auto, hand[:, 0], rtol=1e-10)
        h = 1e-6  # smooth here: central differences agree
        fd = [(float(recurrent_cliff(point + h * e)) - float(recurrent_cliff(point - h * e)))
              / (2 * h) for e in np.eye(2)]
        np.testing.assert_allclose(auto, fd, rtol=1e-5)
        assert g[f"cl_grad_{name}"] == format_number(np.linalg.norm(hand), 2)


def test_the_single_run_thrown_off_the_cliff():
    g = page_glue("08_cliffs.md")
    diagonal = cliffs.window_diagonal()
    starts = uniform_starts(recurrent_cliff.domain, S.search_count, seed=S.seed)
    k = cliffs.first_thrown(*cliffs.clipping_runs(starts, steps=S.steps, lr=S.lr,
                                                  max_norm=S.max_norm), diagonal)
    run = optim.gradient_descent(recurrent_cliff, starts[:, k], steps=S.steps, lr=S.lr)
    # the same run with the hand-written gradient
    x = starts[:, k].copy()
    path = [x.copy()]
    for _ in range(S.steps):
        _, grad = forward_gradient(x[:1], x[1:])
        x = x - S.lr * grad[:, 0]
        path.append(x.copy())
    path = np.array(path)
    jump = int(np.argmax(np.linalg.norm(np.diff(run.points, axis=0), axis=1)))
    hand_jump = int(np.argmax(np.linalg.norm(np.diff(path, axis=0), axis=1)))
    assert jump == hand_jump and g["cl_jump_step"] == jump + 1
    assert read_back(g["cl_start_w"]) == pytest.approx(starts[0, k], abs=5e-4)
    assert read_back(g["cl_start_b"]) == pytest.approx(starts[1, k], abs=5e-4)
    np.testing.assert_allclose(run.points[: jump + 2], path[: jump + 2], rtol=1e-6)
    np.testing.assert_allclose([read_back(g["cl_jump_to_w"]), read_back(g["cl_jump_to_b"])],
                               path[jump + 1], atol=0.05)
    assert np.linalg.norm(run.points[jump + 1] - run.points[jump]) > diagonal
    assert run.values[-1] == pytest.approx((1.0 - 0.7) ** 2, abs=1e-6)   # h_T = 1 plateau
    assert g["cl_plain_loss"] == format_number(run.values[-1], 3)
    kept = optim.gradient_descent(recurrent_cliff, starts[:, k], steps=S.steps, lr=S.lr,
                                  clip=("norm", S.max_norm))
    assert kept.values[-1] < S.converged and g["cl_kept_loss"] == format_number(kept.values[-1], 2)
    assert np.max(np.linalg.norm(np.diff(kept.points, axis=0), axis=1)) <= S.lr * S.max_norm + 1e-12


def test_fraction_thrown_far_with_and_without_clipping(many):
    g = page_glue("08_cliffs.md")
    starts, plain, clipped = many
    diagonal = cliffs.window_diagonal()
    # the same runs with the hand-written gradient, plain and clipped; a cliff amplifies
    # rounding differences, so allow a run or two to differ
    for name, runs, max_norm in (("plain", plain, None), ("clip", clipped, S.max_norm)):
        hand = int(np.sum(hand_farthest(starts, max_norm) > diagonal))
        assert abs(hand - np.sum(runs.farthest > diagonal)) <= 2
        assert g[f"cl_{name}_thrown_count"] == int(np.sum(runs.farthest > diagonal))
        thrown = g[f"cl_{name}_thrown_count"] / S.count
        assert g[f"cl_{name}_thrown"] == format_number(100 * thrown, 3)
        assert g[f"cl_{name}_thrown_se"] == format_number(
            100 * math.sqrt(thrown * (1 - thrown) / S.count), 2)
        assert g[f"cl_{name}_farthest"] == format_number(runs.farthest.max(), 3, trim=True)
    assert plain.fraction_farther_than(diagonal) > 0.005
    # the tail sentence: quantiles of how far the thrown runs go, from the hand-written gradient
    hand_tail = hand_farthest(starts, None)
    hand_tail = hand_tail[hand_tail > diagonal]
    for q in (50, 90):
        assert read_back(g[f"cl_plain_thrown_q{q}"]) == pytest.approx(
            np.percentile(hand_tail, q), rel=0.2)
        assert diagonal < read_back(g[f"cl_plain_thrown_q{q}"]) < plain.farthest.max() / 10
    assert clipped.fraction_farther_than(diagonal) == 0.0
    assert clipped.farthest.max() <= S.steps * S.lr * S.max_norm
    assert (g["cl_count"], g["cl_many_steps"], g["cl_lr"], g["cl_max_norm"]) == (
        S.count, S.steps, format_number(S.lr, 4, trim=True),
        format_number(S.max_norm, 4, trim=True))
    assert g["cl_max_step"] == format_number(S.lr * S.max_norm, 4, trim=True)
    assert g["cl_far"] == format_number(diagonal, 4)


def test_clipping_angles():
    g = page_glue("08_cliffs.md")

    def angle(u, v):
        cosine = np.dot(u, v) / (np.linalg.norm(u) * np.linalg.norm(v))
        return math.degrees(math.acos(min(1.0, max(-1.0, cosine))))  # parallel: 1 + 2e-16

    def gradient_at(offset):  # as on the page: just above the cliff at w, norm target_norm
        return d2lopt.grad(recurrent_cliff)(np.array([S.w, cliff_bias(S.w, 0.5) + offset]))

    s = brentq(lambda s: np.log(np.linalg.norm(gradient_at(10.0**s))) - np.log(S.target_norm),
               *S.log_offset_bracket)
    grad = gradient_at(10.0**s)
    assert np.linalg.norm(grad) == pytest.approx(S.target_norm, rel=1e-9)
    assert g["cl_g_norm"] == format_number(S.target_norm, 4, trim=True)
    assert (g["cl_g1"], g["cl_g2"]) == (format_number(grad[0], 5), format_number(grad[1], 5))
    assert np.all(grad > S.threshold)  # so clipping by value gives exactly (c, c)
    by_value = optim.clip_by_value(grad, S.threshold)
    expected = abs(math.degrees(math.atan2(grad[1], grad[0])) - 45.0)
    assert angle(by_value, grad) == pytest.approx(expected, rel=1e-10)
    assert g["cl_angle_value"] == format_number(expected, 4)
    assert angle(optim.clip_by_norm(grad, S.threshold), grad) == pytest.approx(0.0, abs=1e-6)
    assert read_back(g["cl_angle_norm"]) == pytest.approx(0.0, abs=1e-6)
    rng = np.random.default_rng(S.long_seed)
    long_g = S.long_scale * rng.standard_normal(S.long_size)
    measured = angle(optim.clip_by_value(long_g, S.threshold), long_g)
    assert g["cl_angle_long"] == format_number(measured, 4)
    assert g["cl_angle_long_rounded"] == format_number(measured, 2)
    # almost every component is clamped, leaving sign(g) ...
    assert measured == pytest.approx(angle(np.sign(long_g), long_g), abs=0.05)
    # ... whose angle with a Gaussian vector tends to arccos(E|z| / sqrt(E z^2)),
    # that is arccos(sqrt(2/pi))
    limit = math.degrees(math.acos(math.sqrt(2 / math.pi)))
    assert measured == pytest.approx(limit, abs=0.1)
    assert g["cl_angle_limit"] == format_number(limit, 4)


def test_snippets_clipping():
    unit = np.array([3.0, 1.0]) / math.sqrt(10.0)
    for out in snippet_outputs("08_cliffs.md").values():
        lines = out.splitlines()
        np.testing.assert_allclose([float(v) for v in re.findall(r"\d+\.\d*", lines[0])],
                                   unit.round(4))
        np.testing.assert_allclose([float(v) for v in re.findall(r"\d+\.\d*", lines[1])],
                                   [1.0, 1.0])


def test_page_and_scripts_take_their_values_from_the_settings():
    assert settings_problems("08_cliffs.md") == []


# Exercises ---------------------------------------------------------------------------------

EX_PAGE = "08_cliffs.md"


def test_exercise_sign_limit():
    # the derivation's limit: E|Z| / sqrt(E Z^2) = sqrt(2/pi) for a standard normal Z
    from scipy import integrate
    mean_abs, _ = integrate.quad(lambda z: abs(z) * math.exp(-z * z / 2) / math.sqrt(2 * math.pi),
                                 -math.inf, math.inf)
    assert mean_abs == pytest.approx(math.sqrt(2 / math.pi), rel=1e-10)
    g = np.random.default_rng(1).standard_normal(200_000) * 1e4
    cosine = g @ optim.clip_by_value(g, 1.0) / (np.linalg.norm(g) * np.linalg.norm(
        optim.clip_by_value(g, 1.0)))
    assert cosine == pytest.approx(math.sqrt(2 / math.pi), abs=5e-3)
    assert g @ optim.clip_by_value(g, 1.0) > 0


def test_exercise_growth():
    from d2lopt.landscapes import recurrent_loss
    namespace, printed = run_solution(EX_PAGE, "ex-08-growth")
    w = cliffs.SETTINGS.w
    expected = []
    lengths = cliffs.SETTINGS.exercise_lengths
    for steps in lengths:
        loss = recurrent_loss(steps=steps)
        h0, target = loss.h0, loss.target
        r = w * (1 - h0**2)
        # on the cliff line h_t = h0; dh_T/db sums r^k (1 - h0^2), and dh_T/dw = h0 dh_T/db
        dh_db = (1 - h0**2) * (r**steps - 1) / (r - 1)
        expected.append(abs(2 * (h0 - target)) * dh_db * math.hypot(h0, 1.0))
    np.testing.assert_allclose(namespace["norms"], expected, rtol=1e-6)
    assert namespace["slope"] == pytest.approx(np.polyfit(lengths, np.log(expected), 1)[0],
                                               rel=1e-6)
    assert namespace["slope"] == pytest.approx(math.log(w * 0.75), rel=5e-3)
    assert f"ln r = {format_number(math.log(w * 0.75), 4)}" in printed


def test_exercise_threshold():
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        namespace, printed = run_solution(EX_PAGE, "ex-08-threshold")
    outcome = namespace["outcome"]
    small, large = cliffs.SETTINGS.exercise_max_norms
    (thrown_small, converged_small), (thrown_large, converged_large) = (outcome[small],
                                                                        outcome[large])
    assert thrown_small == 0 < thrown_large
    assert converged_small < converged_large
    # the batched runs against the single-run optimizer with its own clipping: first steps
    from d2lopt.optim.many_starts import batched_gradient_descent
    s = cliffs.SETTINGS
    starts = uniform_starts(recurrent_cliff.domain, 3, seed=s.seed)
    for max_norm in (small, large):
        batched = batched_gradient_descent(recurrent_cliff, starts, steps=15, lr=s.lr,
                                           max_norm=max_norm)
        for k in range(3):
            single = optim.gradient_descent(recurrent_cliff, starts[:, k], steps=15, lr=s.lr,
                                            clip=("norm", max_norm))
            np.testing.assert_allclose(batched.points[-1, :, k], single.final, rtol=1e-7,
                                       atol=1e-9)
    assert f"{format_number(100 * converged_small, 3)} % converged" in printed
    # "fewer than without clipping": the plain runs from the same starts
    plain = batched_gradient_descent(recurrent_cliff, namespace["starts"], steps=s.steps, lr=s.lr)
    assert thrown_large < plain.fraction_farther_than(cliffs.window_diagonal(recurrent_cliff))


def test_exercise_direction():
    namespace, printed = run_solution(EX_PAGE, "ex-08-direction")
    points = namespace["points"]
    c = cliffs.SETTINGS.max_norm
    # gradients one point at a time, against the batched gradient of the solution
    assert points.shape[1] == cliffs.SETTINGS.exercise_points
    for k in range(0, cliffs.SETTINGS.exercise_points, 97):
        np.testing.assert_allclose(namespace["G"][k], d2lopt.grad(recurrent_cliff)(points[:, k]),
                                   rtol=1e-9)
    active = namespace["active"]
    assert len(active) == int(np.sum(np.linalg.norm(namespace["G"], axis=1) > c))
    # by norm: a positive multiple of g; by value: numpy's clip
    assert namespace["by_norm"].max() < 1e-4
    clipped = np.clip(active, -c, c)
    cosines = np.sum(active * clipped, axis=1) / (np.linalg.norm(active, axis=1)
                                                  * np.linalg.norm(clipped, axis=1))
    expected = np.degrees(np.arccos(np.clip(cosines, -1, 1)))
    np.testing.assert_allclose(namespace["by_value"], expected, atol=1e-6)
    assert namespace["by_value"].max() < 45   # in two dimensions at most 45 degrees
    assert f"median angle {format_number(float(np.median(namespace['by_value'])), 3)}°" in printed
