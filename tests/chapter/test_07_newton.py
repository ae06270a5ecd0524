"""Section 7 (Newton's method and saddles): four methods near the saddle of the double well.

The runs use :data:`d2lopt.chapter.newton.SETTINGS`, the values of
docs/chapter/07_newton.md and gallery/07_newton/; the page's numbers are
checked against closed forms (the Newton map along x, gradient descent on the
line x = 0).
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from chapter_pages import page_glue, run_solution, settings_problems, snippet_outputs
from test_numbers import read_back

from d2lopt.chapter.newton import METHODS, SETTINGS, escape_runs, nearest_critical_point
from d2lopt.landscapes import double_well
from d2lopt.plot.numbers import format_number

SADDLE = np.zeros(2)
MINIMUM = np.array([1.0, 0.0])


def settings_runs(start: tuple[float, float], tensor=np.array) -> dict:
    s = SETTINGS
    return escape_runs(double_well, tensor(list(start)), steps=s.steps, lr=s.lr, radius=s.radius,
                       threshold=s.threshold, interval=s.interval, seed=s.seed)


def newton_map_steps(x: float, tol: float) -> int:
    """Steps of the closed-form Newton map x -> 2x^3/(3x^2 - 1) until |x| < tol."""
    t = 0
    while abs(x) >= tol:
        x, t = 2 * x**3 / (3 * x**2 - 1), t + 1
    return t


def test_newton_goes_to_the_saddle_the_others_to_the_minimum(backend):
    runs = settings_runs(SETTINGS.start, backend.tensor)
    assert list(runs) == list(METHODS)
    assert np.linalg.norm(runs["Newton"].final - SADDLE) < 1e-12
    assert np.linalg.norm(runs["gradient descent"].final - MINIMUM) < 1e-6
    assert np.linalg.norm(runs["saddle-free Newton"].final - MINIMUM) < 1e-12
    assert np.linalg.norm(runs["perturbed gradient descent"].final - MINIMUM) < 0.1


def test_on_the_stable_manifold_only_the_perturbation_escapes(backend):
    s = SETTINGS
    runs = settings_runs(s.on_manifold, backend.tensor)
    for method in ("gradient descent", "Newton", "saddle-free Newton"):
        assert np.all(runs[method].points[:, 0] == 0.0)
        assert np.linalg.norm(runs[method].final - SADDLE) < 1e-6
    # gradient descent on x = 0: y_t = (1 - lr)^t y_0 exactly
    np.testing.assert_allclose(runs["gradient descent"].points[:, 1],
                               s.on_manifold[1] * (1 - s.lr) ** np.arange(s.steps + 1), rtol=1e-12)
    pgd = runs["perturbed gradient descent"]
    assert np.linalg.norm(pgd.final - MINIMUM) < s.radius
    # it perturbs once the gradient (= y on the line) falls below the threshold
    assert pgd.perturbations[0] == int(np.ceil(np.log(s.threshold / s.on_manifold[1])
                                               / np.log(1 - s.lr))) + 1


def test_newton_follows_the_closed_form_recursion():
    run = escape_runs(double_well, np.array(SETTINGS.start), steps=6, methods=("Newton",))["Newton"]
    x = SETTINGS.start[0]
    for t in range(1, 7):
        x = 2 * x**3 / (3 * x**2 - 1)
        assert run.points[t, 0] == pytest.approx(x, abs=1e-15)
        assert run.points[t, 1] == 0.0


def test_newton_basin_of_the_saddle_is_below_one_over_root_five():
    for x0 in (0.44, -0.4, 0.3):
        run = escape_runs(double_well, np.array([x0, 0.5]), steps=30, methods=("Newton",))
        assert np.linalg.norm(run["Newton"].final) < 1e-12
    run = escape_runs(double_well, np.array([0.46, 0.5]), steps=30, methods=("Newton",))
    assert np.linalg.norm(run["Newton"].final) > 0.5


def test_nearest_critical_point():
    point, distance = nearest_critical_point(double_well, [-0.8, 0.1])
    assert point.location == (-1.0, 0.0) and point.kind == "minimum"
    assert distance == pytest.approx(np.hypot(0.2, 0.1))


def test_unknown_method_is_rejected():
    with pytest.raises(ValueError, match="unknown methods"):
        escape_runs(methods=("Adam",))


def test_glued_runs():
    s, g = SETTINGS, page_glue("07_newton.md")
    assert (g["nt_steps"], g["nt_lr"], g["nt_radius"]) == (
        s.steps, format_number(s.lr, trim=True), format_number(s.radius, trim=True))
    assert (g["nt_start_x"], g["nt_start_y"], g["nt_manifold_y"]) == tuple(
        format_number(v, trim=True) for v in (*s.start, s.on_manifold[1]))
    keys = {"gradient descent": "gd", "Newton": "newton", "saddle-free Newton": "sfn",
            "perturbed gradient descent": "pgd"}
    kinds = {"gd": "minimum", "newton": "saddle", "sfn": "minimum", "pgd": "minimum"}
    runs = settings_runs(s.start)
    for method, run in runs.items():
        point, distance = nearest_critical_point(double_well, run.final)
        assert point.kind == kinds[keys[method]]
        assert g[f"nt_{keys[method]}_dist"] == format_number(distance, 2)
        assert (g[f"nt_{keys[method]}_x"], g[f"nt_{keys[method]}_y"]) == tuple(
            format_number(float(v), 4) for v in run.final + 0.0)
    assert g["nt_newton_steps"] == newton_map_steps(s.start[0], s.at_saddle)
    assert g["nt_newton_value"] == "0" and g["nt_gd_value"] == "\u22120.2500"
    assert read_back(g["nt_newton_basin"]) == pytest.approx(5**-0.5, abs=5e-5)
    # on the manifold: gradient descent is y_0 (1 - lr)^steps from the saddle, Newton on it
    assert g["nt_m_gd_dist"] == format_number(s.on_manifold[1] * (1 - s.lr) ** s.steps, 2)
    assert g["nt_m_newton_dist"] == "0" and g["nt_m_sfn_dist"] == "0"
    assert g["nt_m_pgd_first"] == int(np.ceil(np.log(s.threshold / s.on_manifold[1])
                                              / np.log(1 - s.lr))) + 1
    assert read_back(g["nt_m_pgd_dist"]) < s.radius and read_back(g["nt_pgd_dist"]) < s.radius


def test_snippets_newton_iterates():
    x, expected = 0.2, [[0.2, 1.0]]
    for _ in range(6):
        x = 2 * x**3 / (3 * x**2 - 1)
        expected.append([x, 0.0])
    expected = np.round(np.array(expected), 6)
    for out in snippet_outputs("07_newton.md").values():
        numbers = np.array([float(v) for v in re.findall(r"-?\d+\.\d*(?:e-?\d+)?", out)])
        np.testing.assert_allclose(numbers.reshape(-1, 2), expected, atol=1e-6)


def test_page_and_script_take_their_values_from_the_settings():
    assert settings_problems("07_newton.md") == []


# Exercises ---------------------------------------------------------------------------------

EX_PAGE = "07_newton.md"


def newton_map_x(x: float, steps: int) -> float:
    """Newton along x on the double well, x -> 2x^3 / (3x^2 - 1) (y is separate)."""
    for _ in range(steps):
        x = 2 * x**3 / (3 * x**2 - 1)
    return x


def test_exercise_quadratic_newton_step_lands_on_the_critical_point():
    # the derivation's claim, checked on random indefinite quadratics with numpy.linalg
    rng = np.random.default_rng(0)
    from d2lopt import optim
    for _ in range(3):
        q, _ = np.linalg.qr(rng.standard_normal((3, 3)))
        A = q @ np.diag([-2.0, 0.5, 3.0]) @ q.T
        b = rng.standard_normal(3)
        run = optim.newton(lambda x, A=A, b=b: 0.5 * x @ A @ x + b @ x, rng.standard_normal(3),
                           steps=1)
        np.testing.assert_allclose(run.final, np.linalg.solve(A, -b), atol=1e-8)


def test_exercise_basin():
    namespace, printed = run_solution(EX_PAGE, "ex-07-basin")
    kinds = {0.0: "saddle", 1.0: "minimum", -1.0: "minimum"}
    lo, hi = SETTINGS.exercise_basin_x0
    for x0 in (lo, hi):
        end = newton_map_x(x0, SETTINGS.exercise_newton_steps)
        nearest = min(kinds, key=lambda c: abs(c - end))
        assert abs(end - nearest) < 1e-9
        assert namespace["ends"][x0] == kinds[nearest]
    assert namespace["ends"] == {lo: "saddle", hi: "minimum"}
    assert lo < 1 / np.sqrt(5) < hi
    assert format_number(newton_map_x(hi, 1), 3) in printed


def test_exercise_near_manifold():
    namespace, printed = run_solution(EX_PAGE, "ex-07-near-manifold")
    expected = {}
    for x0 in SETTINGS.exercise_offsets:   # gradient descent along x alone: x <- x - lr (x^3 - x)
        x, t = x0, 0
        while abs(x) <= SETTINGS.exercise_escape:
            x, t = x - SETTINGS.lr * (x**3 - x), t + 1
        expected[x0] = t
    assert namespace["escape_steps"] == expected
    offsets = SETTINGS.exercise_offsets
    factor = offsets[0] / offsets[1]
    assert np.allclose(np.array(offsets[:-1]) / np.array(offsets[1:]), factor)
    predicted = np.log(factor) / np.log(1 + SETTINGS.lr)
    assert np.all(np.abs(np.diff(list(expected.values())) - predicted) < 1)
    assert f"predicted {format_number(predicted, 3)}" in printed


def test_exercise_faster():
    namespace, printed = run_solution(EX_PAGE, "ex-07-faster")
    results = namespace["results"]
    start, far = SETTINGS.start, SETTINGS.exercise_far_start
    assert results[(start, "Newton")][0] == "saddle"
    assert results[(start, "gradient descent")][0] == "minimum"
    assert results[(far, "Newton")][0] == "minimum"
    # gradient descent near the minimum: the y component contracts by 1 - lr per step, from y = 1
    gd_steps = results[(far, "gradient descent")][1]
    assert gd_steps >= np.log(SETTINGS.exercise_tol / far[1]) / np.log(1 - SETTINGS.lr) - 1
    assert results[(far, "Newton")][1] < gd_steps / 10
    # Newton along x from 0.2 to the saddle: as many steps as the closed-form map needs
    x, steps = start[0], 0
    while abs(x) >= SETTINGS.exercise_tol:
        x, steps = newton_map_x(x, 1), steps + 1
    assert results[(start, "Newton")][1] == max(steps, 1)
    assert f"after {gd_steps} steps" in printed


# -- The interactive figure (start point from a grid) ------------------------------------------


@pytest.fixture(scope="module")
def interactive_grid():
    from d2lopt.chapter.newton import interactive_runs

    return interactive_runs()


def test_interactive_runs_are_escape_runs_from_each_start(interactive_grid) -> None:
    runs = interactive_grid
    assert set(runs) == {(x, y) for x in SETTINGS.interactive_x0s for y in SETTINGS.interactive_y0s}
    x0, y0 = SETTINGS.interactive_x0s[-1], SETTINGS.interactive_y0s[0]
    direct = escape_runs(start=np.array([x0, y0]), steps=SETTINGS.interactive_steps,
                         newton_tol=SETTINGS.interactive_tol)
    for name in direct:
        np.testing.assert_array_equal(runs[x0, y0][name].points, direct[name].points)
    # On the stable manifold x = 0 only perturbed gradient descent leaves the saddle.
    for y in SETTINGS.interactive_y0s:
        on_line = runs[0.0, y]
        assert np.abs(on_line["Newton"].final).max() < 1e-8
        assert abs(abs(on_line["perturbed gradient descent"].final[0]) - 1) < 2 * SETTINGS.radius


def test_interactive_newton_runs_stop_where_the_full_runs_no_longer_move(interactive_grid) -> None:
    # The stopping rule saves Hessians, not pixels: each stopped run is the start of the
    # full-length one, whose later iterates stay within 1e-9 of where it stopped.
    stopped_early = 0
    for (x0, y0), runs in interactive_grid.items():
        full = escape_runs(start=np.array([x0, y0]), steps=SETTINGS.interactive_steps,
                           methods=("Newton", "saddle-free Newton"))
        for name, run in full.items():
            short = runs[name].points
            np.testing.assert_array_equal(short, run.points[: len(short)])
            assert np.abs(run.points[len(short):] - short[-1]).max(initial=0.0) < 1e-9
            stopped_early += len(short) < len(run.points)
    assert stopped_early > len(interactive_grid)  # most runs end well before the last step


def test_interactive_frames_legend_says_where_each_method_ended(interactive_grid) -> None:
    import matplotlib

    matplotlib.use("agg")
    import matplotlib.pyplot as plt

    from d2lopt.chapter.newton import InteractiveFrames, interactive_figure
    from d2lopt.plot.layout import text_problems

    runs = interactive_grid
    frames = InteractiveFrames()
    fig = frames(0.0, SETTINGS.interactive_y0s[-1], runs[0.0, SETTINGS.interactive_y0s[-1]])
    texts = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert texts[:3] == ["gradient descent: saddle", "Newton: saddle", "saddle-free Newton: saddle"]
    assert texts[3].startswith("perturbed gradient descent: minimum")
    assert text_problems(fig, display_width=690) == []
    plt.close(fig)
    import dataclasses
    import re

    small = dataclasses.replace(SETTINGS, interactive_x0s=(0.0, 0.5), interactive_y0s=(1.2, -1.2),
                                interactive_steps=3)
    page = interactive_figure(small)
    assert re.findall(r'data-state="([^"]*)"', page) == ["0-0", "0-1", "1-0", "1-1"]
    assert "double well from (0.5, −1.2)" in page
