r"""A cliff in the loss of a one-unit recurrent network (after Pascanu et al., 2013).

The network :math:`h_t = \tanh(w\,h_{t-1} + b)`, :math:`t = 1, \dots, T`, starts
from a fixed :math:`h_0` and is trained so that its last state hits a target:

.. math::
    f(w, b) = \bigl(h_T(w, b) - y\bigr)^2 .

For :math:`w > 1/(1 - h_0^2)` the map :math:`h \mapsto \tanh(wh + b)` has, on
the line

.. math::
    b = \operatorname{artanh}(h_0) - w\,h_0 ,

an *unstable* fixed point exactly at :math:`h_0`. Just above the line the
state runs off to the upper stable fixed point, just below it to the lower
one (about :math:`0.85` and :math:`-0.98` at :math:`w = 2`): :math:`h_T` jumps
between them across a band whose width shrinks like :math:`\lambda^{-T}`, with
:math:`\lambda = w(1 - h_0^2) > 1` the slope of the map at :math:`h_0`. On the
line itself :math:`h_t = h_0` for every :math:`t`, and the chain rule gives the
gradient exactly:

.. math::
    \frac{\partial h_T}{\partial b} = (1 - h_0^2)\,\frac{\lambda^T - 1}{\lambda - 1},
    \qquad \frac{\partial h_T}{\partial w} = h_0\,\frac{\partial h_T}{\partial b},

which is of order :math:`\lambda^T`: an exploding gradient, and a cliff in the
loss surface. For :math:`w < 1/(1 - h_0^2)` the fixed point at :math:`h_0` is
stable and the surface is smooth there.
"""

from __future__ import annotations

import math
from typing import Any

from d2lopt._checks import check_integer, check_real
from d2lopt.backends import Backend
from d2lopt.landscapes.base import Landscape

__all__ = ["RecurrentLoss", "recurrent_loss", "recurrent_cliff", "cliff_bias", "cliff_onset"]


def _check_state(h0: float) -> float:
    h0 = check_real(h0, "h0")
    if not -1.0 < h0 < 1.0:
        raise ValueError(f"h0 must lie strictly between -1 and 1 (a tanh state), got {h0}")
    return h0


def cliff_bias(w: Any, h0: float = 0.5) -> Any:
    r"""The bias :math:`b = \operatorname{artanh}(h_0) - w h_0` of the cliff at weight ``w``.

    On this line :math:`h_0` is a fixed point of :math:`h \mapsto \tanh(wh + b)`;
    it is unstable, and the loss has a cliff, where :math:`w > 1/(1 - h_0^2)`.

    Examples
    --------
    >>> round(cliff_bias(2.0, h0=0.5), 6)
    -0.450694
    """
    h0 = _check_state(h0)
    return math.atanh(h0) - w * h0


def cliff_onset(h0: float = 0.5) -> float:
    r"""The weight :math:`w = 1/(1 - h_0^2)` beyond which the line :func:`cliff_bias` is a cliff.

    Examples
    --------
    >>> round(cliff_onset(0.5), 6)
    1.333333
    """
    h0 = _check_state(h0)
    return 1.0 / (1.0 - h0 * h0)


class RecurrentLoss(Landscape):
    r"""The loss :math:`(h_T - y)^2` of :math:`h_t = \tanh(w h_{t-1} + b)` as a function of (w, b).

    Two-dimensional (coordinates :math:`w, b`), domain :math:`[0, 3] \times
    [-1.5, 1]`. Its zero-loss set is a curve (where :math:`h_T = y`), not
    isolated points, so it documents no critical points. Made by
    :func:`recurrent_loss`.

    Attributes
    ----------
    steps : int
        :math:`T`, the number of recurrent steps.
    h0 : float
        The initial state, in :math:`(-1, 1)`.
    target : float
        :math:`y`, the target for :math:`h_T`.
    final_state : Landscape
        :math:`(w, b) \mapsto h_T`, on the same domain.
    """

    def __init__(self, steps: int, h0: float, target: float) -> None:
        self.steps = check_integer(steps, "steps", minimum=1)
        self.h0 = _check_state(h0)
        self.target = check_real(target, "target")
        T, start, y = self.steps, self.h0, self.target

        def final_state(x: Any, ops: Backend) -> Any:
            w, b = x[0], x[1]
            h = start
            for _ in range(T):
                h = ops.tanh(w * h + b)
            return h

        def loss(x: Any, ops: Backend) -> Any:
            return (final_state(x, ops) - y) ** 2

        super().__init__(
            f"recurrent cliff (T = {T})", 2,
            rf"(h_{{{T}}}(w, b) - {y:g})^2,\ h_t = \tanh(w h_{{t-1}} + b),\ h_0 = {start:g}",
            loss, [(0.0, 3.0), (-1.5, 1.0)], (),
        )
        self.final_state = Landscape(f"h_{T}", 2, rf"h_{{{T}}}(w, b)", final_state, self.domain)


def recurrent_loss(steps: int = 50, h0: float = 0.5, target: float = 0.7) -> RecurrentLoss:
    r"""The :class:`RecurrentLoss` of ``steps`` recurrent steps from ``h0`` towards ``target``.

    Raises
    ------
    ValueError
        If ``steps`` is not a positive integer or ``h0`` is not strictly
        between -1 and 1.

    Examples
    --------
    >>> import numpy as np
    >>> f = recurrent_loss(steps=3, h0=0.0, target=0.0)
    >>> float(f(np.array([1.0, 0.0])))   # h stays 0
    0.0
    """
    return RecurrentLoss(steps, h0, target)


#: The chapter's cliff: :math:`T = 50` steps from :math:`h_0 = 0.5` to the target
#: :math:`y = 0.7` (the setting of Pascanu et al.'s figure, with tanh).
recurrent_cliff = recurrent_loss()
