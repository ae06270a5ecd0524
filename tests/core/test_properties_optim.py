"""Property-based tests of d2lopt.optim under hostile input (issue #12).

Random dimensions, scales, learning rates and values, NaN, infinities, empty
arrays, huge, zero, negative and wrong-type arguments. For each case the
result matches an independent computation (a closed form, NumPy's ``clip``,
the same run without the stopping rule) or a ``ValueError``/``TypeError``
names the argument. Every case is bounded in size (no deadline: timing belongs in benchmarks).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from d2lopt import optim

torch = pytest.importorskip("torch")

FAST = settings(max_examples=40, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])

#: Values no positive, finite hyper-parameter may take, with the error each must get.
NOT_POSITIVE = st.one_of(
    st.sampled_from([math.nan, math.inf, -math.inf, 0.0, -0.0]),
    st.floats(max_value=0.0, allow_nan=False),
    st.floats(allow_nan=False).map(lambda v: -abs(v)),
)
WRONG_TYPE = st.sampled_from([True, False, None, "0.1", 1 + 1j, [0.1], (0.1,), {"lr": 0.1},
                              np.array([0.1, 0.2]), torch.tensor([0.1, 0.2])])

#: The ways a caller may write one number (Python, NumPy, 0-d arrays and tensors), and
#: whether the form holds it exactly (float32 forms round it to 24 bits).
SCALAR_FORMS = [(float, True), (np.float64, True), (np.array, True),
                (lambda v: torch.tensor(v, dtype=torch.float64), True),
                (np.float32, False), (torch.tensor, False)]


def diagonal_quadratic(eigenvalues: np.ndarray):
    """f(x) = ½ Σ λ_i x_i², with the gradient λ ⊙ x."""
    lam = np.asarray(eigenvalues)
    lam_torch = torch.as_tensor(lam)

    def f(x):
        weights = lam_torch.to(x.dtype) if isinstance(x, torch.Tensor) else lam
        return 0.5 * (weights * x ** 2).sum()

    return f


problems = st.integers(1, 5).flatmap(lambda d: st.tuples(
    arrays(np.float64, d, elements=st.floats(0.1, 10.0)),
    arrays(np.float64, d, elements=st.floats(-10.0, 10.0)),
))


def assert_names(info: pytest.ExceptionInfo, name: str) -> None:
    assert name in str(info.value), f"the message does not name {name}: {info.value}"


# -- results against closed forms ---------------------------------------------------

@FAST
@given(problems, st.floats(0.01, 0.99), st.integers(0, 30), st.sampled_from(["numpy", "torch"]))
def test_gradient_descent_is_the_closed_form_on_a_diagonal_quadratic(problem, fraction, steps,
                                                                     framework):
    lam, x0 = problem
    lr = fraction * 2.0 / lam.max()  # inside the stable range
    start = x0 if framework == "numpy" else torch.tensor(x0)
    run = optim.gradient_descent(diagonal_quadratic(lam), start, steps=steps, lr=lr)
    expected = (1 - lr * lam)[None, :] ** np.arange(steps + 1)[:, None] * x0
    np.testing.assert_allclose(run.points, expected, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(run.grad_norms, np.linalg.norm(lam * expected, axis=1),
                               rtol=1e-10, atol=1e-12)


@FAST
@given(problems, st.floats(0.01, 0.9), st.floats(1e-6, 1.0),
       st.sampled_from(["gd", "momentum", "nesterov", "adam"]))
def test_the_stopping_rule_cuts_the_full_run_at_its_first_small_gradient(problem, fraction, tol,
                                                                         which):
    lam, x0 = problem
    lr = fraction / lam.max()
    method, options = {
        "gd": (optim.gradient_descent, {"lr": lr}),
        "momentum": (optim.momentum, {"lr": lr, "beta": 0.5}),
        "nesterov": (optim.momentum, {"lr": lr, "beta": 0.5, "nesterov": True}),
        "adam": (optim.adam, {"lr": 0.1 * fraction}),
    }[which]
    f = diagonal_quadratic(lam)
    full = method(f, x0, steps=60, **options)
    small = np.flatnonzero(full.grad_norms <= tol)
    stopped = method(f, x0, steps=60, tol=tol, **options)
    if small.size:
        assert stopped.stopped_at == small[0]
        np.testing.assert_array_equal(stopped.points, full.points[: small[0] + 1])
    else:
        assert not stopped.stopped and stopped.stopped_at is None
        np.testing.assert_array_equal(stopped.points, full.points)


@FAST
@given(st.integers(10**6, 10**15))
def test_huge_steps_with_a_stopping_rule_end_quickly_and_small(steps):
    run = optim.gradient_descent(lambda x: (x ** 2).sum(), [1.0, -1.0], steps=steps, lr=0.25,
                                 tol=1e-6)
    assert run.stopped and len(run) < 30  # 2·√2·0.5^t ≤ 1e-6 from t = 22


@FAST
@given(st.sampled_from(SCALAR_FORMS), st.floats(0.01, 0.2), st.floats(0.0, 0.95))
def test_a_number_in_any_form_gives_the_same_run(form, lr, beta):
    make, exact = form
    held = (lambda v: v) if exact else (lambda v: float(np.float32(v)))  # what the form holds
    f = diagonal_quadratic(np.array([1.0, 4.0]))
    reference = optim.momentum(f, [1.0, 1.0], steps=4, lr=held(lr), beta=held(beta))
    run = optim.momentum(f, [1.0, 1.0], steps=make(4.0), lr=make(lr), beta=make(beta))
    np.testing.assert_array_equal(run.points, reference.points)


@FAST
@given(st.floats(-3.0, 3.0).filter(lambda v: abs(v) > 1e-3),
       st.floats(-3.0, 3.0).filter(lambda v: abs(v) > 1e-3),
       st.floats(-2.0, 2.0), st.floats(-2.0, 2.0), st.sampled_from([0.0, 1e-3]))
def test_saddle_free_newton_is_the_absolute_hessian_step_on_quadratics(a, b, x, y, damping):
    f = lambda v: 0.5 * (a * v[0] ** 2 + b * v[1] ** 2)  # noqa: E731
    run = optim.saddle_free_newton(f, [x, y], steps=1, damping=damping)
    curvature = np.maximum(np.abs([a, b]), damping)
    np.testing.assert_allclose(run.final, [x - a * x / curvature[0], y - b * y / curvature[1]],
                               rtol=1e-12, atol=1e-12)


# -- bad arguments: a clear error naming the argument ---------------------------------

POSITIVE_ARGUMENTS = [
    ("lr", lambda v: optim.gradient_descent(lambda x: x ** 2, 1.0, steps=1, lr=v)),
    ("lr", lambda v: optim.adam(lambda x: x ** 2, 1.0, steps=1, lr=v)),
    ("eps", lambda v: optim.adam(lambda x: x ** 2, 1.0, steps=1, eps=v)),
    ("tol", lambda v: optim.momentum(lambda x: x ** 2, 1.0, steps=1, lr=0.1, tol=v)),
    ("radius", lambda v: optim.perturbed_gradient_descent(lambda x: x ** 2, 1.0, steps=1, lr=0.1,
                                                    radius=v)),
    ("threshold", lambda v: optim.perturbed_gradient_descent(lambda x: x ** 2, 1.0, steps=1, lr=0.1,
                                                       threshold=v)),
    ("lr", lambda v: optim.newton(lambda x: x ** 2, 1.0, steps=1, lr=v)),
    ("max_norm", lambda v: optim.clip_by_norm(np.ones(2), v)),
    ("limit", lambda v: optim.clip_by_value(np.ones(2), v)),
    ("max_norm", lambda v: optim.gradient_descent(lambda x: x ** 2, 1.0, steps=1, lr=0.1,
                                            clip=("norm", v))),
]


@pytest.mark.parametrize("name, call", POSITIVE_ARGUMENTS)
@FAST
@given(bad=st.one_of(NOT_POSITIVE, WRONG_TYPE))
def test_a_positive_hyper_parameter_refuses_the_rest_by_name(name, call, bad):
    assume(not (name == "tol" and bad is None))  # tol=None is "no stopping rule"
    with pytest.raises((ValueError, TypeError)) as info:
        call(bad)
    assert_names(info, name)


@pytest.mark.parametrize("name, call", [
    ("beta", lambda v: optim.momentum(lambda x: x ** 2, 1.0, steps=1, lr=0.1, beta=v)),
    ("dampening", lambda v: optim.momentum(lambda x: x ** 2, 1.0, steps=1, lr=0.1, dampening=v)),
    ("betas[0]", lambda v: optim.adam(lambda x: x ** 2, 1.0, steps=1, betas=(v, 0.9))),
    ("betas[1]", lambda v: optim.adam(lambda x: x ** 2, 1.0, steps=1, betas=(0.9, v))),
    ("damping", lambda v: optim.saddle_free_newton(lambda x: x ** 2, 1.0, steps=1,
                                             damping=-abs(v) if isinstance(v, float) else v)),
])
@FAST
@given(bad=st.one_of(st.floats(1.0, 1e300), st.floats(-1e300, -1e-300),
                     st.sampled_from([math.nan, math.inf, -math.inf]), WRONG_TYPE))
def test_a_fraction_or_damping_refuses_values_outside_its_range_by_name(name, call, bad):
    with pytest.raises((ValueError, TypeError)) as info:
        call(bad)
    assert_names(info, name)


@pytest.mark.parametrize("name, call", [
    ("steps", lambda v: optim.gradient_descent(lambda x: x ** 2, 1.0, steps=v, lr=0.1)),
    ("steps", lambda v: optim.saddle_free_newton(lambda x: x ** 2, 1.0, steps=v)),
    ("interval", lambda v: optim.perturbed_gradient_descent(lambda x: x ** 2, 1.0, steps=1, lr=0.1,
                                                      interval=v)),
])
@FAST
@given(bad=st.one_of(st.integers(max_value=-1), st.floats().filter(lambda v: v != int(v)
                                                                   if math.isfinite(v) else True),
                     WRONG_TYPE))
def test_an_integer_argument_refuses_the_rest_by_name(name, call, bad):
    with pytest.raises((ValueError, TypeError)) as info:
        call(bad)
    assert_names(info, name)


@FAST
@given(st.integers(1, 4).flatmap(lambda d: arrays(np.float64, d, elements=st.one_of(
    st.floats(-10, 10), st.sampled_from([math.nan, math.inf, -math.inf])))))
def test_a_start_point_with_nan_or_inf_is_refused_by_name(x0):
    if np.all(np.isfinite(x0)):
        run = optim.gradient_descent(lambda x: (x ** 2).sum(), x0, steps=2, lr=0.1)
        np.testing.assert_allclose(run.final, 0.64 * x0, rtol=1e-14)
        return
    with pytest.raises(ValueError) as info:
        optim.gradient_descent(lambda x: (x ** 2).sum(), x0, steps=2, lr=0.1)
    assert_names(info, "x0")


@FAST
@given(st.sampled_from([np.zeros(0), np.zeros((0, 3)), [], np.array([1 + 2j]),
                        torch.zeros(0), torch.tensor([1 + 0j])]),
       st.sampled_from([optim.gradient_descent, optim.momentum, optim.adam]))
def test_an_empty_or_complex_start_point_is_refused_by_name(x0, method):
    options = {} if method is optim.adam else {"lr": 0.1}
    with pytest.raises((ValueError, TypeError)) as info:
        method(lambda x: (x ** 2).sum(), x0, steps=2, **options)
    assert_names(info, "x0")


# -- divergence -------------------------------------------------------------------

@FAST
@given(st.floats(1.5, 50.0), st.floats(0.1, 10.0), st.sampled_from(["numpy", "torch"]))
def test_a_diverging_run_raises_divergence_with_every_finite_iterate(growth, x0, framework):
    # x_t = (1 - 2 lr) x_{t-1} with |1 - 2 lr| = growth > 1: the iterate overflows.
    lr = (1 + growth) / 2
    start = np.array([x0]) if framework == "numpy" else torch.tensor([x0], dtype=torch.float64)
    with pytest.raises(optim.Divergence) as caught:
        optim.gradient_descent(lambda x: (x ** 2).sum(), start, steps=100_000, lr=lr)
    so_far = caught.value.trajectory
    t = np.arange(len(so_far))
    np.testing.assert_allclose(so_far.points[:, 0], x0 * (-growth) ** t, rtol=1e-9)
    assert caught.value.step == len(so_far) and np.all(np.isfinite(so_far.values))
    assert isinstance(caught.value, ValueError)


# -- clipping against NumPy --------------------------------------------------------

vectors = arrays(np.float64, st.integers(0, 6), elements=st.one_of(
    st.floats(-1e300, 1e300), st.sampled_from([math.nan, math.inf, -math.inf, 0.0])))


@FAST
@given(vectors, st.floats(1e-6, 1e6), st.booleans())
def test_clipping_matches_numpy_or_refuses_nan_and_inf(g, threshold, as_tensor):
    given_g = torch.tensor(g) if as_tensor else g
    if not np.all(np.isfinite(g)):
        for clip in (optim.clip_by_norm, optim.clip_by_value):
            with pytest.raises(ValueError, match="NaN or infinity") as info:
                clip(given_g, threshold)
            assert_names(info, "g")
        return
    by_value = np.asarray(optim.clip_by_value(given_g, threshold))
    np.testing.assert_array_equal(by_value, np.clip(g, -threshold, threshold))
    by_norm = np.asarray(optim.clip_by_norm(given_g, threshold))
    scale = np.abs(g).max() if g.size else 1.0
    norm = scale * np.linalg.norm(g / scale) if g.size and scale > 0 else 0.0
    expected = g if norm <= threshold else g * (threshold / norm)
    np.testing.assert_allclose(by_norm, expected, rtol=1e-12, atol=0)


# -- the record --------------------------------------------------------------------

@FAST
@given(st.integers(0, 5), st.integers(1, 4), st.text(max_size=10))
def test_any_trajectory_prints_and_counts_its_steps(n, d, method):
    run = optim.Trajectory(np.zeros((n, d)), np.zeros(n), np.zeros(n), method)
    text = repr(run)
    assert text.startswith("Trajectory(") and repr(method) in text
    assert run.steps == max(n - 1, 0) and len(run) == n
