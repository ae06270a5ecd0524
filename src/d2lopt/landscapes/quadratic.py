r"""Quadratic bowls that declare their curvature: on the axes, or turned away from them.

:func:`quadratic` puts the eigenvectors of the Hessian on the coordinate axes,
which favours methods that rescale each coordinate separately (Adam, RMSProp,
diagonal preconditioners). :func:`rotated_quadratic` turns the same bowl by an
angle :math:`\theta`, which changes nothing for gradient descent or momentum
(they are rotation invariant) but takes that advantage away. Both return a
:class:`Quadratic`, whose eigenvalues, condition number, rotation and Hessian
are fields of the landscape.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from d2lopt._checks import check_real
from d2lopt.backends import Backend
from d2lopt.landscapes.base import KnownPoint, Landscape

__all__ = ["Quadratic", "quadratic", "rotated_quadratic"]


class Quadratic(Landscape):
    r"""The bowl :math:`\tfrac12 (R_\theta x)^\top \Lambda R_\theta x`, :math:`\Lambda` diagonal.

    Made by :func:`quadratic` (:math:`\theta = 0`) and :func:`rotated_quadratic`.
    Its minimum is the origin; domain :math:`[-1, 1]^2`.

    Parameters
    ----------
    name, formula : str
        As for :class:`~d2lopt.landscapes.Landscape`.
    condition_number : float
        :math:`\kappa \ge 1`.
    smallest : float
        :math:`\lambda_1 > 0`; then :math:`\lambda_2 = \kappa\lambda_1`.
    angle : float
        :math:`\theta` in radians.
    note : str
        How the minimum is documented.

    Attributes
    ----------
    eigenvalues : tuple of float
        :math:`(\lambda_1, \kappa\lambda_1)`.
    condition_number : float
        :math:`\kappa`.
    angle : float
        :math:`\theta`.
    rotation : tuple of tuple of float
        The matrix :math:`R_\theta` mapping :math:`(x, y)` to the bowl's axes :math:`(u, v)`.
    hessian_matrix : tuple of tuple of float
        :math:`R_\theta^\top \mathrm{diag}(\lambda) R_\theta`.

    Examples
    --------
    >>> bowl = rotated_quadratic(4.0, 0.0)
    >>> bowl.eigenvalues, bowl.hessian_matrix
    ((1.0, 4.0), ((1.0, 0.0), (0.0, 4.0)))
    """

    def __init__(self, name: str, formula: str, *, condition_number: float, smallest: float,
                 angle: float, note: str) -> None:
        condition_number = check_real(condition_number, "condition_number")
        smallest = check_real(smallest, "smallest")
        angle = check_real(angle, "angle")
        if not condition_number >= 1:
            raise ValueError(f"the condition number must be at least 1, got {condition_number}")
        if not smallest > 0:
            raise ValueError(f"the smallest eigenvalue must be positive, got {smallest}")
        l1, l2 = float(smallest), float(smallest * condition_number)
        c, s = math.cos(angle), math.sin(angle)
        super().__init__(name, 2, formula, self._function(l1, l2, c, s, angle == 0),
                         [(-1.0, 1.0)] * 2,
                         [KnownPoint((0.0, 0.0), "minimum", note.format(l1=l1, l2=l2))])
        self.eigenvalues = (l1, l2)
        self.condition_number = float(condition_number)
        self.angle = float(angle)
        self.rotation = ((c, -s), (s, c))
        self.hessian_matrix = (
            (l1 * c * c + l2 * s * s, (l2 - l1) * c * s),
            ((l2 - l1) * c * s, l1 * s * s + l2 * c * c),
        )

    @staticmethod
    def _function(l1: float, l2: float, c: float, s: float, on_axes: bool
                  ) -> Callable[[Any, Backend], Any]:
        if on_axes:
            return lambda x, ops: 0.5 * (l1 * x[0] ** 2 + l2 * x[1] ** 2)

        def turned(x: Any, ops: Backend) -> Any:
            u = c * x[0] - s * x[1]
            v = s * x[0] + c * x[1]
            return 0.5 * (l1 * u**2 + l2 * v**2)

        return turned


def quadratic(condition_number: float = 10.0, smallest: float = 1.0) -> Quadratic:
    r"""The quadratic bowl :math:`\tfrac12(\lambda_1 x^2 + \kappa\lambda_1 y^2)`.

    Parameters
    ----------
    condition_number : float
        :math:`\kappa \ge 1`, the ratio of the largest to the smallest curvature.
    smallest : float
        :math:`\lambda_1 > 0`, the smallest eigenvalue of the Hessian.

    Returns
    -------
    Quadratic
        With ``eigenvalues`` ``(λ1, κ λ1)`` and its minimum at the origin.

    Examples
    --------
    >>> import numpy as np
    >>> bowl = quadratic(100.0)
    >>> bowl.eigenvalues
    (1.0, 100.0)
    >>> float(bowl(np.array([1.0, 1.0])))
    50.5
    """
    l1, l2 = float(smallest), float(smallest * condition_number)
    return Quadratic(
        f"quadratic (κ = {condition_number:g})", rf"\tfrac12({l1:g}x^2 + {l2:g}y^2)",
        condition_number=condition_number, smallest=smallest, angle=0.0,
        note="Hessian diag({l1:g}, {l2:g})",
    )


def rotated_quadratic(condition_number: float = 10.0, angle: float = math.pi / 4,
                      smallest: float = 1.0) -> Quadratic:
    r""":math:`\tfrac12 (R_\theta x)^\top \mathrm{diag}(\lambda_1, \kappa\lambda_1) (R_\theta x)`.

    Parameters
    ----------
    condition_number : float
        :math:`\kappa \ge 1`.
    angle : float
        :math:`\theta` in radians; 0 gives the bowl of :func:`quadratic`.
    smallest : float
        :math:`\lambda_1 > 0`.

    Returns
    -------
    Quadratic
        With ``eigenvalues`` ``(λ1, κλ1)``, ``condition_number``, ``angle``,
        ``rotation`` (:math:`R_\theta`) and ``hessian_matrix``.

    Examples
    --------
    >>> import numpy as np
    >>> bowl = rotated_quadratic(9.0, np.pi / 2)
    >>> float(bowl(np.array([1.0, 0.0])))   # a quarter turn swaps the axes
    4.5
    """
    l1, l2 = float(smallest), float(smallest * condition_number)
    degrees = math.degrees(angle)
    return Quadratic(
        f"quadratic (κ = {condition_number:g}, turned by {degrees:g}°)",
        rf"\tfrac12({l1:g}u^2 + {l2:g}v^2),\ (u, v) = R_{{{degrees:g}°}}(x, y)",
        condition_number=condition_number, smallest=smallest, angle=angle,
        note="Hessian eigenvalues {l1:g}, {l2:g}",
    )
