r"""Section 5, local minima: the critical points of :math:`x\cos(\pi x)` and the settings.

Weight-space symmetry itself (counting and applying relabellings of hidden
units) is core, :mod:`d2lopt.symmetry`, since the experiments on real networks
use it too.
"""

from __future__ import annotations

from dataclasses import dataclass

from d2lopt.landscapes import KnownPoint, risk

__all__ = ["Settings", "SETTINGS", "risk_extrema"]


@dataclass(frozen=True)
class Settings:
    """The values that section 5's page, gallery scripts and tests share.

    Attributes
    ----------
    starts : int
        Number of evenly spaced starts of gradient descent on the domain of
        :data:`d2lopt.landscapes.risk`, :math:`[-1, 2]`.
    steps : int
        Gradient-descent steps from each start.
    lr : float
        Its learning rate.
    basin_atol : float
        How close (parameter units) an end point must be to a minimum to count as in its basin.
    width : int
        Width :math:`n` of the hidden layer whose :math:`n!\\,2^n` copies are quoted.
    layer_widths : tuple of int
        Widths of the two-layer network whose number of copies is quoted.
    check_width : int
        Width of the random tanh network whose copies are enumerated by brute force.
    check_inputs : int
        Number of random inputs its copies are compared on.
    check_seed : int
        Seed of :func:`numpy.random.default_rng` that draws that network and its inputs.

    Examples
    --------
    >>> SETTINGS.starts, SETTINGS.steps, SETTINGS.lr
    (61, 300, 0.05)
    """

    starts: int = 61
    steps: int = 300
    lr: float = 0.05
    basin_atol: float = 1e-4
    width: int = 10
    layer_widths: tuple[int, ...] = (100, 100)
    check_width: int = 3
    check_inputs: int = 50
    check_seed: int = 0


#: The settings of section 5.
SETTINGS = Settings()


def risk_extrema() -> tuple[KnownPoint, KnownPoint, KnownPoint]:
    r"""The local minimum, the global minimum and the maximum of :math:`x\cos(\pi x)` on [-1, 2].

    They are the known critical points of :data:`d2lopt.landscapes.risk`
    (roots of :math:`f'` refined by Brent's method); the two minima are told
    apart by their values.

    Examples
    --------
    >>> local_min, global_min, maximum = risk_extrema()
    >>> [round(float(p.array), 4) for p in (local_min, maximum, global_min)]
    [-0.2739, 0.2739, 1.0904]
    """
    local_min, global_min = sorted(risk.points_of_kind("minimum"),
                                   key=lambda p: float(risk(p.array)), reverse=True)
    (maximum,) = risk.points_of_kind("maximum")
    return local_min, global_min, maximum
