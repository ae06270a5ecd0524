"""Section 13 (the landscape of real networks): experiments 1 and 3 on small configurations.

Parameters are :data:`d2lopt.chapter.real_networks.SETTINGS`, those of
docs/chapter/13_real_networks.md and gallery/13_real_networks/.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("sklearn")

from d2lopt.chapter import real_networks  # noqa: E402
from d2lopt.chapter.real_networks import (  # noqa: E402
    SETTINGS,
    barrier_versus_width,
    filter_normalized_surfaces,
    scale_invariance,
    valley_width,
)


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


# -- 1. Filter-normalized surfaces -------------------------------------------------------------

@pytest.mark.parametrize(("a", "rise"), [(1.0, 1.0), (4.0, 0.5), (0.3, 0.1)])
def test_valley_width_of_a_parabola_is_twice_the_root(a, rise):
    ts = np.linspace(-3, 3, 601)
    assert valley_width(ts, a * ts**2, rise) == pytest.approx(2 * np.sqrt(rise / a), abs=1e-4)


def test_valley_width_of_an_asymmetric_curve_and_at_the_grid_edge():
    ts = np.linspace(-1, 1, 201)
    losses = np.where(ts < 0, 4 * ts**2, ts**2)  # ends at −1/2 and +1 for rise 1
    assert valley_width(ts, losses, 1.0) == pytest.approx(1.5, abs=1e-4)
    assert valley_width(ts, 0.1 * ts**2, 1.0) == pytest.approx(2.0)  # never reaches the level
    with pytest.raises(ValueError, match="rise must be positive"):
        valley_width(ts, losses, 0.0)


@pytest.fixture(scope="module")
def surfaces():
    small = dataclasses.replace(SETTINGS, surface_points_1d=21, surface_points_2d=3)
    return small, filter_normalized_surfaces(small)


def test_the_residual_net_trains_lower_and_sits_in_a_wider_valley(surfaces):
    settings, results = surfaces
    plain, residual = results["plain"], results["residual"]
    assert residual.train_nll < plain.train_nll / 10
    assert residual.val_error < plain.val_error
    assert min(residual.widths) > max(plain.widths)
    for r in results.values():
        middle = settings.surface_points_1d // 2
        # the slices pass through the trained parameters, where the loss is lowest
        assert r.slices[:, middle] == pytest.approx([r.train_nll] * 2, rel=1e-5)
        assert r.surface[1, 1] == pytest.approx(r.train_nll, rel=1e-5)
        assert np.all(r.slices >= r.train_nll - 1e-6)


def test_rescaling_changes_the_unnormalized_slice_but_not_the_filter_normalized_one():
    small = dataclasses.replace(SETTINGS, surface_blocks=2, surface_epochs=5,
                                surface_points_1d=21)
    inv = scale_invariance(small)
    assert inv.output_difference < 1e-4
    np.testing.assert_allclose(inv.normalized[0], inv.normalized[1], rtol=1e-4)
    assert inv.normalized_widths[0] == pytest.approx(inv.normalized_widths[1], rel=1e-4)
    assert abs(inv.unnormalized_widths[1] / inv.unnormalized_widths[0] - 1) > 0.05


# -- 3. Mode connectivity ------------------------------------------------------------------------

def test_weight_matching_shrinks_the_barrier_and_the_barrier_falls_with_width():
    r = barrier_versus_width(SETTINGS, widths=(8, 128), pairs=1, epochs=5)
    assert r.loss_before.shape == (2, 1) and r.curves_before.shape == (2, SETTINGS.barrier_points)
    assert np.all(r.loss_after < r.loss_before)
    assert r.loss_after[1, 0] < r.loss_before[1, 0] / 3
    assert r.loss_before[1, 0] < r.loss_before[0, 0]
    assert np.all(r.error_after <= r.error_before)
    # both lines start and end at the same two trained nets (matching keeps B's function)
    np.testing.assert_allclose(r.curves_before[:, [0, -1]], r.curves_after[:, [0, -1]],
                               rtol=1e-5)


def test_settings_are_frozen_and_named_in_the_module_docstring():
    with pytest.raises(dataclasses.FrozenInstanceError):
        SETTINGS.surface_blocks = 3  # type: ignore[misc]
    assert "weight matching" in real_networks.__doc__
