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

# Sections 5 and 8: the sign-flip symmetry of one tanh unit, the cliff of a recurrent unit.
from d2lopt.landscapes.cliffs import (  # noqa: E402
    cliff_bias,
    cliff_onset,
    recurrent_cliff,
    recurrent_loss,
)
from d2lopt.landscapes.tanh_unit import tanh_unit  # noqa: E402

__all__ += ["tanh_unit", "recurrent_cliff", "recurrent_loss", "cliff_bias", "cliff_onset"]

# Sections 11 and 12: the wrong side of the mountain, and a quadratic turned off the axes.
from d2lopt.landscapes.mountain import mountain  # noqa: E402
from d2lopt.landscapes.rotated import rotated_quadratic  # noqa: E402

__all__ += ["mountain", "rotated_quadratic"]
