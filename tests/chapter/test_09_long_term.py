"""Section 9 (long-term dependencies): powers of W and gradients of a tanh RNN.

The parameters are :data:`d2lopt.chapter.long_term.SETTINGS`, those of
docs/chapter/09_long_term.md and gallery/09_long_term/; every number the page
glues is recomputed here by an independent route (repeated multiplication,
closed forms, autodiff Jacobians).
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
from d2lopt.chapter.long_term import (
    SETTINGS,
    matrix_power,
    power_norms,
    random_recurrent_weights,
    rnn_final_state,
    rnn_gradient_experiment,
    rnn_jacobian_norms,
    rnn_jacobians,
    rnn_states,
    spectral_radius,
    symmetric_with_radius,
)
from d2lopt.plot.numbers import format_number
from d2lopt.rates import log_slope

RADII = SETTINGS.radii
NON_NORMAL = np.array(SETTINGS.non_normal)
STEPS = SETTINGS.steps
SCALES = SETTINGS.scales
N = SETTINGS.n


def repeated_norms(W: np.ndarray, x: np.ndarray, steps: int) -> np.ndarray:
    out, v = [np.linalg.norm(x)], x.copy()
    for _ in range(steps):
        v = W @ v
        out.append(np.linalg.norm(v))
    return np.array(out)


@pytest.mark.parametrize("t", [0, 1, 7, 60])
def test_matrix_power_matches_repeated_multiplication(t):
    for W in [symmetric_with_radius(N, rho, seed=SETTINGS.seed) for rho in RADII] + [NON_NORMAL]:
        expected = np.linalg.matrix_power(W, t)
        np.testing.assert_allclose(matrix_power(W, t), expected, rtol=1e-9,
                                   atol=1e-10 * max(1.0, np.abs(expected).max()))


def test_matrix_power_complex_eigenvalues_is_real():
    rotation = 0.95 * np.array([[np.cos(0.3), -np.sin(0.3)], [np.sin(0.3), np.cos(0.3)]])
    np.testing.assert_allclose(matrix_power(rotation, 9), np.linalg.matrix_power(rotation, 9),
                               atol=1e-12)


def test_matrix_power_rejects_defective_and_bad_input():
    with pytest.raises(ValueError, match="not diagonalizable"):
        matrix_power([[1.0, 1.0], [0.0, 1.0]], 3)
    with pytest.raises(ValueError, match="square"):
        matrix_power(np.ones((2, 3)), 2)
    with pytest.raises(ValueError, match="non-negative integer"):
        matrix_power(np.eye(2), -1)


def test_power_norms_match_repeated_multiplication():
    x = np.ones(N) / np.sqrt(N)
    for rho in RADII:
        W = symmetric_with_radius(N, rho, seed=SETTINGS.seed)
        np.testing.assert_allclose(power_norms(W, x, STEPS), repeated_norms(W, x, STEPS),
                                   rtol=1e-9)


def test_symmetric_with_radius_is_symmetric_with_that_radius():
    for rho in RADII:
        W = symmetric_with_radius(20, rho, seed=0)
        np.testing.assert_allclose(W, W.T, atol=1e-14)
        assert np.max(np.abs(np.linalg.eigvalsh(W))) == pytest.approx(rho, abs=1e-12)
        assert spectral_radius(W) == pytest.approx(rho, abs=1e-12)


def test_glued_fitted_rates_equal_log_rho():
    """The page glues log_slope over t in [steps/2, steps]; for a normal W it is log ρ."""
    x = np.ones(N) / np.sqrt(N)
    t = np.arange(STEPS + 1)
    for rho in RADII:
        W = symmetric_with_radius(N, rho, seed=SETTINGS.seed)
        glued = log_slope(t[STEPS // 2:], power_norms(W, x, STEPS)[STEPS // 2:])
        independent = linregress(t[STEPS // 2:],
                                 np.log(repeated_norms(W, x, STEPS)[STEPS // 2:])).slope
        assert glued == pytest.approx(independent, abs=1e-9)
        assert glued == pytest.approx(np.log(rho), abs=1e-4)


def test_non_normal_transient_peak_matches_closed_form():
    """W^t e2 = (20 (0.9^t - 0.8^t), 0.8^t) for W = [[0.9, 2], [0, 0.8]]."""
    t = np.arange(STEPS + 1)
    closed = np.hypot(20 * (0.9**t - 0.8**t), 0.8**t)
    norms = power_norms(NON_NORMAL, np.array(SETTINGS.non_normal_start), STEPS)
    np.testing.assert_allclose(norms, closed, rtol=1e-10)
    assert int(np.argmax(norms)) == int(np.argmax(closed)) == 6
    assert norms.max() > 5.0
    assert spectral_radius(NON_NORMAL) == pytest.approx(0.9)
    # back below 1 only at t = 29 (the page glues this), then decays at rate log 0.9
    assert int(np.flatnonzero((closed < 1) & (t > 6))[0]) == 29
    assert log_slope(t[30:], norms[30:]) == pytest.approx(np.log(0.9), abs=2e-3)


def test_rnn_jacobians_are_a_product_of_one_step_jacobians():
    W, U, inputs, h0, _ = rnn_gradient_experiment(1.5, n=6, horizon=4)
    states = rnn_states(W, U, inputs, h0)
    expected = np.eye(6)
    for h in states[1:]:
        expected = np.diag(1 - h**2) @ W @ expected
    np.testing.assert_allclose(rnn_jacobians(W, U, inputs, h0)[-1], expected, rtol=1e-12)


def test_rnn_jacobian_matches_autodiff_on_every_backend(backend):
    W, U, inputs, h0, _ = rnn_gradient_experiment(1.5, n=8, horizon=12)
    x = backend.tensor(h0)
    rows = [
        backend.to_numpy(d2lopt.grad(lambda h, i=i: rnn_final_state(h, W, U, inputs)[i])(x))
        for i in range(8)
    ]
    np.testing.assert_allclose(np.array(rows), rnn_jacobians(W, U, inputs, h0)[-1],
                               rtol=1e-9, atol=1e-12)


def test_rnn_final_state_matches_rnn_states(backend):
    W, U, inputs, h0, _ = rnn_gradient_experiment(1.0, n=5, horizon=7)
    final = backend.to_numpy(rnn_final_state(backend.tensor(h0), W, U, inputs))
    np.testing.assert_allclose(final, rnn_states(W, U, inputs, h0)[-1], rtol=1e-12)


@pytest.mark.parametrize("scale", SCALES)
def test_glued_rnn_norms_and_rates_against_torch_jacobians(scale):
    """The page's norms (product of Jacobians) against torch.autograd's Jacobian of h_T."""
    torch = pytest.importorskip("torch")
    W, U, inputs, h0, norms = rnn_gradient_experiment(scale)
    Wt, drives = torch.tensor(W), torch.tensor(inputs @ U.T)

    def h_T(h, T):
        for t in range(T):
            h = torch.tanh(Wt @ h + drives[t])
        return h

    for T in (1, 20, 50, 80):
        J = torch.autograd.functional.jacobian(lambda h, T=T: h_T(h, T), torch.tensor(h0))
        # at scale 3 the state dynamics are chaotic (Lyapunov exponent ~0.3), so rounding
        # differences between NumPy and torch grow like e^{0.3 T}: ~1e-6 relative at T = 80
        assert norms[T - 1] == pytest.approx(np.linalg.norm(J.numpy(), 2), rel=1e-4)
    T = np.arange(1, SETTINGS.horizon + 1)
    late = T >= SETTINGS.rnn_fit_from
    glued = log_slope(T[late], norms[late])
    assert glued == pytest.approx(linregress(T[late], np.log(norms[late])).slope, abs=1e-9)
    # the rigorous bound of Pascanu et al. (2013): ||dh_T/dh_0|| <= ||W||_2^T since |tanh'| <= 1
    assert np.all(norms <= np.linalg.norm(W, 2) ** T * (1 + 1e-9))
    # in this experiment the rate never exceeds log ρ (saturation only shrinks the factors)
    assert glued < np.log(spectral_radius(W)) + 1e-3


def test_rnn_rates_small_weights_follow_log_rho_and_large_saturate():
    T = np.arange(1, 81)
    W, *_, norms = rnn_gradient_experiment(1.0)   # ρ a little above 1, yet vanishing
    assert 1.0 < spectral_radius(W) < 1.05 and log_slope(T[19:], norms[19:]) < 0
    W, *_, norms = rnn_gradient_experiment(0.5)
    assert log_slope(T[19:], norms[19:]) == pytest.approx(np.log(spectral_radius(W)), abs=0.05)
    W, *_, norms = rnn_gradient_experiment(3.0)
    rate = log_slope(T[19:], norms[19:])
    assert 0 < rate < 0.5 * np.log(spectral_radius(W))


def test_random_recurrent_weights_radius_close_to_scale():
    W = random_recurrent_weights(64, 1.5, seed=0)
    assert spectral_radius(W) == pytest.approx(1.5, rel=0.05)
    assert np.linalg.norm(W, 2) == pytest.approx(3.0, rel=0.1)


def test_rnn_input_validation():
    with pytest.raises(ValueError, match="h0 must have shape"):
        rnn_jacobian_norms(np.eye(2), np.eye(2), np.zeros((1, 2)), np.zeros(3))
    with pytest.raises(ValueError, match="inputs must have shape"):
        rnn_states(np.eye(2), np.eye(2), np.zeros((1, 3)), np.zeros(2))
    with pytest.raises(ValueError, match="horizon"):
        rnn_gradient_experiment(1.0, horizon=0)


def test_glued_values():
    g = page_glue("09_long_term.md")
    t = np.arange(STEPS + 1)
    x = np.ones(N) / np.sqrt(N)
    assert (g["lt_n"], g["lt_steps"], g["lt_fit_from"]) == (N, STEPS, STEPS // 2)
    for rho in RADII:
        key = f"{round(10 * rho):02d}"
        norms = repeated_norms(symmetric_with_radius(N, rho, seed=SETTINGS.seed), x, STEPS)
        assert g[f"lt_rate_{key}"] == format_number(
            linregress(t[STEPS // 2:], np.log(norms[STEPS // 2:])).slope, 4, sign=True)
        assert g[f"lt_logrho_{key}"] == format_number(math.log(rho), 4, sign=True)
        assert g[f"lt_rho_{key}"] == format_number(rho, 4, trim=True)
    closed = np.hypot(20 * (0.9**t - 0.8**t), 0.8**t)   # W^t e2 for [[0.9, 2], [0, 0.8]]
    assert g["lt_nn_peak"] == format_number(closed.max(), 3)
    assert g["lt_nn_rho"] == format_number(0.9, 2)
    assert g["lt_nn_peak_t"] == int(np.argmax(closed))
    assert g["lt_nn_below_one"] == int(np.flatnonzero((closed < 1) & (t > np.argmax(closed)))[0])
    assert g["lt_nn_rate"] == format_number(
        linregress(t[STEPS // 2:], np.log(closed[STEPS // 2:])).slope, 4, sign=True)
    assert g["lt_nn_sigma"] == format_number(np.linalg.svd(NON_NORMAL)[1][0], 3)
    assert read_back(g["lt_eig_error"]) < 1e-10
    assert g["lt_shrink"] == format_number(min(RADII) ** STEPS, 2)
    assert g["lt_grow"] == format_number(max(RADII) ** STEPS, 3)
    T = np.arange(1, SETTINGS.horizon + 1)
    late = T >= SETTINGS.rnn_fit_from
    assert (g["lt_rnn_n"], g["lt_rnn_horizon"], g["lt_rnn_fit_from"]) == (
        SETTINGS.rnn_n, SETTINGS.horizon, SETTINGS.rnn_fit_from)
    for scale in SCALES:
        key = f"{round(10 * scale):02d}"
        W, U, inputs, h0, _ = rnn_gradient_experiment(scale)
        h, J, norms = h0, np.eye(SETTINGS.rnn_n), []
        for x_t in inputs:           # independent: explicit diag(1 - h^2) W products
            h = np.tanh(W @ h + U @ x_t)
            J = np.diag(1 - h**2) @ W @ J
            norms.append(np.linalg.norm(J, 2))
        norms = np.array(norms)
        rho = np.abs(np.linalg.eigvals(W)).max()
        assert g[f"lt_rnn_scale_{key}"] == format_number(scale, 4, trim=True)
        assert g[f"lt_rnn_rho_{key}"] == format_number(rho, 4)
        assert g[f"lt_rnn_logrho_{key}"] == format_number(np.log(rho), 4, sign=True)
        assert g[f"lt_rnn_sigma_{key}"] == format_number(np.linalg.svd(W)[1][0], 4)
        assert g[f"lt_rnn_rate_{key}"] == format_number(
            linregress(T[late], np.log(norms[late])).slope, 3, sign=True)
        assert read_back(g[f"lt_rnn_last_{key}"]) == pytest.approx(norms[-1], rel=0.05)


def test_snippets_autodiff_row_agrees():
    assert set(snippet_outputs("09_long_term.md").values()) == {"True"}


def test_page_and_scripts_take_their_values_from_the_settings():
    assert settings_problems("09_long_term.md") == []


PAGE = "09_long_term.md"


def test_exercises_mix_kinds():
    assert exercise_labels(PAGE) == ["ex-09-bound", "ex-09-gelfand", "ex-09-inputs", "ex-09-folk"]


def test_exercise_gelfand_roots_against_numpy_matrix_power():
    namespace, printed = run_solution(PAGE, "ex-09-gelfand")
    W = NON_NORMAL
    horizon, tolerance = SETTINGS.exercise_gelfand_horizon, SETTINGS.exercise_gelfand_tolerance
    roots = {t: np.linalg.norm(np.linalg.matrix_power(W, t), 2) ** (1 / t)
             for t in range(1, horizon + 1)}
    for t in SETTINGS.exercise_gelfand_powers:
        assert namespace["roots"][t] == pytest.approx(roots[t], rel=1e-10)
        assert f"t = {t}: ‖W^t‖^(1/t) = {format_number(roots[t], 4)}" in printed
    # the last t with a root more than 1 % above ρ, by numpy's powers and eigenvalues
    rho = np.abs(np.linalg.eigvals(W)).max()
    expected = max(t for t, root in roots.items() if root > (1 + tolerance) * rho) + 1
    assert namespace["within_from"] == expected
    assert f"from t = {expected} on" in printed
    # singular values of W^t: the root decreases towards ρ from above after the transient
    last = SETTINGS.exercise_gelfand_powers[-1]
    assert roots[last] > rho and roots[horizon] < roots[last]


def test_exercise_stronger_inputs_slow_the_gradient():
    namespace, printed = run_solution(PAGE, "ex-09-inputs")
    T = np.arange(1, SETTINGS.horizon + 1)
    late = T >= SETTINGS.rnn_fit_from
    for name, input_scale in (("weak", SETTINGS.input_scale),
                              ("strong", SETTINGS.exercise_input_factor * SETTINGS.input_scale)):
        W, U, inputs, h0, _ = rnn_gradient_experiment(SETTINGS.exercise_scale,
                                                      input_scale=input_scale)
        h, J, norms, factors = h0, np.eye(SETTINGS.rnn_n), [], []
        for x_t in inputs:           # independent: explicit diag(1 - h^2) W products
            h = np.tanh(W @ h + U @ x_t)
            J = np.diag(1 - h**2) @ W @ J
            norms.append(np.linalg.norm(J, 2))
            factors.append(1 - h**2)
        rate = linregress(T[late], np.log(norms)[late]).slope
        assert namespace["rates"][name] == pytest.approx(rate, abs=1e-9)
        assert namespace["factors"][name] == pytest.approx(np.mean(factors), rel=1e-12)
        assert format_number(rate, 3, sign=True) in printed
    # the conclusion of the solution: growth with weak inputs, vanishing with strong ones
    assert namespace["rates"]["weak"] > 0 > namespace["rates"]["strong"]
    assert namespace["factors"]["strong"] < namespace["factors"]["weak"]


def test_exercise_folk_eigenvalues_below_one_still_amplify():
    namespace, printed = run_solution(PAGE, "ex-09-folk")
    radius, peaks = SETTINGS.exercise_radius, []
    for seed in range(SETTINGS.seed, SETTINGS.seed + SETTINGS.exercise_seeds):
        W = random_recurrent_weights(SETTINGS.rnn_n, radius, seed)
        W = radius * W / np.abs(np.linalg.eigvals(W)).max()
        power, norms = np.eye(SETTINGS.rnn_n), []
        for _ in range(SETTINGS.steps):
            power = power @ W
            norms.append(np.linalg.svd(power, compute_uv=False)[0])
        peaks.append(max(norms))
        assert f"largest amplification {format_number(max(norms), 3)}" in printed
    np.testing.assert_allclose(namespace["peaks"], peaks, rtol=1e-9)
    assert min(peaks) > 1   # every matrix amplifies some signal: the claim fails
    assert printed.count(f"ρ = {format_number(radius, 3)}") == SETTINGS.exercise_seeds
