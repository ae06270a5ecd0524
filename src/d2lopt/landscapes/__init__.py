"""Loss landscapes written once for NumPy, PyTorch and TensorFlow.

Every landscape is a :class:`Landscape`: call it on an array of any supported
framework, read its :attr:`~Landscape.critical_points`, draw it over its
:attr:`~Landscape.domain`.
"""

from d2lopt.landscapes.base import KnownPoint, Landscape, refine_critical_point, roots_1d
from d2lopt.landscapes.classic import (
    cubic,
    double_well,
    empirical_risk,
    himmelblau,
    monkey_saddle,
    quadratic,
    risk,
    rosenbrock,
    saddle,
)

__all__ = [
    "KnownPoint", "Landscape", "refine_critical_point", "roots_1d",
    "risk", "empirical_risk", "cubic", "saddle", "monkey_saddle", "rosenbrock", "himmelblau",
    "quadratic", "double_well", "ALL",
]

#: Every fixed landscape of the package, by name (``quadratic`` is a factory).
ALL: dict[str, Landscape] = {
    "risk": risk,
    "empirical_risk": empirical_risk,
    "cubic": cubic,
    "saddle": saddle,
    "monkey_saddle": monkey_saddle,
    "rosenbrock": rosenbrock,
    "himmelblau": himmelblau,
    "double_well": double_well,
}
