"""Section 11 (local vs global structure): the mountain landscape and separable logistic loss.

Parameters are :data:`d2lopt.chapter.local_global.SETTINGS`, those of
docs/chapter/11_local_global.md and gallery/11_local_global/.
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
from scipy.optimize import minimize, minimize_scalar, root
from scipy.special import expit
from scipy.stats import linregress
from test_numbers import read_back

import d2lopt
from d2lopt.chapter.local_global import (
    SETTINGS,
    logistic_gradient,
    logistic_gradient_descent,
    logistic_risk,
    logistic_smoothness,
    max_margin,
    separable_data,
)
from d2lopt.landscapes.mountain import MOUNTAIN_PARAMETERS as P
from d2lopt.landscapes.mountain import mountain
from d2lopt.optim import uniform_starts
from d2lopt.plot.numbers import format_number, format_uncertain
from d2lopt.rates import log_slope

LR, STEPS = SETTINGS.lr, SETTINGS.steps
STARTS = {**dict.fromkeys(SETTINGS.runaway_starts, False),
          **dict.fromkeys(SETTINGS.basin_starts, True)}


def mountain_gradient(p: np.ndarray) -> np.ndarray:
    """The gradient of the mountain, derived by hand (independent of autodiff)."""
    x, y = p
    ax, ay, s = 2 * P["width_x"] ** 2, 2 * P["width_y"] ** 2, 2 * P["basin_width"] ** 2
    peak = P["height"] * np.exp(-x**2 / ax - y**2 / ay)
    basin = P["depth"] * np.exp(-((x - P["basin_x"]) ** 2 + y**2) / s)
    sig = expit(x)
    return np.array([
        peak * (-2 * x / ax) + basin * 2 * (x - P["basin_x"]) / s + P["slope"] * sig * (1 - sig),
        peak * (-2 * y / ay) + basin * 2 * y / s,
    ])


def fd_hessian(p: np.ndarray, h: float = 1e-5) -> np.ndarray:
    return np.array([(mountain_gradient(p + h * e) - mountain_gradient(p - h * e)) / (2 * h)
                     for e in np.eye(2)])


def test_hand_gradient_matches_autodiff_on_every_backend(backend):
    for p in [(-0.4, 0.3), (1.0, -2.0), (2.5, 0.7)]:
        g = backend.to_numpy(d2lopt.grad(mountain)(backend.tensor(p)))
        np.testing.assert_allclose(g, mountain_gradient(np.array(p)), rtol=1e-10, atol=1e-14)


def test_critical_points_are_all_found_and_correctly_classified():
    found = []
    for sx in np.linspace(-1.5, 4.0, 12):
        for sy in np.linspace(-3.0, 3.0, 13):
            sol = root(mountain_gradient, np.array([sx, sy]), jac=fd_hessian, tol=1e-13)
            p = sol.x
            if (sol.success and np.linalg.norm(mountain_gradient(p)) < 1e-9
                    and -1.5 <= p[0] <= 4 and abs(p[1]) <= 3
                    and all(np.linalg.norm(p - q) > 1e-5 for q in found)):
                found.append(p)
    known = mountain.critical_points
    assert len(found) == len(known) == 4
    for point in known:
        p = np.array(point.location)
        assert min(np.linalg.norm(p - q) for q in found) < 1e-7
        eig = np.linalg.eigvalsh(0.5 * (fd_hessian(p) + fd_hessian(p).T))
        kind = ("minimum" if eig.min() > 0 else "maximum" if eig.max() < 0 else "saddle")
        assert kind == point.kind


def test_global_minimum_below_asymptote_and_asymptote_approached():
    basin = mountain.global_minimum.array
    value = float(mountain(basin))
    assert value == pytest.approx(-1.0987, abs=1e-4)
    assert value < mountain.asymptote
    X, Y = np.meshgrid(np.linspace(-7, 4, 221), np.linspace(-3, 3, 121))
    assert np.asarray(mountain(np.stack([X, Y]))).min() >= value - 1e-12
    ys = np.linspace(-3, 3, 7)
    far = np.asarray(mountain(np.stack([np.full_like(ys, -40.0), ys])))
    assert np.all(far > 0) and np.all(far < 1e-16)
    left = np.asarray(mountain(np.stack([X[X < -2], Y[X < -2]])))
    assert np.all(left > mountain.asymptote)


def hand_gradient_descent(start: tuple[float, float]) -> np.ndarray:
    x, points = np.array(start, float), [np.array(start, float)]
    for _ in range(STEPS):
        x = x - LR * mountain_gradient(x)
        points.append(x)
    return np.array(points)


@pytest.mark.parametrize("start", list(STARTS))
def test_runs_match_hand_gradient_descent_and_outcome(start):
    run = d2lopt.optim.gradient_descent(mountain, np.array(start), steps=STEPS, lr=LR)
    np.testing.assert_allclose(run.points, hand_gradient_descent(start), rtol=1e-9, atol=1e-9)
    reached = np.linalg.norm(run.final - mountain.global_minimum.array) < SETTINGS.basin_tol
    assert reached == STARTS[start]


@pytest.mark.parametrize("start", [s for s, ok in STARTS.items() if not ok])
def test_glued_runaway_rates(start):
    points = hand_gradient_descent(start)
    values = np.asarray(mountain(points.T))
    t = np.arange(STEPS + 1)
    late = t >= STEPS // 10
    distance = np.linalg.norm(points - mountain.global_minimum.array, axis=1)
    slope = linregress(np.log(t[late]), distance[late]).slope
    loss_slope = log_slope(t[late], values[late], log_x=True)
    assert slope == pytest.approx(1.0, abs=0.05)          # x_t ≈ -log(η t)
    assert loss_slope == pytest.approx(-1.0, abs=0.03)    # f ≈ 1/(η t)
    assert STEPS * values[-1] == pytest.approx(1 / LR, rel=0.02)
    assert np.all(np.diff(values) < 0)                    # the loss decreases at every step
    assert np.all(np.diff(distance[late]) > 0)            # and the distance keeps growing


# -- logistic loss on separable data -------------------------------------------------------

X, Y = separable_data(SETTINGS.n_points, seed=SETTINGS.seed)


def test_data_are_separable_with_the_promised_margin():
    mu = np.array([1.5, 0.5]) / np.linalg.norm([1.5, 0.5])
    assert np.min(Y * (X @ mu)) >= 0.3
    assert set(Y.tolist()) == {-1.0, 1.0}


def test_max_margin_against_a_search_over_directions():
    def margin(theta):
        return np.min(Y * (X @ np.array([np.cos(theta), np.sin(theta)])))

    thetas = np.linspace(-np.pi, np.pi, 20001)
    coarse = thetas[np.argmax([margin(th) for th in thetas])]
    best = minimize_scalar(lambda th: -margin(th), bounds=(coarse - 1e-3, coarse + 1e-3),
                           method="bounded", options={"xatol": 1e-12})
    gamma = -best.fun
    w_hat = max_margin(X, Y)
    assert np.linalg.norm(w_hat) == pytest.approx(1 / gamma, rel=1e-6)
    np.testing.assert_allclose(w_hat / np.linalg.norm(w_hat),
                               [np.cos(best.x), np.sin(best.x)], atol=1e-5)


def test_max_margin_rejects_inseparable_data():
    with pytest.raises(ValueError, match="not linearly separable"):
        max_margin(np.array([[1.0, 0.0], [2.0, 0.0]]), np.array([1.0, -1.0]))


def test_logistic_risk_as_cross_entropy_and_gradient_by_autodiff(backend):
    w = np.array(SETTINGS.probe)
    p, target = expit(X @ w), (Y > 0).astype(float)   # the binary cross-entropy form
    expected = -np.mean(target * np.log(p) + (1 - target) * np.log1p(-p))
    assert float(backend.to_numpy(logistic_risk(backend.tensor(w), X, Y))) == pytest.approx(
        expected, rel=1e-12)
    g = backend.to_numpy(d2lopt.grad(lambda v: logistic_risk(v, X, Y))(backend.tensor(w)))
    np.testing.assert_allclose(g, logistic_gradient(w, X, Y), rtol=1e-10)


def test_smoothness_is_the_hessian_norm_at_zero():
    H = X.T @ X / (4 * len(Y))      # the Hessian at w = 0, where σ' = 1/4 is largest
    assert logistic_smoothness(X) == pytest.approx(np.linalg.eigvalsh(H).max(), rel=1e-12)


def test_gradient_descent_matches_torch_sgd():
    torch = pytest.importorskip("torch")
    lr = 1.0 / logistic_smoothness(X)
    w = torch.zeros(2, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([w], lr=lr)
    Xt, targets = torch.tensor(X), torch.tensor((Y > 0).astype(float))
    for _ in range(2000):
        opt.zero_grad()
        torch.nn.functional.binary_cross_entropy_with_logits(Xt @ w, targets).backward()
        opt.step()
    _, weights, losses = logistic_gradient_descent(X, Y, lr=lr, steps=2000, record=[2000])
    np.testing.assert_allclose(weights[-1], w.detach().numpy(), rtol=1e-9)


def test_glued_implicit_bias_numbers():
    """Loss ~ 1/t, ||w|| ~ ||w_hat|| log t (approached from below), direction -> w_hat."""
    steps = SETTINGS.logistic_steps
    lr = 1.0 / logistic_smoothness(X)
    record = np.unique(np.geomspace(1, steps, SETTINGS.records).astype(int))
    t, weights, losses = logistic_gradient_descent(X, Y, lr=lr, steps=steps, record=record)
    norms = np.linalg.norm(weights, axis=1)
    late = t >= steps // 10
    norm_slope = linregress(np.log(t[late]), norms[late]).slope
    w_norm = np.linalg.norm(max_margin(X, Y))
    assert 0.85 * w_norm < norm_slope < w_norm
    assert log_slope(t[late], losses[late], log_x=True) == pytest.approx(-1.0, abs=0.05)
    assert np.all(losses > 0) and np.all(np.diff(losses) < 0)
    assert np.all(np.diff(norms) > 0)
    recomputed = np.logaddexp(0, -(Y[:, None] * X) @ weights[-1]).mean()
    assert losses[-1] == pytest.approx(recomputed, rel=1e-12)
    cosine = weights[-1] @ max_margin(X, Y) / (norms[-1] * w_norm)
    assert 0.99 < cosine < 1.0


@pytest.mark.parametrize("start", [s for s, ok in STARTS.items() if not ok])
def test_no_local_warning_far_along_the_runaway_path(start):
    """Gradient norm ~ 1/(η t) and no negative curvature along the late path (page prose)."""
    points = hand_gradient_descent(start)
    t = np.arange(STEPS + 1)
    norms = np.linalg.norm([mountain_gradient(p) for p in points[150:]], axis=1)
    assert log_slope(t[150:], norms, log_x=True) == pytest.approx(-1.0, abs=0.05)
    for p in points[-200:]:
        eig = np.linalg.eigvalsh(fd_hessian(p))
        assert eig.max() > 0 and eig.min() > -1e-8


def test_glued_restart_share_with_hand_gradient():
    """Same draws as the page: uniform starts in the box, gradient descent at the same η."""
    n, (x_box, y_box) = SETTINGS.n_starts, SETTINGS.box
    rng = np.random.default_rng(SETTINGS.seed)
    starts = np.stack([rng.uniform(*x_box, n), rng.uniform(*y_box, n)])
    page = starts.copy()
    surface_gradient = d2lopt.grad(lambda p: mountain(p).sum())
    for _ in range(SETTINGS.restart_steps):
        page = page - LR * surface_gradient(page)
    hand = starts.copy()
    for _ in range(SETTINGS.restart_steps):
        hand = hand - LR * np.stack([mountain_gradient(hand[:, i]) for i in range(n)], axis=1)
    np.testing.assert_allclose(page, hand, rtol=1e-8, atol=1e-8)
    basin = mountain.global_minimum.array[:, None]
    share = float((np.linalg.norm(page - basin, axis=0) < SETTINGS.restart_tol).mean())
    share_hand = float((np.linalg.norm(hand - basin, axis=0) < SETTINGS.restart_tol).mean())
    assert share == share_hand
    assert page_glue("11_local_global.md")["lg_share"] == format_number(share, 3)
    # the runs not in the basin have all run off to the left
    lost = np.linalg.norm(hand - basin, axis=0) >= SETTINGS.restart_tol
    assert np.all(hand[0, lost] < -3.0)
    assert 0.2 < share < 0.9


def test_glued_values():
    g = page_glue("11_local_global.md")

    def num(key):  # the glued text read back as a number
        return read_back(g[key])

    for name, value in P.items():
        assert g[f"lg_p_{name}"] == format_number(value, 4, trim=True)

    def f(p):
        x, y = p
        peak = np.exp(-x**2 / (2 * P["width_x"] ** 2) - y**2 / (2 * P["width_y"] ** 2))
        basin = np.exp(-((x - P["basin_x"]) ** 2 + y**2) / (2 * P["basin_width"] ** 2))
        return P["height"] * peak - P["depth"] * basin + P["slope"] * expit(x)

    best = minimize(f, [2.0, 0.1], method="Nelder-Mead", options={"xatol": 1e-10, "fatol": 1e-14})
    assert g["lg_min_value"] == format_number(best.fun, 4)
    assert g["lg_min_value_rounded"] == format_number(best.fun, 3)
    assert g["lg_min_x"] == format_number(best.x[0], 4)
    top = minimize(lambda p: -f(p), [0.0, 0.1], method="Nelder-Mead",
                   options={"xatol": 1e-10, "fatol": 1e-14})
    assert g["lg_max_value"] == format_number(-top.fun, 5)
    assert g["lg_n_critical"] == 4 and g["lg_asymptote"] == "0"
    assert (g["lg_lr"], g["lg_steps"], g["lg_fit_from"]) == (
        format_number(LR, 4, trim=True), STEPS, STEPS // 10)
    assert g["lg_inv_lr"] == format_number(1 / LR, 4)
    # the runaways: x_t ~ -log(η t), f ~ 1/(η t), t f(x_t) -> 1/η
    for key, start in zip("abc", SETTINGS.runaway_starts, strict=True):
        assert g[f"lg_start_{key}"] == "({}, {})".format(
            *(format_number(float(c), trim=True) for c in start))
        assert num(f"lg_dist_slope_{key}") == pytest.approx(1.0, abs=0.05)
        assert num(f"lg_loss_slope_{key}") == pytest.approx(-1.0, abs=0.03)
        assert num(f"lg_tf_{key}") == pytest.approx(1 / LR, rel=0.02)
        assert g[f"lg_final_x_{key}"] == format_number(hand_gradient_descent(start)[-1][0], 3)
        assert num(f"lg_final_x_{key}") == pytest.approx(-math.log(LR * STEPS), abs=0.3)
    assert g["lg_n_starts"] == SETTINGS.n_starts and g["lg_restarts"] == SETTINGS.restarts
    assert num("lg_restart_success") == pytest.approx(
        1 - (1 - num("lg_share")) ** SETTINGS.restarts, abs=5e-3)
    # implicit bias: an independent loop with the explicit gradient formula
    Z = Y[:, None] * X
    lr = 4 * len(Y) / np.linalg.svd(X)[1][0] ** 2
    assert g["lg_logistic_lr"] == format_number(lr, 5)
    w = np.zeros(2)
    for _ in range(SETTINGS.early_step):
        w = w + lr * np.mean(Z * expit(-Z @ w)[:, None], axis=0)
    thetas = np.linspace(-np.pi, np.pi, 200001)   # max-margin direction by brute force
    margins = np.min(Z @ np.stack([np.cos(thetas), np.sin(thetas)]), axis=0)
    best = thetas[np.argmax(margins)]
    # the grid step (3e-5 rad) times max ||x|| bounds the error of the brute-force margin
    assert num("lg_margin") == pytest.approx(margins.max(), abs=1e-3)
    cosine = w @ np.array([np.cos(best), np.sin(best)]) / np.linalg.norm(w)
    assert g["lg_early_step"] == SETTINGS.early_step
    assert num("lg_cosine_early") == pytest.approx(cosine, abs=2e-4)
    assert num("lg_margin") == pytest.approx(1 / num("lg_what_norm"), abs=1e-3)
    assert num("lg_final_loss") > 0
    assert 0.85 * num("lg_what_norm") < num("lg_norm_slope") < num("lg_what_norm")
    assert num("lg_logistic_loss_slope") == pytest.approx(-1.0, abs=0.05)
    assert num("lg_cosine_early") < num("lg_cosine") < 1.0


def test_snippets_downhill_direction():
    outputs = snippet_outputs("11_local_global.md")
    assert set(outputs.values()) == {"downhill is left, away from the basin"}


def test_page_and_scripts_take_their_values_from_the_settings():
    assert settings_problems("11_local_global.md") == []


PAGE = "11_local_global.md"


def test_exercise_labels():
    assert exercise_labels(PAGE) == ["ex-11-runaway", "ex-11-restarts", "ex-11-decay",
                                     "ex-11-falling"]


def test_exercise_runaway_recursion_numerically():
    """ex-11-runaway: u_{t+1} = u_t e^{ηc/u_t} >= u_t + ηc and t f(x_t) -> 1/η."""
    c, x = P["slope"], -2.0
    u0 = math.exp(-x)
    for t in range(1, 200_001):
        x = x - LR * c * math.exp(x)
        assert math.exp(-x) >= (u0 + LR * c * t) * (1 - 1e-12)
    assert t * c * math.exp(x) == pytest.approx(1 / LR, rel=1e-3)
    assert x == pytest.approx(-math.log(LR * c * t), abs=1e-3)


def test_exercise_restarts_against_hand_gradient():
    namespace, printed = run_solution(PAGE, "ex-11-restarts")
    hand = uniform_starts(SETTINGS.box, SETTINGS.n_starts, seed=SETTINGS.seed)
    for _ in range(SETTINGS.restart_steps):
        hand = hand - LR * mountain_gradient(hand)
    success = np.linalg.norm(hand - mountain.global_minimum.array[:, None], axis=0)
    p = float((success < SETTINGS.restart_tol).mean())
    assert namespace["p"] == p
    k = 1
    failure = 1 - SETTINGS.exercise_success
    while (1 - p) ** k > failure:    # the smallest k with (1 − p)^k <= 1 − success
        k += 1
    assert namespace["k"] == k
    error = math.sqrt(p * (1 - p) / SETTINGS.n_starts)
    assert f"p = {format_uncertain(p, error)}" in printed and f"k = {k}," in printed
    # the solution's remark: k moves by at most one within one standard error of p
    ks = {math.ceil(math.log(failure) / math.log(1 - q)) for q in (p - error, p, p + error)}
    assert max(ks) - min(ks) <= 1


def test_exercise_weight_decay_converges_to_the_regularized_minimizer():
    namespace, printed = run_solution(PAGE, "ex-11-decay")
    X, y = separable_data(SETTINGS.n_points, seed=SETTINGS.seed)
    decay = SETTINGS.exercise_weight_decay
    Z = y[:, None] * X

    def penalized(w):
        return np.logaddexp(0.0, -(Z @ w)).mean() + 0.5 * decay * w @ w

    def gradient(w):
        return -(expit(-(Z @ w)) @ Z) / len(y) + decay * w

    best = minimize(penalized, np.zeros(2), jac=gradient, method="BFGS",
                    options={"gtol": 1e-12}).x
    np.testing.assert_allclose(namespace["final"]["weight decay"], best, rtol=1e-6)
    last = SETTINGS.exercise_decay_steps
    assert f"{format_number(np.linalg.norm(best), 4)} at t = {last}" in printed
    # without the penalty the norm keeps growing, and the direction is closer to ŵ
    w_hat = max_margin(X, y)
    plain = namespace["final"]["no penalty"]
    assert np.linalg.norm(plain) > 2 * np.linalg.norm(best)

    def cosine(w):
        return w @ w_hat / (np.linalg.norm(w) * np.linalg.norm(w_hat))

    assert cosine(best) < cosine(plain) < 1
    assert f"cosine with ŵ {format_number(cosine(best), 4)}" in printed


def test_exercise_falling_loss_while_running_away():
    namespace, printed = run_solution(PAGE, "ex-11-falling")
    steps = SETTINGS.exercise_falling_steps
    for k, start in enumerate(SETTINGS.runaway_starts):
        points = hand_gradient_descent(start)[: steps + 1]
        losses = np.array([float(mountain(p)) for p in points])
        distance = np.linalg.norm(points - mountain.global_minimum.array, axis=1)
        np.testing.assert_allclose(namespace["losses"][:, k], losses, rtol=1e-9)
        assert np.all(np.diff(losses) < 0) and np.all(np.diff(distance) > 0)
        assert namespace["fell"][k] == namespace["grew"][k] == steps
        assert losses[-1] > float(mountain(mountain.global_minimum.array)) + 1
        assert f"final loss {format_number(losses[-1], 3)}" in printed
    assert printed.count(f"fell at {steps} of {steps} steps, distance grew at {steps};") == 3
    assert "(−0.4, 0)" in printed


def test_weight_decay_step_and_validation():
    """One step by hand: w1 = w0 + (η/n) σ(−Z w0)ᵀZ − ηλ w0."""
    X, y = separable_data(10, seed=1)
    w0, lr, decay = np.array([0.3, -0.2]), 0.5, 0.1
    _, w, _ = logistic_gradient_descent(X, y, lr=lr, steps=1, w0=w0, weight_decay=decay)
    expected = w0 - lr * (logistic_gradient(w0, X, y) + decay * w0)
    np.testing.assert_allclose(w[-1], expected, rtol=1e-12)
    for bad in (-1.0, float("nan")):
        with pytest.raises(ValueError, match="weight_decay"):
            logistic_gradient_descent(X, y, lr=lr, steps=1, weight_decay=bad)
