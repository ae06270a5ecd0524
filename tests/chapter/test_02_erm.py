"""The 0–1 loss and its surrogates: values, derivatives and the upper-bound property."""

from __future__ import annotations

import numpy as np
import pytest
from chapter_pages import page_glue, run_solution, settings_problems

from d2lopt.chapter.erm import (
    SETTINGS,
    SURROGATES,
    exponential_loss,
    hinge_loss,
    logistic_loss,
    margin,
    squared_loss,
    zero_one_loss,
)
from d2lopt.derivatives import elementwise_grad
from d2lopt.plot.numbers import MINUS, format_number

LN2 = np.log(2.0)

#: Each loss and its derivative written out again in plain NumPy from the formulas.
CLOSED_FORMS = {
    "logistic": (lambda m: np.log1p(np.exp(-m)) / LN2, lambda m: -1.0 / (LN2 * (1 + np.exp(m)))),
    "hinge": (lambda m: np.maximum(0.0, 1.0 - m), lambda m: np.where(m < 1, -1.0, 0.0)),
    "squared": (lambda m: (1.0 - m) ** 2, lambda m: -2.0 * (1.0 - m)),
    "exponential": (lambda m: np.exp(-m), lambda m: -np.exp(-m)),
}

#: The grid of the chapter page and the gallery script.
GRID = np.linspace(*SETTINGS.grid_limits, SETTINGS.grid_points)


def random_margins(rng, size=1000):
    m = rng.normal(0.0, 2.0, size=size)
    return m[np.abs(np.abs(m - 0.5) - 0.5) > 1e-6]  # away from the kinks at 0 and 1


@pytest.mark.parametrize("name", list(SURROGATES))
def test_surrogate_values_and_derivatives(backend, rng, name):
    m = random_margins(rng)
    value, slope = CLOSED_FORMS[name]
    loss = SURROGATES[name]
    np.testing.assert_allclose(backend.to_numpy(loss(backend.tensor(m))), value(m), rtol=1e-12,
                               atol=1e-14)
    slopes = backend.to_numpy(elementwise_grad(loss)(backend.tensor(m)))
    np.testing.assert_allclose(slopes, slope(m), rtol=1e-10, atol=1e-14)


def test_zero_one_loss_values(backend):
    m = backend.tensor([-2.0, -1e-9, 0.0, 1e-9, 5.0])
    np.testing.assert_array_equal(backend.to_numpy(zero_one_loss(m)), [1, 1, 1, 0, 0])


def test_zero_one_loss_has_zero_derivative_at_random_margins(backend, rng):
    m = rng.normal(0.0, 2.0, size=1000)
    slopes = backend.to_numpy(elementwise_grad(zero_one_loss)(backend.tensor(m)))
    assert slopes.shape == (1000,)
    assert np.count_nonzero(slopes) == 0


@pytest.mark.parametrize("name", list(SURROGATES))
def test_every_surrogate_upper_bounds_the_zero_one_loss(rng, name):
    margins = np.concatenate([GRID, rng.normal(0.0, 5.0, size=10_000), [0.0]])
    gap = SURROGATES[name](margins) - zero_one_loss(margins)
    assert gap.min() >= 0.0
    # ... and touches it where the 0–1 loss jumps: every surrogate is 1 at m = 0
    assert float(SURROGATES[name](0.0)) == pytest.approx(1.0, abs=1e-15)
    # for mistakes (m <= 0) the closed forms are all at least 1
    mistakes = margins[margins <= 0]
    assert np.all(CLOSED_FORMS[name][0](mistakes) >= 1.0 - 1e-15)


def test_logistic_loss_is_scaled_to_bits_and_stable(backend):
    m = backend.tensor([-800.0, 0.0, 800.0])
    values = backend.to_numpy(logistic_loss(m))
    np.testing.assert_allclose(values, [800.0 / LN2, 1.0, 0.0], rtol=1e-12, atol=1e-300)
    slopes = backend.to_numpy(elementwise_grad(logistic_loss)(m))
    assert np.all(np.isfinite(slopes))
    np.testing.assert_allclose(slopes, [-1.0 / LN2, -0.5 / LN2, 0.0], atol=1e-12)


def test_losses_accept_python_numbers():
    assert float(hinge_loss(0.5)) == 0.5
    assert float(squared_loss(3.0)) == 4.0
    assert float(exponential_loss(0.0)) == 1.0


def test_margin():
    np.testing.assert_array_equal(margin(np.array([1.0, -1.0]), np.array([-2.0, -2.0])),
                                  [-2.0, 2.0])


def test_derivative_rejects_non_callables():
    with pytest.raises(TypeError, match="elementwise function"):
        elementwise_grad(3.0)


def test_the_grid_of_the_settings_contains_margin_zero():
    assert np.count_nonzero(GRID == 0.0) == 1


def test_page_and_script_take_their_values_from_the_settings():
    assert settings_problems("02_erm.md") == []


def test_glued_values_are_those_of_the_settings():
    g = page_glue("02_erm.md")
    assert g["erm_grid_size"] == str(SETTINGS.grid_points)
    zero_one = (GRID <= 0).astype(float)
    gaps = {name: closed(GRID) - zero_one for name, (closed, _) in CLOSED_FORMS.items()}
    assert min(gap.min() for gap in gaps.values()) == 0.0
    assert g["erm_min_gap"] == "0"
    # the page's claim: the gap is zero at m = 0 for all four, and elsewhere only for the
    # hinge (every m >= 1) and the squared loss (m = 1)
    for name, gap in gaps.items():
        touching = GRID[np.isclose(gap, 0.0, atol=1e-15)]
        assert 0.0 in touching, name
        others = touching[touching != 0.0]
        if "hinge" in name:
            assert np.array_equal(others, GRID[GRID >= 1.0]), name
        elif "squared" in name:
            assert np.array_equal(others, GRID[GRID == 1.0]), name
        else:
            assert others.size == 0, name
    assert g["erm_value_at_zero"] == "1"
    assert g["erm_logistic_at_1"] == format_number(np.log1p(np.exp(-1.0)) / LN2, 3)
    assert g["erm_logistic_slope0"] == format_number(-1 / (2 * LN2), 3) == MINUS + "0.721"


# -- Exercises ------------------------------------------------------------------------

EXERCISE_PAGE = "02_erm.md"


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8, 0.97])
def test_exercise_log_odds_derivation(p: float) -> None:
    """ex-02-log-odds: the minimizer of the expected logistic loss is log(p/(1 − p))."""
    from scipy.optimize import minimize_scalar

    logistic = CLOSED_FORMS["logistic"][0]
    result = minimize_scalar(lambda s: p * logistic(s) + (1 - p) * logistic(-s),
                             bounds=(-20, 20), method="bounded", options={"xatol": 1e-10})
    assert result.x == pytest.approx(np.log(p / (1 - p)), abs=1e-6)


def test_exercise_correct_side() -> None:
    namespace, printed = run_solution(EXERCISE_PAGE, "ex-02-correct-side")
    m = SETTINGS.exercise_margin
    for name, (_, derivative) in CLOSED_FORMS.items():
        assert namespace["slopes"][name] == pytest.approx(float(derivative(m)), rel=1e-9, abs=0)
        assert f"{name}: derivative {format_number(float(derivative(m)), 3)}" in printed
    at = f"at m = {format_number(m, 3, trim=True)}"
    assert m > 1  # beyond the hinge's kink: squared pulls back (2(m − 1) > 0), hinge is flat
    assert f"squared: derivative {format_number(2 * (m - 1), 3)} {at} (pulls it back)" in printed
    assert f"hinge: derivative 0 {at} (no push)" in printed


def test_exercise_wide_grid() -> None:
    namespace, printed = run_solution(EXERCISE_PAGE, "ex-02-wide-grid")
    grid = namespace["grid"]
    left = SETTINGS.exercise_wide_left
    assert grid[0] == left and grid[-1] == SETTINGS.grid_limits[1]
    assert np.diff(grid) == pytest.approx(np.diff(GRID)[0], rel=1e-9)
    expected = {name: float(f(left)) for name, (f, _) in CLOSED_FORMS.items()}
    assert expected["hinge"] == 1 - left and expected["squared"] == (1 - left) ** 2
    assert namespace["order"] == sorted(expected, key=expected.get, reverse=True)
    for name, value in expected.items():
        assert namespace["at_left"][name] == pytest.approx(value, rel=1e-12)
    assert min(namespace["gaps"].values()) == 0.0
    assert format_number(np.exp(-left), 3) in printed and "holds m = 0: True" in printed


def test_exercise_any_surrogate() -> None:
    from sklearn.linear_model import LogisticRegression

    namespace, printed = run_solution(EXERCISE_PAGE, "ex-02-any-surrogate")
    x, y = namespace["x"], namespace["y"]
    assert x.shape == y.shape == (SETTINGS.exercise_examples,)
    # the squared loss (1 − y f)² = (y − f)² (y² = 1): least squares
    squared = np.linalg.lstsq(np.column_stack([x, np.ones_like(x)]), y, rcond=None)[0]
    assert namespace["fits"]["squared"] == pytest.approx(squared, abs=1e-6)
    # the logistic loss in bits has the minimizer of unpenalized logistic regression
    model = LogisticRegression(C=np.inf, tol=1e-12, max_iter=10_000).fit(x[:, None], y)
    logistic = [model.coef_[0, 0], model.intercept_[0]]
    assert namespace["fits"]["logistic"] == pytest.approx(logistic, abs=1e-4)
    for name, (w, b) in (("squared", squared), ("logistic", logistic)):
        error = np.mean(y * (w * x + b) <= 0)
        assert namespace["errors"][name] == error
        assert f"training error rate {format_number(error, 2)}" in printed
    assert namespace["errors"]["squared"] > namespace["errors"]["logistic"] + 0.05
