"""The landscapes: values, grids, documented points, and the metadata each one declares."""

from __future__ import annotations

import numpy as np
import pytest
from closed_forms import (
    SECTION_CLOSED_FORMS,
    mountain_value,
    recurrent_cliff_value,
    recurrent_state,
    tanh_unit_value,
)

import d2lopt
from d2lopt.landscapes import (
    ALL,
    KnownPoint,
    Landscape,
    Quadratic,
    RecurrentLoss,
    cubic,
    empirical_risk,
    himmelblau,
    mountain,
    quadratic,
    roots_1d,
    rotated_quadratic,
    saddle,
)

PI = np.pi

#: Each landscape written out again in plain NumPy, elementwise, from its formula.
VALUES = {
    "risk": lambda x: x * np.cos(PI * x),
    "empirical_risk": lambda x: x * np.cos(PI * x) + 0.2 * np.cos(5 * PI * x),
    "cubic": lambda x: x**3,
    "saddle": lambda x, y: x**2 - y**2,
    "monkey_saddle": lambda x, y: x**3 - 3 * x * y**2,
    "rosenbrock": lambda x, y: (1 - x) ** 2 + 100 * (y - x**2) ** 2,
    "himmelblau": lambda x, y: (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2,
    "double_well": lambda x, y: x**4 / 4 - x**2 / 2 + y**2 / 2,
    "tanh_unit": tanh_unit_value,
    "recurrent_cliff": recurrent_cliff_value,
    "mountain": mountain_value,
}
DIMS = {"risk": 1, "empirical_risk": 1, "cubic": 1, "saddle": 2, "monkey_saddle": 2,
        "rosenbrock": 2, "himmelblau": 2, "double_well": 2, "tanh_unit": 2,
        "recurrent_cliff": 2, "mountain": 2}
TITLES = {"risk": "risk", "empirical_risk": "empirical risk", "cubic": "cubic",
          "saddle": "saddle", "monkey_saddle": "monkey saddle", "rosenbrock": "Rosenbrock",
          "himmelblau": "Himmelblau", "double_well": "double well", "tanh_unit": "one tanh unit",
          "recurrent_cliff": "recurrent cliff (T = 50)",
          "mountain": "wrong side of the mountain"}


def closed_form(name, x):
    x = np.asarray(x, dtype=float)
    return VALUES[name](x) if DIMS[name] == 1 else VALUES[name](x[0], x[1])


def random_points(f, count, rng):
    """``count`` points drawn uniformly from the domain of ``f`` (scalars in 1-D)."""
    lo, hi = np.array(f.domain).T
    points = rng.uniform(lo, hi, size=(count, f.dim))
    return points[:, 0] if f.dim == 1 else points


def test_all_lists_the_fixed_landscapes():
    assert set(ALL) == set(VALUES)
    for name, f in ALL.items():
        assert isinstance(f, Landscape)
        assert f.dim == DIMS[name]
        assert len(f.domain) == f.dim
        assert all(lo < hi for lo, hi in f.domain)
        assert f.name == TITLES[name]
        assert f.name in repr(f)


@pytest.mark.parametrize("name", [n for n in SECTION_CLOSED_FORMS if ALL[n].critical_points])
def test_documented_points_are_critical_by_the_hand_derived_gradient(name):
    # (the gradients and Hessians of every landscape are checked on every backend against
    # hand-derived closed forms in test_derivatives.py; these three are in closed_forms.py)
    for point in ALL[name].critical_points:
        _, grad, hess = SECTION_CLOSED_FORMS[name](np.array(point.location))
        grad, hess = np.asarray(grad), np.asarray(hess)
        assert np.abs(grad).max() < 1e-9
        eigenvalues = np.linalg.eigvalsh(np.atleast_2d(hess))
        if point.kind == "minimum":
            assert eigenvalues.min() > 0
        elif point.kind == "maximum":
            assert eigenvalues.max() < 0
        elif point.kind == "saddle":
            assert eigenvalues.min() < 0 < eigenvalues.max()


@pytest.mark.parametrize("name", ALL)
def test_values_match_the_formula(backend, name, rng):
    f = ALL[name]
    for p in random_points(f, 4, rng):
        value = f(backend.tensor(p))
        assert backend.owns(value)
        assert float(backend.to_numpy(value)) == pytest.approx(closed_form(name, p), rel=1e-12,
                                                               abs=1e-12)


@pytest.mark.parametrize("name", ALL)
def test_broadcasting_on_a_meshgrid_equals_the_pointwise_loop(backend, name):
    f = ALL[name]
    axes = [np.linspace(lo, hi, n) for (lo, hi), n in zip(f.domain, (5, 4), strict=False)]
    if f.dim == 1:
        x = np.linspace(*f.domain[0], 12).reshape(3, 4)
        values = backend.to_numpy(f(backend.tensor(x)))
        loop = np.array([[float(f(np.float64(t))) for t in row] for row in x])
        assert values.shape == (3, 4)
    else:
        X, Y = np.meshgrid(*axes)
        values = backend.to_numpy(f(backend.tensor(np.stack([X, Y]))))
        loop = np.array([[float(f(np.array([x, y]))) for x, y in zip(xr, yr, strict=True)]
                         for xr, yr in zip(X, Y, strict=True)])
        assert values.shape == X.shape == (4, 5)
        x = (X, Y)
    np.testing.assert_allclose(values, loop, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(values, closed_form(name, x), rtol=1e-12, atol=1e-12)


def test_list_and_tuple_inputs_are_numpy():
    assert float(saddle([1.0, 2.0])) == -3.0
    assert float(saddle((3, 1))) == 8.0
    assert float(cubic(2)) == 8.0


@pytest.mark.parametrize("name", ALL)
def test_grid_is_the_landscape_over_its_domain(name):
    f = ALL[name]
    grid = f.grid(31)
    if f.dim == 1:
        x, y = grid
        np.testing.assert_allclose(x, np.linspace(*f.domain[0], 31))
        np.testing.assert_allclose(y, closed_form(name, x), rtol=1e-12, atol=1e-12)
    else:
        X, Y, Z = grid
        assert X.shape == Y.shape == Z.shape == (31, 31)
        assert (X.min(), X.max(), Y.min(), Y.max()) == (*f.domain[0], *f.domain[1])
        np.testing.assert_allclose(Z, closed_form(name, (X, Y)), rtol=1e-12, atol=1e-12)


def test_grid_refuses_three_dimensions():
    ball = Landscape("ball", 3, "|x|^2", lambda x, ops: ops.sum(x**2, axis=0), [(-1, 1)] * 3)
    assert float(ball(np.array([1.0, 2.0, 2.0]))) == 9.0
    with pytest.raises(ValueError, match="one- and two-dimensional"):
        ball.grid()


def test_domain_must_match_dimension():
    with pytest.raises(ValueError, match="one \\(low, high\\) pair per dimension"):
        Landscape("bad", 2, "x", lambda x, ops: x[0], [(-1, 1)])


# -- documented critical points ---------------------------------------------------------
@pytest.mark.parametrize("name", ALL)
def test_documented_points_lie_in_the_domain(name):
    f = ALL[name]
    for p in f.critical_points:
        assert len(p.location) == f.dim
        for c, (lo, hi) in zip(p.location, f.domain, strict=True):
            assert lo <= c <= hi


@pytest.mark.parametrize("name", [n for n in ALL if ALL[n].points_of_kind("minimum")])
def test_global_minimum_is_the_lowest_point_of_a_fine_grid(name):
    """The grid's lowest value is the documented global minimum's, found within grid spacing."""
    f = ALL[name]
    best = f.global_minimum
    best_value = closed_form(name, best.location if f.dim == 2 else best.location[0])
    num = 2001 if f.dim == 1 else 801
    grid = f.grid(num)
    values = grid[-1]
    assert values.min() >= best_value - 1e-12
    spacing = np.array([(hi - lo) / (num - 1) for lo, hi in f.domain])
    where = np.unravel_index(np.argmin(values), values.shape)
    argmin = np.array([axis[where] for axis in grid[:-1]])
    # Several minima may share the lowest value (Himmelblau): the grid finds one of them.
    lowest = [p for p in f.points_of_kind("minimum")
              if closed_form(name, p.array) <= best_value + 1e-9]
    assert any(np.all(np.abs(argmin - np.array(p.location)) <= spacing) for p in lowest)


def test_points_of_kind_and_global_minimum():
    assert len(himmelblau.points_of_kind("minimum")) == 4
    assert len(himmelblau.points_of_kind("maximum")) == 1
    assert len(himmelblau.points_of_kind("saddle")) == 4
    assert ALL["double_well"].points_of_kind("saddle")[0].location == (0.0, 0.0)
    assert ALL["rosenbrock"].global_minimum.location == (1.0, 1.0)
    with pytest.raises(ValueError, match="documents no minimum"):
        _ = saddle.global_minimum


def test_known_point_rejects_unknown_kind_and_gives_arrays():
    with pytest.raises(ValueError, match="kind must be one of"):
        KnownPoint((0.0,), "valley")
    assert KnownPoint((0.5,), "minimum").array.shape == ()
    np.testing.assert_array_equal(KnownPoint((1.0, 2.0), "saddle").array, [1.0, 2.0])


def test_critical_points_are_computed_once():
    assert himmelblau.critical_points is himmelblau.critical_points


def test_roots_1d_finds_the_flat_point_of_the_cubic():
    (point,) = roots_1d(cubic)
    assert point.kind == "degenerate"
    assert point.location == pytest.approx((0.0,), abs=1e-12)


def test_critical_points_in_an_interval():
    points = empirical_risk.critical_points_in((0.9, 1.3))
    assert [p.kind for p in points] == ["minimum", "maximum"]
    for p in points:
        derivative = np.cos(PI * p.array) - PI * p.array * np.sin(PI * p.array) \
            - PI * np.sin(5 * PI * p.array)
        assert abs(derivative) < 1e-9
        assert 0.9 <= p.location[0] <= 1.3
    with pytest.raises(ValueError, match="one-dimensional"):
        saddle.critical_points_in((0.0, 1.0))


# -- the quadratic factory --------------------------------------------------------------
@pytest.mark.parametrize(("kappa", "smallest"), [(1.0, 1.0), (10.0, 1.0), (100.0, 0.25)])
def test_quadratic_has_the_requested_curvatures(kappa, smallest):
    bowl = quadratic(kappa, smallest=smallest)
    assert bowl.eigenvalues == (smallest, kappa * smallest)
    assert bowl.condition_number == kappa
    h = d2lopt.hessian(bowl)(np.array([0.3, -0.7]))
    eigenvalues = np.linalg.eigvalsh(h)
    np.testing.assert_allclose(eigenvalues, [smallest, kappa * smallest], rtol=1e-12)
    assert eigenvalues[-1] / eigenvalues[0] == pytest.approx(kappa, rel=1e-12)
    assert float(bowl(np.array([2.0, 1.0]))) == pytest.approx(
        0.5 * (smallest * 4 + kappa * smallest), rel=1e-12)
    assert [p.location for p in bowl.points_of_kind("minimum")] == [(0.0, 0.0)]


@pytest.mark.parametrize(("kappa", "smallest"), [(0.5, 1.0), (float("nan"), 1.0), (10.0, 0.0),
                                                 (10.0, -1.0), (10.0, float("nan"))])
def test_quadratic_rejects_bad_parameters(kappa, smallest):
    with pytest.raises(ValueError, match="condition.number|smallest"):
        quadratic(kappa, smallest=smallest)


@pytest.mark.parametrize("angle", [0.0, np.pi / 6, np.pi / 2])
def test_rotated_quadratic_declares_its_rotation_and_hessian(angle):
    bowl = rotated_quadratic(9.0, angle, smallest=0.5)
    assert isinstance(bowl, Quadratic)
    assert (bowl.eigenvalues, bowl.condition_number, bowl.angle) == ((0.5, 4.5), 9.0, angle)
    R = np.array(bowl.rotation)
    c, s = np.cos(angle), np.sin(angle)
    np.testing.assert_allclose(R, [[c, -s], [s, c]], rtol=0, atol=0)
    expected = R.T @ np.diag([0.5, 4.5]) @ R
    np.testing.assert_allclose(np.array(bowl.hessian_matrix), expected, rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(d2lopt.hessian(bowl)(np.array([0.2, -0.4])), expected,
                               rtol=1e-12, atol=1e-14)


# -- metadata declared by the landscape -------------------------------------------------
def test_asymptote_is_a_declared_field():
    assert mountain.asymptote == 0.0
    assert all(ALL[name].asymptote is None for name in ALL if name != "mountain")
    far = float(mountain(np.array([-40.0, 0.0])))
    assert 0.0 < far - mountain.asymptote < 1e-17
    bowl = Landscape("bowl", 1, "e^x", lambda x, ops: ops.exp(x), [(-1, 1)], asymptote=0)
    assert bowl.asymptote == 0.0 and isinstance(bowl.asymptote, float)


def test_recurrent_loss_declares_its_recurrence():
    f = ALL["recurrent_cliff"]
    assert isinstance(f, RecurrentLoss)
    assert (f.steps, f.h0, f.target) == (50, 0.5, 0.7)
    w, b = 2.2, -0.3
    h_T = float(f.final_state(np.array([w, b])))
    assert h_T == pytest.approx(recurrent_state(w, b)[0], rel=1e-13)
    assert float(f(np.array([w, b]))) == pytest.approx((h_T - 0.7) ** 2, rel=1e-13)


# -- hostile input (issue #12) ---------------------------------------------------

@pytest.mark.parametrize("num, error", [(1, ValueError), (0, ValueError), (2.5, ValueError),
                                        (None, TypeError)])
def test_critical_points_in_needs_a_grid_of_two_points_or_more(num, error):
    with pytest.raises(error, match="num must"):
        empirical_risk.critical_points_in((0.9, 1.3), num=num)
    with pytest.raises(error, match="num must"):
        empirical_risk.grid(num)


@pytest.mark.parametrize("interval, error", [((1.3, 0.9), ValueError),
                                             ((0.0, float("nan")), ValueError),
                                             (1.0, TypeError)])
def test_critical_points_in_needs_a_finite_increasing_interval(interval, error):
    with pytest.raises(error, match="interval"):
        empirical_risk.critical_points_in(interval)


def test_critical_points_in_with_two_points_brackets_one_root():
    # (0.9, 1.1) holds only the minimum near 1.017: the two-point grid is one bracket
    # around it, and Brent's method finds the same root as the default 2001-point grid.
    found = empirical_risk.critical_points_in((0.9, 1.1), num=2)
    full = empirical_risk.critical_points_in((0.9, 1.1))
    assert [p.kind for p in found] == [p.kind for p in full] == ["minimum"]
    np.testing.assert_allclose([p.location for p in found], [p.location for p in full],
                               rtol=1e-12)


def test_quadratic_takes_framework_scalars_and_refuses_infinity():
    import torch

    assert quadratic(torch.tensor(4.0)).eigenvalues == (1.0, 4.0)
    with pytest.raises(ValueError, match="condition_number must be a finite number"):
        quadratic(float("inf"))
