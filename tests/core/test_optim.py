"""Optimizers against closed forms, torch.optim and hand-computed derivatives."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from d2lopt import landscapes
from d2lopt.optim import (
    Divergence,
    Trajectory,
    adam,
    gradient_descent,
    momentum,
    newton,
    perturbed_gradient_descent,
    saddle_free_newton,
)
from d2lopt.optim.tuning import tune

torch = pytest.importorskip("torch")


# -- gradient descent ---------------------------------------------------------

@pytest.mark.parametrize("kappa, lr", [(10.0, 0.05), (4.0, 0.45), (100.0, 0.0199)])
def test_gradient_descent_matches_closed_form_on_quadratic(backend, kappa, lr):
    bowl = landscapes.quadratic(kappa)
    start = np.array([1.0, -2.0])
    run = gradient_descent(bowl, backend.tensor(start), steps=30, lr=lr)
    t = np.arange(31)[:, None]
    expected = (1 - lr * np.array(bowl.eigenvalues)) ** t * start
    np.testing.assert_allclose(run.points, expected, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(run.values, 0.5 * (expected**2 @ np.array(bowl.eigenvalues)),
                               rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(run.grad_norms,
                               np.linalg.norm(expected * np.array(bowl.eigenvalues), axis=1),
                               rtol=1e-12, atol=1e-300)


def test_trajectory_records_every_point(backend):
    run = gradient_descent(landscapes.himmelblau, backend.tensor([0.5, -0.5]), steps=7, lr=0.01)
    assert len(run) == 8 and run.steps == 7 and run.points.shape == (8, 2)
    assert run.values.shape == run.grad_norms.shape == (8,)
    np.testing.assert_array_equal(run.final, run.points[-1])
    assert run.method == "gradient descent"
    x, y = run.points.T
    np.testing.assert_allclose(run.values, (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2,
                               rtol=1e-13)
    gx = 4 * x * (x**2 + y - 11) + 2 * (x + y**2 - 7)
    gy = 2 * (x**2 + y - 11) + 4 * y * (x + y**2 - 7)
    np.testing.assert_allclose(run.grad_norms, np.hypot(gx, gy), rtol=1e-13)
    np.testing.assert_allclose(run.points[1:], run.points[:-1] - 0.01 * np.stack([gx, gy], 1)[:-1],
                               rtol=1e-13)


def test_trajectory_is_immutable():
    run = gradient_descent(landscapes.saddle, [0.1, 0.1], steps=2, lr=0.1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        run.points = np.zeros((3, 2))
    with pytest.raises(ValueError):
        run.points[0, 0] = 5.0


def test_trajectory_checks_shapes():
    with pytest.raises(ValueError, match="shape"):
        Trajectory(np.zeros((3, 2)), np.zeros(2), np.zeros(3))


def test_f_receives_the_callers_framework_and_shape(backend):
    seen = []

    def f(x):
        seen.append((backend.owns(x), backend.shape(x)))
        return x**2

    run = gradient_descent(f, backend.tensor(3.0), steps=3, lr=0.25)
    assert all(owned for owned, _ in seen) and {shape for _, shape in seen} == {()}
    assert run.points.shape == (4, 1)
    np.testing.assert_allclose(run.points[:, 0], 3.0 * 0.5 ** np.arange(4), rtol=1e-15)


def test_python_numbers_and_lists_are_numpy_starts():
    a = gradient_descent(landscapes.risk, 0.5, steps=5, lr=0.1)
    b = gradient_descent(landscapes.risk, np.array(0.5), steps=5, lr=0.1)
    np.testing.assert_array_equal(a.points, b.points)
    c = gradient_descent(landscapes.saddle, [0.5, 0.1], steps=3, lr=0.1)
    np.testing.assert_allclose(c.final, [0.5 * 0.8**3, 0.1 * 1.2**3], rtol=1e-14)


def test_clip_callable_receives_callers_array_and_limits_the_step(backend):
    seen = []

    def clip(g):
        seen.append(backend.owns(g))
        return g * 0.5

    run = gradient_descent(landscapes.saddle, backend.tensor([1.0, 1.0]), steps=1, lr=0.1,
                           clip=clip)
    assert seen == [True]
    np.testing.assert_allclose(run.final, [1.0 - 0.1 * 1.0, 1.0 + 0.1 * 1.0], rtol=1e-15)

    far = gradient_descent(landscapes.rosenbrock, backend.tensor([-1.5, 2.0]), steps=5, lr=0.01,
                           clip=("norm", 1.0))
    steps = np.linalg.norm(np.diff(far.points, axis=0), axis=1)
    np.testing.assert_allclose(steps, 0.01, rtol=1e-12)  # gradients here are far above 1


# -- momentum and Adam against torch.optim --------------------------------------

def _torch_reference(landscape, start, make_optimizer, steps, clip_norm=None):
    p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    optimizer = make_optimizer([p])
    points = [p.detach().numpy().copy()]
    for _ in range(steps):
        optimizer.zero_grad()
        landscape(p).backward()
        if clip_norm is not None:  # the rule g·min(1, c/‖g‖), computed by torch
            p.grad.mul_(torch.clamp(clip_norm / torch.linalg.vector_norm(p.grad), max=1.0))
        optimizer.step()
        points.append(p.detach().numpy().copy())
    return np.array(points)


CASES = [
    (landscapes.rosenbrock, [-1.5, 2.0], 2e-4),
    (landscapes.himmelblau, [0.3, -0.2], 5e-3),
]
MOMENTUM_VARIANTS = [
    {"beta": 0.9},
    {"beta": 0.5, "dampening": 0.3},
    {"beta": 0.9, "nesterov": True},
    {"beta": 0.0},
]


@pytest.mark.parametrize("landscape, start, lr", CASES, ids=["rosenbrock", "himmelblau"])
@pytest.mark.parametrize("variant", MOMENTUM_VARIANTS, ids=["heavy-ball", "dampening",
                                                            "nesterov", "beta0"])
def test_momentum_matches_torch_sgd(backend, landscape, start, lr, variant):
    ours = momentum(landscape, backend.tensor(start), steps=50, lr=lr, **variant)
    torch_kwargs = {"momentum": variant["beta"], "dampening": variant.get("dampening", 0.0),
                    "nesterov": variant.get("nesterov", False)}
    reference = _torch_reference(
        landscape, start, lambda ps: torch.optim.SGD(ps, lr=lr, **torch_kwargs), 50)
    assert np.abs(reference[-1] - reference[0]).max() > 1e-2  # the run really moves
    np.testing.assert_allclose(ours.points, reference, rtol=0, atol=1e-10)


@pytest.mark.parametrize("landscape, start", [(c[0], c[1]) for c in CASES],
                         ids=["rosenbrock", "himmelblau"])
@pytest.mark.parametrize("hyper", [{"lr": 0.05}, {"lr": 0.1, "betas": (0.8, 0.99), "eps": 1e-6}],
                         ids=["default-betas", "custom"])
def test_adam_matches_torch_adam(backend, landscape, start, hyper):
    ours = adam(landscape, backend.tensor(start), steps=50, **hyper)
    reference = _torch_reference(landscape, start,
                                 lambda ps: torch.optim.Adam(ps, **hyper), 50)
    assert np.abs(reference[-1] - reference[0]).max() > 1e-1
    np.testing.assert_allclose(ours.points, reference, rtol=0, atol=1e-10)


def test_clipped_momentum_matches_torch(backend):
    landscape, start = landscapes.rosenbrock, [-1.5, 2.0]
    ours = momentum(landscape, backend.tensor(start), steps=50, lr=1e-2, beta=0.9,
                    clip=("norm", 1.0))
    reference = _torch_reference(landscape, start,
                                 lambda ps: torch.optim.SGD(ps, lr=1e-2, momentum=0.9), 50,
                                 clip_norm=1.0)
    np.testing.assert_allclose(ours.points, reference, rtol=0, atol=1e-10)


# -- Newton and saddle-free Newton ------------------------------------------------

def test_newton_lands_on_the_saddle_in_one_step(backend, rng):
    start = rng.uniform(-1, 1, size=2)
    run = newton(landscapes.saddle, backend.tensor(start), steps=1)
    np.testing.assert_allclose(run.final, [0.0, 0.0], atol=1e-15)
    assert run.grad_norms[-1] < 1e-14


def test_newton_step_matches_hand_derived_rosenbrock_derivatives(backend):
    x, y = -1.2, 1.0
    g = np.array([-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)])
    h = np.array([[2 - 400 * (y - x**2) + 800 * x**2, -400 * x], [-400 * x, 200.0]])
    expected = np.array([x, y]) - 0.5 * np.linalg.solve(h, g)
    run = newton(landscapes.rosenbrock, backend.tensor([x, y]), steps=1, lr=0.5)
    np.testing.assert_allclose(run.final, expected, rtol=1e-13)


def test_newton_on_a_singular_hessian_names_the_iterate():
    with pytest.raises(ValueError, match=r"singular.*saddle_free_newton") as info:
        newton(lambda x: x[0] ** 2, [1.0, 2.0], steps=1)
    assert "[1. 2.]" in str(info.value)


def test_saddle_free_newton_escapes_the_saddle(backend):
    start = np.array([0.1, 0.01])
    free = saddle_free_newton(landscapes.saddle, backend.tensor(start), steps=3)
    # |H| = diag(2, 2): x goes to 0 and y doubles each step (the saddle repels).
    np.testing.assert_allclose(free.points, [[0.1, 0.01], [0, 0.02], [0, 0.04], [0, 0.08]],
                               atol=1e-15)
    assert np.all(np.diff(free.values) < 0)
    plain = newton(landscapes.saddle, backend.tensor(start), steps=1)
    assert np.linalg.norm(plain.final) < 1e-15 < np.linalg.norm(free.final)


def test_saddle_free_newton_damps_small_curvature():
    x = 1 / np.sqrt(3)  # f_xx = 3x² − 1 = 0 on the double well
    run = saddle_free_newton(landscapes.double_well, [x, 0.5], steps=1, damping=0.1)
    gx = x**3 - x
    np.testing.assert_allclose(run.final, [x - gx / 0.1, 0.0], rtol=1e-12, atol=1e-15)


# -- perturbed gradient descent ----------------------------------------------------

def test_perturbations_escape_the_stable_manifold(backend):
    start = backend.tensor([0.0, 1.0])  # x = 0 is the stable manifold of the saddle (0, 0)
    plain = gradient_descent(landscapes.double_well, start, steps=300, lr=0.1)
    np.testing.assert_allclose(plain.final, [0.0, 0.9**300], atol=1e-15)
    assert plain.values[-1] == pytest.approx(0.0, abs=1e-20)  # stuck at the saddle's value

    noisy = perturbed_gradient_descent(landscapes.double_well, start, steps=300, lr=0.1,
                                       radius=0.05, threshold=1e-3, interval=50, seed=1)
    assert noisy.perturbations and noisy.method == "perturbed gradient descent"
    first = noisy.perturbations[0]
    assert noisy.grad_norms[first - 1] <= 1e-3 < noisy.grad_norms[first - 2]
    assert abs(abs(noisy.final[0]) - 1.0) < 0.05 and noisy.values[-1] < -0.24  # min: −1/4
    assert np.all(np.diff(noisy.perturbations) >= 50)
    jumps = [np.linalg.norm(noisy.points[t] - noisy.points[t - 1]) for t in noisy.perturbations]
    assert max(jumps) <= 0.05


def test_perturbed_gradient_descent_is_seeded():
    kwargs = {"steps": 100, "lr": 0.1, "threshold": 1e-2, "interval": 20}
    a = perturbed_gradient_descent(landscapes.double_well, [0.0, 1.0], seed=3, **kwargs)
    b = perturbed_gradient_descent(landscapes.double_well, [0.0, 1.0], seed=3, **kwargs)
    c = perturbed_gradient_descent(landscapes.double_well, [0.0, 1.0], seed=4, **kwargs)
    np.testing.assert_array_equal(a.points, b.points)
    assert a.perturbations == b.perturbations
    assert not np.array_equal(a.points, c.points)


# -- clear errors -------------------------------------------------------------------

@pytest.mark.parametrize("lr", [0.0, -0.1, float("nan"), float("inf")])
def test_learning_rate_must_be_positive(lr):
    with pytest.raises(ValueError, match="lr must be (positive|a finite number)"):
        gradient_descent(landscapes.saddle, [1.0, 1.0], steps=1, lr=lr)


def test_steps_must_be_a_non_negative_integer():
    with pytest.raises(ValueError, match="steps must be at least 0, got -1"):
        gradient_descent(landscapes.saddle, [1.0, 1.0], steps=-1, lr=0.1)
    with pytest.raises(ValueError, match="steps must be a whole number, got 2.5"):
        adam(landscapes.saddle, [1.0, 1.0], steps=2.5)
    with pytest.raises(TypeError, match="steps must be a number"):
        adam(landscapes.saddle, [1.0, 1.0], steps="10")
    assert len(newton(landscapes.saddle, [1.0, 1.0], steps=0)) == 1


@pytest.mark.parametrize("kwargs, message", [
    ({"beta": 1.0}, "beta must be below 1, got 1.0"),
    ({"beta": -0.1}, "beta must be zero or positive, got -0.1"),
    ({"dampening": 0.5, "nesterov": True}, "Nesterov momentum needs"),
])
def test_momentum_hyper_parameters(kwargs, message):
    with pytest.raises(ValueError, match=message):
        momentum(landscapes.saddle, [1.0, 1.0], steps=1, lr=0.1, **kwargs)


def test_other_hyper_parameters():
    with pytest.raises(ValueError, match=r"betas\[1\] must be below 1"):
        adam(landscapes.saddle, [1.0, 1.0], steps=1, betas=(0.9, 1.0))
    with pytest.raises(ValueError, match="eps must be positive"):
        adam(landscapes.saddle, [1.0, 1.0], steps=1, eps=0.0)
    with pytest.raises(ValueError, match="damping must be zero or positive"):
        saddle_free_newton(landscapes.saddle, [1.0, 1.0], steps=1, damping=-1.0)
    with pytest.raises(ValueError, match="radius must be positive"):
        perturbed_gradient_descent(landscapes.saddle, [1.0, 1.0], steps=1, lr=0.1, radius=0)
    with pytest.raises(ValueError, match="interval must be at least 1"):
        perturbed_gradient_descent(landscapes.saddle, [1.0, 1.0], steps=1, lr=0.1, interval=0)
    with pytest.raises(TypeError, match="clip must be None"):
        gradient_descent(landscapes.saddle, [1.0, 1.0], steps=1, lr=0.1, clip=("max", 1.0))
    with pytest.raises(TypeError, match="f must be a function"):
        gradient_descent("saddle", [1.0, 1.0], steps=1, lr=0.1)


def test_nan_start_is_rejected(backend):
    with pytest.raises(ValueError, match="start point x0 contains NaN"):
        gradient_descent(landscapes.saddle, backend.tensor([np.nan, 1.0]), steps=1, lr=0.1)


def test_divergence_says_where_and_what_to_do(backend):
    # Gradient descent on Rosenbrock from (3, 3) with lr = 0.1, by hand-derived gradients:
    # the first step whose loss is no longer finite is where the run must stop.
    x, first_bad = np.array([3.0, 3.0]), None
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(1, 101):
            a, b = x
            x = x - 0.1 * np.array([-2 * (1 - a) - 400 * a * (b - a**2), 200 * (b - a**2)])
            if not np.isfinite((1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2):
                first_bad = t
                break
    assert first_bad is not None
    message = rf"diverged at step {first_bad}:.*smaller learning rate.*clip"
    with pytest.raises(ValueError, match=message):
        gradient_descent(landscapes.rosenbrock, backend.tensor([3.0, 3.0]), steps=100, lr=0.1)


def test_divergence_is_reported_at_the_first_non_finite_step():
    # x ← x − lr·2x = −3x, so f(x_t) = 9^t overflows once 3^t > sqrt(float max) ≈ 1.34e154.
    t_overflow = int(np.ceil(np.log(np.sqrt(np.finfo(float).max)) / np.log(3)))
    with pytest.raises(ValueError, match=f"diverged at step {t_overflow}:"):
        gradient_descent(lambda x: x**2, 1.0, steps=1000, lr=2.0)
    far = gradient_descent(lambda x: x**2, 1.0, steps=t_overflow - 1, lr=2.0)
    assert np.isfinite(far.values).all() and far.final[0] == pytest.approx(
        (-3.0) ** (t_overflow - 1))


def test_divergence_is_its_own_class_and_carries_the_run_so_far(backend):
    # x ← x − 2·2x = −3x: the iterate is (−3)^t until f = 9^t overflows at t_overflow.
    t_overflow = int(np.ceil(np.log(np.sqrt(np.finfo(float).max)) / np.log(3)))
    with pytest.raises(Divergence) as caught:
        gradient_descent(lambda x: backend.sum(x**2), backend.tensor([1.0]), steps=1000, lr=2.0)
    err = caught.value
    assert isinstance(err, ValueError) and err.step == t_overflow
    run = err.trajectory
    assert isinstance(run, Trajectory) and run.method == "gradient descent"
    assert run.steps == t_overflow - 1
    np.testing.assert_allclose(run.points[:, 0], (-3.0) ** np.arange(t_overflow), rtol=1e-12)
    assert np.isfinite(run.values).all()


def test_a_diverging_run_keeps_its_perturbations_so_far():
    # Perturbed gradient descent from the flat start x = 0 of f = x^2 with lr = 2:
    # the first step is a perturbation, then the iterate grows like (−3)^t.
    with pytest.raises(Divergence) as caught:
        perturbed_gradient_descent(lambda x: x**2, 0.0, steps=1000, lr=2.0, seed=0)
    run = caught.value.trajectory
    assert run.perturbations == (1,)
    assert all(t < len(run) for t in run.perturbations)


def test_tune_scores_divergence_as_never_and_lets_other_errors_through():
    result = tune(gradient_descent, landscapes.quadratic(4.0), [1.0, 1.0],
                  grid={"lr": [0.1, 1.0]}, steps=40, tol=1e-8)
    assert result.scores[(1.0,)] == float("inf") and result.hyper == {"lr": 0.1}
    with pytest.raises(ValueError, match="lr must be positive"):  # not a divergence
        tune(gradient_descent, landscapes.quadratic(4.0), [1.0, 1.0], grid={"lr": [-0.1]},
             steps=5, tol=1e-8)



# -- stopping rule (issue #12) --------------------------------------------------

def test_tol_stops_at_the_first_small_gradient_closed_form():
    # x_t = 0.5^t, |f'(x_t)| = 2 * 0.5^t <= 1e-3 first at t = 11 (2^-10 > 1e-3 >= 2^-11).
    run = gradient_descent(lambda x: x ** 2, 1.0, steps=10**12, lr=0.25, tol=1e-3)
    assert run.stopped and run.stopped_at == 11 == run.steps
    np.testing.assert_allclose(run.points[:, 0], 0.5 ** np.arange(12), rtol=1e-15)
    assert run.grad_norms[-1] <= 1e-3 < run.grad_norms[-2]
    assert "stopped_at=11" in repr(run)


@pytest.mark.parametrize("method, options", [
    (gradient_descent, {"lr": 0.05}),
    (momentum, {"lr": 0.02, "beta": 0.8}),
    (momentum, {"lr": 0.02, "beta": 0.8, "nesterov": True}),
    (adam, {"lr": 0.05}),
])
def test_tol_run_is_the_prefix_of_the_full_run(backend, method, options):
    bowl = landscapes.quadratic(10.0)
    x0 = backend.tensor([1.0, -1.0])
    full = method(bowl, x0, steps=300, **options)
    tol = 1e-2
    first = int(np.flatnonzero(full.grad_norms <= tol)[0])
    stopped = method(bowl, x0, steps=300, tol=tol, **options)
    assert stopped.stopped_at == first
    np.testing.assert_array_equal(stopped.points, full.points[: first + 1])
    assert not full.stopped and full.stopped_at is None and full.steps == 300


def test_tol_met_at_the_start_gives_one_point():
    run = gradient_descent(lambda x: (x ** 2).sum(), [0.0, 0.0], steps=10**12, lr=0.1, tol=1e-8)
    assert run.stopped_at == 0 and len(run) == 1


@pytest.mark.parametrize("tol, error", [(0.0, ValueError), (-1e-3, ValueError),
                                        (float("nan"), ValueError), ("1e-3", TypeError),
                                        (True, TypeError)])
def test_tol_must_be_a_positive_number(tol, error):
    with pytest.raises(error, match="tol must be"):
        gradient_descent(lambda x: x ** 2, 1.0, steps=5, lr=0.1, tol=tol)


def test_a_trajectory_without_points_prints_and_says_it_has_no_final():
    empty = Trajectory(np.zeros((0, 2)), [], [])
    assert repr(empty) == "Trajectory(method='', no points)" and empty.steps == 0
    with pytest.raises(ValueError, match="no points"):
        _ = empty.final
    with pytest.raises(ValueError, match="stopped_at must be the last step"):
        Trajectory(np.zeros((3, 1)), np.zeros(3), np.zeros(3), stopped_at=1)


# -- hyper-parameters and start points (issue #12) ------------------------------

@pytest.mark.parametrize("make", [float, np.float32, np.float64, np.array,
                                  lambda v: torch.tensor(v, dtype=torch.float64)])
def test_hyper_parameters_accept_any_scalar(make):
    f = landscapes.quadratic(4.0)
    reference = momentum(f, [1.0, 1.0], steps=5, lr=0.125, beta=0.5)
    run = momentum(f, [1.0, 1.0], steps=make(5.0), lr=make(0.125), beta=make(0.5))
    np.testing.assert_array_equal(run.points, reference.points)
    sfn = saddle_free_newton(landscapes.saddle, [0.5, 0.1], steps=1, lr=make(1.0),
                             damping=make(0.0))
    np.testing.assert_allclose(sfn.final, [0.0, 0.2], atol=1e-15)


def test_saddle_free_newton_without_damping_is_the_absolute_hessian_step():
    # f = x^2/2 - 2 y^2: g = (x, -4y), |H| = diag(1, 4), step (x, -y): one step gives (0, 2y).
    f = lambda v: 0.5 * v[0] ** 2 - 2 * v[1] ** 2  # noqa: E731
    run = saddle_free_newton(f, [0.3, 0.1], steps=2, damping=0)
    np.testing.assert_allclose(run.points, [[0.3, 0.1], [0.0, 0.2], [0.0, 0.4]], atol=1e-15)


def test_saddle_free_newton_without_damping_refuses_a_singular_absolute_hessian():
    message = r"\|H\| at the iterate \[0\. 1\.\] is singular.*damping > 0"
    with pytest.raises(ValueError, match=message):
        saddle_free_newton(lambda v: (v ** 3).sum(), [0.0, 1.0], steps=1, damping=0)


@pytest.mark.parametrize("method", [newton, saddle_free_newton])
def test_a_nan_hessian_is_reported_as_nan_not_singular(method):
    # Value and gradient are finite at (0, 1); the Hessian of 0 * x^1.5 there is 0 * inf = NaN.
    f = lambda v: (v ** 2).sum() + 0 * (v ** 1.5).sum()  # noqa: E731
    with np.errstate(divide="ignore", invalid="ignore"), \
            pytest.raises(ValueError, match="holds NaN") as info:
        method(f, [0.0, 1.0], steps=1)
    assert "singular" not in str(info.value)


def test_an_empty_or_complex_start_point_is_refused():
    with pytest.raises(ValueError, match="x0 is empty"):
        gradient_descent(lambda x: (x ** 2).sum(), np.zeros(0), steps=3, lr=0.1)
    with pytest.raises((TypeError, ValueError), match="x0"):
        gradient_descent(lambda x: (x ** 2).sum(), np.array([1.0 + 1.0j]), steps=3, lr=0.1)


# -- divergence (issue #12) ------------------------------------------------------

def test_divergence_at_the_first_step_keeps_the_start():
    with pytest.raises(Divergence) as caught:
        gradient_descent(lambda x: (x ** 2).sum(), [1e150], steps=5, lr=1e10)
    assert caught.value.step == 1 and isinstance(caught.value, ValueError)
    np.testing.assert_array_equal(caught.value.trajectory.points, [[1e150]])


def test_tune_tells_divergence_by_class_not_by_message():
    def says_diverged(f, x0, *, steps, lr):
        raise ValueError("the run diverged (but this is not a Divergence)")

    with pytest.raises(ValueError, match="not a Divergence"):
        tune(says_diverged, landscapes.quadratic(4.0), [1.0, 1.0], grid={"lr": [0.1]},
             steps=5, tol=1e-3)


@pytest.mark.parametrize(("method", "options"), [(gradient_descent, {"lr": 0.1}), (newton, {})])
def test_a_function_of_another_framework_is_explained(method, options):
    torch = pytest.importorskip("torch")
    with pytest.raises(TypeError, match="f was called with a NumPy array but uses torch"):
        method(lambda x: torch.sum(x**2), np.array([1.0, 2.0]), steps=3, **options)
