"""The framework tabs of sections 9-12 run and print what the library computes.

Each page shows the same snippet for NumPy, PyTorch and TensorFlow in a
sphinx-design tab set. The snippets are not executed by the docs build, so they
are executed here, once per installed framework, and their printed output is
checked against an independent computation.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from chapter_pages import page_glue, page_text, section_pages, snippet_outputs
from scipy.special import expit
from scipy.stats import linregress

# The pages' structure is checked for all sections in test_chapter_pages.py.


def test_snippets_09_autodiff_row_agrees():
    outputs = snippet_outputs("09_long_term.md")
    assert set(outputs.values()) == {"True"}


def test_snippets_10_tanh_slope():
    outputs = snippet_outputs("10_vanishing.md")
    assert set(outputs.values()) == {f"{1 - math.tanh(4.0) ** 2:.6f}"}


def test_snippets_11_downhill_direction():
    outputs = snippet_outputs("11_local_global.md")
    assert set(outputs.values()) == {"downhill is left, away from the basin"}


def test_snippets_12_heavy_ball_steps():
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


# -- the glued numbers themselves --------------------------------------------------------


@pytest.mark.parametrize("page", [p for p in section_pages() if p >= "09"])
def test_every_glue_reference_is_defined_with_a_plain_type(page):
    text = page_text(page)
    used = set(re.findall(r"\{glue:text\}`([A-Za-z0-9_]+)", text))
    glued = page_glue(page)
    assert used == set(glued), (used - set(glued), set(glued) - used)
    # NumPy scalars are glued as 'np.float64(...)' text that {glue:text} cannot format
    assert all(type(v) in (int, float, str) for v in glued.values())


def repeated_norms(W, x, steps):
    out, v = [np.linalg.norm(x)], np.array(x, float)
    for _ in range(steps):
        v = W @ v
        out.append(np.linalg.norm(v))
    return np.array(out)


def test_glued_values_09():
    from d2lopt.chapter.long_term import rnn_gradient_experiment, symmetric_with_radius

    g = page_glue("09_long_term.md")
    t = np.arange(61)
    x = np.ones(20) / np.sqrt(20)
    for key, rho in (("09", 0.9), ("10", 1.0), ("11", 1.1)):
        norms = repeated_norms(symmetric_with_radius(20, rho, seed=0), x, 60)
        assert g[f"lt_rate_{key}"] == pytest.approx(linregress(t[30:], np.log(norms[30:])).slope,
                                                    abs=1e-9)
        assert g[f"lt_logrho_{key}"] == pytest.approx(math.log(rho))
    closed = np.hypot(20 * (0.9**t - 0.8**t), 0.8**t)   # W^t e2 for [[0.9, 2], [0, 0.8]]
    assert g["lt_nn_peak"] == pytest.approx(closed.max(), rel=1e-10)
    assert g["lt_nn_peak_t"] == int(np.argmax(closed))
    assert g["lt_nn_below_one"] == int(np.flatnonzero((closed < 1) & (t > np.argmax(closed)))[0])
    assert g["lt_nn_rate"] == pytest.approx(linregress(t[30:], np.log(closed[30:])).slope,
                                            abs=1e-8)
    assert g["lt_nn_sigma"] == pytest.approx(np.linalg.svd([[0.9, 2.0], [0.0, 0.8]])[1][0])
    assert g["lt_eig_error"] < 1e-10
    assert g["lt_shrink"] == pytest.approx(0.9**60) and g["lt_grow"] == pytest.approx(1.1**60)
    T = np.arange(1, 81)
    for key, scale in (("05", 0.5), ("10", 1.0), ("15", 1.5), ("30", 3.0)):
        W, U, inputs, h0, _ = rnn_gradient_experiment(scale)
        h, J, norms = h0, np.eye(64), []
        for x_t in inputs:           # independent: explicit diag(1 - h^2) W products
            h = np.tanh(W @ h + U @ x_t)
            J = np.diag(1 - h**2) @ W @ J
            norms.append(np.linalg.norm(J, 2))
        norms = np.array(norms)
        assert g[f"lt_rnn_rho_{key}"] == pytest.approx(np.abs(np.linalg.eigvals(W)).max())
        assert g[f"lt_rnn_sigma_{key}"] == pytest.approx(np.linalg.svd(W)[1][0])
        assert g[f"lt_rnn_rate_{key}"] == pytest.approx(
            linregress(T[19:], np.log(norms[19:])).slope, abs=1e-6)
        assert g[f"lt_rnn_last_{key}"] == pytest.approx(norms[-1], rel=1e-4)


def test_glued_values_10():
    g = page_glue("10_vanishing.md")
    assert g["vg_tanh4"] == pytest.approx(1 - math.tanh(4.0) ** 2, rel=1e-12)
    assert g["vg_tanh4_closed"] == pytest.approx(1 / math.cosh(4.0) ** 2, rel=1e-10)
    assert g["vg_tanh4_asymptotic"] == pytest.approx(4 * math.exp(-8), rel=1e-15)
    assert g["vg_tanh0"] == 1.0
    assert g["vg_tanh4_shrink"] == pytest.approx(math.cosh(4.0) ** 2, rel=1e-10)
    assert g["vg_sigmoid_max"] == pytest.approx(0.25, abs=1e-15)
    assert g["vg_sigmoid_argmax"] == pytest.approx(0.0, abs=1e-6)
    product, z, products = 1.0, 0.0, []
    for _ in range(30):
        s = 1 / (1 + math.exp(-z))
        product, z = product * s * (1 - s), s
        products.append(product)
    assert g["vg_chain_last"] == pytest.approx(products[-1], rel=1e-12)
    assert g["vg_bound_last"] == 0.25**30
    assert g["vg_fixed_point"] == pytest.approx(z, abs=1e-9)   # z has converged to z*
    assert g["vg_per_layer"] == pytest.approx(z * (1 - z), abs=1e-9)
    assert g["vg_fitted"] == pytest.approx(g["vg_per_layer"], rel=1e-6)
    assert g["vg_relu_chain"] == 1.0


def test_glued_values_11():
    from d2lopt.chapter.local_global import separable_data
    from d2lopt.landscapes.mountain import MOUNTAIN_PARAMETERS as P

    g = page_glue("11_local_global.md")
    for name, value in P.items():
        assert g[f"lg_p_{name}"] == value

    def f(p):
        x, y = p
        peak = np.exp(-x**2 / (2 * P["width_x"] ** 2) - y**2 / (2 * P["width_y"] ** 2))
        basin = np.exp(-((x - P["basin_x"]) ** 2 + y**2) / (2 * P["basin_width"] ** 2))
        return P["height"] * peak - P["depth"] * basin + P["slope"] * expit(x)

    from scipy.optimize import minimize

    best = minimize(f, [2.0, 0.1], method="Nelder-Mead", options={"xatol": 1e-10, "fatol": 1e-14})
    assert g["lg_min_value"] == pytest.approx(best.fun, abs=1e-9)
    assert g["lg_min_x"] == pytest.approx(best.x[0], abs=1e-5)
    top = minimize(lambda p: -f(p), [0.0, 0.1], method="Nelder-Mead",
                   options={"xatol": 1e-10, "fatol": 1e-14})
    assert g["lg_max_value"] == pytest.approx(-top.fun, abs=1e-9)
    assert g["lg_n_critical"] == 4 and g["lg_asymptote"] == 0.0
    assert f(np.array([-60.0, 1.0])) < 1e-20
    # the runaways: x_t ~ -log(η t), f ~ 1/(η t), t f(x_t) -> 1/η
    for key in "abc":
        assert g[f"lg_dist_slope_{key}"] == pytest.approx(1.0, abs=0.05)
        assert g[f"lg_loss_slope_{key}"] == pytest.approx(-1.0, abs=0.03)
        assert g[f"lg_tf_{key}"] == pytest.approx(1 / 0.3, rel=0.02)
        assert g[f"lg_final_x_{key}"] == pytest.approx(-math.log(0.3 * 1500), abs=0.3)
    assert 0 < g["lg_share"] < 1
    assert g["lg_restart_success"] == pytest.approx(1 - (1 - g["lg_share"]) ** 5)
    # implicit bias: an independent loop with the explicit gradient formula
    X, y = separable_data(40, seed=0)
    Z = y[:, None] * X
    lr = 4 * len(y) / np.linalg.svd(X)[1][0] ** 2
    assert g["lg_logistic_lr"] == pytest.approx(lr, rel=1e-12)
    w = np.zeros(2)
    for _ in range(1000):
        w = w + lr * np.mean(Z * expit(-Z @ w)[:, None], axis=0)
    thetas = np.linspace(-np.pi, np.pi, 200001)   # max-margin direction by brute force
    margins = np.min(Z @ np.stack([np.cos(thetas), np.sin(thetas)]), axis=0)
    best = thetas[np.argmax(margins)]
    # the grid step (3e-5 rad) times max ||x|| bounds the error of the brute-force margin
    assert g["lg_margin"] == pytest.approx(margins.max(), abs=1e-4)
    cosine = w @ np.array([np.cos(best), np.sin(best)]) / np.linalg.norm(w)
    assert g["lg_early_step"] == 1000
    assert g["lg_cosine_early"] == pytest.approx(cosine, abs=1e-4)
    assert g["lg_margin"] == pytest.approx(1 / g["lg_what_norm"])
    assert g["lg_final_loss"] > 0
    assert 0.85 * g["lg_what_norm"] < g["lg_norm_slope"] < g["lg_what_norm"]
    assert g["lg_logistic_loss_slope"] == pytest.approx(-1.0, abs=0.05)
    assert g["lg_cosine_early"] < g["lg_cosine"] < 1.0


def quadratic_steps_to_tol(points, H):
    values = 0.5 * np.einsum("ti,ij,tj->t", points, H, points)
    inside = values <= 1e-6
    return next((t for t in range(len(values)) if inside[t:].all()), math.inf)


def hand_heavy_ball(H, x0, lr, beta, steps=300):
    x, prev, pts = x0.copy(), x0.copy(), [x0.copy()]
    for _ in range(steps):
        x, prev = x - lr * H @ x + beta * (x - prev), x
        pts.append(x)
    return np.array(pts)


def hand_adam(H, x0, lr, b1, b2=0.999, eps=1e-8, steps=300):
    x, m, v, pts = x0.copy(), np.zeros(2), np.zeros(2), [x0.copy()]
    for t in range(1, steps + 1):
        grad = H @ x
        m = b1 * m + (1 - b1) * grad
        v = b2 * v + (1 - b2) * grad**2
        x = x - lr / (1 - b1**t) * m / (np.sqrt(v / (1 - b2**t)) + eps)
        pts.append(x)
    return np.array(pts)


def test_glued_values_12():
    g = page_glue("12_practice.md")
    kappa, mu, L = 50.0, 1.0, 50.0
    assert g["pr_gd_lr"] == pytest.approx(2 / (mu + L))
    assert g["pr_hb_lr"] == pytest.approx(4 / (math.sqrt(L) + math.sqrt(mu)) ** 2)
    assert g["pr_hb_beta"] == pytest.approx(((math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)) ** 2)
    assert g["pr_gd_rate"] == pytest.approx((kappa - 1) / (kappa + 1))
    assert g["pr_hb_rate"] == pytest.approx((math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1))
    assert g["pr_gd_fitted"] == pytest.approx(g["pr_gd_rate"], rel=1e-10)
    assert g["pr_hb_rate"] < g["pr_hb_fitted"] < 1.03 * g["pr_hb_rate"]
    assert g["pr_sqrt_kappa"] == pytest.approx(math.sqrt(50))

    # independent runs by hand on 1/2 (x^2 + 50 y^2), aligned and turned by 45 degrees
    c = s = math.sqrt(0.5)
    R = np.array([[c, -s], [s, c]])
    start = np.array([-0.9, 0.6])
    for key, H, x0 in (("al", np.diag([mu, L]), start),
                       ("tu", R.T @ np.diag([mu, L]) @ R, R.T @ start)):
        def count(points, H=H):
            return quadratic_steps_to_tol(points, H)

        assert g[f"pr_{key}_gd_steps"] == count(hand_heavy_ball(H, x0, g["pr_gd_lr"], 0.0))
        assert g[f"pr_{key}_hb_steps"] == count(hand_heavy_ball(H, x0, g["pr_hb_lr"],
                                                                g["pr_hb_beta"]))
        assert g[f"pr_{key}_adam_steps"] == count(hand_adam(H, x0, g[f"pr_{key}_adam_lr"],
                                                            g[f"pr_{key}_adam_b1"]))
        best = min(count(hand_adam(H, x0, lr, b1)) for lr in (0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
                   for b1 in (0.5, 0.7, 0.9))
        assert g[f"pr_{key}_adam_steps"] == best
    assert g["pr_speedup"] == pytest.approx(g["pr_al_gd_steps"] / g["pr_al_hb_steps"])

    # the saddle: gradient descent and momentum by hand on the double well
    def escape_and_converge(lr, beta, x0=1e-3, steps=150):
        p, prev, pts = np.array([x0, 0.5]), np.array([x0, 0.5]), [np.array([x0, 0.5])]
        for _ in range(steps):
            grad = np.array([p[0] ** 3 - p[0], p[1]])
            p, prev = p - lr * grad + beta * (p - prev), p
            pts.append(p)
        pts = np.array(pts)
        values = 0.25 * pts[:, 0] ** 4 - 0.5 * pts[:, 0] ** 2 + 0.5 * pts[:, 1] ** 2 + 0.25
        escape = next(t for t in range(len(pts)) if abs(pts[t, 0]) >= 0.5)
        return escape, next((t for t in range(len(pts)) if (values[t:] <= 1e-6).all()), math.inf)

    assert (g["pr_sd_gd_escape"], g["pr_sd_gd_steps"]) == escape_and_converge(g["pr_sd_gd_lr"], 0.0)
    assert (g["pr_sd_hb_escape"], g["pr_sd_hb_steps"]) == escape_and_converge(
        g["pr_sd_hb_lr"], g["pr_sd_hb_beta"])
    for tag, beta in (("gd", 0.0), ("hb", g["pr_sd_hb_beta"])):
        lr = g[f"pr_sd_{tag}_lr"]
        z = max(abs(np.roots([1.0, -(1 + beta + lr), beta])))
        assert g[f"pr_sd_{tag}_z"] == pytest.approx(z, rel=1e-12)
        assert g[f"pr_sd_{tag}_decade_theory"] == pytest.approx(math.log(10) / math.log(z))
        assert g[f"pr_sd_{tag}_decade"] == pytest.approx(g[f"pr_sd_{tag}_decade_theory"], abs=0.1)
        assert g[f"pr_sd_{tag}_far"] == escape_and_converge(lr, beta, x0=1e-12)[0]
    assert abs(g["pr_sd_adam_decade"]) < 0.5
    assert g["pr_sd_adam_escape"] <= g["pr_sd_hb_escape"] < g["pr_sd_gd_escape"]
