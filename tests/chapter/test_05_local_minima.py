"""Local minima (section 5): the minima of x cos(pi x), their basins and weight-space symmetry.

Every number the page glues is recomputed by an independent route: SciPy's
bounded minimizer, the closed-form second derivative, a fine grid, exact
counts. The tests of :mod:`d2lopt.symmetry` itself are in tests/core.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from chapter_pages import page_glue, run_solution, settings_problems, snippet_outputs
from scipy.optimize import minimize_scalar

import d2lopt
from d2lopt import optim
from d2lopt.chapter.local_minima import SETTINGS, risk_extrema
from d2lopt.landscapes import risk, tanh_unit
from d2lopt.landscapes.tanh_unit import TANH_UNIT_INPUTS, TANH_UNIT_TEACHER
from d2lopt.plot.numbers import format_number
from d2lopt.symmetry import equivalent_parameterizations


def risk_second_derivative(x: float) -> float:
    return -2 * math.pi * math.sin(math.pi * x) - math.pi**2 * x * math.cos(math.pi * x)


def scipy_minimum(bounds: tuple[float, float]):
    return minimize_scalar(risk, bounds=bounds, method="bounded", options={"xatol": 1e-12})


def test_snippets_find_both_minima():
    expected_local = scipy_minimum((-1.0, 0.0)).x
    expected_global = scipy_minimum((0.5, 1.5)).x
    for out in snippet_outputs("05_local_minima.md").values():
        x_local, x_global = (float(v) for v in re.findall(r"x = (-?\d+\.\d+)", out))
        assert x_local == pytest.approx(expected_local, abs=2e-6)
        assert x_global == pytest.approx(expected_global, abs=2e-6)


def test_minima_of_x_cos_pi_x():
    local_min, global_min, maximum = risk_extrema()
    for point, bounds in ((local_min, (-1.0, 0.0)), (global_min, (0.5, 1.5))):
        found = scipy_minimum(bounds)
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


def test_basins_split_at_the_maximum():
    local_min, _, maximum = risk_extrema()
    starts = np.linspace(*risk.domain[0], SETTINGS.starts)
    finals = np.array([optim.gradient_descent(risk, s, steps=SETTINGS.steps, lr=SETTINGS.lr)
                       .final[0] for s in starts])
    in_local = np.isclose(finals, float(local_min.array), atol=SETTINGS.basin_atol)
    assert int(in_local.sum()) == int(np.sum(starts < float(maximum.array)))
    assert np.all(in_local == (starts < float(maximum.array)))


def test_symmetry_numbers_and_the_tanh_unit_saddle():
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


def test_page_and_scripts_take_their_values_from_the_settings():
    assert settings_problems("05_local_minima.md") == []


def test_glued_values_are_those_of_the_settings():
    g = page_glue("05_local_minima.md")
    local_fit, global_fit = scipy_minimum((-1.0, 0.0)), scipy_minimum((0.5, 1.5))
    assert g["lm_local_x"] == format_number(local_fit.x, 3)
    assert g["lm_global_x"] == format_number(global_fit.x, 3)
    assert g["lm_local_f"] == format_number(local_fit.fun, 4)
    assert g["lm_global_f"] == format_number(global_fit.fun, 4)
    assert g["lm_max_x"] == format_number(-local_fit.x, 3)
    assert g["lm_local_curv"] == format_number(risk_second_derivative(local_fit.x), 3)
    assert g["lm_global_curv"] == format_number(risk_second_derivative(global_fit.x), 3)
    # the basin of the local minimum is [-1, maximum): the starts left of the maximum
    lo, hi = risk.domain[0]
    starts = np.linspace(lo, hi, SETTINGS.starts)
    assert g["lm_starts"] == str(SETTINGS.starts)
    assert g["lm_gd_local"] == str(int(np.sum(starts < -local_fit.x)))
    assert g["lm_basin_fraction"] == format_number(100 * (-local_fit.x - lo) / (hi - lo), 3)
    n = SETTINGS.width
    assert g["lm_width"] == str(n)
    assert g["lm_sym_10"] == format_number(math.factorial(n) * 2**n, 4)
    assert g["lm_perm_10"] == format_number(math.factorial(n), 4)
    log10 = sum(math.lgamma(w + 1) + w * math.log(2) for w in SETTINGS.layer_widths)
    assert g["lm_log10_two_layers"] == format_number(log10 / math.log(10), 3)
    assert (g["lm_teacher_a"], g["lm_teacher_b"]) == tuple(format_number(v, trim=True)
                                                           for v in TANH_UNIT_TEACHER)
    y = TANH_UNIT_TEACHER[0] * np.tanh(TANH_UNIT_TEACHER[1] * TANH_UNIT_INPUTS)
    c = float(np.mean(TANH_UNIT_INPUTS * y))
    assert g["lm_unit_saddle_eig"] == format_number(2 * c, 3)
    assert g["lm_unit_saddle_f"] == format_number(float(np.mean(y**2)), 3)


def test_glued_gradient_norms_are_those_of_the_real_network_run():
    torch = pytest.importorskip("torch")
    pytest.importorskip("sklearn")
    from d2lopt.nets.experiments import gradient_norm_run

    g = page_glue("05_local_minima.md")
    torch.manual_seed(0)
    h = gradient_norm_run()
    full, minibatch = np.asarray(h.grad_norm), np.asarray(h.minibatch_grad_norm)
    assert g["lm_nets_epochs"] == str(h.epochs) == str(len(full) - 1)
    assert g["lm_nets_minibatch_ratio"] == format_number(minibatch[-1] / full[-1], 2)
    assert g["lm_nets_fall"] == format_number(full[1] / full[-1], 2)
    # what the page says of them: the minibatch norm is several times the full-batch one,
    # and the full-batch norm fell by more than a factor of ten
    assert minibatch[-1] / full[-1] > 3 and full[1] / full[-1] > 10


# Exercises ---------------------------------------------------------------------------------

EX_PAGE = "05_local_minima.md"


def risk_slope(x: np.ndarray) -> np.ndarray:
    return np.cos(np.pi * x) - np.pi * x * np.sin(np.pi * x)


def test_gradient_descent_ends_match_a_plain_loop():
    from d2lopt.chapter.local_minima import gradient_descent_ends
    x0, ends = gradient_descent_ends(starts=7, steps=50, lr=0.1)
    x = np.linspace(-1.0, 2.0, 7)
    for _ in range(50):
        x = x - 0.1 * risk_slope(x)
    np.testing.assert_allclose(x0, np.linspace(-1.0, 2.0, 7))
    np.testing.assert_allclose(ends, x, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("starts", [1, 2.5, True, "3"])
def test_gradient_descent_ends_rejects_bad_starts(starts):
    from d2lopt.chapter.local_minima import gradient_descent_ends
    with pytest.raises(ValueError, match="starts"):
        gradient_descent_ends(starts=starts)


def test_exercise_copies_count():
    # the derivation's counts, by the core's counter against the factorials, and as glued
    n1, n2 = SETTINGS.exercise_layer_widths
    copies = math.factorial(n1) * 2**n1 * math.factorial(n2) * 2**n2
    perms = math.factorial(n1) * math.factorial(n2)
    assert equivalent_parameterizations([n1, n2]) == copies
    assert equivalent_parameterizations([n1, n2], sign_flips=False) == perms
    glued = page_glue(EX_PAGE)
    assert glued["lm_ex_copies"] == format_number(copies)
    assert glued["lm_ex_perms"] == format_number(perms)
    assert glued["lm_ex_units"] == format_number(n1 + n2)


def test_exercise_tanh_unit():
    namespace, printed = run_solution(EX_PAGE, "ex-05-tanh-unit")
    assert namespace["kinds"] == {"teacher": "minimum", "flipped teacher": "minimum",
                                  "origin": "saddle"}
    x = np.asarray(TANH_UNIT_INPUTS, dtype=float)
    a, b = TANH_UNIT_TEACHER
    c = np.mean(x * a * np.tanh(b * x))
    # the Hessian at the origin is [[0, -2c], [-2c, 0]]
    np.testing.assert_allclose(namespace["origin_eigenvalues"],
                               np.linalg.eigvalsh([[0.0, -2 * c], [-2 * c, 0.0]]), rtol=1e-6)
    assert f"2c = {format_number(2 * c, 3)}" in printed


def test_exercise_big_step():
    namespace, printed = run_solution(EX_PAGE, "ex-05-big-step")
    counts = namespace["counts"]
    # an independent loop on f'(x) = cos(pi x) - pi x sin(pi x), and the minima by SciPy
    local = minimize_scalar(risk, bounds=(-1.0, 0.0), method="bounded", options={"xatol": 1e-10}).x
    glob = minimize_scalar(risk, bounds=(0.5, 1.5), method="bounded", options={"xatol": 1e-10}).x
    mid_lr, big_lr = SETTINGS.exercise_lrs
    for lr in (SETTINGS.lr, mid_lr, big_lr):
        x = np.linspace(-1.0, 2.0, SETTINGS.starts)
        for _ in range(SETTINGS.steps):
            x = x - lr * risk_slope(x)
        expected = {"local": int(np.isclose(x, local, atol=SETTINGS.basin_atol).sum()),
                    "global": int(np.isclose(x, glob, atol=SETTINGS.basin_atol).sum())}
        assert counts[lr] == expected
    assert counts[mid_lr]["global"] == 0 < counts[SETTINGS.lr]["global"]
    assert counts[big_lr]["local"] == SETTINGS.starts
    assert format_number(2 / risk_second_derivative(glob), 3) in printed


def test_exercise_restarts():
    namespace, printed = run_solution(EX_PAGE, "ex-05-restarts")
    finals = namespace["restarts"].final_losses
    narrow, wide = SETTINGS.exercise_restart_widths
    assert set(finals) == {narrow, wide}
    assert all(len(v) == SETTINGS.exercise_restarts for v in finals.values())
    for width, losses in finals.items():
        assert namespace["gain"][width] == pytest.approx(np.median(losses) / np.min(losses))
    assert namespace["width_gain"] == pytest.approx(np.min(finals[narrow]) / np.max(finals[wide]))
    assert namespace["width_gain"] > max(namespace["gain"].values())
    assert format_number(namespace["width_gain"], 3) in printed
