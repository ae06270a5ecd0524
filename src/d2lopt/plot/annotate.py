"""Arrow annotations placed automatically from the axes limits."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes
from matplotlib.text import Annotation

from d2lopt.plot.style import COLORS, MARKERS

__all__ = ["annotate_point", "text_offset"]

#: Distance, in points, from an annotated point to its text.
OFFSET_POINTS = 36.0


def text_offset(ax: Axes, xy: Sequence[float], text: str = "",
                distance: float = OFFSET_POINTS) -> tuple[float, float]:
    """An offset (in points) for the label of ``xy``, pointing away from the centre of the axes.

    The direction is from the centre of the axes to ``xy`` (in axes-fraction
    coordinates, so log scales are handled). A component is flipped to point
    inwards when the label (``distance`` plus the estimated size of ``text``)
    would not fit between ``xy`` and that edge of the axes but fits on the other side.
    """
    frac = ax.transAxes.inverted().transform(ax.transData.transform(np.asarray(xy, float)))
    direction = frac - 0.5
    norm = float(np.hypot(*direction))
    direction = np.array([1.0, 1.0]) / np.sqrt(2) if norm < 1e-3 else direction / norm
    size_points = ax.figure.get_size_inches() * 72 * np.array(ax.get_position().size)
    fontsize = mpl.rcParams["font.size"]
    lines = text.splitlines() or [""]
    extent = np.array([0.6 * fontsize * max(len(line) for line in lines) + 6,
                       1.3 * fontsize * len(lines) + 6])  # text box, in points
    for i in range(2):
        need = distance * abs(direction[i]) + extent[i]
        room_ahead = (frac[i] if direction[i] < 0 else 1 - frac[i]) * size_points[i]
        room_behind = (1 - frac[i] if direction[i] < 0 else frac[i]) * size_points[i]
        if need > room_ahead and room_behind > room_ahead:
            direction[i] = -direction[i]
    return float(distance * direction[0]), float(distance * direction[1])


def annotate_point(ax: Axes, text: str, xy: Sequence[float], *,
                   offset: Sequence[float] | None = None, color: str | None = None
                   ) -> Annotation:
    """Mark ``xy`` and label it with an arrow; the text position is computed.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw (its limits should already be set, e.g. after plotting).
    text : str
        The label.
    xy : (float, float)
        The point, in data coordinates (computed, never typed in).
    offset : (float, float), optional
        Text offset in points; by default :func:`text_offset` (away from the centre).
    color : str, optional
        Colour of the marker and arrow (default black).

    Returns
    -------
    matplotlib.text.Annotation
        With ``.xy`` equal to ``xy``; the marker is ``annotation.marker``.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = ax.plot([0, 1], [0, 1])
    >>> annotate_point(ax, "end", (1.0, 1.0)).xy
    (1.0, 1.0)
    >>> plt.close(fig)
    """
    x, y = (float(c) for c in xy)
    if not (np.isfinite(x) and np.isfinite(y)):
        raise ValueError(f"cannot annotate a point with NaN or infinite coordinates: {xy}")
    color = COLORS["black"] if color is None else color
    dx, dy = text_offset(ax, (x, y), text) if offset is None else (float(o) for o in offset)
    style = {**MARKERS["point"], "color": color}
    (marker,) = ax.plot([x], [y], zorder=5, **style)
    annotation = ax.annotate(
        text, xy=(x, y), xytext=(dx, dy), textcoords="offset points",
        ha="left" if dx >= 0 else "right", va="bottom" if dy >= 0 else "top",
        arrowprops={"arrowstyle": "->", "color": color, "lw": 1.2, "shrinkB": 4},
        bbox={"boxstyle": "round,pad=0.25", "fc": "white", "ec": color, "alpha": 0.9},
        color=COLORS["black"], zorder=6,
    )
    annotation.marker = marker
    return annotation
