"""Property-based tests of d2lopt.landscapes and d2lopt.plot under hostile input (issue #12).

Every landscape is checked at random points against the same landscape run
by PyTorch (an independent framework), the root finder against its own
fine-grid answer, and the plot helpers against the window they were given;
bad grid sizes, windows and shapes must raise an error naming the argument.
"""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from d2lopt import landscapes, plot  # noqa: E402
from d2lopt.optim import gradient_descent  # noqa: E402

torch = pytest.importorskip("torch")

FAST = settings(max_examples=30, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])

NAMES = sorted(landscapes.ALL)
unit = st.floats(0.0, 1.0)


@pytest.mark.parametrize("name", NAMES)
@FAST
@given(st.lists(unit, min_size=2, max_size=2))
def test_every_landscape_gives_the_same_value_in_numpy_and_torch(name, where):
    land = landscapes.ALL[name]
    x = np.array([lo + t * (hi - lo) for t, (lo, hi) in zip(where, land.domain, strict=False)])
    x = x[0] if land.dim == 1 else x
    by_numpy = float(land(x))
    by_torch = float(land(torch.tensor(x, dtype=torch.float64)))
    assert by_torch == pytest.approx(by_numpy, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("name", [n for n in NAMES if landscapes.ALL[n].dim == 2])
@FAST
@given(st.integers(0, 5).filter(lambda n: n != 2))
def test_a_two_dimensional_landscape_refuses_the_wrong_first_axis(name, length):
    expected = "x is empty" if length == 0 else "first axis has length 2"
    with pytest.raises(ValueError, match=expected):
        landscapes.ALL[name](np.zeros(length))


@pytest.fixture(scope="module")
def fine_roots():
    """The critical points of the empirical risk in (0.9, 1.3) on the default 2001-point grid."""
    return landscapes.empirical_risk.critical_points_in((0.9, 1.3))


@FAST
@given(num=st.integers(2, 60))
def test_a_coarse_root_search_finds_only_true_critical_points(fine_roots, num):
    fine = fine_roots
    coarse = landscapes.empirical_risk.critical_points_in((0.9, 1.3), num=num)
    for point in coarse:
        match = min(fine, key=lambda p: abs(p.location[0] - point.location[0]))
        assert abs(match.location[0] - point.location[0]) < 1e-9 and match.kind == point.kind


BAD_NUM = st.one_of(st.integers(max_value=1), st.sampled_from(
    [1.5, math.nan, math.inf, True, None, "51", [51]]))


@FAST
@given(BAD_NUM)
def test_grid_sizes_refuse_what_is_not_an_integer_of_two_or_more(num):
    for call in (lambda: landscapes.empirical_risk.critical_points_in((0.9, 1.3), num=num),
                 lambda: landscapes.himmelblau.grid(num),
                 lambda: plot.evaluate_grid(landscapes.himmelblau, num)):
        with pytest.raises((ValueError, TypeError)) as info:
            call()
        assert "num" in str(info.value)


windows = st.tuples(st.floats(-10, 10), st.floats(0.01, 10)).map(lambda p: (p[0], p[0] + p[1]))


@FAST
@given(st.integers(2, 6), windows, windows)
def test_contour_draws_exactly_the_window_it_is_given(num, xlim, ylim):
    fig, ax = plt.subplots()
    try:
        run = gradient_descent(landscapes.himmelblau, [xlim[0], ylim[0]], steps=2, lr=1e-4)
        plot.contour(ax, landscapes.himmelblau, trajectories=[run], num=num, xlim=xlim,
                     ylim=ylim, levels=5)
        np.testing.assert_allclose(ax.get_xlim(), xlim, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(ax.get_ylim(), ylim, rtol=1e-12, atol=1e-12)
        X, Y, Z = plot.evaluate_grid(landscapes.himmelblau, num, xlim, ylim)
        assert X.shape == (num, num)
        np.testing.assert_allclose(Z, (X**2 + Y - 11) ** 2 + (X + Y**2 - 7) ** 2, rtol=1e-12)
    finally:
        plt.close(fig)


@FAST
@given(st.one_of(
    st.tuples(st.floats(-10, 10), st.floats(-10, 0)).map(lambda p: (p[0], p[0] + p[1])),
    st.sampled_from([(0.0, math.nan), (-math.inf, 1.0), (1.0,), (0.0, 1.0, 2.0)])))
def test_a_window_that_is_not_finite_and_increasing_is_refused_by_name(xlim):
    with pytest.raises(ValueError, match="xlim must be a pair"):
        plot.evaluate_grid(landscapes.himmelblau, 3, xlim=xlim)
