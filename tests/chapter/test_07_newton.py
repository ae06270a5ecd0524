"""Four methods near the saddle of the double well: who ends where."""

from __future__ import annotations

import numpy as np
import pytest

from d2lopt.chapter.newton import METHODS, escape_runs, nearest_critical_point
from d2lopt.landscapes import double_well

SADDLE = np.zeros(2)
MINIMUM = np.array([1.0, 0.0])


def test_newton_goes_to_the_saddle_the_others_to_the_minimum(backend):
    runs = escape_runs(double_well, backend.tensor([0.2, 1.0]), steps=150, lr=0.1)
    assert list(runs) == list(METHODS)
    assert np.linalg.norm(runs["Newton"].final - SADDLE) < 1e-12
    assert np.linalg.norm(runs["gradient descent"].final - MINIMUM) < 1e-6
    assert np.linalg.norm(runs["saddle-free Newton"].final - MINIMUM) < 1e-12
    assert np.linalg.norm(runs["perturbed gradient descent"].final - MINIMUM) < 0.1


def test_on_the_stable_manifold_only_the_perturbation_escapes(backend):
    runs = escape_runs(double_well, backend.tensor([0.0, 1.0]), steps=150, lr=0.1)
    for method in ("gradient descent", "Newton", "saddle-free Newton"):
        assert np.all(runs[method].points[:, 0] == 0.0)
        assert np.linalg.norm(runs[method].final - SADDLE) < 1e-6
    # gradient descent on x = 0: y_t = (1 - lr)^t exactly
    np.testing.assert_allclose(runs["gradient descent"].points[:, 1], 0.9 ** np.arange(151),
                               rtol=1e-12)
    pgd = runs["perturbed gradient descent"]
    assert np.linalg.norm(pgd.final - MINIMUM) < 0.1
    # it perturbs once the gradient (= y on the line) falls below 1e-3: 0.9^t <= 1e-3
    assert pgd.perturbations[0] == int(np.ceil(np.log(1e-3) / np.log(0.9))) + 1


def test_newton_follows_the_closed_form_recursion():
    run = escape_runs(double_well, np.array([0.2, 1.0]), steps=6, methods=("Newton",))["Newton"]
    x = 0.2
    for t in range(1, 7):
        x = 2 * x**3 / (3 * x**2 - 1)
        assert run.points[t, 0] == pytest.approx(x, abs=1e-15)
        assert run.points[t, 1] == 0.0


def test_newton_basin_of_the_saddle_is_below_one_over_root_five():
    for x0 in (0.44, -0.4, 0.3):
        run = escape_runs(double_well, np.array([x0, 0.5]), steps=30, methods=("Newton",))
        assert np.linalg.norm(run["Newton"].final) < 1e-12
    run = escape_runs(double_well, np.array([0.46, 0.5]), steps=30, methods=("Newton",))
    assert np.linalg.norm(run["Newton"].final) > 0.5


def test_nearest_critical_point():
    point, distance = nearest_critical_point(double_well, [-0.8, 0.1])
    assert point.location == (-1.0, 0.0) and point.kind == "minimum"
    assert distance == pytest.approx(np.hypot(0.2, 0.1))


def test_unknown_method_is_rejected():
    with pytest.raises(ValueError, match="unknown methods"):
        escape_runs(methods=("Adam",))
