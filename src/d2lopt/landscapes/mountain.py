r"""The wrong side of the mountain: local descent that never reaches the low region.

.. math::
    f(x, y) = h\,e^{-x^2/(2a^2) - y^2/(2b^2)}
            - d\,e^{-((x - x_b)^2 + y^2)/(2s^2)}
            + c\,\sigma(x),
    \qquad \sigma(x) = \frac{1}{1 + e^{-x}}.

A mountain (a Gaussian bump of height :math:`h`, elongated along :math:`y`)
stands at the origin, a basin of depth :math:`d` lies to its right at
:math:`(x_b, 0)`, and a gentle logistic slope :math:`c\,\sigma(x)` falls to the
left. As :math:`x \to -\infty` every term vanishes, so :math:`f \to 0`: an
asymptote, never attained, above the basin's minimum (about :math:`-1.1`).
From a start on the left of the mountain the negative gradient points left
forever: gradient descent walks away from the basin without bound while the
loss keeps decreasing towards 0. There is no local minimum on that side to get
stuck in; the local information simply points the wrong way.

Examples
--------
>>> import numpy as np
>>> from d2lopt import grad
>>> from d2lopt.landscapes.mountain import mountain
>>> float(grad(mountain)(np.array([-0.4, 0.0]))[0]) > 0   # downhill is to the left
True
>>> 0 < float(mountain(np.array([-40.0, 0.0]))) < 1e-17   # the asymptote f -> 0
True
"""

from __future__ import annotations

from typing import Any

from d2lopt.backends import Backend
from d2lopt.landscapes.base import Landscape, polished_points

__all__ = ["mountain", "MOUNTAIN_PARAMETERS"]

#: The constants of :data:`mountain`: mountain height and widths, basin depth,
#: centre and width, height of the logistic slope.
MOUNTAIN_PARAMETERS: dict[str, float] = {
    "height": 1.5, "width_x": 0.6, "width_y": 1.5,
    "depth": 2.0, "basin_x": 2.2, "basin_width": 0.7,
    "slope": 1.0,
}

_P = MOUNTAIN_PARAMETERS


def _mountain(x: Any, ops: Backend) -> Any:
    u, v = x[0], x[1]
    peak = _P["height"] * ops.exp(
        -(u**2) / (2 * _P["width_x"] ** 2) - v**2 / (2 * _P["width_y"] ** 2)
    )
    basin = _P["depth"] * ops.exp(
        -((u - _P["basin_x"]) ** 2 + v**2) / (2 * _P["basin_width"] ** 2)
    )
    return peak - basin + _P["slope"] * ops.sigmoid(u)


# Approximate locations (from root finding on the gradient over x in [-1.5, 4],
# |y| <= 3, which the tests repeat); polished by Newton's method on first use.
_SEEDS = (
    ((2.18, 0.0), "minimum"),
    ((0.04, 0.0), "maximum"),
    ((1.37, -2.16), "saddle"),
    ((1.37, 2.16), "saddle"),
)


#: The "wrong side of the mountain" surface (see the module docstring): one
#: minimum (the basin, near :math:`(2.18, 0)`), one maximum (the summit, near the
#: origin), two saddles (the passes around the mountain, near
#: :math:`(1.37, \pm 2.16)`), and the asymptote :math:`f \to 0` as
#: :math:`x \to -\infty` (its field ``asymptote``).
mountain = Landscape(
    "wrong side of the mountain", 2,
    rf"{_P['height']:g}\,e^{{-x^2/{2 * _P['width_x'] ** 2:g} - y^2/{2 * _P['width_y'] ** 2:g}}}"
    rf" - {_P['depth']:g}\,e^{{-((x-{_P['basin_x']:g})^2+y^2)/{2 * _P['basin_width'] ** 2:g}}}"
    rf" + {_P['slope']:g}\,\sigma(x)",
    _mountain,
    [(-7.0, 4.0), (-3.0, 3.0)],
    polished_points(_SEEDS, "root of the gradient, polished by Newton's method"),
    asymptote=0.0,
)
