"""Section 12 (what works in practice): rates, tuning, and the tuned comparisons.

Parameters are :data:`d2lopt.chapter.practice.SETTINGS`, those of
docs/chapter/12_practice.md and gallery/12_practice/.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from chapter_pages import (
    exercise_labels,
    page_glue,
    run_solution,
    settings_problems,
    snippet_outputs,
)
from scipy.stats import linregress
from test_numbers import read_back

import d2lopt
from d2lopt.chapter.practice import (
    SETTINGS,
    escape_step,
    quadratic_comparison,
    saddle_comparison,
)
from d2lopt.landscapes import double_well, quadratic, rotated_quadratic
from d2lopt.optim.tuning import steps_to_tolerance, tune
from d2lopt.plot.numbers import format_number
from d2lopt.rates import (
    escape_growth_factor,
    fitted_rate,
    gradient_descent_rate,
    heavy_ball_parameters,
    heavy_ball_rate,
    log_slope,
    optimal_gradient_descent_lr,
)

KAPPA = SETTINGS.kappa
START = np.array(SETTINGS.start)
LR_GRID, BETA_GRID = SETTINGS.lr_grid, SETTINGS.beta_grid
Y0, SADDLE_STEPS = SETTINGS.saddle_start[1], SETTINGS.saddle_steps


def iteration_radius(lr: float, beta: float, curvatures) -> float:
    """Spectral radius of the heavy-ball iteration matrix [[1 + β - ηλ, -β], [1, 0]]."""
    return max(np.max(np.abs(np.linalg.eigvals(np.array([[1 + beta - lr * lam, -beta],
                                                          [1.0, 0.0]]))))
               for lam in curvatures)


def test_rates_against_iteration_matrices():
    mu, L = 1.0, KAPPA
    lr = optimal_gradient_descent_lr(mu, L)
    assert lr == pytest.approx(2 / 51)
    assert gradient_descent_rate(mu, L) == pytest.approx(
        max(abs(1 - lr * mu), abs(1 - lr * L)), rel=1e-15)
    assert gradient_descent_rate(mu, L) == pytest.approx(49 / 51)
    hb_lr, beta = heavy_ball_parameters(mu, L)
    assert hb_lr == pytest.approx(4 / (math.sqrt(L) + 1) ** 2)
    assert beta == pytest.approx(((math.sqrt(KAPPA) - 1) / (math.sqrt(KAPPA) + 1)) ** 2)
    # the defective (repeated-eigenvalue) iteration matrix: eigvals are accurate to ~sqrt(eps)
    assert iteration_radius(hb_lr, beta, np.linspace(mu, L, 101)) == pytest.approx(
        heavy_ball_rate(mu, L), rel=1e-6)
    assert heavy_ball_rate(mu, L) == pytest.approx(math.sqrt(beta), rel=1e-12)
    # a slightly different (lr, beta) is worse
    assert iteration_radius(hb_lr * 0.9, beta, [mu, L]) > heavy_ball_rate(mu, L)


def test_rate_argument_checks():
    with pytest.raises(ValueError, match="0 < mu <= L"):
        heavy_ball_parameters(2.0, 1.0)
    with pytest.raises(ValueError, match="positive"):
        log_slope([1, 2], [1.0, -1.0])
    with pytest.raises(ValueError, match="beta"):
        escape_growth_factor(0.1, 1.0, beta=1.0)


def test_steps_to_tolerance_against_brute_force():
    rng = np.random.default_rng(0)
    for _ in range(50):
        values = rng.uniform(0, 1, 20)
        tol = 0.3
        stays = [t for t in range(20) if all(v <= tol for v in values[t:])]
        first = [t for t in range(20) if values[t] <= tol]
        assert steps_to_tolerance(values, tol) == (stays[0] if stays else math.inf)
        assert steps_to_tolerance(values, tol, stay=False) == (first[0] if first else math.inf)


def test_tune_picks_the_best_combination():
    result = tune(d2lopt.optim.momentum, quadratic(10.0), [1.0, 1.0],
                  grid={"lr": [0.01, 0.1], "beta": [0.0, 0.5]}, steps=80, tol=1e-8)
    assert min(result.scores.values()) == result.steps
    assert result.scores[(result.hyper["lr"], result.hyper["beta"])] == result.steps
    with pytest.raises(ValueError, match="diverged"):
        tune(d2lopt.optim.gradient_descent, quadratic(10.0), [1.0, 1.0], grid={"lr": [5.0]},
             steps=200, tol=1e-8)


@pytest.fixture(scope="module")
def comparisons():
    turned = rotated_quadratic(KAPPA)
    return {
        "aligned": quadratic_comparison(KAPPA, START),
        "turned": quadratic_comparison(KAPPA, np.array(turned.rotation).T @ START,
                                       landscape=turned),
    }


def test_rotated_quadratic_hessian(backend):
    turned = rotated_quadratic(KAPPA)
    H = backend.to_numpy(d2lopt.hessian(turned)(backend.tensor([0.3, -0.2])))
    np.testing.assert_allclose(H, np.array(turned.hessian_matrix), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(np.linalg.eigvalsh(H), [1.0, KAPPA], rtol=1e-12)
    R = np.array(turned.rotation)
    np.testing.assert_allclose(R.T @ np.diag([1.0, KAPPA]) @ R, H, atol=1e-12)


def test_glued_quadratic_runs_match_torch_optimizers(comparisons):
    torch = pytest.importorskip("torch")
    result = comparisons["aligned"]
    lam = torch.tensor([1.0, KAPPA], dtype=torch.float64)

    def torch_run(make, steps):
        x = torch.tensor(START, requires_grad=True)
        opt, points = make([x]), [START.copy()]
        for _ in range(steps):
            opt.zero_grad()
            (0.5 * (lam * x**2).sum()).backward()
            opt.step()
            points.append(x.detach().numpy().copy())
        return np.array(points)

    hb = result.hyper["momentum"]
    expected = torch_run(lambda p: torch.optim.SGD(p, lr=hb["lr"], momentum=hb["beta"]), 300)
    np.testing.assert_allclose(result.runs["momentum"].points, expected, rtol=1e-9, atol=1e-14)
    adam = result.hyper["Adam"]
    expected = torch_run(lambda p: torch.optim.Adam(p, lr=adam["lr"], betas=adam["betas"]), 300)
    np.testing.assert_allclose(result.runs["Adam"].points, expected, rtol=1e-7, atol=1e-12)
    gd = result.hyper["gradient descent"]
    expected = torch_run(lambda p: torch.optim.SGD(p, lr=gd["lr"]), 300)
    np.testing.assert_allclose(result.runs["gradient descent"].points, expected, rtol=1e-9,
                               atol=1e-14)


def test_glued_quadratic_steps_and_rates(comparisons):
    aligned, turned = comparisons["aligned"], comparisons["turned"]
    for result in (aligned, turned):
        # independent recount of the steps to f <= 1e-6 (and staying there)
        H = np.array(result.landscape.hessian_matrix) if result is turned else np.diag(
            [1.0, KAPPA])
        for name, run in result.runs.items():
            values = 0.5 * np.einsum("ti,ij,tj->t", run.points, H, run.points)
            np.testing.assert_allclose(values, run.values, rtol=1e-12, atol=1e-300)
            inside = values <= SETTINGS.tol
            expected = next((t for t in range(len(values)) if inside[t:].all()), math.inf)
            assert result.steps_to_tol[name] == expected
    # gradient descent and heavy ball are rotation invariant: identical step counts
    for name in ("gradient descent", "momentum"):
        assert aligned.steps_to_tol[name] == turned.steps_to_tol[name]
    # heavy ball beats gradient descent by about sqrt(kappa)-fold fewer steps
    assert aligned.steps_to_tol["momentum"] * 3 < aligned.steps_to_tol["gradient descent"]
    # Adam's per-coordinate scaling helps only on the axis-aligned bowl
    assert aligned.steps_to_tol["Adam"] < aligned.steps_to_tol["momentum"]
    assert turned.steps_to_tol["Adam"] > turned.steps_to_tol["momentum"]
    # gradient descent's loss is exactly f(x0) r^{2t}; heavy ball's rate is sqrt(beta) (x t)
    run = aligned.runs["gradient descent"]
    r = gradient_descent_rate(1.0, KAPPA)
    np.testing.assert_allclose(run.values, run.values[0] * r ** (2 * np.arange(301)), rtol=1e-9)
    gd_distance = np.linalg.norm(run.points, axis=1)
    assert fitted_rate(gd_distance, start=20, stop=120) == pytest.approx(r, rel=1e-10)
    # the long-run speed-up log r_HB / log r_GD is close to sqrt(kappa); the short run gets less
    ratio = math.log(heavy_ball_rate(1.0, KAPPA)) / math.log(r)
    assert ratio == pytest.approx(math.sqrt(KAPPA), rel=0.01)
    speedup = aligned.steps_to_tol["gradient descent"] / aligned.steps_to_tol["momentum"]
    assert 3 < speedup < ratio
    # heavy ball's optimal step is beyond gradient descent's stability limit, within its own
    hb_lr, hb_beta = heavy_ball_parameters(1.0, KAPPA)
    assert 2 / KAPPA < hb_lr < 2 * (1 + hb_beta) / KAPPA
    assert aligned.runs["momentum"].values[1] > aligned.runs["momentum"].values[0]
    distance = np.linalg.norm(aligned.runs["momentum"].points, axis=1)
    fitted = fitted_rate(distance, start=20, stop=120)
    t = np.arange(20, 120)
    independent = math.exp(linregress(t, np.log(distance[20:120])).slope)
    assert fitted == pytest.approx(independent, rel=1e-12)
    assert heavy_ball_rate(1.0, KAPPA) < fitted < heavy_ball_rate(1.0, KAPPA) * 1.03
    # dividing out the factor t of the repeated eigenvalue recovers the theoretical rate
    corrected = math.exp(linregress(t, np.log(distance[20:120] / t)).slope)
    assert corrected == pytest.approx(heavy_ball_rate(1.0, KAPPA), rel=2e-3)


def test_adam_tuning_scores_are_reproducible(comparisons):
    result = comparisons["aligned"]
    hyper = result.hyper["Adam"]
    assert hyper["lr"] in LR_GRID and hyper["betas"][0] in BETA_GRID
    for lr in LR_GRID:
        for b in BETA_GRID:
            try:
                run = d2lopt.optim.adam(quadratic(KAPPA), START, steps=300, lr=lr, betas=(b, 0.999))
            except d2lopt.optim.Divergence:
                continue
            assert steps_to_tolerance(run.values, SETTINGS.tol) >= result.steps_to_tol["Adam"]


@pytest.fixture(scope="module")
def saddle():
    return saddle_comparison(np.array(SETTINGS.saddle_start), steps=SETTINGS.saddle_steps,
                             tol=SETTINGS.tol, lr_grid=LR_GRID, beta_grid=BETA_GRID)


def test_glued_saddle_numbers(saddle):
    f_star = -0.25
    assert float(double_well(double_well.global_minimum.array)) == f_star
    for name, run in saddle.runs.items():
        x = run.points
        values = 0.25 * x[:, 0] ** 4 - 0.5 * x[:, 0] ** 2 + 0.5 * x[:, 1] ** 2
        np.testing.assert_allclose(values, run.values, rtol=1e-12, atol=1e-15)
        escape = next(t for t in range(len(x)) if abs(x[t, 0]) >= 0.5)
        assert escape_step(run) == escape
        gap = values - f_star
        expected = next((t for t in range(len(x)) if (gap[t:] <= SETTINGS.tol).all()), math.inf)
        assert saddle.steps_to_tol[name] == expected
    # the grid search picks the smallest momentum values of the grid (page prose)
    assert saddle.hyper["momentum"]["beta"] == min(BETA_GRID)
    assert saddle.hyper["Adam"]["betas"][0] == min(BETA_GRID)
    # all three escape; Adam first, gradient descent last
    steps = {name: escape_step(run) for name, run in saddle.runs.items()}
    assert steps["Adam"] <= steps["momentum"] < steps["gradient descent"] < math.inf


def test_escape_growth_factor_against_numpy_roots_and_runs(saddle):
    for lr, beta in [(0.3, 0.0), (1.0, 0.5), (0.1, 0.9)]:
        roots = np.roots([1.0, -(1 + beta + lr), beta])
        assert escape_growth_factor(lr, 1.0, beta) == pytest.approx(max(abs(roots)), rel=1e-12)
    # the glued "extra steps per decade" against log(10)/log(z)
    offsets = np.geomspace(*SETTINGS.offsets, SETTINGS.n_offsets)
    for name, method in (("gradient descent", d2lopt.optim.gradient_descent),
                         ("momentum", d2lopt.optim.momentum)):
        hyper = saddle.hyper[name]
        steps = [escape_step(method(double_well, [x0, Y0], steps=SADDLE_STEPS, **hyper))
                 for x0 in offsets]
        per_decade = -linregress(np.log10(offsets), steps).slope
        z = escape_growth_factor(hyper["lr"], 1.0, hyper.get("beta", 0.0))
        assert per_decade == pytest.approx(math.log(10) / math.log(z), abs=0.1)
    adam_steps = [escape_step(d2lopt.optim.adam(double_well, [x0, Y0], steps=SADDLE_STEPS,
                                                **saddle.hyper["Adam"])) for x0 in offsets]
    assert max(adam_steps) - min(adam_steps) <= 2


def quadratic_steps_to_tol(points, H):
    values = 0.5 * np.einsum("ti,ij,tj->t", points, H, points)
    inside = values <= SETTINGS.tol
    return next((t for t in range(len(values)) if inside[t:].all()), math.inf)


def hand_heavy_ball(H, x0, lr, beta, steps=SETTINGS.steps):
    x, prev, pts = x0.copy(), x0.copy(), [x0.copy()]
    for _ in range(steps):
        x, prev = x - lr * H @ x + beta * (x - prev), x
        pts.append(x)
    return np.array(pts)


def hand_adam(H, x0, lr, b1, b2=0.999, eps=1e-8, steps=SETTINGS.steps):
    x, m, v, pts = x0.copy(), np.zeros(2), np.zeros(2), [x0.copy()]
    for t in range(1, steps + 1):
        grad = H @ x
        m = b1 * m + (1 - b1) * grad
        v = b2 * v + (1 - b2) * grad**2
        x = x - lr / (1 - b1**t) * m / (np.sqrt(v / (1 - b2**t)) + eps)
        pts.append(x)
    return np.array(pts)


def test_glued_values():
    g = page_glue("12_practice.md")

    def num(key):  # the glued text read back as a number (exact for the grid values)
        return read_back(g[key])

    kappa, mu, L = KAPPA, 1.0, KAPPA
    gd_lr = 2 / (mu + L)
    hb_lr = 4 / (math.sqrt(L) + math.sqrt(mu)) ** 2
    hb_beta = ((math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)) ** 2
    hb_rate = (math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)
    assert (g["pr_kappa"], g["pr_mu"], g["pr_L"]) == (
        format_number(kappa, 4, trim=True), "1", format_number(L, 4, trim=True))
    assert (g["pr_gd_lr"], g["pr_hb_lr"]) == (format_number(gd_lr, 3), format_number(hb_lr, 3))
    assert g["pr_hb_beta"] == format_number(hb_beta, 4)
    assert g["pr_gd_rate"] == format_number((kappa - 1) / (kappa + 1), 4)
    assert g["pr_hb_rate"] == format_number(hb_rate, 4)
    assert g["pr_gd_fitted"] == g["pr_gd_rate"]
    assert hb_rate < num("pr_hb_fitted") < 1.03 * hb_rate
    assert g["pr_sqrt_kappa"] == format_number(math.sqrt(50), 2)
    assert g["pr_time_ratio"] == format_number(
        math.log(hb_rate) / math.log((kappa - 1) / (kappa + 1)), 2)

    # independent runs by hand on 1/2 (x^2 + 50 y^2), aligned and turned by 45 degrees
    c = s = math.sqrt(0.5)
    R = np.array([[c, -s], [s, c]])
    start = START
    for key, H, x0 in (("al", np.diag([mu, L]), start),
                       ("tu", R.T @ np.diag([mu, L]) @ R, R.T @ start)):
        def count(points, H=H):
            return quadratic_steps_to_tol(points, H)

        assert g[f"pr_{key}_gd_steps"] == count(hand_heavy_ball(H, x0, gd_lr, 0.0))
        assert g[f"pr_{key}_hb_steps"] == count(hand_heavy_ball(H, x0, hb_lr, hb_beta))
        assert g[f"pr_{key}_adam_steps"] == count(hand_adam(H, x0, num(f"pr_{key}_adam_lr"),
                                                            num(f"pr_{key}_adam_b1")))
        best = min(count(hand_adam(H, x0, lr, b1)) for lr in LR_GRID
                   for b1 in BETA_GRID)
        assert g[f"pr_{key}_adam_steps"] == best
    assert g["pr_speedup"] == format_number(g["pr_al_gd_steps"] / g["pr_al_hb_steps"], 2)

    # the saddle: gradient descent and momentum by hand on the double well
    def escape_and_converge(lr, beta, x0=SETTINGS.saddle_start[0], steps=SETTINGS.saddle_steps):
        y0 = SETTINGS.saddle_start[1]
        p, prev, pts = np.array([x0, y0]), np.array([x0, y0]), [np.array([x0, y0])]
        for _ in range(steps):
            grad = np.array([p[0] ** 3 - p[0], p[1]])
            p, prev = p - lr * grad + beta * (p - prev), p
            pts.append(p)
        pts = np.array(pts)
        values = 0.25 * pts[:, 0] ** 4 - 0.5 * pts[:, 0] ** 2 + 0.5 * pts[:, 1] ** 2 + 0.25
        escape = next(t for t in range(len(pts)) if abs(pts[t, 0]) >= SETTINGS.escape_threshold)
        inside = values <= SETTINGS.tol
        converged = next((t for t in range(len(pts)) if inside[t:].all()), math.inf)
        return escape, converged

    assert (g["pr_sd_gd_escape"], g["pr_sd_gd_steps"]) == escape_and_converge(
        num("pr_sd_gd_lr"), 0.0)
    assert (g["pr_sd_hb_escape"], g["pr_sd_hb_steps"]) == escape_and_converge(
        num("pr_sd_hb_lr"), num("pr_sd_hb_beta"))
    for tag, beta in (("gd", 0.0), ("hb", num("pr_sd_hb_beta"))):
        lr = num(f"pr_sd_{tag}_lr")
        z = max(abs(np.roots([1.0, -(1 + beta + lr), beta])))
        assert g[f"pr_sd_{tag}_z"] == format_number(z, 4)
        assert g[f"pr_sd_{tag}_decade_theory"] == format_number(math.log(10) / math.log(z), 3)
        assert num(f"pr_sd_{tag}_decade") == pytest.approx(math.log(10) / math.log(z), abs=0.1)
        assert g[f"pr_sd_{tag}_far"] == escape_and_converge(lr, beta, x0=SETTINGS.offsets[1])[0]
    assert abs(num("pr_sd_adam_decade")) < 0.5
    assert g["pr_sd_far_x0"] == format_number(SETTINGS.offsets[1], 1)
    assert g["pr_sd_adam_escape"] <= g["pr_sd_hb_escape"] < g["pr_sd_gd_escape"]


def test_snippets_heavy_ball_steps():
    """Independent count: heavy ball by hand on ½(x² + 50 y²) with Polyak's constants."""
    mu, L = 1.0, 50.0
    lr = 4 / (math.sqrt(L) + math.sqrt(mu)) ** 2
    beta = ((math.sqrt(L / mu) - 1) / (math.sqrt(L / mu) + 1)) ** 2
    lam = np.array([mu, L])
    x, previous, values = np.array([-0.9, 0.6]), None, []
    for _ in range(301):
        values.append(0.5 * lam @ x**2)
        step = -lr * lam * x + (beta * (x - previous) if previous is not None else 0.0)
        previous, x = x, x + step
    values = np.array(values)
    expected = next(t for t in range(301) if np.all(values[t:] <= 1e-6))
    outputs = snippet_outputs("12_practice.md")
    assert set(outputs.values()) == {str(expected)}


def test_page_and_scripts_take_their_values_from_the_settings():
    assert settings_problems("12_practice.md") == []


PAGE = "12_practice.md"


def test_exercise_labels():
    assert exercise_labels(PAGE) == ["ex-12-effective", "ex-12-measure", "ex-12-kappa",
                                     "ex-12-adam"]


def test_exercise_effective_step_against_torch_sgd():
    torch = pytest.importorskip("torch")
    namespace, printed = run_solution(PAGE, "ex-12-measure")
    lr, g, t = SETTINGS.exercise_lr, SETTINGS.exercise_slope, SETTINGS.exercise_step
    for beta in BETA_GRID:
        x = torch.zeros(1, dtype=torch.float64, requires_grad=True)
        sgd = torch.optim.SGD([x], lr=lr, momentum=beta)
        points = [0.0]
        for _ in range(t):
            sgd.zero_grad()
            (g * x).sum().backward()
            sgd.step()
            points.append(float(x.detach()))
        measured = (points[t - 1] - points[t]) / (lr * g)
        assert namespace["ratios"][beta] == pytest.approx(measured, rel=1e-12)
        assert measured == pytest.approx((1 - beta**t) / (1 - beta), rel=1e-12)   # the derivation
        assert f"step / (ηg) = {format_number(measured, 5)}" in printed
    for slope in SETTINGS.exercise_adam_slopes:
        m = v = 0.0
        steps = []
        for k in range(1, t + 1):       # Adam by hand on the constant gradient g = slope
            m, v = 0.9 * m + 0.1 * slope, 0.999 * v + 0.001 * slope**2
            steps.append(lr / (1 - 0.9**k) * m / (math.sqrt(v / (1 - 0.999**k)) + 1e-8))
        assert namespace["adam_steps"][slope] == pytest.approx(max(steps), rel=1e-9)
        # the derivation: the same step η g/(|g| + ε) at every t, within 10⁻⁵ of η
        np.testing.assert_allclose(steps, lr * slope / (slope + 1e-8), rtol=1e-9)
        assert abs(max(steps) - lr) <= 1e-8 / slope * lr * (1 + 1e-6)


def test_exercise_doubled_condition_number_against_hand_runs():
    namespace, printed = run_solution(PAGE, "ex-12-kappa")
    r = SETTINGS.exercise_kappa_factor
    for kappa, steps in ((KAPPA, SETTINGS.steps), (r * KAPPA, round(r * SETTINGS.steps))):
        H, x0 = np.diag([1.0, kappa]), np.array(SETTINGS.start)
        x, points = x0.copy(), [x0.copy()]
        for _ in range(steps):
            x = x - 2 / (1 + kappa) * H @ x
            points.append(x)
        gd = quadratic_steps_to_tol(np.array(points), H)
        root = math.sqrt(kappa)
        lr, beta = 4 / (1 + root) ** 2, ((root - 1) / (root + 1)) ** 2
        hb = quadratic_steps_to_tol(hand_heavy_ball(H, x0, lr, beta, steps), H)
        assert namespace["counts"][kappa] == (gd, hb)
        assert f"gradient descent {gd} steps, heavy ball {hb} steps" in printed
    (gd_1, hb_1), (gd_2, hb_2) = namespace["counts"].values()
    # the conclusion: gradient descent about doubles; heavy ball grows by less than GD,
    # near √2 (within 10 %)
    assert gd_2 / gd_1 == pytest.approx(r, rel=0.05)
    assert hb_2 / hb_1 == pytest.approx(math.sqrt(r), rel=0.1)
    assert f"gradient descent {format_number(gd_2 / gd_1, 3)}" in printed


def test_exercise_adam_defaults_against_hand_adam():
    namespace, printed = run_solution(PAGE, "ex-12-adam")
    H, x0 = np.diag([1.0, KAPPA]), np.array(SETTINGS.start)
    default_lr = SETTINGS.exercise_default_lr
    default = hand_adam(H, x0, default_lr, 0.9)
    final = 0.5 * default[-1] @ H @ default[-1]
    assert float(namespace["default"].values[-1]) == pytest.approx(final, rel=1e-9)
    assert f"{format_number(final, 3)} after {SETTINGS.steps} steps" in printed
    hand = {lr: quadratic_steps_to_tol(hand_adam(H, x0, lr, 0.9), H)
            for lr in (default_lr, *LR_GRID)}
    assert namespace["scores"] == hand
    assert namespace["reached"] == sum(not math.isinf(v) for v in hand.values())
    # the conclusion: the default (and anything below ten times it) never converges;
    # the larger learning rates of the grid take similar numbers of steps
    assert final > 1e3 * SETTINGS.tol
    assert all(math.isinf(v) for lr, v in hand.items() if lr < 10 * default_lr)
    assert all(not math.isinf(v) for lr, v in hand.items() if lr >= 10 * default_lr)
    large = [v for lr, v in hand.items() if lr >= 30 * default_lr]
    assert max(large) <= 1.1 * min(large)


# -- The interactive figure (momentum β and Adam's learning rate) -------------------------------


def test_interactive_runs_match_torch_optim() -> None:
    import torch

    from d2lopt.chapter.practice import interactive_runs
    from d2lopt.landscapes import quadratic
    from d2lopt.rates import optimal_gradient_descent_lr

    runs = interactive_runs()
    assert set(runs) == ({("momentum", b) for b in SETTINGS.interactive_betas}
                         | {("Adam", lr) for lr in SETTINGS.lr_grid})
    bowl = quadratic(SETTINGS.kappa)
    curvature = torch.tensor(bowl.eigenvalues, dtype=torch.float64)
    for key, make in [
        (("momentum", 0.9), lambda p: torch.optim.SGD(
            [p], lr=optimal_gradient_descent_lr(*bowl.eigenvalues), momentum=0.9)),
        (("Adam", 0.1), lambda p: torch.optim.Adam([p], lr=0.1)),
    ]:
        p = torch.tensor(SETTINGS.start, dtype=torch.float64, requires_grad=True)
        opt = make(p)
        points = [p.detach().clone()]
        for _ in range(SETTINGS.interactive_steps):
            opt.zero_grad()
            (0.5 * (curvature * p**2).sum()).backward()
            opt.step()
            points.append(p.detach().clone())
        np.testing.assert_allclose(runs[key].points, torch.stack(points).numpy(), rtol=1e-9,
                                   atol=1e-12)
    # β = 0 is gradient descent at the same learning rate.
    from d2lopt.optim import gradient_descent

    plain = gradient_descent(bowl, np.array(SETTINGS.start), steps=SETTINGS.interactive_steps,
                             lr=optimal_gradient_descent_lr(*bowl.eigenvalues))
    np.testing.assert_allclose(runs["momentum", 0.0].points, plain.points, rtol=1e-12, atol=1e-15)


def test_interactive_frames_and_html() -> None:
    import dataclasses
    import re

    import matplotlib

    matplotlib.use("agg")
    import matplotlib.pyplot as plt

    from d2lopt.chapter.practice import InteractiveFrames, interactive_figure, interactive_runs
    from d2lopt.plot.layout import text_problems

    runs = interactive_runs()
    frames = InteractiveFrames()
    beta, lr = SETTINGS.interactive_betas[-1], SETTINGS.lr_grid[-1]
    fig = frames(runs["momentum", beta], runs["Adam", lr], beta, lr)
    assert text_problems(fig, display_width=690) == []
    momentum_loss, adam_loss = (line.get_ydata() for line in fig.axes[1].lines[:2])
    np.testing.assert_allclose(momentum_loss, np.maximum(runs["momentum", beta].values, 1e-12))
    np.testing.assert_allclose(adam_loss, np.maximum(runs["Adam", lr].values, 1e-12))
    plt.close(fig)
    small = dataclasses.replace(SETTINGS, interactive_betas=(0.0, 0.9), lr_grid=(0.01, 0.1),
                                interactive_steps=4)
    page = interactive_figure(small)
    assert re.findall(r'data-state="([^"]*)"', page) == ["0-0", "0-1", "1-0", "1-1"]
    assert "momentum β = 0.9, Adam η = 0.01" in page
