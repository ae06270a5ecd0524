"""d2lopt.plot.layout: overlapping, cut-off and too-small figure text, from matplotlib's boxes."""

from __future__ import annotations

import matplotlib

matplotlib.use("agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from d2lopt.plot.layout import text_problems  # noqa: E402


@pytest.fixture
def figure():
    fig, ax = plt.subplots(figsize=(6.9, 3.0), dpi=100)
    yield fig, ax
    plt.close(fig)


def test_a_laid_out_figure_with_legible_text_has_no_problem(figure):
    fig, ax = figure
    ax.plot([0, 1], [0, 1], label="a line")
    ax.set(title="A title", xlabel="x", ylabel="y")
    ax.legend()
    for text in [ax.title, ax.xaxis.label, ax.yaxis.label, *ax.get_xticklabels()]:
        text.set_fontsize(10)
    ax.tick_params(labelsize=10)
    ax.legend(fontsize=10)
    fig.tight_layout()
    assert text_problems(fig) == []


def test_two_texts_at_the_same_place_overlap(figure):
    fig, ax = figure
    ax.text(0.5, 0.5, "first", fontsize=12, transform=ax.transAxes)
    ax.text(0.51, 0.5, "second", fontsize=12, transform=ax.transAxes)
    ax.set_axis_off()
    assert text_problems(fig) in (["'second' overlaps 'first'"], ["'first' overlaps 'second'"])


def test_text_beyond_the_edge_leaves_the_figure(figure):
    fig, ax = figure
    ax.set_axis_off()
    ax.text(1.3, 0.5, "outside", fontsize=12, transform=ax.transAxes)
    assert text_problems(fig) == ["'outside' leaves the figure"]


def test_small_text_is_reported_at_the_size_the_reader_sees(figure):
    fig, ax = figure
    ax.set_axis_off()
    ax.text(0.1, 0.5, "eight", fontsize=8)
    ax.text(0.6, 0.5, "twelve", fontsize=12)
    assert text_problems(fig) == ["'eight' is shown at 8 pt, below 9 pt"]
    # Shown at half its 690-pixel width, the 12-pt text reads as 6 pt.
    assert text_problems(fig, display_width=345) == [
        "'eight' is shown at 4 pt, below 9 pt", "'twelve' is shown at 6 pt, below 9 pt"]


def test_hidden_and_empty_texts_do_not_count(figure):
    fig, ax = figure
    ax.set_axis_off()
    ax.text(0.5, 0.5, "seen", fontsize=12)
    ax.text(0.5, 0.5, "hidden", fontsize=12, visible=False)
    ax.text(0.5, 0.5, "   ", fontsize=12)
    assert text_problems(fig) == []


def test_spare_tick_labels_outside_the_view_are_not_drawn_and_not_counted(figure):
    fig, ax = figure
    ax.plot([0, 10], [0, 10])
    ax.tick_params(labelsize=10)
    fig.tight_layout()
    fig.canvas.draw()
    ax.set_xlim(0, 1)  # the old ticks 2..10 stay in the axis' list but are not drawn
    fig.tight_layout()
    assert text_problems(fig) == []


@pytest.mark.parametrize("bad", [None, "figure", 1.0])
def test_only_figures_are_checked(bad):
    with pytest.raises(TypeError, match="fig must be a matplotlib Figure"):
        text_problems(bad)


def test_display_width_must_be_positive(figure):
    fig, _ = figure
    with pytest.raises(ValueError, match="display_width must be a positive number"):
        text_problems(fig, display_width=0)


def test_the_chapter_style_draws_for_the_column_with_series_apart_in_colour_and_line_style():
    import matplotlib as mpl

    from d2lopt import plot

    with mpl.rc_context():
        plot.use_style()
        cycle = mpl.rcParams["axes.prop_cycle"].by_key()
        assert len(set(cycle["color"])) == len(set(map(str, cycle["linestyle"]))) == 8
        fig, ax = plt.subplots()
        assert tuple(fig.get_size_inches() * fig.dpi) == (690, 430)
        for k in range(3):
            ax.plot([0, 1], [k, k + 1], label=f"series {k}")
        ax.set(title="A title", xlabel="step", ylabel="loss")
        ax.legend()
        fig.tight_layout()
        assert text_problems(fig, display_width=690) == []
        plt.close(fig)
