r"""An ill-conditioned quadratic whose axes are turned away from the coordinate axes.

:func:`~d2lopt.landscapes.quadratic` puts the eigenvectors of the Hessian on
the coordinate axes, which favours methods that rescale each coordinate
separately (Adam, RMSProp, diagonal preconditioners). Turning the same bowl by
an angle :math:`\theta` changes nothing for gradient descent or momentum (they
are rotation invariant) but takes that advantage away.
"""

from __future__ import annotations

import math

from d2lopt.landscapes.base import KnownPoint, Landscape

__all__ = ["rotated_quadratic"]


def rotated_quadratic(condition_number: float = 10.0, angle: float = math.pi / 4,
                      smallest: float = 1.0) -> Landscape:
    r""":math:`\tfrac12 (R_\theta x)^\top \mathrm{diag}(\lambda_1, \kappa\lambda_1) (R_\theta x)`.

    Parameters
    ----------
    condition_number : float
        :math:`\kappa \ge 1`.
    angle : float
        :math:`\theta` in radians; 0 gives :func:`~d2lopt.landscapes.quadratic`.
    smallest : float
        :math:`\lambda_1 > 0`.

    Returns
    -------
    Landscape
        With attributes ``eigenvalues`` ``(λ1, κλ1)``, ``condition_number``,
        ``angle``, ``rotation`` (the matrix :math:`R_\theta` mapping :math:`(x, y)`
        to the bowl's axes :math:`(u, v)`) and ``hessian_matrix``
        (:math:`R_\theta^\top \mathrm{diag}(\lambda) R_\theta`), both as nested tuples.

    Examples
    --------
    >>> import numpy as np
    >>> bowl = rotated_quadratic(9.0, np.pi / 2)
    >>> float(bowl(np.array([1.0, 0.0])))   # a quarter turn swaps the axes
    4.5
    """
    if not condition_number >= 1:
        raise ValueError(f"the condition number must be at least 1, got {condition_number}")
    if not smallest > 0:
        raise ValueError(f"the smallest eigenvalue must be positive, got {smallest}")
    l1, l2 = float(smallest), float(smallest * condition_number)
    c, s = math.cos(angle), math.sin(angle)

    def fn(x, ops):
        u = c * x[0] - s * x[1]
        v = s * x[0] + c * x[1]
        return 0.5 * (l1 * u**2 + l2 * v**2)

    landscape = Landscape(
        f"quadratic (κ = {condition_number:g}, turned by {math.degrees(angle):g}°)", 2,
        rf"\tfrac12({l1:g}u^2 + {l2:g}v^2),\ (u, v) = R_{{{math.degrees(angle):g}°}}(x, y)",
        fn, [(-1.0, 1.0)] * 2,
        [KnownPoint((0.0, 0.0), "minimum", f"Hessian eigenvalues {l1:g}, {l2:g}")],
    )
    landscape.eigenvalues = (l1, l2)
    landscape.condition_number = float(condition_number)
    landscape.angle = float(angle)
    landscape.rotation = ((c, -s), (s, c))
    landscape.hessian_matrix = (
        (l1 * c * c + l2 * s * s, (l2 - l1) * c * s),
        ((l2 - l1) * c * s, l1 * s * s + l2 * c * c),
    )
    return landscape
