"""Runs side by side (d2lopt.optim.batched) equal the runs one by one."""

from __future__ import annotations

import itertools

import autograd.numpy as anp
import numpy as np
import pytest

from d2lopt import optim
from d2lopt.landscapes import Landscape, double_well, quadratic, rotated_quadratic
from d2lopt.optim.batched import batched_runs
from d2lopt.optim.tuning import tune

GRIDS = {
    optim.gradient_descent: {"lr": [0.01, 0.3, 1.0, 3.0]},
    optim.momentum: {"lr": [0.05, 0.5, 3.0], "beta": [0.0, 0.5, 0.9],
                     "nesterov": [False, True]},
    optim.adam: {"lr": [0.01, 0.3, 3.0], "betas": [(0.5, 0.999), (0.9, 0.99)]},
}


def _hypers(grid):
    names = list(grid)
    hypers = [dict(zip(names, c, strict=True)) for c in itertools.product(*grid.values())]
    # Nesterov needs beta > 0: keep the valid combinations only.
    return [h for h in hypers if not (h.get("nesterov") and h.get("beta") == 0)]


def _one_by_one(optimizer, f, start, steps, hypers):
    out = []
    for hyper in hypers:
        try:
            out.append(optimizer(f, start, steps=steps, **hyper))
        except optim.Divergence as error:
            out.append(error)
    return out


def _assert_same(batched, single):
    assert type(batched) is type(single)
    if isinstance(single, optim.Divergence):
        assert str(batched) == str(single) and batched.step == single.step
        batched, single = batched.trajectory, single.trajectory
    assert batched.method == single.method
    assert batched.points.shape == single.points.shape
    np.testing.assert_allclose(batched.points, single.points, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(batched.values, single.values, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(batched.grad_norms, single.grad_norms, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("optimizer", list(GRIDS), ids=lambda m: m.__name__)
def test_a_grid_side_by_side_equals_the_runs_one_by_one(backend, optimizer):
    hypers = _hypers(GRIDS[optimizer])
    start = backend.tensor([0.02, 0.7])
    batched = batched_runs(optimizer, double_well, [start], steps=60, hypers=hypers,
                           on_divergence="return")
    single = _one_by_one(optimizer, double_well, start, 60, hypers)
    assert len(batched) == len(hypers)
    diverged = sum(isinstance(r, optim.Divergence) for r in single)
    if optimizer is optim.adam:  # its steps are at most about lr long: it cannot blow up here
        assert diverged == 0
    else:  # the grid reaches both outcomes: some runs diverge, the others finish
        assert 0 < diverged < len(hypers)
    for b, s in zip(batched, single, strict=True):
        _assert_same(b, s)


def test_many_starts_with_shared_hyper_parameters_equal_the_runs_one_by_one(backend):
    bowl = rotated_quadratic(8.0, angle=0.4)
    starts = [backend.tensor(s) for s in ([1.0, -1.0], [0.3, 2.0], [-2.0, 0.5])]
    batched = batched_runs(optim.momentum, bowl, starts, steps=40, lr=0.1, beta=0.7)
    for start, run in zip(starts, batched, strict=True):
        _assert_same(run, optim.momentum(bowl, start, steps=40, lr=0.1, beta=0.7))


def test_a_one_dimensional_landscape_runs_from_scalar_starts():
    well = Landscape("well", 1, "x^4 - x^2", lambda x, ops: x**4 - x**2, [(-2, 2)])
    runs = batched_runs(optim.adam, well, [0.1, -0.4, 1.5], steps=30, lr=0.05)
    for start, run in zip([0.1, -0.4, 1.5], runs, strict=True):
        _assert_same(run, optim.adam(well, start, steps=30, lr=0.05))
    # Adam's first step moves by lr against the sign of the gradient, f' = 4x^3 - 2x.
    assert runs[0].points[1, 0] == pytest.approx(0.1 + 0.05)


def test_on_divergence_raise_raises_the_first_runs_divergence():
    hypers = [{"lr": 0.1}, {"lr": 5.0}, {"lr": 9.0}]
    with pytest.raises(optim.Divergence) as caught:
        batched_runs(optim.gradient_descent, quadratic(4.0), [[1.0, 1.0]], steps=500,
                     hypers=hypers)
    with pytest.raises(optim.Divergence) as alone:
        optim.gradient_descent(quadratic(4.0), [1.0, 1.0], steps=500, lr=5.0)
    assert str(caught.value) == str(alone.value) and caught.value.step == alone.value.step


def test_tune_runs_the_grid_side_by_side_and_picks_what_one_by_one_picks():
    calls = []

    def fn(x, ops):
        calls.append(1)
        return double_well.fn(x, ops)

    counted = Landscape("counted double well", 2, double_well.formula, fn, double_well.domain)
    grid = {"lr": [0.05, 0.3, 1.0, 3.0], "beta": [0.0, 0.5, 0.9]}
    f_star = -0.25
    result = tune(optim.momentum, counted, [0.02, 0.7], grid=grid, steps=80, tol=1e-6,
                  minimum=f_star)
    runs = len(list(itertools.product(*grid.values())))
    # One by one would take runs × 81 gradients; side by side, two calls of f per step
    # (value and gradient) and one per run to check that f broadcasts.
    assert len(calls) <= 2 * 81 + runs
    scores = {}
    for combination in itertools.product(*grid.values()):
        hyper = dict(zip(grid, combination, strict=True))
        try:
            run = optim.momentum(double_well, [0.02, 0.7], steps=80, **hyper)
        except optim.Divergence:
            scores[combination] = float("inf")
            continue
        scores[combination] = optim.steps_to_tolerance(run.values, 1e-6, f_star)
    assert result.scores == scores
    best = min(scores.values())
    assert np.isfinite(best) and result.steps == best
    _assert_same(result.trajectory, optim.momentum(double_well, [0.02, 0.7], steps=80,
                                                   **result.hyper))


def test_tune_keeps_one_run_at_a_time_for_clipping():
    result = tune(optim.gradient_descent, quadratic(4.0), [1.0, 1.0], grid={"lr": [0.1, 0.4]},
                  steps=50, tol=1e-8, clip=("norm", 1.0))
    single = optim.gradient_descent(quadratic(4.0), [1.0, 1.0], steps=50, lr=result.hyper["lr"],
                                    clip=("norm", 1.0))
    _assert_same(result.trajectory, single)


def test_bad_arguments_are_refused_early():
    bowl = quadratic(4.0)
    with pytest.raises(TypeError, match="run by run"):
        batched_runs(optim.perturbed_gradient_descent, bowl, [[1.0, 1.0]], steps=3, lr=0.1)
    for name, value in (("clip", ("norm", 1.0)), ("tol", 1e-3)):
        with pytest.raises(TypeError, match=f"{name}="):
            batched_runs(optim.gradient_descent, bowl, [[1.0, 1.0]], steps=3, lr=0.1,
                         **{name: value})
    with pytest.raises(ValueError, match="same length"):
        batched_runs(optim.gradient_descent, bowl, [[1.0, 1.0], [0.0, 1.0]], steps=3,
                     hypers=[{"lr": 0.1}, {"lr": 0.2}, {"lr": 0.3}])
    with pytest.raises(ValueError, match="lr"):
        batched_runs(optim.gradient_descent, bowl, [[1.0, 1.0]], steps=3,
                     hypers=[{"lr": 0.1}, {"lr": -0.2}])
    with pytest.raises(ValueError, match="shape"):
        batched_runs(optim.gradient_descent, bowl, [[1.0, 1.0], [1.0, 1.0, 1.0]], steps=3,
                     lr=0.1)
    with pytest.raises(TypeError, match="non-empty list"):
        batched_runs(optim.gradient_descent, bowl, np.ones((2, 3)), steps=3, lr=0.1)
    with pytest.raises(ValueError, match="on_divergence"):
        batched_runs(optim.gradient_descent, bowl, [[1.0, 1.0]], steps=3, lr=0.1,
                     on_divergence="ignore")
    with pytest.raises(ValueError, match="one per run"):  # sums over the runs too
        batched_runs(optim.gradient_descent, lambda x: (x**2).sum(), [[1.0, 1.0], [2.0, 0.0]],
                     steps=3, lr=0.1)
    mixing = Landscape("mixing", 2, "", lambda x, ops: x[0] ** 2 + x[1].sum(), [(-1, 1)] * 2)
    with pytest.raises(ValueError, match="does not broadcast"):
        batched_runs(optim.gradient_descent, mixing, [[1.0, 1.0], [2.0, 3.0]], steps=3, lr=0.1)
    with pytest.raises(ValueError, match="not finite at the start"):
        batched_runs(optim.gradient_descent, lambda x: anp.log(x[0]) + x[1], [[1.0, 1.0],
                     [-1.0, 1.0]], steps=3, lr=0.1)
