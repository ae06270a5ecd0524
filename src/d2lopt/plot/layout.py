"""Legible figure text: no two labels overlap, none is cut off, none is too small.

:func:`text_problems` reads matplotlib's own bounding boxes of every visible
text of a figure (titles, axis and tick labels, legends, annotations, colour
bar labels) after a draw, and reports the pairs that overlap, the texts that
leave the figure, and the texts set smaller than a minimum size. The docs build
runs it on every figure a gallery script makes.
"""

from __future__ import annotations

import itertools

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Bbox

__all__ = ["text_problems"]


def _drawn_texts(fig: Figure) -> list[Text]:
    """Draw ``fig`` once and return the texts that were actually drawn, in drawing order.

    Recording the draws (rather than walking the artist tree) skips what a
    reader never sees: invisible or empty texts, and the spare tick labels an
    axis keeps for ticks outside its view.
    """
    drawn: list[Text] = []
    original = Text.draw

    def recording_draw(self: Text, renderer: object) -> None:
        original(self, renderer)
        if self.get_visible() and self.get_text().strip() and self.get_figure(root=True) is fig:
            drawn.append(self)

    Text.draw = recording_draw  # type: ignore[method-assign]
    try:
        fig.draw(fig.canvas.get_renderer())
    finally:
        Text.draw = original  # type: ignore[method-assign]
    return list(dict.fromkeys(drawn))


def _describe(text: Text) -> str:
    label = text.get_text().replace("\n", " ")
    return repr(label if len(label) <= 40 else label[:37] + "...")


def text_problems(fig: Figure, *, min_size: float = 9.0, display_width: float | None = None,
                  tolerance: float = 1.0) -> list[str]:
    """What is wrong with the text of ``fig``: overlaps, text outside the figure, small text.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure, laid out as it will be saved (call ``tight_layout`` or use a
        layout engine first). It is drawn once to measure its text.
    min_size : float, default 9.0
        The smallest font size, in points as the reader sees it, that counts as legible.
    display_width : float, optional
        The width, in pixels, the figure is shown at (the site's column is about
        690). A figure wider than that is scaled down, and so is its text: a
        1380-pixel-wide figure needs 18-pt text to show 9-pt text. By default the
        figure is taken to be shown at its own size.
    tolerance : float, default 1.0
        Pixels by which two boxes may touch before they count as overlapping.

    Returns
    -------
    list of str
        One sentence per problem; empty when the text is legible.

    Raises
    ------
    TypeError
        If ``fig`` is not a matplotlib figure.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("agg")
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots(figsize=(4, 3))
    >>> _ = ax.set_title("a title", fontsize=10)
    >>> _ = ax.text(0.5, 1.02, "a second title", transform=ax.transAxes, fontsize=10)
    >>> text_problems(fig, min_size=8)
    ["'a second title' overlaps 'a title'"]
    >>> plt.close(fig)
    """
    if not isinstance(fig, Figure):
        raise TypeError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
    if display_width is not None and not display_width > 0:
        raise ValueError(
            f"display_width must be a positive number of pixels, got {display_width!r}")
    texts = _drawn_texts(fig)
    renderer = fig.canvas.get_renderer()
    frame = Bbox.from_bounds(0, 0, *fig.canvas.get_width_height())
    scale = 1.0 if display_width is None else min(1.0, display_width / frame.width)
    problems: list[str] = []
    boxes: list[tuple[Text, Bbox]] = []
    for text in texts:
        box = text.get_window_extent(renderer)
        if box.width <= 0 or box.height <= 0:
            continue
        shown = text.get_fontsize() * scale
        if shown < min_size - 1e-9:
            problems.append(f"{_describe(text)} is shown at {shown:.3g} pt, below {min_size:g} pt")
        if (box.x0 < frame.x0 - tolerance or box.y0 < frame.y0 - tolerance
                or box.x1 > frame.x1 + tolerance or box.y1 > frame.y1 + tolerance):
            problems.append(f"{_describe(text)} leaves the figure")
        boxes.append((text, box.padded(-tolerance / 2)))
    for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2):
        if box_a.overlaps(box_b):
            problems.append(f"{_describe(a)} overlaps {_describe(b)}")
    return problems


def open_figure_problems(**kwargs: float) -> dict[int, list[str]]:
    """:func:`text_problems` of every open pyplot figure, by figure number (those with problems)."""
    found = {}
    for number in plt.get_fignums():
        problems = text_problems(plt.figure(number), **kwargs)
        if problems:
            found[number] = problems
    return found
