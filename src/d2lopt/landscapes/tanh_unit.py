r"""One tanh unit fitted to its own teacher: the sign-flip symmetry in two dimensions.

The model :math:`\hat y = a \tanh(b x)` (one hidden unit with input weight
:math:`b` and output weight :math:`a`) is fitted by least squares to data made
by the same model with :math:`(a^\star, b^\star)`:

.. math::
    f(a, b) = \frac1m \sum_{i=1}^m \bigl(a \tanh(b x_i) - y_i\bigr)^2,
    \qquad y_i = a^\star \tanh(b^\star x_i).

Because :math:`\tanh` is odd, :math:`f(-a, -b) = f(a, b)`: the two parameter
vectors :math:`\pm(a^\star, b^\star)` compute the same function and are both
global minima (:math:`f = 0`). A continuous path between them must cross the
line where the model is the zero function, and the symmetry forces a critical
point at the origin: there :math:`\nabla^2 f = \begin{pmatrix} 0 & -2c \\ -2c &
0 \end{pmatrix}` with :math:`c = \frac1m \sum_i x_i y_i`, eigenvalues
:math:`\pm 2c`, a saddle.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from d2lopt.backends import Backend
from d2lopt.landscapes.base import KnownPoint, Landscape

__all__ = ["tanh_unit", "TANH_UNIT_TEACHER", "TANH_UNIT_INPUTS"]

#: The teacher's parameters :math:`(a^\star, b^\star)`.
TANH_UNIT_TEACHER: tuple[float, float] = (1.0, 1.5)

#: The inputs :math:`x_i`: 21 points evenly spaced on :math:`[-2, 2]`.
TANH_UNIT_INPUTS: np.ndarray = np.linspace(-2.0, 2.0, 21)
TANH_UNIT_INPUTS.setflags(write=False)

_TARGETS = TANH_UNIT_TEACHER[0] * np.tanh(TANH_UNIT_TEACHER[1] * TANH_UNIT_INPUTS)
_TARGETS.setflags(write=False)


def _tanh_unit(x: Any, ops: Backend) -> Any:
    a, b = x[0], x[1]
    total = 0.0
    for xi, yi in zip(TANH_UNIT_INPUTS.tolist(), _TARGETS.tolist(), strict=True):
        total = total + (a * ops.tanh(b * xi) - yi) ** 2
    return total / len(TANH_UNIT_INPUTS)


_A, _B = TANH_UNIT_TEACHER

#: The least-squares loss of one tanh unit against its teacher (see the module
#: docstring): global minima at :math:`\pm(a^\star, b^\star) = \pm(1, 1.5)`,
#: a saddle at the origin.
tanh_unit = Landscape(
    "one tanh unit", 2, r"\frac{1}{m}\sum_i (a\tanh(b x_i) - y_i)^2", _tanh_unit,
    [(-2.0, 2.0), (-3.0, 3.0)],
    [
        KnownPoint((_A, _B), "minimum", "the teacher: f = 0"),
        KnownPoint((-_A, -_B), "minimum", "the teacher with both signs flipped: f = 0"),
        KnownPoint((0.0, 0.0), "saddle", "Hessian [[0, -2c], [-2c, 0]], c = mean(x y)"),
    ],
)
