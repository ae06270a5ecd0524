r"""The numerically stable softplus, shared by the logistic losses of sections 2 and 11.

.. math::
    \operatorname{softplus}(z) = \log(1 + e^{z}) = \max(z, 0) + \log\bigl(1 + e^{-|z|}\bigr).

The right-hand side never exponentiates a positive number, so it neither
overflows for large :math:`z` nor loses the small value :math:`e^{z}` for very
negative :math:`z`; it is evaluated one branch per sign of :math:`z`, so that
the derivative :math:`\sigma(z)` is exact to rounding in both tails too.

The logistic loss of a margin :math:`m` is :math:`\operatorname{softplus}(-m)`
(in nats): :func:`d2lopt.chapter.erm.logistic_loss` writes it in bits,
:func:`d2lopt.chapter.local_global.logistic_risk` averages it over a data set.
"""

from __future__ import annotations

from typing import Any

from d2lopt.backends import backend_for

__all__ = ["softplus"]

Array = Any


def softplus(z: Array) -> Array:
    r""":math:`\log(1 + e^{z})`, as :math:`z + \log(1 + e^{-z})` where :math:`z > 0`.

    Each branch only ever exponentiates a number :math:`\le 0` (the other branch
    sees 0), so nothing overflows and no NaN reaches the gradient; the
    derivative, the logistic sigmoid :math:`\sigma(z)`, keeps its full relative
    precision in both tails. Works on an array of any supported framework (or a
    Python number) and returns one of the same framework, so :func:`d2lopt.grad`
    differentiates it.

    Parameters
    ----------
    z : array_like
        Any real values.

    Returns
    -------
    array
        :math:`\operatorname{softplus}(z)`, elementwise, in ``z``'s framework.

    Examples
    --------
    >>> import numpy as np
    >>> softplus(np.array([0.0, 800.0, -800.0])).tolist()   # log 2, no overflow, no underflow
    [0.6931471805599453, 800.0, 0.0]
    >>> float(softplus(-40.0))   # e^-40, not rounded to 0
    4.248354255291589e-18
    """
    ops = backend_for(z)
    if isinstance(z, (int, float, list, tuple)):
        z = ops.tensor(z)
    positive = z > 0
    z_pos = ops.where(positive, z, 0.0 * z)  # z where it is positive, else 0
    z_neg = ops.where(positive, 0.0 * z, z)  # z where it is <= 0, else 0
    return ops.where(positive, z_pos + ops.log1p(ops.exp(-z_pos)), ops.log1p(ops.exp(z_neg)))
