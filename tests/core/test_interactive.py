"""d2lopt.plot.interactive: prerendered frames of a figure the reader drives."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from d2lopt.plot.interactive import (  # noqa: E402
    Control,
    figure_svg,
    interactive_html,
    render_states,
    state_key,
)


class _Tags(HTMLParser):
    """Every start tag with its attributes, and whether the fragment is well nested."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.open: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag not in ("input", "br", "img", "use", "path", "rect", "stop"):
            self.open.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if tag in ("input", "use", "path", "rect", "stop"):
            return
        assert self.open and self.open[-1] == tag, f"</{tag}> closes {self.open[-1:]}"
        self.open.pop()


def _draw_line(slope, offset):
    fig, ax = plt.subplots(figsize=(2, 1))
    ax.plot([0.0, 1.0], [offset, offset + slope])
    ax.set(xlim=(0, 1), ylim=(-5, 5))
    return fig


SLOPE = Control("slope", "slope a", (1.0, 2.0, 3.0), ("1", "2", "3"), initial=1)
OFFSET = Control("offset", "offset b", (0.0, -1.0), ("0", "−1"), kind="select")


def test_every_combination_is_drawn_with_its_values():
    svgs = render_states(_draw_line, [SLOPE, OFFSET])
    assert sorted(svgs) == [(i, j) for i in range(3) for j in range(2)]
    assert len(set(svgs.values())) == 6  # each combination draws a different figure
    # The frame of (i, j) is the figure drawn with slope[i] and offset[j].
    again = figure_svg(_draw_line(SLOPE.values[2], OFFSET.values[1]))
    plt.close("all")
    assert svgs[2, 1] == again


def test_svg_is_compact_text():
    fig, ax = plt.subplots(figsize=(2, 1))
    ax.plot(np.linspace(0, 1, 50), np.linspace(0, 1, 50) ** 2)
    ax.set_title("κ = 10")
    svg = figure_svg(fig)
    plt.close(fig)
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert "κ = 10" in svg  # text stays text (searchable), not glyph outlines
    assert "<?xml" not in svg and "<metadata" not in svg and "<!--" not in svg
    numbers = re.findall(r'\sd="([^"]*)"', svg)
    assert numbers and not re.search(r"\d\.\d\d", " ".join(numbers))  # rounded to 0.1 pt


def test_html_has_every_control_value_and_frame():
    svgs = render_states(_draw_line, [SLOPE, OFFSET])
    page = interactive_html(svgs, [SLOPE, OFFSET], name="demo", description="Move the slope.",
                            alt="A line.")
    parser = _Tags()
    parser.feed(page)
    parser.close()
    assert parser.open == []
    tags = parser.tags
    root = tags[0][1]
    assert tags[0][0] == "div" and "hidden" in root and root["data-initial"] == "1-0"
    slider = next(a for t, a in tags if t == "input")
    assert (slider["type"], slider["min"], slider["max"]) == ("range", "0", "2")
    assert slider["value"] == "1"
    assert json.loads(slider["data-texts"]) == list(SLOPE.texts)
    assert slider["aria-valuetext"] == "2" and slider["aria-describedby"] == "demo-help"
    labels = {a["for"] for t, a in tags if t == "label"}
    assert labels == {"demo-slope", "demo-offset"}
    options = [a["value"] for t, a in tags if t == "option"]
    assert options == ["0", "1"]
    states = [a["data-state"] for t, a in tags if t == "template"]
    assert states == [state_key((i, j)) for i in range(3) for j in range(2)]
    assert page.count(svgs[2, 1]) == 1
    view = next(a for t, a in tags if a.get("class") == "d2lopt-interactive-view")
    assert view["role"] == "img" and view["aria-label"] == "A line."


def test_reused_figure_is_closed_once_at_the_end():
    fig, ax = plt.subplots(figsize=(2, 1))
    (line,) = ax.plot([], [])
    ax.set(xlim=(0, 1), ylim=(0, 4))

    def draw(slope):
        line.set_data([0, 1], [0, slope])
        return fig

    svgs = render_states(draw, [Control("slope", "a", (1.0, 2.0, 3.0))])
    assert len(set(svgs.values())) == 3
    assert not plt.fignum_exists(fig.number)


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"name": "Kappa", "label": "κ", "values": (1, 2)}, "name must be"),
    ({"name": "k", "label": "κ", "values": (1,)}, "at least two values"),
    ({"name": "k", "label": "κ", "values": (1, 2), "texts": ("1",)}, "one text per value"),
    ({"name": "k", "label": "κ", "values": (1, 2), "kind": "knob"}, "kind must be"),
    ({"name": "k", "label": "κ", "values": (1, 2), "initial": 2}, "initial must index"),
])
def test_bad_control(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Control(**kwargs)


def test_bad_html_arguments():
    a = Control("a", "a", (1, 2))
    with pytest.raises(ValueError, match="no SVG for the combinations"):
        interactive_html({(0,): "<svg/>"}, [a], name="x", description="d", alt="a")
    with pytest.raises(ValueError, match="drag must name a range control"):
        interactive_html({(0,): "<svg/>", (1,): "<svg/>"}, [a], name="x", description="d", alt="a",
                         drag="b")
    with pytest.raises(ValueError, match="control names must differ"):
        render_states(_draw_line, [a, a])
    with pytest.raises(TypeError, match="Matplotlib figure"):
        figure_svg("not a figure")
