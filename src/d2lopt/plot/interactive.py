r"""Interactive figures: a Matplotlib figure per setting of the controls, drawn at build time.

A figure the reader can drive is a grid of control values (a slider's stops, a
list's options) and one figure per combination of them. :func:`render_states`
draws every combination with your drawing function and keeps each as SVG text
(:func:`figure_svg`); :func:`interactive_html` writes them into a self-contained
HTML fragment with native, labelled ``<input type="range">`` / ``<select>``
controls. A small script served by the site (``docs/_ext/interactive_figures``)
shows the SVG of the selected combination: every value the reader sees was
computed by d2lopt at build time, and no optimizer or landscape runs in the
browser. The fragment is hidden until that script runs, so readers without
JavaScript (and print) see the page's static figure instead.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("agg")
>>> import matplotlib.pyplot as plt
>>> def draw(a):
...     fig, ax = plt.subplots(figsize=(2, 1))
...     ax.plot([0, 1], [0, a])
...     return fig
>>> slope = Control("a", "slope", (1.0, 2.0))
>>> svgs = render_states(draw, [slope])
>>> sorted(svgs), svgs[(0,)] != svgs[(1,)]
([(0,), (1,)], True)
"""

from __future__ import annotations

import html
import io
import itertools
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Control", "state_key", "power_of_ten", "figure_svg", "render_states",
           "interactive_html"]

_KINDS = ("range", "select")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Control:
    r"""One control of an interactive figure: its grid of values and how the reader picks one.

    Parameters
    ----------
    name : str
        The keyword the drawing function receives the value under (lower case,
        digits and ``_``).
    label : str
        The control's visible label, e.g. ``"condition number κ"``.
    values : sequence
        The grid of values, in slider order (at least two).
    texts : sequence of str, optional
        How each value is shown to the reader (default ``str(value)``); use
        :func:`~d2lopt.plot.format_number` for numbers.
    kind : {"range", "select"}
        A slider (arrow keys step through ``values``) or a drop-down list.
    initial : int
        Index of the value shown first.

    Examples
    --------
    >>> Control("beta", "momentum β", (0.0, 0.5, 0.9)).texts
    ('0.0', '0.5', '0.9')
    """

    name: str
    label: str
    values: tuple[Any, ...]
    texts: tuple[str, ...] = field(default=())
    kind: str = "range"
    initial: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not _NAME.match(self.name):
            raise ValueError(f"name must be lower case letters, digits and _, got {self.name!r}")
        values = tuple(self.values)
        if len(values) < 2:
            raise ValueError(f"control {self.name!r} needs at least two values, got {len(values)}")
        texts = tuple(str(v) for v in values) if not self.texts else tuple(map(str, self.texts))
        if len(texts) != len(values):
            raise ValueError(f"control {self.name!r}: {len(texts)} texts for {len(values)} values; "
                             "give one text per value")
        if self.kind not in _KINDS:
            raise ValueError(f"kind must be one of {_KINDS}, got {self.kind!r}")
        if not 0 <= int(self.initial) < len(values):
            raise ValueError(f"initial must index values (0 to {len(values) - 1}), "
                             f"got {self.initial}")
        object.__setattr__(self, "values", values)
        object.__setattr__(self, "texts", texts)
        object.__setattr__(self, "initial", int(self.initial))


def state_key(indices: Sequence[int]) -> str:
    """The name of one combination of control indices in the HTML (``"2-0"``).

    Examples
    --------
    >>> state_key((2, 0))
    '2-0'
    """
    return "-".join(str(int(i)) for i in indices)


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def power_of_ten(value: float) -> str:
    """A log axis' tick text in plain Unicode, ``1e-4`` as ``"10⁻⁴"`` (no mathtext per frame).

    Examples
    --------
    >>> power_of_ten(1e-12), power_of_ten(1.0), power_of_ten(1e4)
    ('10⁻¹²', '10⁰', '10⁴')
    """
    import math

    value = float(value)
    if not value > 0 or not math.isfinite(value):
        raise ValueError(f"value must be positive and finite, got {value}")
    return "10" + str(round(math.log10(value))).translate(_SUPERSCRIPT)


_NUMBER = re.compile(r"-?\d+\.\d+")
_COORDINATES = re.compile(r'(\s(?:d|x|y|points)=")([^"]*)(")')


def _round(match: re.Match[str]) -> str:
    value = round(float(match.group(0)), 1)
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def figure_svg(fig: Any) -> str:
    r"""The figure as compact SVG text to put inside a page.

    Text stays text (``svg.fonttype = "none"``: searchable, scalable, small);
    no XML header, metadata or comments; ids are fixed by a hash salt so the same
    figure gives the same text; coordinates are rounded to 0.1 pt (about 0.14 CSS
    pixels at the column's width). The bounding box is ``savefig.bbox`` of the
    Matplotlib settings in force: ``"tight"`` under :func:`d2lopt.plot.use_style`,
    which takes in what reaches past the figure's edge, and which frames of
    one figure drawn with the same layout share to within 0.001 pt. The
    figure is not closed. Mathtext is slow to lay out for many frames: plain
    Unicode text (``"10⁻⁴"``, ``"ηλ"``) keeps a grid of frames fast.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("agg")
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots(figsize=(2, 1))
    >>> svg = figure_svg(fig)
    >>> svg.startswith("<svg"), svg.endswith("</svg>")
    (True, True)
    """
    import matplotlib as mpl

    if not hasattr(fig, "savefig"):
        raise TypeError(f"fig must be a Matplotlib figure, got {type(fig).__name__}")
    buffer = io.StringIO()
    with mpl.rc_context({"svg.fonttype": "none", "svg.hashsalt": "d2lopt"}):
        fig.savefig(buffer, format="svg", bbox_inches=None,
                    metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    text = buffer.getvalue()
    text = text[text.index("<svg"):]
    text = re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.S)
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    text = _COORDINATES.sub(lambda m: m.group(1) + _NUMBER.sub(_round, m.group(2)) + m.group(3),
                            text)
    text = re.sub(r">\s+<", "><", text)
    return text.strip()


def render_states(draw: Callable[..., Any], controls: Sequence[Control]
                  ) -> dict[tuple[int, ...], str]:
    r"""Draw the figure for every combination of the controls' values; SVG text per index tuple.

    Parameters
    ----------
    draw : callable
        Called as ``draw(**{control.name: value, ...})``; returns a Matplotlib
        figure. It may return the same figure each time, with its artists
        updated (much faster than a new figure per frame); every figure is closed
        once all are rendered.
    controls : sequence of Control
        The controls, in the order of the index tuples.

    Returns
    -------
    dict
        ``(i, j, ...) -> svg``: the figure with ``controls[0].values[i]``, ...

    Raises
    ------
    ValueError
        If there are no controls, or two share a name.
    """
    import matplotlib.pyplot as plt

    controls = _check_controls(controls)
    svgs: dict[tuple[int, ...], str] = {}
    figures: dict[int, Any] = {}
    try:
        for indices in itertools.product(*(range(len(c.values)) for c in controls)):
            fig = draw(**{c.name: c.values[i] for c, i in zip(controls, indices, strict=True)})
            figures[id(fig)] = fig
            svgs[indices] = figure_svg(fig)
    finally:
        for fig in figures.values():
            plt.close(fig)
    return svgs


def _check_controls(controls: Sequence[Control]) -> list[Control]:
    controls = list(controls)
    if not controls or not all(isinstance(c, Control) for c in controls):
        raise ValueError("controls must be a non-empty sequence of Control")
    names = [c.name for c in controls]
    if len(set(names)) != len(names):
        raise ValueError(f"control names must differ, got {names}")
    return controls


def _control_html(figure: str, control: Control, help_id: str) -> str:
    cid = f"{figure}-{control.name}"
    label = f'<label for="{cid}">{html.escape(control.label)}</label>'
    if control.kind == "select":
        options = "".join(
            f'<option value="{i}"{" selected" if i == control.initial else ""}>'
            f"{html.escape(text)}</option>" for i, text in enumerate(control.texts))
        widget = (f'<select id="{cid}" data-control="{control.name}" '
                  f'aria-describedby="{help_id}">{options}</select>')
        return f'<div class="d2lopt-control">{label}{widget}</div>'
    texts = html.escape(json.dumps(list(control.texts), ensure_ascii=False))
    current = html.escape(control.texts[control.initial])
    widget = (f'<input type="range" id="{cid}" data-control="{control.name}" min="0" '
              f'max="{len(control.values) - 1}" step="1" value="{control.initial}" '
              f'aria-valuetext="{current}" aria-describedby="{help_id}" data-texts="{texts}">')
    return (f'<div class="d2lopt-control">{label}{widget}'
            f'<output for="{cid}" aria-hidden="true">{current}</output></div>')


def interactive_html(svgs: Mapping[tuple[int, ...], str], controls: Sequence[Control], *,
                     name: str, description: str, alt: str, drag: str | None = None) -> str:
    r"""The HTML fragment of an interactive figure: its controls and one SVG per combination.

    Parameters
    ----------
    svgs : mapping
        From :func:`render_states`: ``(i, j, ...) -> svg`` for every combination.
    controls : sequence of Control
        The same controls, in the same order.
    name : str
        The figure's id on the page (lower case, digits and ``-``).
    description : str
        The text alternative: what the controls do and what to look for (shown
        above the figure, and the controls' description for screen readers).
    alt : str
        What the figure shows (its ``aria-label``).
    drag : str, optional
        The name of a ``"range"`` control that dragging across the figure moves
        (a view angle, for instance); it wraps around at its ends.

    Returns
    -------
    str
        ``<div class="d2lopt-interactive" hidden>...</div>``; the site's script
        shows it and swaps the SVG when a control changes.

    Raises
    ------
    ValueError
        If a combination of the controls has no SVG, or ``drag`` names no slider.

    Examples
    --------
    >>> a = Control("a", "a", (1, 2))
    >>> page = interactive_html({(0,): "<svg/>", (1,): "<svg/>"}, [a], name="demo",
    ...                         description="Move a.", alt="A line.")
    >>> page.count("<template"), 'type="range"' in page
    (2, True)
    """
    controls = _check_controls(controls)
    if not re.match(r"^[a-z][a-z0-9-]*$", name):
        raise ValueError(f"name must be lower case letters, digits and -, got {name!r}")
    wanted = list(itertools.product(*(range(len(c.values)) for c in controls)))
    missing = [k for k in wanted if k not in svgs]
    if missing:
        raise ValueError(f"no SVG for the combinations {missing[:5]} of the controls "
                         f"{[c.name for c in controls]}; render them with render_states")
    if drag is not None and not any(c.name == drag and c.kind == "range" for c in controls):
        raise ValueError(f"drag must name a range control, got {drag!r}")
    help_id = f"{name}-help"
    initial = state_key([c.initial for c in controls])
    parts = [
        f'<div class="d2lopt-interactive" id="{name}" data-initial="{initial}"'
        + (f' data-drag="{drag}"' if drag else "") + " hidden>",
        f'<p class="d2lopt-interactive-help" id="{help_id}">{html.escape(description)}</p>',
        '<div class="d2lopt-controls">',
        *(_control_html(name, c, help_id) for c in controls),
        "</div>",
        f'<div class="d2lopt-interactive-view" role="img" aria-label="{html.escape(alt)}"></div>',
        *(f'<template data-state="{state_key(k)}">{svgs[k]}</template>' for k in wanted),
        "</div>",
    ]
    return "".join(parts)
