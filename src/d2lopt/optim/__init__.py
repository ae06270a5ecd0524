"""Optimizers that record their trajectories, gradient clipping, many starts at once, fair tuning.

Every optimizer is called as ``method(f, x0, *, steps, ...)`` and returns a
:class:`Trajectory`. ``x0`` may be a NumPy array (or a Python number or list),
a ``torch.Tensor`` or a ``tf.Tensor``: derivatives are taken by that framework,
and ``f`` always receives arrays of it.

>>> from d2lopt import optim
>>> from d2lopt.landscapes import rosenbrock
>>> run = optim.adam(rosenbrock, [-1.5, 2.0], steps=100, lr=0.05)
>>> run.points.shape
(101, 2)
"""

from d2lopt.optim.batched import batched_runs
from d2lopt.optim.clipping import clip_by_norm, clip_by_value
from d2lopt.optim.first_order import adam, gradient_descent, momentum, perturbed_gradient_descent
from d2lopt.optim.many_starts import ManyRuns, batched_gradient_descent, uniform_starts
from d2lopt.optim.second_order import newton, saddle_free_newton
from d2lopt.optim.trajectory import Divergence, Trajectory
from d2lopt.optim.tuning import TuningResult, steps_to_tolerance, tune

__all__ = [
    "Trajectory", "Divergence", "gradient_descent", "momentum", "adam",
    "perturbed_gradient_descent", "newton", "saddle_free_newton", "clip_by_norm", "clip_by_value",
    "uniform_starts", "batched_gradient_descent", "ManyRuns", "batched_runs",
    "steps_to_tolerance", "tune", "TuningResult",
]
