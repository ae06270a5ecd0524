"""Ill-conditioning (section 4): the Taylor model of a step and gradient descent's rate."""

from __future__ import annotations

import math

import numpy as np
import pytest
from chapter_pages import page_glue, run_solution, settings_problems
from scipy.optimize import minimize_scalar

import d2lopt
from d2lopt.chapter.ill_conditioning import (
    SETTINGS,
    TaylorStep,
    condition_number,
    gradient_descent_loss_rate,
    line_search,
    step_changes,
    steps_to_reduce,
    taylor_step,
)
from d2lopt.landscapes import quadratic, rosenbrock
from d2lopt.optim import gradient_descent
from d2lopt.plot.numbers import MINUS, format_number
from d2lopt.rates import fitted_rate, optimal_gradient_descent_lr

TAYLOR_POINT = np.array(SETTINGS.taylor_point)
ROSENBROCK_POINT = np.array(SETTINGS.rosenbrock_point)
GD_START = list(SETTINGS.start)
KAPPA = SETTINGS.taylor_kappa
XATOL = SETTINGS.line_search_xatol


def test_taylor_terms_on_the_page_quadratic(backend):
    step = taylor_step(quadratic(KAPPA), backend.tensor(TAYLOR_POINT))
    H = np.diag([1.0, KAPPA])
    g = H @ TAYLOR_POINT  # the gradient of 1/2 x'Hx
    assert step.g_dot_g == pytest.approx(g @ g, rel=1e-14)
    assert step.g_H_g == pytest.approx(g @ H @ g, rel=1e-14)
    np.testing.assert_allclose(step.gradient, g, rtol=1e-14)
    assert step.best_step == pytest.approx((g @ g) / (g @ H @ g), rel=1e-14)
    assert step.break_even_step == pytest.approx(2 * step.best_step, rel=1e-14)


def test_best_step_is_the_exact_line_search_minimizer_on_a_quadratic():
    bowl = quadratic(KAPPA)
    step = taylor_step(bowl, TAYLOR_POINT)
    search = minimize_scalar(lambda e: float(step_changes(bowl, TAYLOR_POINT, [e])[0]),
                             bounds=(0.0, 1.0), method="bounded", options={"xatol": XATOL})
    assert search.x == pytest.approx(step.best_step, abs=1e-8)
    assert search.fun == pytest.approx(step.best_change, rel=1e-10)


def test_the_expansion_is_exact_for_a_quadratic():
    bowl = quadratic(KAPPA)
    step = taylor_step(bowl, TAYLOR_POINT)
    eps = np.linspace(0.0, 1.3 * step.break_even_step, 101)
    np.testing.assert_allclose(step.predicted_change(eps), step_changes(bowl, TAYLOR_POINT, eps),
                               rtol=1e-12, atol=1e-12)
    # the change is zero at the break-even step, positive beyond it
    assert step_changes(bowl, TAYLOR_POINT, [step.break_even_step])[0] == pytest.approx(
        0.0, abs=1e-12)
    assert np.all(step_changes(bowl, TAYLOR_POINT, eps[eps > step.break_even_step * 1.001]) > 0)


def test_taylor_step_on_a_random_quadratic_matches_linear_algebra(rng):
    A = rng.normal(size=(5, 5))
    H = A @ A.T + np.eye(5)
    x = rng.normal(size=5)
    step = taylor_step(lambda v: 0.5 * v @ (H @ v), x)
    g = H @ x
    assert step.g_dot_g == pytest.approx(g @ g, rel=1e-12)
    assert step.g_H_g == pytest.approx(g @ H @ g, rel=1e-12)


def test_rosenbrock_curvature_and_true_best_step(backend):
    step = taylor_step(rosenbrock, backend.tensor(ROSENBROCK_POINT))
    H = np.asarray(d2lopt.hessian(rosenbrock)(ROSENBROCK_POINT))
    g = np.asarray(d2lopt.grad(rosenbrock)(ROSENBROCK_POINT))
    assert step.g_H_g == pytest.approx(g @ H @ g, rel=1e-10)
    # the true best step (bounded line search, as on the page) against a fine grid
    search = minimize_scalar(lambda e: float(step_changes(rosenbrock, ROSENBROCK_POINT, [e])[0]),
                             bounds=(0.0, step.break_even_step), method="bounded",
                             options={"xatol": XATOL})
    assert line_search(rosenbrock, ROSENBROCK_POINT, step.break_even_step) == (search.x,
                                                                               search.fun)
    grid = np.linspace(0.0, step.break_even_step, 20001)
    changes = step_changes(rosenbrock, ROSENBROCK_POINT, grid)
    assert search.x == pytest.approx(grid[np.argmin(changes)], abs=2 * grid[1])
    assert search.x > step.best_step  # the quartic term makes the true valley wider


def test_no_positive_curvature_means_no_best_step():
    step = TaylorStep(np.array([1.0, 0.0]), 1.0, -2.0)
    assert step.best_step == float("inf")
    assert step.best_change == float("-inf")


@pytest.mark.parametrize("kappa", SETTINGS.kappas)
def test_gradient_descent_loss_contracts_by_the_predicted_factor(backend, kappa):
    bowl = quadratic(kappa)
    lr = optimal_gradient_descent_lr(*bowl.eigenvalues)
    run = gradient_descent(bowl, backend.tensor(GD_START), steps=SETTINGS.steps, lr=lr)
    rate = ((kappa - 1) / (kappa + 1)) ** 2
    assert gradient_descent_loss_rate(kappa) == pytest.approx(rate, abs=1e-15)
    if kappa == 1:
        assert run.values[1] == 0.0  # one step of size 1/lambda lands on the minimum
        return
    # every step, not just on average: both coordinates shrink by (k-1)/(k+1)
    np.testing.assert_allclose(run.values[1:] / run.values[:-1], rate, rtol=1e-9)
    assert fitted_rate(run.values) == pytest.approx(rate, rel=1e-9)
    reduction = SETTINGS.reduction
    first = int(np.flatnonzero(run.values <= reduction * run.values[0])[0])
    assert first == steps_to_reduce(reduction, rate)
    # the large-kappa estimate kappa/4 log(1/eps) of the page is within one step here
    assert abs(kappa / 4 * np.log(1 / reduction) - first) < 1.0
    # the steep coordinate changes sign at every step: the zig-zag
    assert np.all(np.sign(run.points[1:, 1]) == -np.sign(run.points[:-1, 1]))


def test_with_another_step_the_rate_depends_on_the_start():
    kappa = SETTINGS.safe_kappa
    bowl = quadratic(kappa)
    lr = 1.0 / bowl.eigenvalues[1]
    fast_only = gradient_descent(bowl, [0.0, 1.0], steps=3, lr=lr)
    assert fast_only.values[1] == 0.0  # a start on the steep eigenvector: solved in one step
    mixed = gradient_descent(bowl, GD_START, steps=SETTINGS.safe_steps, lr=lr)
    assert fitted_rate(mixed.values, start=SETTINGS.safe_fit_start) == pytest.approx(
        (1 - 1 / kappa) ** 2, rel=1e-9)


def test_condition_number_against_numpy(rng):
    A = rng.normal(size=(6, 6))
    H = A @ A.T + 0.1 * np.eye(6)
    assert condition_number(H) == pytest.approx(np.linalg.cond(H), rel=1e-10)
    assert condition_number(np.diag([2.0, 200.0])) == 100.0
    with pytest.raises(ValueError, match="not positive definite"):
        condition_number(np.diag([1.0, -1.0]))
    with pytest.raises(ValueError, match="symmetric"):
        condition_number(np.array([[1.0, 2.0], [0.0, 1.0]]))


@pytest.mark.parametrize("factor,rate", [(1e-6, 0.669421), (1e-6, 0.960788), (0.5, 0.5),
                                         (1e-3, 0.9)])
def test_steps_to_reduce_against_a_loop(factor, rate):
    t, value = 0, 1.0
    while value > factor:
        value *= rate
        t += 1
    assert steps_to_reduce(factor, rate) == t


def test_bad_arguments_raise():
    with pytest.raises(ValueError, match="upper must be positive"):
        line_search(rosenbrock, ROSENBROCK_POINT, float("inf"))
    with pytest.raises(ValueError, match="at least 1"):
        gradient_descent_loss_rate(0.5)
    with pytest.raises(ValueError, match="in \\(0, 1\\)"):
        steps_to_reduce(2.0, 0.5)
    with pytest.raises(ValueError, match="contraction rate"):
        steps_to_reduce(0.1, 1.0)


def test_page_and_scripts_take_their_values_from_the_settings():
    assert settings_problems("04_ill_conditioning.md") == []


def test_glued_values_are_those_of_the_settings():
    g = page_glue("04_ill_conditioning.md")
    H = np.diag([1.0, KAPPA])
    grad = H @ TAYLOR_POINT
    best = (grad @ grad) / (grad @ H @ grad)
    assert g["ill_kappa_taylor"] == format_number(KAPPA, trim=True)
    assert (g["ill_gg"], g["ill_gHg"]) == (format_number(grad @ grad, trim=True),
                                           format_number(grad @ H @ grad, trim=True))
    assert g["ill_best"] == format_number(best, 4)
    assert g["ill_break_even"] == format_number(2 * best, 4)
    assert g["ill_best_change"] == format_number(-0.5 * (grad @ grad) ** 2 / (grad @ H @ grad))
    assert g["ill_search"] == format_number(best, 4)  # the line search finds the model's step
    assert (g["ill_inv_lmax"], g["ill_two_over_lmax"]) == (format_number(1 / KAPPA, trim=True),
                                                         format_number(2 / KAPPA, trim=True))
    assert (g["ill_start_x"], g["ill_start_y"]) == tuple(format_number(x, trim=True)
                                                         for x in SETTINGS.start)
    for kappa in SETTINGS.kappas:
        tag, r = f"{kappa:g}", (kappa - 1) / (kappa + 1)
        assert g[f"ill_r_{tag}"] == format_number(r, 4)
        assert g[f"ill_r2_{tag}"] == format_number(r**2, 6)
        assert g[f"ill_lr_{tag}"] == format_number(2 / (1 + kappa), 4, trim=True)
        if kappa == 1:
            assert g["ill_steps_1"] == "1" and g["ill_loss_after_one_1"] == "0"
            continue
        # every step multiplies the loss by r^2, so the count is the smallest t with r^2t <= eps
        expected = math.ceil(math.log(SETTINGS.reduction) / math.log(r**2) - 1e-12)
        assert g[f"ill_steps_{tag}"] == g[f"ill_theory_steps_{tag}"] == str(expected)
        assert g[f"ill_measured_{tag}"] == format_number(r**2, 6)
        assert g[f"ill_approx_steps_{tag}"] == format_number(
            kappa / 4 * math.log(1 / SETTINGS.reduction))
    assert g["ill_safe_theory"] == format_number((1 - 1 / SETTINGS.safe_kappa) ** 2, 4)
    assert g["ill_safe_measured"] == g["ill_safe_theory"]
    assert g["ill_steep_only"] == "0"
    # Rosenbrock at the settings' point: gradient and Hessian written out
    x, y = SETTINGS.rosenbrock_point
    grad_rb = np.array([-400 * x * (y - x**2) - 2 * (1 - x), 200 * (y - x**2)])
    hess_rb = np.array([[1200 * x**2 - 400 * y + 2, -400 * x], [-400 * x, 200.0]])
    gg, ghg = grad_rb @ grad_rb, grad_rb @ hess_rb @ grad_rb
    assert g["ill_rb_best"] == format_number(gg / ghg)
    assert g["ill_rb_model_change"] == format_number(-0.5 * gg**2 / ghg)
    assert MINUS in g["ill_rb_true_change"] and "e" not in g["ill_rb_true"]


# -- Exercises ------------------------------------------------------------------------

EXERCISE_PAGE = "04_ill_conditioning.md"


def _numpy_gd_losses(eigenvalues: np.ndarray, start: list[float], lr: float, steps: int
                     ) -> np.ndarray:
    """Gradient descent on ½ xᵀ diag(eigenvalues) x, written out in NumPy: the losses."""
    x = np.array(start, dtype=float)
    losses = [0.5 * float(x @ (eigenvalues * x))]
    for _ in range(steps):
        x = x - lr * eigenvalues * x
        losses.append(0.5 * float(x @ (eigenvalues * x)))
    return np.array(losses)


def test_exercise_best_step_derivation_matches_a_line_search() -> None:
    """ex-04-best-step: ε* = gᵀg/gᵀHg and the change −(gᵀg)²/(2gᵀHg), against Brent on the bowl."""
    x = np.array([0.3, -1.7])
    hessian = np.diag([1.0, 25.0])
    g = hessian @ x
    eps_star = (g @ g) / (g @ hessian @ g)

    def along(eps: float) -> float:
        y = x - eps * g
        return 0.5 * y @ hessian @ y - 0.5 * x @ hessian @ x

    result = minimize_scalar(along, bounds=(0, 1), method="bounded", options={"xatol": 1e-12})
    assert result.x == pytest.approx(eps_star, rel=1e-6)
    assert result.fun == pytest.approx(-(g @ g) ** 2 / (2 * g @ hessian @ g), rel=1e-9)
    assert along(2 * eps_star) == pytest.approx(0.0, abs=1e-12)
    assert along(2.01 * eps_star) > 0
    step = taylor_step(quadratic(25.0), x)
    assert step.best_step == pytest.approx(eps_star, rel=1e-12)


def test_exercise_rate() -> None:
    namespace, printed = run_solution(EXERCISE_PAGE, "ex-04-rate")
    kappa, reduction = SETTINGS.exercise_kappa, SETTINGS.reduction
    eigenvalues = np.array([1.0, kappa])
    losses = _numpy_gd_losses(eigenvalues, GD_START, 2 / (1 + kappa), SETTINGS.exercise_steps)
    measured = np.exp(np.polyfit(np.arange(losses.size), np.log(losses), 1)[0])
    theory = ((kappa - 1) / (kappa + 1)) ** 2
    assert namespace["rate"] == pytest.approx(measured, rel=1e-9)
    assert namespace["theory"] == pytest.approx(theory, rel=1e-12)
    assert namespace["rate"] == pytest.approx(theory, rel=1e-6)
    steps = math.ceil(math.log(reduction) / math.log(theory))
    assert namespace["steps"] == steps
    assert theory ** steps <= reduction < theory ** (steps - 1)
    assert format_number(theory, 5) in printed and f"{steps} by theory" in printed


def test_exercise_safe_step() -> None:
    namespace, printed = run_solution(EXERCISE_PAGE, "ex-04-safe-step")
    for kappa, steps in ((SETTINGS.safe_kappa, SETTINGS.safe_steps),
                         (SETTINGS.exercise_safe_kappa, SETTINGS.exercise_safe_steps)):
        losses = _numpy_gd_losses(np.array([1.0, kappa]), GD_START, 1 / kappa, steps)
        tail = losses[SETTINGS.safe_fit_start:]
        measured = np.exp(np.polyfit(np.arange(tail.size), np.log(tail), 1)[0])
        assert namespace["measured"][kappa] == pytest.approx(measured, rel=1e-9)
        assert measured == pytest.approx((1 - 1 / kappa) ** 2, rel=1e-9)
        assert format_number((1 - 1 / kappa) ** 2, 5) in printed
        # steps to the reduction at the factor (1 − 1/κ)²: ceil(ln reduction / ln (1 − 1/κ)²)
        needed = math.ceil(math.log(SETTINGS.reduction) / (2 * math.log(1 - 1 / kappa)))
        assert (1 - 1 / kappa) ** (2 * needed) <= SETTINGS.reduction
        assert f"{needed} steps to" in printed


def test_exercise_bigger_lr() -> None:
    namespace, printed = run_solution(EXERCISE_PAGE, "ex-04-bigger-lr")
    kappa, multiples = SETTINGS.exercise_lr_kappa, SETTINGS.exercise_lr_multiples
    assert tuple(namespace["multiples"]) == multiples
    eigenvalues = np.array([1.0, kappa])
    final = {m: _numpy_gd_losses(eigenvalues, GD_START, m / kappa, SETTINGS.exercise_lr_steps)[-1]
             for m in multiples}
    for multiple, value in final.items():
        assert namespace["final"][multiple] == pytest.approx(value, rel=1e-9)
    assert namespace["best"] == min(final, key=final.get)
    optimum = 2 * kappa / (1 + kappa)  # 2/(λ_min + λ_max) in units of 1/λ_max
    # the best tried multiple is one of the two around the optimum
    below = max(m for m in multiples if m <= optimum)
    above = min(m for m in multiples if m > optimum)
    assert namespace["best"] in (below, above)
    rising = [m for m in multiples if m <= below]  # up to the optimum a larger step helps
    assert all(final[a] > final[b] for a, b in zip(rising[:-1], rising[1:], strict=True))
    low, high = min(multiples), max(multiples)
    assert high > 2 and final[high] > final[low]  # past 2/λ_max it diverges
    assert format_number(optimum, 3) in printed


# -- The interactive figure (κ and learning-rate sliders) ------------------------------------


def test_interactive_runs_are_gradient_descent_with_eta_ratio_over_lambda_max() -> None:
    from d2lopt.chapter.ill_conditioning import interactive_runs

    runs = interactive_runs()
    assert set(runs) == {(k, r) for k in SETTINGS.interactive_kappas
                         for r in SETTINGS.interactive_step_ratios}
    for (kappa, ratio), run in runs.items():
        # Closed form: each eigen-coordinate is multiplied by 1 - η λ_i per step.
        lr = ratio / kappa
        t = np.arange(SETTINGS.interactive_steps + 1)[:, None]
        expected = np.array(SETTINGS.start) * (1 - lr * np.array([1.0, kappa])) ** t
        np.testing.assert_allclose(run.points, expected, rtol=1e-10, atol=1e-13)
        grows = run.values[-1] > run.values[0]
        assert grows == (ratio > 2), (kappa, ratio)


def test_interactive_frames_show_their_run_and_threshold() -> None:
    import matplotlib

    matplotlib.use("agg")
    import matplotlib.pyplot as plt

    from d2lopt.chapter.ill_conditioning import InteractiveFrames, interactive_runs
    from d2lopt.plot.layout import text_problems

    runs = interactive_runs()
    frames = InteractiveFrames(SETTINGS.interactive_steps)
    kappa, ratio = SETTINGS.interactive_kappas[-1], SETTINGS.interactive_step_ratios[-1]
    fig = frames(kappa, ratio, runs[kappa, ratio])
    assert text_problems(fig, display_width=690) == []
    path, _start = fig.axes[0].lines[:2]
    np.testing.assert_allclose(path.get_xydata(), np.clip(runs[kappa, ratio].points, -1, 1))
    assert fig.axes[0].get_title() == f"path, κ = 100, 2/λmax = {format_number(2 / kappa, 3)}"
    assert fig.axes[1].get_title() == f"η = {format_number(ratio / kappa, 3)} (diverges)"
    loss = fig.axes[1].lines[0].get_ydata()
    np.testing.assert_allclose(loss, runs[kappa, ratio].values / runs[kappa, ratio].values[0])
    kappa, ratio = SETTINGS.interactive_kappas[0], SETTINGS.interactive_step_ratios[0]
    fig = frames(kappa, ratio, runs[kappa, ratio])
    assert fig.axes[1].get_title() == f"η = {format_number(ratio / kappa, 3)}"
    assert text_problems(fig, display_width=690) == []
    plt.close(fig)


def test_interactive_figure_html_holds_every_slider_value() -> None:
    import dataclasses
    import re

    from d2lopt.chapter.ill_conditioning import interactive_figure

    small = dataclasses.replace(SETTINGS, interactive_kappas=(1.0, 100.0),
                                interactive_step_ratios=(1.0, 2.05), interactive_steps=5,
                                interactive_initial=(100.0, 1.0))
    page = interactive_figure(small)
    # it opens at κ = 100, η λmax = 1
    assert re.findall(r'<input[^>]*value="(\d)"', page) == ["1", "0"]
    assert re.findall(r'data-state="([^"]*)"', page) == ["0-0", "0-1", "1-0", "1-1"]
    assert 'data-texts="[&quot;1&quot;, &quot;100&quot;]"' in page
    assert 'data-texts="[&quot;1&quot;, &quot;2.05&quot;]"' in page
    assert page.count("(diverges)") == 2  # η λmax = 2.05 > 2 for both κ
    assert page.count("<svg") == 4


def test_interactive_figure_opens_at_a_setting_its_sliders_have() -> None:
    import dataclasses

    from d2lopt.chapter.ill_conditioning import interactive_controls

    controls = interactive_controls()
    assert [c.values[c.initial] for c in controls] == list(SETTINGS.interactive_initial)
    with pytest.raises(ValueError, match="interactive_initial: its kappa 3.0 is not one of"):
        interactive_controls(dataclasses.replace(SETTINGS, interactive_initial=(3.0, 1.0)))
