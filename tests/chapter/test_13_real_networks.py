"""Section 13 (the landscape of real networks): each experiment on a small configuration.

Parameters are :data:`d2lopt.chapter.real_networks.SETTINGS`, those of
docs/chapter/13_real_networks.md and gallery/13_real_networks/; the exercises'
computed solutions are run from the page.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import replace

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("sklearn")

from chapter_pages import run_solution  # noqa: E402

from d2lopt.chapter import real_networks  # noqa: E402
from d2lopt.chapter import real_networks as rn  # noqa: E402
from d2lopt.chapter.real_networks import (  # noqa: E402
    SETTINGS,
    barrier_versus_width,
    filter_normalized_surfaces,
    scale_invariance,
    valley_width,
)
from d2lopt.nets.curvature import sharpness  # noqa: E402
from d2lopt.plot.numbers import format_number  # noqa: E402

PAGE = "13_real_networks.md"


def test_edge_of_stability_hovers_at_two_over_eta():
    small = replace(rn.SETTINGS, eos_steps=400, eos_every=20)
    traces = rn.edge_of_stability(small, lrs=(1.0,))
    summary = rn.edge_summary(traces[1.0])
    assert summary["start"] > 2.0          # starts above 2/η ...
    assert 0.9 < summary["late_ratio"] < 1.2   # ... and settles at the edge
    assert summary["increases"] > 10        # non-monotone
    assert summary["last_loss"] < summary["half_loss"] < summary["first_loss"]


def test_progressive_sharpening_below_the_edge():
    small = replace(rn.SETTINGS, eos_steps=300, eos_every=50)
    trace = rn.edge_of_stability(small, lrs=(0.3,))[0.3]
    rising = trace.sharpness[1:]
    assert np.all(np.diff(rising) > 0) and rising[-1] < trace.threshold


def test_stage_time_closed_form_and_measured():
    s, u0, lr = 2.0, 1e-3, 0.01
    assert rn.stage_time(s, u0, lr) == pytest.approx(math.log((s - u0) / u0) / (2 * s * lr))
    # Euler integration of du/dt = 2u(s-u) with a small step agrees with the closed form
    u, t, dt = u0, 0.0, 1e-3
    while u < s / 2:
        u += dt * 2 * u * (s - u)
        t += dt
    assert t / lr == pytest.approx(rn.stage_time(s, u0, lr), rel=1e-2)
    stages = rn.deep_linear_stages(rn.SETTINGS)
    assert stages.half_times == pytest.approx(stages.theory, rel=0.05)
    assert np.all(np.diff(stages.half_times) > 0)
    random = rn.deep_linear_stages(rn.SETTINGS, start="random")
    assert np.all(np.diff(random.half_times) > 0)
    assert random.losses[-1] < 1e-6 * random.losses[0]
    with pytest.raises(ValueError, match="u0"):
        rn.stage_time(1.0, 2.0, 0.1)


def test_small_batches_end_flatter_and_rescaling_changes_sharpness_only():
    small = replace(rn.SETTINGS, sf_train_size=256, sf_epochs=10, sf_batch_sizes=(16, 256))
    runs = rn.batch_size_sharpness(small)
    assert runs[16]["sharpness"] < runs[256]["sharpness"]
    from d2lopt.nets.data import load_digits_split
    data = load_digits_split(train_size=256, seed=small.sf_seed)
    model = runs[16]["model"]
    result = rn.rescaled_sharpness(model, data.X_train, data.y_train, alphas=(0.2, 1.0, 5.0))
    assert max(gap for gap, _ in result.values()) < 1e-4
    assert result[1.0][1] == pytest.approx(sharpness(model, data.X_train, data.y_train))
    assert result[5.0][1] > 3 * result[1.0][1] and result[0.2][1] > 3 * result[1.0][1]


def test_exercise_rescale():
    namespace, printed = run_solution(PAGE, "ex-13-rescale")
    assert namespace["gap"] < 1e-12
    net, X, y = namespace["net"], namespace["X"], namespace["y"]
    from d2lopt.nets.gradients import hessian
    dense = float(torch.linalg.eigvalsh(hessian(namespace["scaled"], X, y))[-1])
    assert namespace["after"] == pytest.approx(dense, rel=1e-3)
    assert namespace["before"] == pytest.approx(sharpness(net, X, y), rel=1e-6)
    assert format_number(namespace["after"], 3) in printed


def test_exercise_smaller_start():
    namespace, printed = run_solution(PAGE, "ex-13-smaller-start")
    s = namespace["base"].singular_values[0]
    assert namespace["predicted"] == pytest.approx(math.log(100) / (2 * s * rn.SETTINGS.sl_lr),
                                                   rel=1e-3)
    assert namespace["delay"] == pytest.approx(namespace["predicted"], rel=0.05)
    assert format_number(namespace["delay"], 3) in printed


def test_exercise_flat_claim():
    namespace, printed = run_solution(PAGE, "ex-13-flat-claim")
    assert namespace["same"] is True
    assert namespace["ratio"] > 10
    assert format_number(namespace["ratio"], 3) in printed


def test_page_and_scripts_take_their_values_from_settings():
    from chapter_pages import settings_problems
    assert settings_problems(PAGE) == []


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


def test_width_directions_below_two_are_refused():
    with pytest.raises(ValueError, match="width_directions"):
        filter_normalized_surfaces(dataclasses.replace(SETTINGS, width_directions=1))


def test_the_residual_net_trains_lower_and_sits_in_a_wider_valley(surfaces):
    settings, results = surfaces
    plain, residual = results["plain"], results["residual"]
    assert residual.train_nll < plain.train_nll / 10
    assert residual.val_error < plain.val_error
    # Single directions overlap (and which way depends on the processor's rounding); the
    # mean over settings.width_directions directions does not.
    assert residual.mean_width > plain.mean_width
    for r in results.values():
        assert r.direction_widths.shape == (settings.width_directions,)
        assert r.widths == tuple(valley_width(r.ts, s, settings.width_rise) for s in r.slices)
        assert r.mean_width == pytest.approx(np.mean(r.direction_widths))
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


# -- The page's numbers ----------------------------------------------------------------------

def test_glued_values_say_what_the_prose_claims():
    """The numbers section 13's page pastes, at the page's own settings, against its sentences."""
    from chapter_pages import page_glue
    from test_numbers import read_back

    g = page_glue(PAGE)

    def num(key):
        return read_back(g[key])

    def nums(key, sep=" and "):
        return [read_back(part) for part in g[key].split(sep)]

    # the settings as the prose names them
    assert g["rn_eos_steps"] == SETTINGS.eos_steps
    assert [num(f"rn_eos_lr_{i}") for i in range(3)] == list(SETTINGS.eos_lrs)
    assert g["rn_fn_layers"] == 2 * SETTINGS.surface_blocks + 2
    assert g["rn_fn_directions"] == SETTINGS.width_directions
    assert (num("rn_fn_rise"), num("rn_fn_span"), num("rn_fn_factor")) == (
        SETTINGS.width_rise, SETTINGS.surface_span, SETTINGS.rescale_factor)
    assert g["rn_mc_widths"] == ", ".join(map(str, SETTINGS.barrier_widths))
    assert (g["rn_mc_narrow_width"], g["rn_mc_wide_width"]) == (
        min(SETTINGS.barrier_widths), max(SETTINGS.barrier_widths))
    assert (g["rn_sf_small_batch"], g["rn_sf_large_batch"]) == SETTINGS.sf_batch_sizes
    assert num("rn_sf_alpha_max") == max(SETTINGS.sf_alphas)

    # edge of stability: the shared start is above 2/eta for every step; the sharpness drops
    # below the edge, climbs back past it and settles there; the loss rises at times
    edge, largest_edge = 2 / SETTINGS.eos_lrs[0], 2 / SETTINGS.eos_lrs[-1]
    assert (num("rn_eos_edge"), num("rn_eos_largest_edge")) == (edge, largest_edge)
    assert num("rn_eos_low") < edge < num("rn_eos_start") and edge < num("rn_eos_peak")
    assert num("rn_eos_largest_low") < largest_edge
    assert 0 < g["rn_eos_low_step"] < g["rn_eos_peak_step"] <= SETTINGS.eos_steps
    for i in range(3):
        assert 0.9 < num(f"rn_eos_ratio_{i}") < 1.2
        assert 0 < g[f"rn_eos_increases_{i}"] < SETTINGS.eos_steps // 2

    # filter-normalized surfaces: the residual net trains lower, in a wider valley on average,
    # and each mean lies within its range of single directions
    assert num("rn_fn_residual_nll") < num("rn_fn_plain_nll")
    assert num("rn_fn_residual_mean_width") > num("rn_fn_plain_mean_width")
    for key in ("plain", "residual"):
        low, high = nums(f"rn_fn_{key}_width_range", " to ")
        assert low <= num(f"rn_fn_{key}_mean_width") <= high
        assert all(low <= w <= high for w in nums(f"rn_fn_{key}_widths"))
    # rescaling: the same function; the unnormalized widths differ, the normalized ones agree
    assert num("rn_fn_output_difference") < 1e-4
    unnormalized, normalized = nums("rn_fn_unnormalized_widths"), nums("rn_fn_normalized_widths")
    assert normalized[0] == normalized[1] and unnormalized[0] != unnormalized[1]

    # mode connectivity: matching lowers every barrier, and the barrier falls with the width
    for key in ("narrow", "wide"):
        assert num(f"rn_mc_{key}_after") < num(f"rn_mc_{key}_before")
        assert num(f"rn_mc_{key}_error_after") <= num(f"rn_mc_{key}_error_before")
    assert num("rn_mc_wide_before") < num("rn_mc_narrow_before")
    assert 1 < num("rn_mc_ratio_min") <= num("rn_mc_ratio_max")
    for key in ("narrow", "wide"):
        ratio = num(f"rn_mc_{key}_before") / num(f"rn_mc_{key}_after")
        assert num("rn_mc_ratio_min") * 0.9 < ratio < num("rn_mc_ratio_max") * 1.1

    # sharp and flat minima: the small-batch minimum is flatter, and rescaling makes it sharp
    assert num("rn_sf_small_sharp") < num("rn_sf_large_sharp")
    assert num("rn_sf_rescaled_max") > num("rn_sf_large_sharp")

    # saddle to saddle: the half times follow the formula within 5 %
    assert g["rn_sl_first"] < g["rn_sl_last"] < SETTINGS.sl_steps
    assert 0.95 < num("rn_sl_ratio_min") <= num("rn_sl_ratio_max") < 1.05
