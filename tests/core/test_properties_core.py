"""Property-based tests (hypothesis) of the core: backends, derivatives, critical points.

Random shapes, dtypes and values, hostile ones included (NaN, infinity, empty,
complex, huge, zero, negative, wrong types). For each case, either the result
matches an independent computation (closed forms of quadratics, the signs of
known eigenvalues) or a ``ValueError``/``TypeError`` is raised whose message
names the argument. Sizes are bounded, so every case is small. No case has a deadline: a timing
limit would fail on a busy machine (speed belongs in benchmarks).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import d2lopt
from d2lopt.backends import as_array, get_backend, installed
from d2lopt.critical import classify_eigenvalues, critical_point, default_tolerances

BACKENDS = installed()
CASE = settings(max_examples=25, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])

dims = st.integers(min_value=1, max_value=4)
finite = st.floats(min_value=-10.0, max_value=10.0, allow_nan=False, allow_infinity=False)


def dtype_of(backend, kind: str):
    found = getattr(backend.xp, kind, None)
    if found is None:
        import importlib

        found = getattr(importlib.import_module(backend.name), kind)
    return found


def expected_kind(eigenvalues) -> str:
    """The second-derivative test on eigenvalues known exactly (zero means zero)."""
    positive = [v > 0 for v in eigenvalues]
    negative = [v < 0 for v in eigenvalues]
    if any(positive) and any(negative):
        return "saddle"
    if all(positive):
        return "minimum"
    if all(negative):
        return "maximum"
    return "degenerate"


@st.composite
def quadratics(draw):
    """``(A, b, x, v)``: f(x) = x^T A x / 2 + b^T x with A symmetric, at a point x, along v."""
    d = draw(dims)
    m = draw(hnp.arrays(np.float64, (d, d), elements=finite))
    vectors = [draw(hnp.arrays(np.float64, (d,), elements=finite)) for _ in range(3)]
    return (m + m.T) / 2, *vectors


def quadratic_function(a: np.ndarray, b: np.ndarray, backend):
    """x^T A x / 2 + b^T x in whole-array operations of ``backend``, in the dtype of ``x``."""

    def f(x):
        ta, tb = backend.tensor(a, dtype=x.dtype), backend.tensor(b, dtype=x.dtype)
        return 0.5 * backend.sum(ta * x[None, :] * x[:, None]) + backend.sum(tb * x)

    return f


@pytest.fixture(scope="module", autouse=True)
def warm_backends() -> None:
    """Pay each framework's first-call costs before the timed cases.

    PyTorch's first Hessian takes seconds, and eager JAX compiles each primitive
    once per shape and dtype: every size and dtype the cases draw is run once here.
    """
    for name in BACKENDS:
        backend = get_backend(name)
        for d in range(1, 5):
            f = quadratic_function(np.eye(d), np.ones(d), backend)
            for kind in ("float32", "float64"):
                x = backend.tensor(np.ones(d), dtype=dtype_of(backend, kind))
                critical_point(f, x)
                d2lopt.value_and_grad(f)(x)
                d2lopt.hvp(f)(x, x)


# -- derivatives: closed forms of quadratics ---------------------------------------------
@pytest.mark.parametrize("name", BACKENDS)
@CASE
@given(problem=quadratics())
def test_derivatives_of_quadratics_are_the_closed_forms(name, problem):
    backend = get_backend(name)
    a, b, x, v = problem
    f = quadratic_function(a, b, backend)
    tx, tv = backend.tensor(x), backend.tensor(v)
    scale = 1.0 + np.abs(a).sum() * (1.0 + np.abs(x).max() + np.abs(v).max()) + np.abs(b).sum()
    atol = 1e-12 * scale
    np.testing.assert_allclose(backend.to_numpy(d2lopt.grad(f)(tx)), a @ x + b, rtol=0, atol=atol)
    np.testing.assert_allclose(backend.to_numpy(d2lopt.hessian(f)(tx)), a, rtol=0, atol=atol)
    np.testing.assert_allclose(backend.to_numpy(d2lopt.hvp(f)(tx, tv)), a @ v, rtol=0, atol=atol)
    value, g = d2lopt.value_and_grad(f)(tx)
    np.testing.assert_allclose(float(backend.to_numpy(value)), x @ a @ x / 2 + b @ x, rtol=0,
                               atol=atol * (1 + np.abs(x).max()))


# -- critical points: known eigenvalues, any rotation, float32 and float64 ---------------
nonzero = st.floats(min_value=0.5, max_value=50.0) | st.floats(min_value=-50.0, max_value=-0.5)


@pytest.mark.parametrize("name", BACKENDS)
@CASE
@given(eigenvalues=st.lists(st.just(0.0) | nonzero, min_size=1, max_size=4),
       seed=st.integers(0, 2**32 - 1), kind=st.sampled_from(["float32", "float64"]))
def test_critical_point_kind_follows_the_signs_of_known_eigenvalues(name, eigenvalues, seed,
                                                                    kind):
    backend = get_backend(name)
    d = len(eigenvalues)
    q, _ = np.linalg.qr(np.random.default_rng(seed).standard_normal((d, d)))
    a = q @ np.diag(eigenvalues) @ q.T  # eigenvalues exactly those drawn, in a random basis
    x = backend.tensor(np.zeros(d), dtype=dtype_of(backend, kind))
    point = critical_point(quadratic_function(a, np.zeros(d), backend), x)
    assert point.kind == expected_kind(eigenvalues)
    np.testing.assert_allclose(point.eigenvalues, sorted(eigenvalues), rtol=0,
                               atol=1e-4 * max(1.0, max(map(abs, eigenvalues))))


@pytest.mark.parametrize("name", BACKENDS)
@CASE
@given(eigenvalues=st.lists(nonzero, min_size=1, max_size=3),
       shift=st.floats(min_value=0.1, max_value=5.0))
def test_a_point_with_a_large_gradient_is_not_critical(name, eigenvalues, shift):
    backend = get_backend(name)
    d = len(eigenvalues)
    a = np.diag(eigenvalues)
    f = quadratic_function(a, np.zeros(d), backend)
    point = critical_point(f, backend.tensor(np.full(d, shift)))
    assert point.kind == "not critical"
    assert point.gradient_norm == pytest.approx(np.linalg.norm(a @ np.full(d, shift)))


# -- hostile arrays: NaN, infinity, empty, complex, wrong types --------------------------
special = st.sampled_from([math.nan, math.inf, -math.inf])


@pytest.mark.parametrize("name", BACKENDS)
@CASE
@given(values=st.lists(finite, min_size=1, max_size=5), bad=special, data=st.data())
def test_nan_or_infinity_anywhere_is_refused_naming_the_argument(name, values, bad, data):
    backend = get_backend(name)
    where = data.draw(st.integers(0, len(values) - 1))
    values[where] = bad
    x = backend.tensor(values)
    with pytest.raises(ValueError, match="^x contains NaN or infinity"):
        d2lopt.grad(lambda v: (v * v).sum() if name != "tensorflow" else backend.sum(v * v))(x)
    with pytest.raises(ValueError, match="^start contains NaN or infinity"):
        as_array(x, name="start")
    finite_x = backend.tensor(np.nan_to_num(np.asarray(values)))
    with pytest.raises(ValueError, match="^v contains NaN or infinity"):
        d2lopt.hvp(lambda v: backend.sum(v * v))(finite_x, x)


@pytest.mark.parametrize("name", BACKENDS)
@CASE
@given(shape=st.lists(st.integers(0, 3), min_size=1, max_size=3).filter(lambda s: 0 in s))
def test_empty_arrays_are_refused_naming_the_argument(name, shape):
    backend = get_backend(name)
    x = backend.tensor(np.zeros(shape))
    with pytest.raises(ValueError, match=r"^x is empty \(shape"):
        critical_point(lambda v: backend.sum(v * v), x)
    with pytest.raises(ValueError, match=r"^x is empty \(shape"):
        d2lopt.hessian(lambda v: backend.sum(v * v))(x)


@CASE
@given(z=st.complex_numbers(allow_nan=False, allow_infinity=False, max_magnitude=1e6)
       .filter(lambda z: z.imag != 0),
       as_list=st.booleans())
def test_complex_input_is_refused_not_truncated(z, as_list):
    x = [z, 1.0] if as_list else np.array([z, 1.0])
    with pytest.raises(TypeError, match="^x must be real"):
        d2lopt.grad(lambda v: (v * v).sum())(x)
    with pytest.raises(TypeError, match="^x must be real"):
        critical_point(lambda v: (v * v).sum(), x)


hostile_objects = st.one_of(
    st.text(max_size=3), st.none(), st.dictionaries(st.text(max_size=2), st.integers(),
                                                    max_size=2),
    st.just(object()), st.just({1.0, 2.0}),
)


@CASE
@given(x=hostile_objects)
def test_objects_of_no_framework_are_refused_with_the_supported_list(x):
    with pytest.raises(TypeError, match="Supported backends"):
        d2lopt.grad(lambda v: v)(x)


# -- classify_eigenvalues and the tolerances ---------------------------------------------
eigen_entries = st.floats(allow_nan=True, allow_infinity=True, width=64)


@CASE
@given(values=hnp.arrays(np.float64, st.integers(0, 5), elements=eigen_entries),
       norm=st.floats(allow_nan=True, allow_infinity=True) | st.floats(0.0, 1e-7))
def test_classify_eigenvalues_names_the_bad_argument_or_matches_the_signs(values, norm):
    try:
        kind = classify_eigenvalues(values, norm, grad_tol=1e-6, eig_tol=0.0)
    except ValueError as err:
        bad_values = values.size == 0 or not np.all(np.isfinite(values))
        bad_norm = not (math.isfinite(norm) and norm >= 0)
        assert bad_values or bad_norm
        assert str(err).startswith("eigenvalues" if bad_values and not bad_norm else
                                   ("gradient_norm", "eigenvalues"))
        return
    expected = "not critical" if norm > 1e-6 else expected_kind(values.tolist())
    assert kind == expected


tolerances = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True), st.integers(-5, 5), st.booleans(),
    st.text(max_size=3), st.complex_numbers(max_magnitude=10), st.none(),
    st.builds(np.float32, st.floats(-10, 10, width=32)), st.builds(np.array, st.floats(0, 10)),
    hnp.arrays(np.float64, st.integers(1, 3), elements=st.floats(0, 10)),
)


@CASE
@given(tolerance=tolerances, which=st.sampled_from(["grad_tol", "eig_tol"]))
def test_a_tolerance_is_a_nonnegative_number_or_its_name_is_in_the_error(tolerance, which):
    f, x = d2lopt.landscapes.saddle, np.zeros(2)  # eigenvalues -2 and 2, gradient 0
    try:
        point = critical_point(f, x, **{which: tolerance})
    except (TypeError, ValueError) as err:
        assert str(err).startswith(which)
        return
    if tolerance is None:
        assert point.kind == "saddle"
        return
    value = float(np.asarray(tolerance))
    assert value >= 0 and not math.isnan(value) and not isinstance(tolerance, (bool, str))
    assert point.kind == ("degenerate" if which == "eig_tol" and value >= 2.0 else "saddle")


@CASE
@given(exponent=st.integers(1, 60), scale=st.floats(0.0, 1e12))
def test_default_tolerances_are_relative(exponent, scale):
    eps = 2.0 ** -exponent
    grad_tol, eig_tol = default_tolerances(eps, scale)
    s = max(1.0, scale)
    assert grad_tol == pytest.approx(eps ** (1 / 3) * s)
    assert eig_tol == pytest.approx(math.sqrt(eps) * s)
    assert eig_tol <= grad_tol  # sqrt(eps) <= cbrt(eps) for eps < 1
