"""The second-derivative test: documented critical points, Himmelblau, the risk, edge cases."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import argrelmin

import d2lopt
from d2lopt.critical import (
    KINDS,
    CriticalPoint,
    classify_eigenvalues,
    critical_point,
    default_tolerances,
)
from d2lopt.landscapes import ALL, himmelblau, quadratic, refine_critical_point, risk

PI = np.pi
LANDSCAPES = {**ALL, "quadratic(25, 0.5)": quadratic(25.0, smallest=0.5)}

#: Himmelblau's critical points as tabulated in the optimisation literature (six decimals).
HIMMELBLAU_TABLE = {
    "minimum": [(3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126)],
    "maximum": [(-0.270845, -0.923039)],
    "saddle": [(0.086677, 2.884254), (-3.073026, -0.081353), (3.385154, 0.073852),
               (-0.127961, -1.953715)],
}


def himmelblau_gradient(p):
    x, y = p
    u, w = x**2 + y - 11, x + y**2 - 7
    return np.array([4 * x * u + 2 * w, 2 * u + 4 * y * w])


@pytest.mark.parametrize("name", LANDSCAPES)
def test_documented_points_are_classified_as_documented(backend, name):
    f = LANDSCAPES[name]
    for known in f.critical_points:
        point = critical_point(f, backend.tensor(known.array))
        assert isinstance(point, CriticalPoint)
        assert point.kind == known.kind, f"{name} at {known.location}"
        assert point.gradient_norm < 1e-9
        np.testing.assert_allclose(point.location, known.location, rtol=0, atol=0)
        assert point.eigenvalues.shape == (f.dim,)
        assert np.all(np.diff(point.eigenvalues) >= 0)


def test_eigenvalues_at_points_with_known_hessians(backend):
    def eigenvalues(f, p):
        return critical_point(f, backend.tensor(p)).eigenvalues

    np.testing.assert_allclose(eigenvalues(ALL["saddle"], [0.0, 0.0]), [-2.0, 2.0])
    np.testing.assert_allclose(eigenvalues(ALL["double_well"], [1.0, 0.0]), [1.0, 2.0])
    np.testing.assert_allclose(eigenvalues(ALL["double_well"], [0.0, 0.0]), [-1.0, 1.0])
    np.testing.assert_allclose(eigenvalues(LANDSCAPES["quadratic(25, 0.5)"], [0.0, 0.0]),
                               [0.5, 12.5])
    np.testing.assert_allclose(eigenvalues(ALL["monkey_saddle"], [0.0, 0.0]), [0.0, 0.0])
    # Rosenbrock at (1, 1): Hessian [[802, -400], [-400, 200]].
    np.testing.assert_allclose(eigenvalues(ALL["rosenbrock"], [1.0, 1.0]),
                               np.linalg.eigvalsh([[802.0, -400.0], [-400.0, 200.0]]))


def test_documented_kinds_per_landscape():
    counts = {name: {kind: len(f.points_of_kind(kind)) for kind in KINDS}
              for name, f in ALL.items()}
    assert counts["himmelblau"] == {"minimum": 4, "maximum": 1, "saddle": 4, "degenerate": 0,
                                    "not critical": 0}
    assert counts["double_well"]["minimum"] == 2 and counts["double_well"]["saddle"] == 1
    assert counts["risk"] == {"minimum": 2, "maximum": 1, "saddle": 0, "degenerate": 0,
                              "not critical": 0}
    assert counts["cubic"]["degenerate"] == 1
    assert counts["monkey_saddle"]["degenerate"] == 1


# -- Himmelblau -------------------------------------------------------------------------
def test_himmelblau_points_match_the_literature():
    for kind, table in HIMMELBLAU_TABLE.items():
        documented = sorted(p.location for p in himmelblau.points_of_kind(kind))
        assert len(documented) == len(table)
        for seed in table:
            assert min(np.hypot(*np.subtract(seed, loc)) for loc in documented) < 1e-5
    for p in himmelblau.critical_points:
        assert np.linalg.norm(himmelblau_gradient(p.location)) < 1e-10


def test_himmelblau_minima_have_value_zero():
    for p in himmelblau.points_of_kind("minimum"):
        x, y = p.location
        assert (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2 < 1e-20
        assert float(himmelblau(p.array)) < 1e-20


@pytest.mark.parametrize("seed", [s for table in HIMMELBLAU_TABLE.values() for s in table])
def test_refine_moves_tabulated_seeds_less_than_1e_5(seed):
    refined = refine_critical_point(himmelblau, seed)
    assert np.linalg.norm(refined - np.array(seed)) < 1e-5
    assert np.linalg.norm(himmelblau_gradient(refined)) < 1e-10


# -- the risk x cos(pi x) on [-1, 2] ----------------------------------------------------
def test_risk_has_one_local_minimum_besides_the_global_one():
    minima = risk.points_of_kind("minimum")
    assert len(minima) == 2
    best = risk.global_minimum
    (other,) = [p for p in minima if p != best]
    assert float(risk(other.array)) > float(risk(best.array))
    # Independent check on a fine grid of the formula itself.
    lo, hi = risk.domain[0]
    x = np.linspace(lo, hi, 30001)
    spacing = x[1] - x[0]
    y = x * np.cos(PI * x)
    (interior,) = argrelmin(y)
    assert len(interior) == 2  # exactly two local minima inside the domain
    assert abs(x[np.argmin(y)] - best.location[0]) <= spacing
    np.testing.assert_allclose(sorted(x[interior]), sorted(p.location[0] for p in minima),
                               atol=spacing)
    # Neither end of the domain is a minimum: the risk rises towards both ends.
    assert y[0] > y[1] and y[-1] > y[-2]


def test_empirical_risk_points_match_a_fine_grid():
    f = ALL["empirical_risk"]
    lo, hi = f.domain[0]
    x = np.linspace(lo, hi, 20001)
    spacing = x[1] - x[0]
    y = x * np.cos(PI * x) + 0.2 * np.cos(5 * PI * x)
    for kind, found in (("minimum", argrelmin(y)[0]), ("maximum", argrelmin(-y)[0])):
        documented = sorted(p.location[0] for p in f.points_of_kind(kind))
        np.testing.assert_allclose(documented, x[found], atol=spacing)


# -- edge cases of the test itself ------------------------------------------------------
def test_saddle_with_a_zero_eigenvalue_is_still_a_saddle():
    assert classify_eigenvalues(np.array([-1.0, 0.0, 1.0])) == "saddle"
    # x^2 - y^2 + 0 z: a saddle in 3-D with a flat direction.
    point = critical_point(lambda v: v[0] ** 2 - v[1] ** 2 + 0 * v[2], np.zeros(3))
    assert point.kind == "saddle"
    np.testing.assert_allclose(point.eigenvalues, [-2.0, 0.0, 2.0])


@pytest.mark.parametrize(
    ("eigenvalues", "kind"),
    [([1.0, 2.0], "minimum"), ([-2.0, -1.0], "maximum"), ([-1.0, 1.0], "saddle"),
     ([0.0, 1.0], "degenerate"), ([-1.0, 0.0], "degenerate"), ([0.0, 0.0], "degenerate"),
     ([3.0], "minimum"), ([0.0], "degenerate")],
)
def test_classify_eigenvalues(eigenvalues, kind):
    assert classify_eigenvalues(np.array(eigenvalues)) == kind
    assert classify_eigenvalues(np.array(eigenvalues), gradient_norm=0.1) == "not critical"


def test_cubic_at_zero_is_degenerate(backend):
    point = critical_point(lambda x: x**3, backend.tensor(0.0))
    assert point.kind == "degenerate"
    assert point.eigenvalues.tolist() == [0.0]
    assert critical_point(ALL["cubic"], backend.tensor(0.0)).kind == "degenerate"


def test_quartic_minimum_is_degenerate_because_the_test_is_inconclusive(backend):
    assert critical_point(lambda x: x**4, backend.tensor(0.0)).kind == "degenerate"
    assert critical_point(lambda x: -(x**4), backend.tensor(0.0)).kind == "degenerate"


def test_monkey_saddle_is_degenerate(backend):
    point = critical_point(ALL["monkey_saddle"], backend.tensor([0.0, 0.0]))
    assert point.kind == "degenerate"
    assert point.gradient_norm == 0.0


def test_not_critical_when_the_gradient_is_large(backend):
    point = critical_point(ALL["saddle"], backend.tensor([1.0, 1.0]))
    assert point.kind == "not critical"
    assert point.gradient_norm == pytest.approx(np.sqrt(8.0), rel=1e-12)
    np.testing.assert_allclose(point.eigenvalues, [-2.0, 2.0])


def test_grad_tol_is_honoured(backend):
    x = backend.tensor([1e-7, 0.0])  # gradient (2e-7, 0) on x^2 - y^2
    assert critical_point(ALL["saddle"], x).kind == "saddle"
    assert critical_point(ALL["saddle"], x, grad_tol=1e-7).kind == "not critical"
    assert critical_point(ALL["saddle"], x, grad_tol=3e-7).kind == "saddle"
    assert classify_eigenvalues(np.array([1.0, 2.0]), 1e-7) == "minimum"
    assert classify_eigenvalues(np.array([1.0, 2.0]), 1e-7, grad_tol=1e-8) == "not critical"


def test_eig_tol_is_honoured(backend):
    flat = quadratic(1.0, smallest=1e-9)  # Hessian diag(1e-9, 1e-9)
    x = backend.tensor([0.0, 0.0])
    assert critical_point(flat, x).kind == "degenerate"
    assert critical_point(flat, x, eig_tol=1e-10).kind == "minimum"
    assert classify_eigenvalues(np.array([1e-9, 1.0])) == "degenerate"
    assert classify_eigenvalues(np.array([1e-9, 1.0]), eig_tol=1e-10) == "minimum"
    assert classify_eigenvalues(np.array([-1e-9, 1.0]), eig_tol=1e-10) == "saddle"
    assert classify_eigenvalues(np.array([-1e-9, 1.0]), eig_tol=1e-8) == "degenerate"


@pytest.mark.parametrize(
    "tolerances", [{"grad_tol": -1e-6}, {"eig_tol": -1e-8}, {"grad_tol": float("nan")}]
)
def test_negative_tolerances_are_rejected(tolerances):
    (name,) = tolerances
    with pytest.raises(ValueError, match=f"^{name} must be"):
        critical_point(ALL["saddle"], np.zeros(2), **tolerances)
    with pytest.raises(ValueError, match=f"^{name} must be"):
        classify_eigenvalues(np.array([-1.0, 1.0]), **tolerances)


def test_index_is_the_fraction_of_negative_eigenvalues():
    assert critical_point(ALL["saddle"], np.zeros(2)).index == 0.5
    assert critical_point(ALL["double_well"], np.array([1.0, 0.0])).index == 0.0
    assert critical_point(himmelblau, himmelblau.points_of_kind("maximum")[0].array).index == 1.0


def test_critical_point_in_three_dimensions_matches_numpy():
    a = np.array([[2.0, 1.0, 0.0], [1.0, -3.0, 0.5], [0.0, 0.5, 1.0]])
    point = critical_point(lambda z: 0.5 * z @ a @ z, np.zeros(3))
    np.testing.assert_allclose(point.eigenvalues, np.linalg.eigvalsh(a), rtol=1e-12)
    assert point.kind == "saddle"
    assert point.index == pytest.approx(1 / 3)


def test_critical_point_is_exported_at_top_level():
    assert d2lopt.critical_point is critical_point
    assert d2lopt.CriticalPoint is CriticalPoint


# -- issue #12: precision-relative tolerances, and inputs that have no kind ---------------
def test_default_tolerances_are_the_stated_powers_of_epsilon():
    for dtype, grad_tol, eig_tol in ((np.float64, 6.1e-6, 1.5e-8), (np.float32, 4.9e-3, 3.5e-4)):
        eps = float(np.finfo(dtype).eps)
        assert default_tolerances(eps, 1.0) == pytest.approx((eps ** (1 / 3), eps ** 0.5))
        assert default_tolerances(eps, 0.25) == default_tolerances(eps, 1.0)  # scale at least 1
        assert default_tolerances(eps, 40.0) == pytest.approx((40 * eps ** (1 / 3),
                                                               40 * eps ** 0.5))
        np.testing.assert_allclose(default_tolerances(eps, 1.0), (grad_tol, eig_tol), rtol=0.05)


def test_float32_degenerate_point_is_degenerate_on_every_backend(backend, framework_dtype):
    """A rank-one Hessian (eigenvalues 0, 0, 1.18): float32 rounding must not make a saddle."""
    def f(v):
        return (0.1 * v[0] + 0.3 * v[1] + 0.7 * v[2]) ** 2

    for dtype in ("float32", "float64"):
        point = critical_point(f, backend.tensor(np.zeros(3), dtype=framework_dtype(dtype)))
        assert point.kind == "degenerate", dtype
        np.testing.assert_allclose(point.eigenvalues[-1], 2 * (0.01 + 0.09 + 0.49), rtol=1e-6)


def test_float32_keeps_small_but_real_curvature(backend, framework_dtype):
    """Eigenvalues 1e-2 and -1 (well above sqrt(eps32) = 3.5e-4): a saddle in float32 too."""
    x = backend.tensor(np.zeros(2), dtype=framework_dtype("float32"))
    point = critical_point(lambda v: 0.005 * v[0] ** 2 - 0.5 * v[1] ** 2, x)
    assert point.kind == "saddle"
    np.testing.assert_allclose(point.eigenvalues, [-1.0, 0.01], rtol=1e-6)


def test_relative_tolerance_scales_with_the_hessian(backend):
    """Eigenvalues 1e-9 and 1e3: zero next to 1e3 in float64 (1e-9 < 1e3 * 1.5e-8)."""
    def f(v):
        return 5e-10 * v[0] ** 2 + 500.0 * v[1] ** 2

    assert critical_point(f, backend.tensor([0.0, 0.0])).kind == "degenerate"
    assert critical_point(f, backend.tensor([0.0, 0.0]), eig_tol=0.0).kind == "minimum"


def test_tolerances_accept_numpy_and_framework_scalars(backend):
    f, x = ALL["saddle"], backend.tensor([0.0, 0.0])  # eigenvalues -2, 2
    assert critical_point(f, x, eig_tol=np.float32(3.0)).kind == "degenerate"
    assert critical_point(f, x, eig_tol=backend.tensor(3.0)).kind == "degenerate"
    assert critical_point(f, backend.tensor([0.5, 0.0]), grad_tol=backend.tensor(2.0)).kind \
        == "saddle"  # gradient (1, 0): critical for grad_tol 2
    with pytest.raises(TypeError, match="eig_tol must be a number"):
        critical_point(f, x, eig_tol=backend.tensor([1.0, 2.0]))


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_nan_or_infinite_derivatives_have_no_kind(backend):
    x = backend.tensor([0.0, 0.0])
    with pytest.raises(ValueError, match=r"f\(x\) is NaN or infinite"):
        critical_point(lambda v: backend.sum(v * v) * float("nan"), x)
    with pytest.raises(ValueError, match="gradient is NaN or infinite"):
        critical_point(lambda v: backend.sum(backend.sqrt(backend.abs(v))), x)  # |v|^(1/2)
    with pytest.raises(ValueError, match="Hessian is NaN or infinite"):
        critical_point(lambda v: backend.sum(backend.abs(v) ** 1.5), x)


def test_empty_and_complex_points_are_refused():
    with pytest.raises(ValueError, match=r"x is empty \(shape \(0,\)\)"):
        critical_point(ALL["saddle"], np.zeros(0))
    with pytest.raises(TypeError, match="x must be real"):
        critical_point(ALL["saddle"], np.array([1.0 + 1j, 0.0]))
    with pytest.raises(TypeError, match="f must be a function"):
        critical_point(np.zeros(2), np.zeros(2))


@pytest.mark.parametrize(("eigenvalues", "error", "message"), [
    (np.array([]), ValueError, "eigenvalues is empty"),
    (np.array([np.nan, 1.0]), ValueError, "eigenvalues contains NaN"),
    (np.array([np.inf, 1.0]), ValueError, "eigenvalues contains NaN"),
    (np.array([1.0 + 0j, 2.0]), TypeError, "eigenvalues must be real"),
    ("12", TypeError, "eigenvalues must be an array of real numbers"),
])
def test_classify_refuses_eigenvalues_with_no_kind(eigenvalues, error, message):
    with pytest.raises(error, match=message):
        classify_eigenvalues(eigenvalues)


@pytest.mark.parametrize("norm", [np.nan, np.inf, -1.0])
def test_classify_refuses_a_gradient_norm_that_is_not_one(norm):
    with pytest.raises(ValueError, match="gradient_norm must be"):
        classify_eigenvalues(np.array([1.0, 2.0]), norm)
