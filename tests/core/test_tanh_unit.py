"""One tanh unit against its teacher: two equivalent minima and a saddle, nothing else."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import root

import d2lopt
from d2lopt.landscapes import tanh_unit
from d2lopt.landscapes.tanh_unit import TANH_UNIT_INPUTS, TANH_UNIT_TEACHER

X = TANH_UNIT_INPUTS
A, B = TANH_UNIT_TEACHER
Y = A * np.tanh(B * X)


def loss(a: float, b: float) -> float:
    return float(np.mean((a * np.tanh(b * X) - Y) ** 2))


def test_values_match_the_formula_on_every_backend(backend, rng):
    for a, b in rng.uniform(-2, 2, size=(4, 2)):
        value = float(backend.to_numpy(tanh_unit(backend.tensor([a, b]))))
        assert value == pytest.approx(loss(a, b), rel=1e-12, abs=1e-15)


def test_sign_flip_symmetry(rng):
    for a, b in rng.uniform(-2, 2, size=(5, 2)):
        assert loss(-a, -b) == pytest.approx(loss(a, b), rel=1e-13)


def test_documented_points_are_what_they_claim(backend):
    c = float(np.mean(X * Y))
    for point in tanh_unit.critical_points:
        found = d2lopt.critical_point(tanh_unit, backend.tensor(point.location))
        assert found.kind == point.kind
        assert found.gradient_norm < 1e-12
    saddle = d2lopt.hessian(tanh_unit)(backend.tensor([0.0, 0.0]))
    np.testing.assert_allclose(backend.to_numpy(saddle), [[0, -2 * c], [-2 * c, 0]], atol=1e-12)
    assert loss(A, B) == 0.0 and loss(-A, -B) == 0.0


def test_root_finding_from_a_grid_finds_only_the_documented_points():
    g = d2lopt.grad(tanh_unit)
    h = d2lopt.hessian(tanh_unit)
    found = set()
    for a in np.linspace(-2, 2, 7):
        for b in np.linspace(-3, 3, 7):
            sol = root(g, [a, b], jac=h, tol=1e-14)
            if sol.success and np.linalg.norm(g(sol.x)) < 1e-10 and np.all(np.abs(sol.x) < 10):
                found.add(tuple(np.round(sol.x, 6) + 0.0))
    documented = {tuple(np.round(p.location, 6) + 0.0) for p in tanh_unit.critical_points}
    assert found == documented
