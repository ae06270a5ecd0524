"""Gradients, Hessians and Hessian-vector products against hand-derived closed forms.

Every formula below was differentiated by hand from the landscape's definition; none
of them calls d2lopt, so a wrong landscape or a wrong adapter makes these tests fail.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from closed_forms import SECTION_CLOSED_FORMS

import d2lopt
from d2lopt.landscapes import ALL, Landscape, quadratic

PI = np.pi


# -- closed forms: (value, gradient, Hessian) of each landscape at one point ----------------
def _risk(x):
    x = float(x)
    return (
        x * np.cos(PI * x),
        np.cos(PI * x) - PI * x * np.sin(PI * x),
        -2 * PI * np.sin(PI * x) - PI**2 * x * np.cos(PI * x),
    )


def _empirical_risk(x):
    value, d1, d2 = _risk(x)
    x = float(x)
    return (
        value + 0.2 * np.cos(5 * PI * x),
        d1 - PI * np.sin(5 * PI * x),
        d2 - 5 * PI**2 * np.cos(5 * PI * x),
    )


def _cubic(x):
    x = float(x)
    return x**3, 3 * x**2, 6 * x


def _saddle(p):
    x, y = p
    return x**2 - y**2, [2 * x, -2 * y], [[2.0, 0.0], [0.0, -2.0]]


def _monkey_saddle(p):
    x, y = p
    return (
        x**3 - 3 * x * y**2,
        [3 * x**2 - 3 * y**2, -6 * x * y],
        [[6 * x, -6 * y], [-6 * y, -6 * x]],
    )


def _rosenbrock(p):
    x, y = p
    return (
        (1 - x) ** 2 + 100 * (y - x**2) ** 2,
        [-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)],
        [[2 - 400 * y + 1200 * x**2, -400 * x], [-400 * x, 200.0]],
    )


def _himmelblau(p):
    x, y = p
    u, w = x**2 + y - 11, x + y**2 - 7
    return (
        u**2 + w**2,
        [4 * x * u + 2 * w, 2 * u + 4 * y * w],
        [[12 * x**2 + 4 * y - 42, 4 * x + 4 * y], [4 * x + 4 * y, 12 * y**2 + 4 * x - 26]],
    )


def _double_well(p):
    x, y = p
    return (
        x**4 / 4 - x**2 / 2 + y**2 / 2,
        [x**3 - x, y],
        [[3 * x**2 - 1, 0.0], [0.0, 1.0]],
    )


def _quadratic(l1, l2):
    def closed_form(p):
        x, y = p
        return (l1 * x**2 + l2 * y**2) / 2, [l1 * x, l2 * y], [[l1, 0.0], [0.0, l2]]

    return closed_form


CLOSED_FORMS = {
    "risk": _risk,
    "empirical_risk": _empirical_risk,
    "cubic": _cubic,
    "saddle": _saddle,
    "monkey_saddle": _monkey_saddle,
    "rosenbrock": _rosenbrock,
    "himmelblau": _himmelblau,
    "double_well": _double_well,
    "quadratic(25, 0.5)": _quadratic(0.5, 12.5),
    "quadratic(1)": _quadratic(1.0, 1.0),
    **SECTION_CLOSED_FORMS,  # tanh_unit, recurrent_cliff, mountain
}
LANDSCAPES: dict[str, Landscape] = {
    **ALL,
    "quadratic(25, 0.5)": quadratic(25.0, smallest=0.5),
    "quadratic(1)": quadratic(1.0),
}
ONE_D = [name for name, f in LANDSCAPES.items() if f.dim == 1]


def test_every_landscape_has_a_closed_form_here():
    assert set(ALL) <= set(CLOSED_FORMS)
    assert set(CLOSED_FORMS) == set(LANDSCAPES)


def random_points(landscape: Landscape, rng: np.random.Generator, n: int = 3) -> list:
    """``n`` points inside the landscape's domain (scalars in 1-D)."""
    lo, hi = np.array(landscape.domain).T
    points = rng.uniform(lo, hi, size=(n, landscape.dim))
    return [p[0] if landscape.dim == 1 else p for p in points]


def is_float64(x) -> bool:
    return "float64" in str(x.dtype)


def check_result(backend, result, expected, shape):
    assert backend.owns(result), f"{backend.name} input gave a {type(result)} back"
    assert is_float64(result)
    assert backend.shape(result) == shape
    np.testing.assert_allclose(backend.to_numpy(result), np.asarray(expected, dtype=float),
                               rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("name", LANDSCAPES)
def test_gradient_matches_closed_form(backend, name, rng):
    f, closed_form = LANDSCAPES[name], CLOSED_FORMS[name]
    for p in random_points(f, rng):
        g = d2lopt.grad(f)(backend.tensor(p))
        check_result(backend, g, closed_form(p)[1], np.shape(p))


@pytest.mark.parametrize("name", LANDSCAPES)
def test_hessian_matches_closed_form(backend, name, rng):
    f, closed_form = LANDSCAPES[name], CLOSED_FORMS[name]
    for p in random_points(f, rng):
        h = d2lopt.hessian(f)(backend.tensor(p))
        check_result(backend, h, closed_form(p)[2], np.shape(p) * 2)


@pytest.mark.parametrize("name", LANDSCAPES)
def test_value_and_grad_match_closed_form(backend, name, rng):
    f, closed_form = LANDSCAPES[name], CLOSED_FORMS[name]
    for p in random_points(f, rng, n=2):
        value, g = d2lopt.value_and_grad(f)(backend.tensor(p))
        expected_value, expected_grad, _ = closed_form(p)
        check_result(backend, value, expected_value, ())
        check_result(backend, g, expected_grad, np.shape(p))


@pytest.mark.parametrize("name", LANDSCAPES)
def test_hvp_is_hessian_times_v(backend, name, rng):
    f, closed_form = LANDSCAPES[name], CLOSED_FORMS[name]
    for p in random_points(f, rng, n=2):
        v = rng.standard_normal(np.shape(p))
        x = backend.tensor(p)
        product = d2lopt.hvp(f)(x, backend.tensor(v))
        h = backend.to_numpy(d2lopt.hessian(f)(x))
        expected = h * v if f.dim == 1 else h @ v
        check_result(backend, product, expected, np.shape(p))
        h_exact = np.asarray(closed_form(p)[2])
        check_result(backend, product, h_exact * v if f.dim == 1 else h_exact @ v, np.shape(p))


@pytest.mark.parametrize("name", LANDSCAPES)
def test_frameworks_agree_with_numpy(non_numpy_backend, name, rng):
    """Each framework gives NumPy's value, gradient, Hessian and product to 1e-10."""
    other, numpy = non_numpy_backend, d2lopt.get_backend("numpy")
    f = LANDSCAPES[name]
    for p in random_points(f, rng, n=2):
        v = rng.standard_normal(np.shape(p))
        for derivative in (
            lambda x, v: f(x),
            lambda x, v: d2lopt.grad(f)(x),
            lambda x, v: d2lopt.hessian(f)(x),
            lambda x, v: d2lopt.hvp(f)(x, v),
        ):
            reference = numpy.to_numpy(derivative(numpy.tensor(p), numpy.tensor(v)))
            result = other.to_numpy(derivative(other.tensor(p), other.tensor(v)))
            assert result.shape == reference.shape
            np.testing.assert_allclose(result, reference, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("name", ONE_D)
def test_one_dimensional_landscape_scalar_in_scalar_out(backend, name):
    f, closed_form = LANDSCAPES[name], CLOSED_FORMS[name]
    x = backend.tensor(0.3)
    _, d1, d2 = closed_form(0.3)
    check_result(backend, d2lopt.grad(f)(x), d1, ())
    check_result(backend, d2lopt.hessian(f)(x), d2, ())
    check_result(backend, d2lopt.hvp(f)(x, backend.tensor(2.0)), 2 * d2, ())


@pytest.mark.parametrize("name", ONE_D)
def test_python_float_gives_numpy_scalar_derivative(name):
    f, closed_form = LANDSCAPES[name], CLOSED_FORMS[name]
    g = d2lopt.grad(f)(0.3)
    assert np.ndim(g) == 0 and isinstance(g, (np.ndarray, np.generic))
    assert float(g) == pytest.approx(closed_form(0.3)[1], rel=1e-12)
    assert float(d2lopt.hessian(f)(0.3)) == pytest.approx(closed_form(0.3)[2], rel=1e-12)


def test_gradient_of_plain_functions():
    """Derivatives of functions that are not landscapes, e.g. a sum of squares in 3-D."""
    x = np.array([1.0, -2.0, 0.5])
    a = np.array([[2.0, 1.0, 0.0], [1.0, 3.0, -1.0], [0.0, -1.0, 4.0]])

    def f(z):
        return 0.5 * z @ a @ z + (z**3).sum()

    np.testing.assert_allclose(d2lopt.grad(f)(x), a @ x + 3 * x**2, rtol=1e-12)
    np.testing.assert_allclose(d2lopt.hessian(f)(x), a + np.diag(6 * x), rtol=1e-12)
    v = np.array([0.3, 0.1, -0.7])
    np.testing.assert_allclose(d2lopt.hvp(f)(x, v), (a + np.diag(6 * x)) @ v, rtol=1e-12)


# -- inputs that are wrong, and inputs that are merely unusual --------------------------
def test_integer_input_is_treated_as_float(backend, framework_dtype):
    x = backend.tensor([1, 2], dtype=framework_dtype("int64"))
    assert not is_float64(x)
    f = LANDSCAPES["himmelblau"]
    _, g, h = _himmelblau((1.0, 2.0))
    check_result(backend, d2lopt.grad(f)(x), g, (2,))
    check_result(backend, d2lopt.hessian(f)(x), h, (2, 2))
    e1 = backend.tensor([1, 0], dtype=framework_dtype("int64"))
    check_result(backend, d2lopt.hvp(f)(x, e1), np.array(h)[:, 0], (2,))
    value, g2 = d2lopt.value_and_grad(f)(x)
    check_result(backend, g2, g, (2,))


def test_python_int_and_list_inputs_are_numpy_floats():
    g = d2lopt.grad(LANDSCAPES["cubic"])(2)
    assert float(g) == 12.0 and g.dtype == np.float64
    g = d2lopt.grad(LANDSCAPES["saddle"])([1, 2])
    assert isinstance(g, np.ndarray) and g.dtype == np.float64
    np.testing.assert_array_equal(g, [2.0, -4.0])


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_or_inf_input_is_rejected(backend, bad):
    f = LANDSCAPES["saddle"]
    with pytest.raises(ValueError, match="NaN"):
        d2lopt.grad(f)(backend.tensor([bad, 1.0]))
    with pytest.raises(ValueError, match="NaN"):
        d2lopt.hessian(f)(backend.tensor([1.0, bad]))
    with pytest.raises(ValueError, match="NaN"):
        d2lopt.hvp(f)(backend.tensor([1.0, 1.0]), backend.tensor([bad, 0.0]))
    with pytest.raises(ValueError, match="NaN"):
        d2lopt.value_and_grad(LANDSCAPES["cubic"])(backend.tensor(bad))


def test_wrong_first_axis_is_rejected_with_the_expected_length(backend):
    f = LANDSCAPES["himmelblau"]
    for derivative in (d2lopt.grad(f), d2lopt.hessian(f)):
        with pytest.raises(ValueError, match="first axis has length 2"):
            derivative(backend.tensor([1.0, 2.0, 3.0]))
    with pytest.raises(ValueError, match="first axis has length 2"):
        f(backend.tensor(np.ones((3, 4))))
    with pytest.raises(ValueError, match="first axis has length 2"):
        f(backend.tensor(1.0))


def test_non_scalar_function_is_rejected(backend):
    x = backend.tensor([0.1, 0.2, 0.3])
    for make in (d2lopt.grad, d2lopt.hessian, d2lopt.value_and_grad):
        with pytest.raises(ValueError, match="scalar"):
            make(LANDSCAPES["risk"])(x)  # a 1-D landscape on 3 points: 3 values
    with pytest.raises(ValueError, match="scalar"):
        d2lopt.hvp(lambda z: z * 2.0)(x, x)


def test_hvp_with_v_of_the_wrong_shape_is_rejected(backend):
    f = LANDSCAPES["saddle"]
    with pytest.raises(ValueError, match=r"shape of x, \(2,\)"):
        d2lopt.hvp(f)(backend.tensor([1.0, 2.0]), backend.tensor([1.0, 2.0, 3.0]))
    with pytest.raises(ValueError, match="shape"):
        d2lopt.hvp(f)(backend.tensor([1.0, 2.0]), backend.tensor(np.ones((2, 1))))


def test_hvp_with_v_from_another_framework_is_rejected(non_numpy_backend):
    with pytest.raises(TypeError, match="same framework"):
        d2lopt.hvp(LANDSCAPES["saddle"])(non_numpy_backend.tensor([1.0, 2.0]), np.ones(2))


@pytest.mark.parametrize("make", [d2lopt.grad, d2lopt.hessian, d2lopt.hvp, d2lopt.value_and_grad])
def test_non_callable_is_rejected(make):
    with pytest.raises(TypeError, match="function"):
        make(np.ones(2))


# -- issue #12: a function of one framework called on another's array -------------------
def test_function_of_another_framework_is_explained(non_numpy_backend):
    other = non_numpy_backend
    article = "an" if other.array_type[0].lower() in "aeiou" else "a"
    message = (f"f was called with a NumPy array but uses {other.name} operations: "
               f"pass {article} {other.array_type}")

    def f(v):
        return other.sum(other.xp.sin(v) * v) if other.name != "tensorflow" else (
            other.sum(other.sin(v) * v))

    for derivative in (d2lopt.grad(f), d2lopt.hessian(f), d2lopt.value_and_grad(f)):
        with pytest.raises(TypeError, match=re.escape(message)):
            derivative(np.ones(2))
    with pytest.raises(TypeError, match=re.escape(message)):
        d2lopt.hvp(f)(np.ones(2), np.ones(2))
    with pytest.raises(TypeError, match=re.escape(message)):
        d2lopt.critical_point(f, np.ones(2))
    # On its own framework the same function is differentiated as usual: d/dv (v sin v).
    g = other.to_numpy(d2lopt.grad(f)(other.tensor([0.5, 1.0])))
    np.testing.assert_allclose(g, np.sin([0.5, 1.0]) + np.array([0.5, 1.0]) * np.cos([0.5, 1.0]))


def test_numpy_function_on_a_torch_tensor_is_explained():
    torch = pytest.importorskip("torch")
    import autograd.numpy as anp

    with pytest.raises(TypeError, match=re.escape(
            "f was called with a torch.Tensor but uses numpy operations: pass a NumPy array")):
        d2lopt.grad(lambda v: anp.sum(v ** 2))(torch.ones(2))


def test_an_error_that_is_no_mismatch_is_left_alone(backend):
    def broken(v):
        raise TypeError("my own bug")

    with pytest.raises(TypeError, match="^my own bug") as info:  # JAX appends a note
        d2lopt.grad(broken)(backend.tensor([1.0]))
    assert "was called with" not in str(info.value)
