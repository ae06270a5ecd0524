"""Loss landscapes written once for NumPy, PyTorch and TensorFlow.

Every landscape is a :class:`Landscape`: call it on an array of any supported
framework, read its :attr:`~Landscape.critical_points`, draw it over its
``domain``.
"""

from d2lopt.landscapes.base import KnownPoint, Landscape, refine_critical_point, roots_1d
from d2lopt.landscapes.classic import (
    cubic,
    double_well,
    empirical_risk,
    himmelblau,
    monkey_saddle,
    risk,
    rosenbrock,
    saddle,
)
from d2lopt.landscapes.cliffs import (
    RecurrentLoss,
    cliff_bias,
    cliff_onset,
    recurrent_cliff,
    recurrent_loss,
)
from d2lopt.landscapes.mountain import mountain
from d2lopt.landscapes.quadratic import Quadratic, quadratic, rotated_quadratic
from d2lopt.landscapes.tanh_unit import tanh_unit

__all__ = [
    "KnownPoint", "Landscape", "Quadratic", "RecurrentLoss", "refine_critical_point", "roots_1d",
    "risk", "empirical_risk", "cubic", "saddle", "monkey_saddle", "rosenbrock", "himmelblau",
    "double_well", "tanh_unit", "recurrent_cliff", "mountain", "ALL",
    "quadratic", "rotated_quadratic", "recurrent_loss", "cliff_bias", "cliff_onset",
]

#: Every fixed landscape of the package, by name (``quadratic``, ``rotated_quadratic``
#: and ``recurrent_loss`` are factories that make further ones).
ALL: dict[str, Landscape] = {
    "risk": risk,
    "empirical_risk": empirical_risk,
    "cubic": cubic,
    "saddle": saddle,
    "monkey_saddle": monkey_saddle,
    "rosenbrock": rosenbrock,
    "himmelblau": himmelblau,
    "double_well": double_well,
    # Sections 5 and 8: the sign-flip symmetry of one tanh unit, the cliff of a recurrent unit.
    "tanh_unit": tanh_unit,
    "recurrent_cliff": recurrent_cliff,
    # Section 11: the wrong side of the mountain.
    "mountain": mountain,
}
