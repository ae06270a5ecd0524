"""Risk and empirical risk: the minima of section 1 and the 1/sqrt(n) law of its second figure."""

from __future__ import annotations

import math

import numpy as np
import pytest
from chapter_pages import page_glue, run_solution, settings_problems
from scipy import integrate, stats

import d2lopt
from d2lopt.chapter.goals import (
    SETTINGS,
    constant_predictor_risk,
    empirical_risk_convergence,
    lowest_minimum_in,
    sample_empirical_risks,
    squared_loss_std,
)
from d2lopt.landscapes import empirical_risk, risk
from d2lopt.plot.numbers import MINUS, format_number

INTERVAL = SETTINGS.interval
MEAN, STD, C = SETTINGS.mean, SETTINGS.std, SETTINGS.c
SIZES = np.asarray(SETTINGS.sizes)


@pytest.mark.parametrize("landscape", [risk, empirical_risk], ids=["risk", "empirical_risk"])
def test_lowest_minimum_matches_a_million_point_grid(landscape):
    grid = np.linspace(*INTERVAL, 1_000_001)  # spacing 1e-6
    values = np.asarray(landscape(grid))
    x_grid = grid[np.argmin(values)]
    x_star, value = lowest_minimum_in(landscape, INTERVAL)
    assert abs(x_star - x_grid) <= 1e-6
    assert value <= values.min() + 1e-12  # refined by root finding: at least as low as the grid
    assert value == pytest.approx(values.min(), abs=1e-11)


def test_the_two_minima_differ_and_the_empirical_minimizer_has_excess_risk():
    x_risk, f_min = lowest_minimum_in(risk, INTERVAL)
    x_emp, _ = lowest_minimum_in(empirical_risk, INTERVAL)
    assert x_emp < x_risk
    # the excess risk, checked against the formula x cos(pi x) written out again
    excess = x_emp * np.cos(np.pi * x_emp) - f_min
    assert excess == pytest.approx(float(risk(x_emp)) - f_min, abs=1e-14)
    assert excess > 0.01
    # the derivative vanishes at both minimizers (checked against the closed form f')
    for x in (x_risk, x_emp):
        assert abs(float(d2lopt.grad(empirical_risk if x == x_emp else risk)(x))) < 1e-10
    closed_form = np.cos(np.pi * x_risk) - np.pi * x_risk * np.sin(np.pi * x_risk)
    assert abs(closed_form) < 1e-12


def test_lowest_minimum_without_an_interior_minimum_raises():
    # x cos(pi x) increases on [1.2, 1.5]: no critical point inside
    with pytest.raises(ValueError, match="no interior minimum"):
        lowest_minimum_in(risk, (1.2, 1.5))


@pytest.mark.parametrize("c,mean,std", [(0.0, 1.0, 1.0), (0.5, -1.0, 2.0), (3.0, 3.0, 0.5)])
def test_closed_forms_match_numerical_integration(c, mean, std):
    density = stats.norm(mean, std).pdf
    lo, hi = mean - 12 * std, mean + 12 * std
    risk_value, _ = integrate.quad(lambda y: (y - c) ** 2 * density(y), lo, hi)
    variance, _ = integrate.quad(lambda y: ((y - c) ** 2 - risk_value) ** 2 * density(y), lo, hi)
    assert constant_predictor_risk(c, mean, std) == pytest.approx(risk_value, rel=1e-10)
    assert squared_loss_std(c, mean, std) == pytest.approx(np.sqrt(variance), rel=1e-8)


def test_constant_predictor_risk_on_an_array():
    cs = np.array([-1.0, 1.0, 2.0])
    np.testing.assert_allclose(constant_predictor_risk(cs, 1.0, 2.0), [8.0, 4.0, 5.0])


def test_convergence_of_the_page_run():
    run = empirical_risk_convergence(C, MEAN, STD, SIZES, repeats=SETTINGS.repeats,
                                     seed=SETTINGS.seed)
    assert run.risk == STD**2 + (C - MEAN) ** 2
    assert abs(run.slope + 0.5) < 0.05
    # the measured spread is the closed-form standard deviation of the sample mean of the loss
    np.testing.assert_allclose(run.stds, squared_loss_std(C, MEAN, STD) / np.sqrt(SIZES),
                               rtol=0.12)
    d = MEAN - C
    np.testing.assert_allclose(run.predicted_stds,
                               np.sqrt((2 * STD**4 + 4 * d**2 * STD**2) / SIZES), rtol=1e-12)
    # unbiased: each mean within 4 standard errors of the risk
    assert np.all(np.abs(run.means - run.risk)
                  < 4 * run.predicted_stds / np.sqrt(SETTINGS.repeats))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_slope_is_minus_one_half_for_other_seeds_and_parameters(seed):
    run = empirical_risk_convergence(0.3, -0.5, 1.5, SIZES, repeats=2000, seed=seed)
    assert abs(run.slope + 0.5) < 0.05


def test_samples_are_reproducible_and_shaped():
    a = sample_empirical_risks(C, MEAN, STD, [1, 5], repeats=3, seed=7)
    b = sample_empirical_risks(C, MEAN, STD, [1, 5], repeats=3, seed=7)
    assert a.shape == (2, 3)
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("kwargs,match", [
    ({"std": 0.0}, "positive"),
    ({"sizes": [0, 4]}, "positive integers"),
    ({"repeats": 1}, "at least 2 repeats"),
])
def test_bad_arguments_raise(kwargs, match):
    args = {"c": 0.0, "mean": 1.0, "std": 1.0, "sizes": [1, 2], "repeats": 5}
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        sample_empirical_risks(args["c"], args["mean"], args["std"], args["sizes"],
                               repeats=args["repeats"])


def test_page_and_scripts_take_their_values_from_the_settings():
    assert settings_problems("01_goals.md") == []


def test_glued_values_are_those_of_the_settings():
    g = page_glue("01_goals.md")
    x_risk, f_min = lowest_minimum_in(risk, INTERVAL)
    x_emp, g_min = lowest_minimum_in(empirical_risk, INTERVAL)
    assert (g["goals_x_risk"], g["goals_f_min"], g["goals_x_emp"], g["goals_g_min"]) == (
        format_number(x_risk, 4), format_number(f_min, 4), format_number(x_emp, 4),
        format_number(g_min, 4))
    assert g["goals_x_emp"] == "1.017" and g["goals_x_risk"] == "1.090"  # the alt text's values
    # independent: x cos(pi x) and its derivative written out
    assert g["goals_risk_at_emp"] == format_number(x_emp * np.cos(np.pi * x_emp), 4)
    assert g["goals_excess"] == format_number(x_emp * np.cos(np.pi * x_emp) - f_min, 3)
    slope = (np.cos(np.pi * x_emp) - np.pi * x_emp * np.sin(np.pi * x_emp)
             - np.pi * np.sin(5 * np.pi * x_emp))
    assert abs(slope) < 1e-3 and "\u00d7 10\u207b" in g["goals_slope_at_emp"]
    # the sampled run, recomputed by hand from the same generator
    rng = np.random.default_rng(SETTINGS.seed)
    last = None
    for n in SETTINGS.sizes:
        last = np.mean((rng.normal(MEAN, STD, size=(SETTINGS.repeats, n)) - C) ** 2, axis=1)
    assert g["goals_n_max"] == str(SETTINGS.sizes[-1])
    assert g["goals_repeats"] == str(SETTINGS.repeats)
    assert g["goals_sd_measured"] == format_number(last.std(ddof=1), 3)
    assert g["goals_mean_measured"] == format_number(last.mean(), 3)
    d = MEAN - C
    assert g["goals_risk_c"] == format_number(STD**2 + d**2, 3, trim=True)
    loss_sd = np.sqrt(2 * STD**4 + 4 * d**2 * STD**2)
    assert g["goals_loss_sd"] == format_number(loss_sd, 4)
    assert g["goals_sd_predicted"] == format_number(loss_sd / np.sqrt(SIZES[-1]), 3)
    slope_fit = float(g["goals_slope"].replace(MINUS, "-"))
    assert abs(slope_fit + 0.5) < 0.05


# -- Exercises ------------------------------------------------------------------------

EXERCISE_PAGE = "01_goals.md"


def test_exercise_risk_derivation_against_scipy() -> None:
    """ex-01-risk: R(c) and Var (Y − c)² by numerical integration against the Gaussian density."""
    mu, sigma, c = 1.0, 1.5, -0.4
    density = stats.norm(mu, sigma).pdf

    def moment(k: int) -> float:
        return integrate.quad(lambda y: (y - c) ** (2 * k) * density(y), -np.inf, np.inf)[0]

    assert moment(1) == pytest.approx(sigma**2 + (c - mu) ** 2, rel=1e-9)
    assert moment(2) - moment(1) ** 2 == pytest.approx(
        2 * sigma**4 + 4 * (mu - c) ** 2 * sigma**2, rel=1e-8)


def test_exercise_spread() -> None:
    namespace, printed = run_solution(EXERCISE_PAGE, "ex-01-spread")
    mu, sigma, c, n = SETTINGS.mean, SETTINGS.std, SETTINGS.c, SETTINGS.exercise_n
    predicted = math.sqrt(2 * sigma**4 + 4 * (mu - c) ** 2 * sigma**2) / math.sqrt(n)
    assert namespace["predicted"] == pytest.approx(predicted, rel=1e-12)
    rng = np.random.default_rng(SETTINGS.seed)  # the draws of sample_empirical_risks
    risks = np.mean((rng.normal(mu, sigma, size=(SETTINGS.repeats, n)) - c) ** 2, axis=1)
    assert namespace["measured"] == pytest.approx(np.std(risks, ddof=1), rel=1e-12)
    assert abs(namespace["measured"] - predicted) < 3 * namespace["error"]
    assert f"closed form {format_number(predicted, 3)}" in printed


def test_exercise_at_minimizer() -> None:
    namespace, printed = run_solution(EXERCISE_PAGE, "ex-01-at-minimizer")
    runs = namespace["runs"]
    for c, run in runs.items():
        sizes = np.asarray(SETTINGS.sizes)
        slope = np.polyfit(np.log(sizes), np.log(run.stds), 1)[0]
        assert run.slope == pytest.approx(slope, rel=1e-9)
        assert slope == pytest.approx(-0.5, abs=0.03)
        assert run.risk == SETTINGS.std**2 + (c - SETTINGS.mean) ** 2
    mu, sigma, c = SETTINGS.mean, SETTINGS.std, SETTINGS.c
    # one loss's spread (2σ⁴ + 4(μ − c)²σ²)^½ at c against 2^½ σ² at c = μ
    predicted = math.sqrt(2 * sigma**4 + 4 * (mu - c) ** 2 * sigma**2) / (math.sqrt(2) * sigma**2)
    assert namespace["predicted"] == pytest.approx(predicted, rel=1e-12)
    assert namespace["ratio"] == pytest.approx(predicted, rel=0.05)
    assert format_number(namespace["ratio"], 3) in printed
    assert f"predicted {format_number(predicted, 3)}" in printed


def test_exercise_optimistic() -> None:
    namespace, printed = run_solution(EXERCISE_PAGE, "ex-01-optimistic")
    n, samples, var = SETTINGS.exercise_small_n, SETTINGS.exercise_samples, SETTINGS.std**2
    # standard errors of the sample averages are below 0.01 (σ = 1, 20 000 samples)
    assert namespace["fixed"] == pytest.approx(var, abs=0.03)
    assert namespace["fitted"] == pytest.approx(var * (n - 1) / n, abs=0.03)
    assert namespace["fitted_risk"] == pytest.approx(var * (1 + 1 / n), abs=0.03)
    y = np.random.default_rng(SETTINGS.seed).normal(SETTINGS.mean, SETTINGS.std, size=(samples, n))
    assert namespace["fitted"] == pytest.approx(np.mean(np.var(y, axis=1)), rel=1e-12)
    assert f"empirical risk {format_number(namespace['fitted'], 3)}" in printed
