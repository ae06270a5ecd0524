"""Batched gradient descent equals the one-start optimizer, run by run."""

from __future__ import annotations

import functools

import numpy as np
import pytest

from d2lopt import optim
from d2lopt.landscapes import double_well, recurrent_cliff
from d2lopt.optim.many_starts import batched_gradient_descent, uniform_starts


@pytest.mark.parametrize("max_norm", [None, 1.0])
def test_batched_runs_equal_single_runs_on_every_backend(backend, max_norm):
    starts = uniform_starts(recurrent_cliff.domain, 4, seed=3)
    runs = batched_gradient_descent(recurrent_cliff, backend.tensor(starts), steps=30, lr=0.3,
                                    max_norm=max_norm)
    assert runs.points.shape == (31, 2, 4)
    clip = None if max_norm is None else functools.partial(optim.clip_by_norm,
                                                            max_norm=max_norm)
    for k in range(4):
        single = optim.gradient_descent(recurrent_cliff, starts[:, k], steps=30, lr=0.3,
                                        clip=clip)
        np.testing.assert_allclose(runs.points[:, :, k], single.points, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(runs.grad_norms[:, k], single.grad_norms, rtol=1e-9,
                                   atol=1e-12)
    lengths = np.linalg.norm(np.diff(runs.points, axis=0), axis=1)
    np.testing.assert_allclose(runs.step_lengths, lengths, rtol=1e-12)
    if max_norm is not None:
        assert runs.step_lengths.max() <= 0.3 * max_norm * (1 + 1e-12)


def test_farthest_and_fraction():
    starts = np.array([[0.0, 0.5], [1.0, 0.0]])
    runs = batched_gradient_descent(double_well, starts, steps=50, lr=0.1)
    expected = np.linalg.norm(runs.points - runs.points[:1], axis=1).max(axis=0)
    np.testing.assert_allclose(runs.farthest, expected)
    # start (0, 1) slides down x = 0 towards the saddle, y_t = 0.9^t; (0.5, 0) goes to (1, 0)
    assert runs.farthest[0] == pytest.approx(1 - 0.9**50, rel=1e-12)
    assert runs.fraction_farther_than(0.75) == 0.5


def test_uniform_starts_are_prefix_stable_and_inside_the_box():
    a = uniform_starts([(0, 3), (-1.5, 1)], 10, seed=0)
    b = uniform_starts([(0, 3), (-1.5, 1)], 1000, seed=0)
    np.testing.assert_array_equal(a, b[:, :10])
    assert np.all((b[0] >= 0) & (b[0] <= 3) & (b[1] >= -1.5) & (b[1] <= 1))
    assert b[0].mean() == pytest.approx(1.5, abs=0.1)


def test_bad_arguments_are_rejected():
    with pytest.raises(ValueError, match="count"):
        uniform_starts([(0, 1)], 0)
    with pytest.raises(ValueError, match="low < high"):
        uniform_starts([(1, 0)], 3)
    with pytest.raises(ValueError, match="shape"):
        batched_gradient_descent(double_well, np.zeros(2), steps=1, lr=0.1)
    with pytest.raises(ValueError, match="lr"):
        batched_gradient_descent(double_well, np.zeros((2, 1)), steps=1, lr=0.0)
    with pytest.raises(ValueError, match="max_norm"):
        batched_gradient_descent(double_well, np.zeros((2, 1)), steps=1, lr=0.1, max_norm=-1)
    runs = batched_gradient_descent(double_well, np.ones((2, 3)), steps=0, lr=0.1)
    assert runs.step_lengths.shape == (0, 3)


def test_a_diverging_batch_raises_divergence_with_the_runs_so_far():
    # On x^2 + y^2 with lr = 2 every coordinate is multiplied by −3 per step.
    starts = np.array([[1.0, -2.0], [0.5, 0.0]])
    with pytest.raises(optim.Divergence) as caught:
        batched_gradient_descent(lambda X: (X**2).sum(axis=0), starts, steps=2000, lr=2.0)
    runs = caught.value.trajectory
    t = caught.value.step
    assert runs.points.shape == (t, 2, 2) and runs.grad_norms.shape == (t, 2)
    assert runs.step_lengths.shape == (t - 1, 2)
    np.testing.assert_allclose(runs.points[-1], starts * (-3.0) ** (t - 1), rtol=1e-12)

