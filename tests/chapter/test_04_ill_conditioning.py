"""Ill-conditioning (section 4): the Taylor model of a step and gradient descent's rate."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import minimize_scalar

import d2lopt
from d2lopt.chapter.ill_conditioning import (
    TaylorStep,
    condition_number,
    gradient_descent_loss_rate,
    step_changes,
    steps_to_reduce,
    taylor_step,
)
from d2lopt.landscapes import quadratic, rosenbrock
from d2lopt.optim import gradient_descent
from d2lopt.rates import fitted_rate, optimal_gradient_descent_lr

#: The settings of the chapter page and the gallery scripts.
TAYLOR_POINT = np.array([1.0, 1.0])
ROSENBROCK_POINT = np.array([-1.2, 1.0])
GD_START = [-0.9, 0.6]


def test_taylor_terms_on_the_page_quadratic(backend):
    step = taylor_step(quadratic(10.0), backend.tensor(TAYLOR_POINT))
    H = np.diag([1.0, 10.0])
    g = H @ TAYLOR_POINT  # the gradient of 1/2 x'Hx
    assert step.g_dot_g == pytest.approx(g @ g, rel=1e-14)
    assert step.g_H_g == pytest.approx(g @ H @ g, rel=1e-14)
    np.testing.assert_allclose(step.gradient, g, rtol=1e-14)
    assert step.best_step == pytest.approx((g @ g) / (g @ H @ g), rel=1e-14)
    assert step.break_even_step == pytest.approx(2 * step.best_step, rel=1e-14)


def test_best_step_is_the_exact_line_search_minimizer_on_a_quadratic():
    bowl = quadratic(10.0)
    step = taylor_step(bowl, TAYLOR_POINT)
    search = minimize_scalar(lambda e: float(step_changes(bowl, TAYLOR_POINT, [e])[0]),
                             bounds=(0.0, 1.0), method="bounded", options={"xatol": 1e-12})
    assert search.x == pytest.approx(step.best_step, abs=1e-8)
    assert search.fun == pytest.approx(step.best_change, rel=1e-10)


def test_the_expansion_is_exact_for_a_quadratic():
    bowl = quadratic(10.0)
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
                             options={"xatol": 1e-12})
    grid = np.linspace(0.0, step.break_even_step, 20001)
    changes = step_changes(rosenbrock, ROSENBROCK_POINT, grid)
    assert search.x == pytest.approx(grid[np.argmin(changes)], abs=2 * grid[1])
    assert search.x > step.best_step  # the quartic term makes the true valley wider


def test_no_positive_curvature_means_no_best_step():
    step = TaylorStep(np.array([1.0, 0.0]), 1.0, -2.0)
    assert step.best_step == float("inf")
    assert step.best_change == float("-inf")


@pytest.mark.parametrize("kappa", [1.0, 10.0, 100.0])
def test_gradient_descent_loss_contracts_by_the_predicted_factor(backend, kappa):
    bowl = quadratic(kappa)
    lr = optimal_gradient_descent_lr(*bowl.eigenvalues)
    run = gradient_descent(bowl, backend.tensor(GD_START), steps=400, lr=lr)
    rate = ((kappa - 1) / (kappa + 1)) ** 2
    assert gradient_descent_loss_rate(kappa) == pytest.approx(rate, abs=1e-15)
    if kappa == 1:
        assert run.values[1] == 0.0  # one step of size 1/lambda lands on the minimum
        return
    # every step, not just on average: both coordinates shrink by (k-1)/(k+1)
    np.testing.assert_allclose(run.values[1:] / run.values[:-1], rate, rtol=1e-9)
    assert fitted_rate(run.values) == pytest.approx(rate, rel=1e-9)
    first = int(np.flatnonzero(run.values <= 1e-6 * run.values[0])[0])
    assert first == steps_to_reduce(1e-6, rate)
    # the large-kappa estimate kappa/4 log(1/eps) of the page is within one step here
    assert abs(kappa / 4 * np.log(1e6) - first) < 1.0
    # the steep coordinate changes sign at every step: the zig-zag
    assert np.all(np.sign(run.points[1:, 1]) == -np.sign(run.points[:-1, 1]))


def test_with_another_step_the_rate_depends_on_the_start():
    kappa = 10.0
    bowl = quadratic(kappa)
    lr = 1.0 / bowl.eigenvalues[1]
    fast_only = gradient_descent(bowl, [0.0, 1.0], steps=3, lr=lr)
    assert fast_only.values[1] == 0.0  # a start on the steep eigenvector: solved in one step
    mixed = gradient_descent(bowl, GD_START, steps=60, lr=lr)
    assert fitted_rate(mixed.values, start=20) == pytest.approx((1 - 1 / kappa) ** 2, rel=1e-9)


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
    with pytest.raises(ValueError, match="at least 1"):
        gradient_descent_loss_rate(0.5)
    with pytest.raises(ValueError, match="in \\(0, 1\\)"):
        steps_to_reduce(2.0, 0.5)
    with pytest.raises(ValueError, match="contraction rate"):
        steps_to_reduce(0.1, 1.0)
