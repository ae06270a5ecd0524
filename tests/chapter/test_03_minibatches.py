"""The standard error of a minibatch gradient, with and without replacement (section 3)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from chapter_pages import page_glue, run_solution, settings_problems

import d2lopt
from d2lopt.chapter.minibatches import (
    SETTINGS,
    linear_regression_data,
    linear_regression_gradients,
    minibatch_mean_stds,
    samples_for_error_reduction,
    sgd_stationary_variance,
    simulate_sgd_on_quadratic,
)
from d2lopt.plot.numbers import format_number
from d2lopt.rates import finite_population_correction, log_slope, standard_error

N = SETTINGS.examples
SIZES = np.asarray(SETTINGS.sizes)
REPEATS = SETTINGS.repeats


@pytest.fixture(scope="module")
def page_gradients() -> np.ndarray:
    """The per-example slope gradients, written out: x (w1 x + w0 - y), from the same draws."""
    rng = np.random.default_rng(SETTINGS.data_seed)
    x = rng.normal(size=N)
    y = SETTINGS.data_slope * x + SETTINGS.data_intercept + SETTINGS.data_noise * rng.normal(size=N)
    w1, w0 = SETTINGS.weights
    return x * (w1 * x + w0 - y)


def test_finite_population_correction_is_exact_for_every_subset():
    # enumerate all C(7, 3) subsets: the exact standard deviation of their means
    values = np.array([0.3, -1.2, 2.5, 0.0, 4.1, -0.7, 1.9])
    for n in range(1, len(values) + 1):
        means = [np.mean(values[list(c)]) for c in itertools.combinations(range(7), n)]
        exact = np.sqrt(np.mean((np.array(means) - values.mean()) ** 2))
        assert standard_error(values.std(), n, population=len(values)) == pytest.approx(
            exact, abs=1e-12)


def test_iid_standard_error_is_exact_for_every_sequence():
    # all 4**2 ordered pairs drawn with replacement from 4 values
    values = np.array([1.0, -2.0, 0.5, 3.0])
    means = [np.mean(p) for p in itertools.product(values, repeat=2)]
    exact = np.sqrt(np.mean((np.array(means) - values.mean()) ** 2))
    assert standard_error(values.std(), 2) == pytest.approx(exact, abs=1e-12)


def test_measured_spread_matches_the_formulas_on_the_page_data(page_gradients):
    sigma = page_gradients.std()
    with_replacement = minibatch_mean_stds(page_gradients, SIZES, repeats=REPEATS, replace=True,
                                           seed=SETTINGS.seed_with_replacement)
    without = minibatch_mean_stds(page_gradients, SIZES, repeats=REPEATS, replace=False,
                                  seed=SETTINGS.seed_without_replacement)
    # the per-example gradients are heavy-tailed: allow 4 standard errors of a std estimate
    np.testing.assert_allclose(with_replacement, sigma / np.sqrt(SIZES), rtol=0.1)
    np.testing.assert_allclose(without, standard_error(sigma, SIZES, population=N), rtol=0.1)
    # at n = N/2 the two differ by the correction sqrt((N - n)/(N - 1)) ~ 0.707
    assert without[-1] / with_replacement[-1] == pytest.approx(
        finite_population_correction(int(SIZES[-1]), N), rel=0.1)
    assert abs(log_slope(SIZES, with_replacement, log_x=True) + 0.5) < 0.05


def test_full_batch_without_replacement_has_no_error():
    values = np.random.default_rng(0).normal(size=50)
    assert minibatch_mean_stds(values, [50], repeats=10, replace=False) == pytest.approx(0.0,
                                                                                        abs=1e-12)


def test_cost_accuracy_trade_off():
    assert samples_for_error_reduction(10) == 100.0
    assert standard_error(3.0, 4) / standard_error(3.0, 400) == pytest.approx(10.0)
    assert standard_error(3.0, 1) / standard_error(3.0, 4) == pytest.approx(2.0)


def test_per_example_gradients_match_autodiff(backend, rng):
    features, y = linear_regression_data(20, seed=3)
    w = rng.normal(size=2)
    grads = linear_regression_gradients(features, y, w)
    X, Y = backend.tensor(features), backend.tensor(y)
    for i in (0, 7, 19):
        def loss(weights, i=i):
            return 0.5 * (X[i, 0] * weights[0] + X[i, 1] * weights[1] - Y[i]) ** 2

        auto = backend.to_numpy(d2lopt.grad(loss)(backend.tensor(w)))
        np.testing.assert_allclose(grads[i], auto, rtol=1e-12, atol=1e-12)


def test_linear_regression_data_follows_its_model():
    features, y = linear_regression_data(100_000, slope=2.0, intercept=1.0, noise=0.5, seed=0)
    fit, *_ = np.linalg.lstsq(features, y, rcond=None)
    np.testing.assert_allclose(fit, [2.0, 1.0], atol=0.01)


@pytest.mark.parametrize("lr,batch_size", [(0.1, 4), (0.1, 16), (0.025, 4), (0.5, 8)])
def test_stationary_variance_of_sgd_matches_simulation(lr, batch_size):
    targets = np.random.default_rng(0).normal(0.0, 2.0, size=1000)
    chains = 4000
    final = simulate_sgd_on_quadratic(lr, targets, batch_size, steps=int(40 / lr), chains=chains,
                                      seed=1)
    predicted = sgd_stationary_variance(lr, 1.0, targets.var(), batch_size)
    # a variance estimated from 4000 roughly Gaussian draws: relative error ~ sqrt(2/4000)
    assert final.var() == pytest.approx(predicted, rel=4 * np.sqrt(2 / chains))
    assert final.mean() == pytest.approx(targets.mean(), abs=4 * np.sqrt(predicted / chains))


def test_stationary_variance_depends_on_lr_over_batch_size_to_first_order():
    v = sgd_stationary_variance(0.01, 1.0, 1.0, 64)
    assert sgd_stationary_variance(0.01, 1.0, 1.0, 32) == pytest.approx(2 * v)
    assert sgd_stationary_variance(0.005, 1.0, 1.0, 32) == pytest.approx(v, rel=0.01)
    # the exact value of the closed form against the geometric series it sums
    series = sum((1 - 0.01) ** (2 * k) * 0.01**2 / 64 for k in range(20000))
    assert v == pytest.approx(series, rel=1e-10)


@pytest.mark.parametrize("call,match", [
    (lambda: sgd_stationary_variance(2.5, 1.0, 1.0, 4), "unstable"),
    (lambda: sgd_stationary_variance(0.1, -1.0, 1.0, 4), "curvature"),
    (lambda: standard_error(-1.0, 4), "negative"),
    (lambda: standard_error(1.0, 0), "positive integer"),
    (lambda: standard_error(1.0, 11, population=10), "larger than the population"),
    (lambda: minibatch_mean_stds(np.ones(5), [2], repeats=1, replace=True), "2 repeats"),
    (lambda: linear_regression_gradients(np.ones(3), np.ones(3), np.ones(1)), "shape"),
    (lambda: samples_for_error_reduction(0), "positive"),
])
def test_bad_arguments_raise(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_page_and_script_take_their_values_from_the_settings():
    assert settings_problems("03_minibatches.md") == []


def test_glued_values_are_those_of_the_settings(page_gradients):
    g = page_glue("03_minibatches.md")
    sigma = page_gradients.std()
    n = SIZES[-1]
    assert (g["mb_N"], g["mb_repeats"], g["mb_n_last"]) == (str(N), str(REPEATS), str(n))
    assert g["mb_sigma"] == format_number(sigma, 3)
    assert g["mb_full_grad"] == format_number(page_gradients.mean(), 3)
    assert g["mb_iid_last"] == format_number(sigma / np.sqrt(n), 3)
    assert g["mb_fpc_factor"] == format_number(np.sqrt((N - n) / (N - 1)), 3)
    fpc_last = sigma / np.sqrt(n) * np.sqrt((N - n) / (N - 1))
    assert g["mb_fpc_last"] == format_number(fpc_last, 3)
    # measured spreads: recomputed from the written-out gradients, within 10% of the formulas
    with_replacement = minibatch_mean_stds(page_gradients, SIZES, repeats=REPEATS, replace=True,
                                           seed=SETTINGS.seed_with_replacement)
    without = minibatch_mean_stds(page_gradients, SIZES, repeats=REPEATS, replace=False,
                                  seed=SETTINGS.seed_without_replacement)
    assert g["mb_with_last"] == format_number(with_replacement[-1], 3)
    assert g["mb_without_last"] == format_number(without[-1], 3)
    assert with_replacement[-1] == pytest.approx(sigma / np.sqrt(n), rel=0.1)
    assert without[-1] == pytest.approx(fpc_last, rel=0.1)
    slope = log_slope(SIZES, with_replacement, log_x=True)
    assert g["mb_slope"] == format_number(slope, 3) and abs(slope + 0.5) < 0.05
    factor = SETTINGS.error_factor
    assert g["mb_factor"] == str(factor) and g["mb_cost"] == str(factor**2)
    assert g["mb_n_small"] == str(SETTINGS.small_batch)
    assert g["mb_n_large"] == str(SETTINGS.small_batch * factor**2)
    assert g["mb_error_ratio"] == str(factor)  # exactly, to three figures
    small, large = SETTINGS.sgd_batch_sizes
    assert (g["mb_batch_small"], g["mb_batch_large"]) == (str(small), str(large))
    assert g["mb_chains"] == str(SETTINGS.sgd_chains)
    assert g["mb_sgd_lr"] == format_number(SETTINGS.sgd_lr, 3, trim=True)
    targets = np.random.default_rng(SETTINGS.sgd_target_seed).normal(
        0.0, SETTINGS.sgd_target_std, size=SETTINGS.sgd_targets)
    lr = SETTINGS.sgd_lr
    measured = {}
    for batch, key in ((small, "v4"), (large, "v16")):
        # the geometric series of the noise: sum_k (1 - lr)^(2k) lr^2 var / B
        series = lr**2 * targets.var() / batch / (1 - (1 - lr) ** 2)
        assert g[f"mb_sgd_{key}_formula"] == format_number(series, 3)
        final = simulate_sgd_on_quadratic(lr, targets, batch, steps=SETTINGS.sgd_steps,
                                          chains=SETTINGS.sgd_chains, seed=SETTINGS.sgd_seed)
        measured[key] = final.var()
        assert g[f"mb_sgd_{key}"] == format_number(measured[key], 3)
        assert measured[key] == pytest.approx(series, rel=4 * np.sqrt(2 / SETTINGS.sgd_chains))
    assert g["mb_sgd_ratio"] == format_number(measured["v4"] / measured["v16"], 3)


# -- Exercises ------------------------------------------------------------------------

EXERCISE_PAGE = "03_minibatches.md"


@pytest.mark.parametrize(("lr", "n"), [(0.1, 4), (0.5, 1), (1.5, 8)])
def test_exercise_stationary_derivation(lr: float, n: int) -> None:
    """ex-03-stationary: iterating Var x_{t+1} = a² Var x_t + η² s²/n reaches the closed form."""
    h, s2 = 1.3, 2.0
    v = 0.0
    for _ in range(5000):
        v = (1 - lr * h) ** 2 * v + lr**2 * s2 / n
    assert v == pytest.approx(lr * s2 / (n * h * (2 - lr * h)), rel=1e-10)
    assert sgd_stationary_variance(lr, h, s2, n) == pytest.approx(v, rel=1e-10)


def _per_example(noise: float = SETTINGS.data_noise) -> np.ndarray:
    """The first gradient coordinate at w = 0, written out: −y x with y = a x + b + noise z."""
    rng = np.random.default_rng(SETTINGS.data_seed)
    x = rng.normal(size=SETTINGS.examples)
    y = SETTINGS.data_slope * x + SETTINGS.data_intercept + noise * rng.normal(size=x.size)
    assert SETTINGS.weights == (0.0, 0.0)
    return -y * x


def test_exercise_half() -> None:
    namespace, printed = run_solution(EXERCISE_PAGE, "ex-03-half")
    values = _per_example()
    N = values.size
    n = int(SETTINGS.exercise_batch_fraction * N)
    sigma = np.sqrt(np.mean((values - values.mean()) ** 2))
    corrected = sigma / np.sqrt(n) * np.sqrt((N - n) / (N - 1))
    assert namespace["corrected"] == pytest.approx(corrected, rel=1e-12)
    # the measured spread: within four standard errors of the finite-population value,
    # and far below the i.i.d. one
    assert abs(namespace["measured"] - corrected) < 4 * namespace["error"]
    assert namespace["measured"] < 0.8 * sigma / np.sqrt(n)
    assert f"finite-population factor {format_number(corrected, 3)}" in printed


def test_exercise_noise() -> None:
    namespace, printed = run_solution(EXERCISE_PAGE, "ex-03-noise")
    for noise in (SETTINGS.data_noise, SETTINGS.exercise_noise):
        values = _per_example(noise)
        assert namespace["sigmas"][noise] == pytest.approx(values.std(), rel=1e-12)
        # the population value sqrt(2a² + b² + noise²), to sampling error of one sample
        expected = np.sqrt(2 * SETTINGS.data_slope**2 + SETTINGS.data_intercept**2 + noise**2)
        assert values.std() == pytest.approx(expected, rel=0.1)
        errors = namespace["errors"][noise]
        assert errors == pytest.approx(values.std() / np.sqrt(SETTINGS.sizes), rel=0.1)
    ratio = (namespace["sigmas"][SETTINGS.exercise_noise]
             / namespace["sigmas"][SETTINGS.data_noise])
    assert namespace["ratio"] == pytest.approx(ratio, rel=0.03)
    assert f"σ by {format_number(ratio, 3)}" in printed


def test_exercise_linear_scaling() -> None:
    namespace, printed = run_solution(EXERCISE_PAGE, "ex-03-linear-scaling")
    k, n = SETTINGS.exercise_scale, SETTINGS.exercise_batch
    for lr in SETTINGS.exercise_lrs:
        # η s²/(n h (2 − η h)), h = 1
        formula = (k * lr / (k * n) / (2 - k * lr)) / (lr / n / (2 - lr))
        # each spread is a variance over 4000 chains: about 2.2 % standard error
        assert namespace["ratios"][lr] == pytest.approx(formula, rel=0.08)
        assert f"(formula {format_number(formula, 3)})" in printed
    small, large = SETTINGS.exercise_lrs
    assert namespace["ratios"][large] > 2.5 > 1.2 > namespace["ratios"][small]
