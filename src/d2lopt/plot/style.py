"""Colours, markers and the Matplotlib style of the chapter's figures.

The palette is Okabe & Ito's (2008), distinguishable with the common forms of
colour blindness. Figures get a white face colour so they stay legible when the
site is read with a dark theme.
"""

from __future__ import annotations

from typing import Any

import matplotlib as mpl
from cycler import cycler

__all__ = ["COLORS", "COLOR_CYCLE", "LINESTYLE_CYCLE", "MARKERS", "STYLE", "use_style"]

#: The Okabe–Ito palette, name -> hex.
COLORS: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky blue": "#56B4E9",
    "bluish green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish purple": "#CC79A7",
}

#: The order lines take their colours in (yellow, weak on white, comes last).
COLOR_CYCLE: list[str] = [
    COLORS[name] for name in ("blue", "vermillion", "bluish green", "orange", "reddish purple",
                              "sky blue", "black", "yellow")
]

#: The line styles that go with :data:`COLOR_CYCLE`, one per colour, so that two
#: series differ in line style as well as hue (legible in greyscale print and for
#: every form of colour blindness).
LINESTYLE_CYCLE: list[Any] = [
    "-", "--", "-.", ":", (0, (5, 1.5, 1, 1.5, 1, 1.5)), (0, (1, 1)), (0, (8, 2)),
    (0, (3, 1, 1, 1)),
]

#: Marker styles (keyword arguments for ``ax.plot``) for critical points by kind
#: and for the ends of a trajectory.
MARKERS: dict[str, dict[str, Any]] = {
    "minimum": {"marker": "*", "markersize": 14, "color": COLORS["bluish green"],
                "markeredgecolor": "black", "linestyle": "none"},
    "maximum": {"marker": "^", "markersize": 10, "color": COLORS["vermillion"],
                "markeredgecolor": "black", "linestyle": "none"},
    "saddle": {"marker": "P", "markersize": 11, "color": COLORS["orange"],
               "markeredgecolor": "black", "linestyle": "none"},
    "degenerate": {"marker": "D", "markersize": 8, "color": COLORS["reddish purple"],
                   "markeredgecolor": "black", "linestyle": "none"},
    "start": {"marker": "o", "markersize": 7, "linestyle": "none"},
    "end": {"marker": "X", "markersize": 9, "markeredgecolor": "white", "linestyle": "none"},
    "point": {"marker": "o", "markersize": 7, "markeredgecolor": "black",
              "linestyle": "none"},
}

#: The rcParams :func:`use_style` applies (usable with ``matplotlib.rc_context``).
STYLE: dict[str, Any] = {
    "axes.prop_cycle": cycler(color=COLOR_CYCLE) + cycler(linestyle=LINESTYLE_CYCLE),
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "savefig.facecolor": "white",
    "savefig.bbox": "tight",
    "figure.dpi": 100,
    "savefig.dpi": 100,
    # The site's text column is about 690 CSS pixels wide: a figure drawn at that
    # width is shown at its own size, so its 10-pt text reads as 10 pt.
    "figure.figsize": (6.9, 4.3),
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "legend.fontsize": 10,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "axes.grid": True,
    "grid.color": "#d9d9d9",
    "grid.linewidth": 0.6,
    "grid.alpha": 0.8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "lines.linewidth": 2.0,
    "legend.framealpha": 0.9,
    "image.cmap": "viridis",
}


def use_style() -> dict[str, Any]:
    """Apply the chapter's Matplotlib style (colours and line styles, fonts, grid, white figures).

    Returns
    -------
    dict
        The rcParams that were set (:data:`STYLE`).

    Examples
    --------
    >>> import matplotlib as mpl
    >>> _ = use_style()
    >>> mpl.rcParams["axes.prop_cycle"].by_key()["color"][0] == COLORS["blue"]
    True
    """
    mpl.rcParams.update(STYLE)
    return dict(STYLE)
