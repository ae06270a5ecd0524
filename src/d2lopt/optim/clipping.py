"""Gradient clipping: rescale by the norm, or clamp each component.

Both functions take and return an array of the caller's framework (NumPy,
PyTorch, TensorFlow). Clipping by norm keeps the direction of the gradient and
only shortens it; clipping by value clamps each component separately and so can
turn the direction.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from d2lopt.backends import as_array
from d2lopt.optim.trajectory import check_positive

Array = Any
Clip = Callable[[Array], Array]

__all__ = ["clip_by_norm", "clip_by_value", "as_clip"]


def _as_finite_array(g: Array) -> tuple[Any, Array]:
    """``g`` through its backend, or a ValueError if it holds NaN or an infinity.

    Clipping a non-finite gradient cannot give a meaningful direction (NaN
    stays NaN; an infinity would silently become the limit), so both clipping
    functions refuse it with the same advice.
    """
    backend, g = as_array(g, name="g", finite=False, empty=True)
    if not backend.all_finite(g):
        norm = float(np.linalg.norm(backend.to_numpy(g)))
        raise ValueError(
            f"cannot clip a gradient g holding NaN or infinity (norm {norm}); the run has "
            "already diverged: lower the learning rate"
        )
    return backend, g


def clip_by_norm(g: Array, max_norm: float) -> Array:
    r"""Rescale ``g`` so that its Euclidean norm is at most ``max_norm``.

    .. math:: \operatorname{clip}(g) = g \min\Bigl(1, \frac{c}{\|g\|}\Bigr)

    The direction is kept; a zero gradient stays zero.

    Parameters
    ----------
    g : array_like
        The gradient (NumPy array, list, ``torch.Tensor`` or ``tf.Tensor``).
    max_norm : float
        The threshold :math:`c > 0`.

    Returns
    -------
    array
        Same framework and shape as ``g``.

    Raises
    ------
    ValueError
        If ``max_norm`` is not positive, or ``g`` holds NaN or an infinity.

    Examples
    --------
    >>> import numpy as np
    >>> clip_by_norm(np.array([3.0, 4.0]), 1.0)
    array([0.6, 0.8])
    >>> clip_by_norm(np.array([0.3, 0.4]), 1.0)
    array([0.3, 0.4])
    """
    max_norm = check_positive("max_norm", max_norm)
    backend, g = _as_finite_array(g)
    with np.errstate(over="ignore"):
        norm = float(np.linalg.norm(backend.to_numpy(g)))
    if not np.isfinite(norm):  # finite entries whose norm overflows: scale first
        largest = float(np.abs(backend.to_numpy(g)).max())
        norm = largest * float(np.linalg.norm(backend.to_numpy(g) / largest))
    if norm <= max_norm:
        return g
    return g * (max_norm / norm)


def clip_by_value(g: Array, limit: float) -> Array:
    r"""Clamp every component of ``g`` to :math:`[-\text{limit}, \text{limit}]`.

    Unlike :func:`clip_by_norm` this can change the direction of ``g``: large
    components are cut, small ones kept.

    Parameters
    ----------
    g : array_like
        The gradient, in any framework.
    limit : float
        The bound, :math:`> 0`.

    Returns
    -------
    array
        ``g`` with each component clamped, in its own framework and shape.

    Raises
    ------
    ValueError
        As for :func:`clip_by_norm`: ``limit`` not positive, or NaN or an infinity in ``g``.

    Examples
    --------
    >>> import numpy as np
    >>> clip_by_value(np.array([3.0, 0.5, -2.0]), 1.0)
    array([ 1. ,  0.5, -1. ])
    """
    limit = check_positive("limit", limit)
    backend, g = _as_finite_array(g)
    if backend.name == "numpy":
        return np.clip(g, -limit, limit)
    shape = backend.shape(g)
    upper = backend.tensor(np.full(shape, limit), g.dtype)
    return backend.where(g > limit, upper, backend.where(g < -limit, -upper, g))


def as_clip(clip: Clip | tuple[str, float] | None) -> Clip | None:
    """Turn the ``clip=`` argument of an optimizer into a function ``g -> g``.

    Accepts ``None``, any callable, or a tuple ``("norm", c)`` / ``("value", c)``.

    Examples
    --------
    >>> import numpy as np
    >>> as_clip(("norm", 1.0))(np.array([3.0, 4.0]))
    array([0.6, 0.8])
    """
    if clip is None or callable(clip):
        return clip
    if isinstance(clip, tuple) and len(clip) == 2 and clip[0] in ("norm", "value"):
        kind, threshold = clip
        if kind == "norm":
            return functools.partial(clip_by_norm, max_norm=check_positive("max_norm", threshold))
        return functools.partial(clip_by_value, limit=check_positive("limit", threshold))
    raise TypeError(
        "clip must be None, a function g -> g (e.g. functools.partial(clip_by_norm, "
        f"max_norm=1.0)), or a tuple ('norm', c) or ('value', c); got {clip!r}"
    )
