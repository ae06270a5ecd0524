"""Plotting helpers for the chapter's figures (Matplotlib).

Every helper draws on axes you pass in and returns them (or the artist it
made); none calls ``plt.show()``. Call :func:`use_style` once per script.
"""

from d2lopt.plot.annotate import annotate_point, text_offset
from d2lopt.plot.curves import curve, loss_curves
from d2lopt.plot.landscape import contour, evaluate_grid, mathtext, surface
from d2lopt.plot.layout import text_problems
from d2lopt.plot.numbers import format_number, format_uncertain
from d2lopt.plot.style import COLOR_CYCLE, COLORS, LINESTYLE_CYCLE, MARKERS, STYLE, use_style

__all__ = [
    "COLORS", "COLOR_CYCLE", "LINESTYLE_CYCLE", "MARKERS", "STYLE", "use_style", "annotate_point",
    "text_offset", "curve", "loss_curves", "contour", "surface", "evaluate_grid", "mathtext",
    "format_number", "format_uncertain", "text_problems",
]
