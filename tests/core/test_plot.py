"""Plot helpers on the Agg backend: what they draw, where, and with which labels."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib as mpl  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402

from d2lopt import landscapes, plot  # noqa: E402
from d2lopt.optim import gradient_descent  # noqa: E402


@pytest.fixture
def ax():
    with mpl.rc_context():
        fig, ax = plt.subplots()
        yield ax
        plt.close(fig)


def test_palette_is_okabe_ito():
    assert plot.COLORS == {
        "black": "#000000", "orange": "#E69F00", "sky blue": "#56B4E9",
        "bluish green": "#009E73", "yellow": "#F0E442", "blue": "#0072B2",
        "vermillion": "#D55E00", "reddish purple": "#CC79A7",
    }
    assert sorted(plot.COLOR_CYCLE) == sorted(plot.COLORS.values())
    assert set(plot.MARKERS) >= {"minimum", "maximum", "saddle", "degenerate", "start", "end"}


def test_use_style_sets_cycle_and_white_background():
    with mpl.rc_context():
        plot.use_style()
        assert mpl.rcParams["axes.prop_cycle"].by_key()["color"] == plot.COLOR_CYCLE
        assert to_hex(mpl.rcParams["figure.facecolor"]) == "#ffffff"
        assert to_hex(mpl.rcParams["savefig.facecolor"]) == "#ffffff"
        assert mpl.rcParams["savefig.bbox"] == "tight"
        assert mpl.rcParams["axes.grid"]
        fig, ax = plt.subplots()
        (line,) = ax.plot([0, 1])
        assert to_hex(line.get_color()) == plot.COLORS["blue"].lower()
        plt.close(fig)


def test_annotate_point_marks_and_points_at_xy(ax):
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    note = plot.annotate_point(ax, "here", (0.7, 0.65))
    assert note.xy == (0.7, 0.65) and note.get_text() == "here"
    np.testing.assert_array_equal(note.marker.get_xydata(), [[0.7, 0.65]])
    dx, dy = note.xyann
    assert dx > 0 and dy > 0  # away from the centre of the axes
    low = plot.annotate_point(ax, "low", (0.2, 0.3))
    assert low.xyann[0] < 0 and low.xyann[1] < 0
    corner = plot.annotate_point(ax, "corner", (0.99, 0.99))
    assert corner.xyann[0] < 0 and corner.xyann[1] < 0  # flipped back inside the axes
    fixed = plot.annotate_point(ax, "fixed", (0.5, 0.5), offset=(10, -20))
    assert fixed.xyann == (10.0, -20.0)


def test_annotate_point_works_on_log_axes(ax):
    ax.set_xscale("log")
    ax.set_xlim(1e-3, 1e3)
    ax.set_ylim(0, 1)
    note = plot.annotate_point(ax, "small", (1e-1, 0.5))
    assert note.xy == (1e-1, 0.5) and note.xyann[0] < 0  # left of centre on a log axis


def test_annotate_point_rejects_nan(ax):
    with pytest.raises(ValueError, match="NaN"):
        plot.annotate_point(ax, "bad", (np.nan, 0.0))


def test_curve_draws_labels_legend_and_points(ax):
    x, y = landscapes.risk.grid(101)
    minima = landscapes.risk.points_of_kind("minimum")
    marks = [(f"minimum {i}", (float(p.array), float(landscapes.risk(p.array))))
             for i, p in enumerate(minima)]
    plot.curve(ax, x, {"risk": y, "empirical risk": landscapes.empirical_risk(x)},
               points=marks, xlabel="$x$", ylabel="risk", title="Risk")
    assert len(ax.get_lines()) == 2 + len(marks)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["risk", "empirical risk"]
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_title()) == ("$x$", "risk", "Risk")
    assert [a.xy for a in ax.texts] == [xy for _, xy in marks]
    np.testing.assert_array_equal(ax.get_lines()[0].get_ydata(), y)


def test_curve_with_one_curve_has_no_legend(ax):
    x = np.linspace(0, 1, 11)
    plot.curve(ax, x, {"x²": x**2})
    assert ax.get_legend() is None and len(ax.get_lines()) == 1
    with pytest.raises(ValueError, match="shape"):
        plot.curve(ax, x, {"bad": x[:-1]})


def test_contour_draws_trajectories_and_critical_points(ax):
    run = gradient_descent(landscapes.himmelblau, [0.0, 0.0], steps=40, lr=0.01)
    path = np.array([[-1.0, -1.0], [-2.0, -2.0], [-3.0, -3.0]])
    plot.contour(ax, landscapes.himmelblau, trajectories={"GD": run, "by hand": path}, num=41)
    lines = ax.get_lines()
    # two trajectories × (path, start, end) + minima, maximum, saddles
    assert len(lines) == 2 * 3 + 3
    np.testing.assert_array_equal(lines[0].get_xydata(), run.points)
    np.testing.assert_array_equal(lines[1].get_xydata(), run.points[:1])
    np.testing.assert_array_equal(lines[2].get_xydata(), run.points[-1:])
    np.testing.assert_array_equal(lines[3].get_xydata(), path)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["GD", "by hand", "minima", "maximum", "saddles"]
    minima = next(line for line in lines if line.get_label() == "minima")
    expected = np.array([p.location for p in landscapes.himmelblau.points_of_kind("minimum")])
    np.testing.assert_array_equal(minima.get_xydata(), expected)
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("$x$", "$y$")
    assert ax.get_title().startswith("Himmelblau")
    assert ax.get_xlim() == landscapes.himmelblau.domain[0]


def test_contour_window_hides_points_outside(ax):
    plot.contour(ax, landscapes.double_well, xlim=(0.5, 1.5), ylim=(-0.5, 0.5), num=21,
                 title="right well")
    (minimum,) = ax.get_lines()
    np.testing.assert_array_equal(minimum.get_xydata(), [[1.0, 0.0]])
    assert minimum.get_label() == "minimum" and ax.get_title() == "right well"


def test_contour_log_levels_are_geometric(ax):
    plot.contour(ax, landscapes.rosenbrock, levels=12, num=51, log_levels=True,
                 mark_critical=False)
    filled = ax.collections[0]
    X, Y, Z = plot.evaluate_grid(landscapes.rosenbrock, 51)
    gaps = np.asarray(filled.levels) - Z.min()
    np.testing.assert_allclose(gaps[1:] / gaps[:-1], (1e4) ** (1 / 11), rtol=1e-9)
    assert gaps[-1] == pytest.approx(Z.max() - Z.min())


def test_contour_rejects_bad_input(ax):
    with pytest.raises(ValueError, match="two-dimensional"):
        plot.contour(ax, landscapes.risk)
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        plot.contour(ax, landscapes.saddle, trajectories={"x": np.zeros((3, 3))}, num=11)


def test_surface_marks_points_at_their_height():
    fig = plt.figure()
    ax3d = fig.add_subplot(projection="3d")
    marks = [("saddle", (0.0, 0.0)), ("minimum", (1.0, 0.0))]
    plot.surface(ax3d, landscapes.double_well, num=21, mark=marks)
    positions = [t.get_position_3d() for t in ax3d.texts]
    np.testing.assert_allclose(positions, [(0.0, 0.0, 0.0), (1.0, 0.0, -0.25)], atol=1e-15)
    assert ax3d.get_zlabel() == "$f(x, y)$" and ax3d.get_title().startswith("double well")
    plt.close(fig)
    fig, flat = plt.subplots()
    with pytest.raises(TypeError, match="3-D axes"):
        plot.surface(flat, landscapes.saddle)
    plt.close(fig)


def test_loss_curves_plot_values_against_iteration(ax):
    bowl = landscapes.quadratic(10.0)
    runs = {f"lr = {lr}": gradient_descent(bowl, [1.0, 1.0], steps=15, lr=lr)
            for lr in (0.05, 0.15)}
    plot.loss_curves(ax, runs, title="Loss")
    lines = ax.get_lines()
    assert len(lines) == 2 and ax.get_yscale() == "log"
    for line, run in zip(lines, runs.values(), strict=True):
        np.testing.assert_array_equal(line.get_xdata(), np.arange(16))
        np.testing.assert_array_equal(line.get_ydata(), run.values)
    assert ax.get_legend() is not None and ax.get_title() == "Loss"


def test_loss_curves_need_positive_values_on_a_log_axis(ax):
    run = gradient_descent(landscapes.double_well, [0.5, 0.5], steps=10, lr=0.1)
    with pytest.raises(ValueError, match="optimum="):
        plot.loss_curves(ax, {"GD": run})
    plot.loss_curves(ax, {"GD": run}, optimum=-0.25)
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), run.values + 0.25, rtol=1e-15)
    assert "f^\\star" in ax.get_ylabel()


@pytest.mark.parametrize("name", sorted(landscapes.ALL))
def test_every_formula_renders_in_mathtext(name):
    assert plot.mathtext(landscapes.ALL[name].formula)


def test_plotting_never_shows(monkeypatch, ax):
    def fail(*args, **kwargs):
        raise AssertionError("a helper called plt.show()")

    monkeypatch.setattr(plt, "show", fail)
    plot.contour(ax, landscapes.saddle, num=11)
    plot.curve(ax, [0.0, 1.0], {"y": [0.0, 1.0]})


# -- hostile input (issue #12) ---------------------------------------------------

def test_contour_takes_one_trajectory_or_a_list_labelled_by_method():
    a = gradient_descent(landscapes.himmelblau, [0.0, 0.0], steps=5, lr=0.01)
    b = gradient_descent(landscapes.himmelblau, [1.0, 0.0], steps=5, lr=0.01)
    for runs, labels in (([a, b], ["gradient descent", "gradient descent (2)"]),
                         (a, ["gradient descent"]), ([a.points], ["run 1"])):
        fig, ax = plt.subplots()
        plot.contour(ax, landscapes.himmelblau, trajectories=runs, num=11, mark_critical=False)
        drawn = [line for line in ax.get_lines() if not line.get_label().startswith("_")]
        assert [line.get_label() for line in drawn] == labels
        np.testing.assert_array_equal(drawn[0].get_xydata(), a.points)
        plt.close(fig)
    fig, ax = plt.subplots()
    with pytest.raises(TypeError, match="trajectories must be a dict"):
        plot.contour(ax, landscapes.himmelblau, trajectories=3, num=11)
    plt.close(fig)


@pytest.mark.parametrize("num, error", [(1, ValueError), (0, ValueError), (2.5, ValueError),
                                        ("51", TypeError)])
def test_contour_needs_at_least_two_grid_points(num, error):
    fig, ax = plt.subplots()
    with pytest.raises(error, match="num must"):
        plot.contour(ax, landscapes.himmelblau, num=num)
    plt.close(fig)


@pytest.mark.parametrize("xlim", [(1.0, -1.0), (0.0, float("nan")), (0.0,)])
def test_contour_window_must_be_a_finite_increasing_pair(xlim):
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match="xlim must be a pair"):
        plot.contour(ax, landscapes.himmelblau, num=5, xlim=xlim)
    plt.close(fig)


def test_loss_curves_take_a_list_of_runs():
    run = gradient_descent(landscapes.quadratic(4.0), [1.0, 1.0], steps=4, lr=0.1)
    fig, ax = plt.subplots()
    plot.loss_curves(ax, [run])
    (line,) = ax.get_lines()
    assert line.get_label() == "gradient descent"
    np.testing.assert_array_equal(line.get_ydata(), run.values)
    plt.close(fig)
