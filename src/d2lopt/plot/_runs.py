"""The ``trajectories=`` argument of the plot helpers: a mapping, one run, or a list of runs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from d2lopt.optim.trajectory import Trajectory

__all__ = ["labelled_runs"]


def labelled_runs(trajectories: Any, name: str = "trajectories") -> dict[str, Any]:
    """``trajectories`` as a dict ``label -> run``.

    A mapping is kept as it is. One :class:`~d2lopt.optim.Trajectory`, or a list
    or tuple of runs (trajectories or arrays), gets labels: a trajectory's
    ``method`` (numbered when two share it), ``"run 1"``, ``"run 2"``, ... for
    arrays.

    Examples
    --------
    >>> import numpy as np
    >>> from d2lopt.optim import gradient_descent
    >>> a = gradient_descent(lambda x: x ** 2, 1.0, steps=2, lr=0.1)
    >>> list(labelled_runs([a, a, np.zeros((3, 1))]))
    ['gradient descent', 'gradient descent (2)', 'run 3']
    """
    if trajectories is None:
        return {}
    if isinstance(trajectories, Mapping):
        return dict(trajectories)
    if isinstance(trajectories, Trajectory):
        trajectories = [trajectories]
    if not isinstance(trajectories, (list, tuple)):
        raise TypeError(
            f"{name} must be a dict label -> run, one Trajectory, or a list of them; "
            f"got {type(trajectories).__name__}"
        )
    labelled: dict[str, Any] = {}
    for i, run in enumerate(trajectories, start=1):
        label = run.method if isinstance(run, Trajectory) and run.method else f"run {i}"
        if label in labelled:
            label = f"{label} ({sum(key.startswith(label) for key in labelled) + 1})"
        labelled[label] = run
    return labelled
