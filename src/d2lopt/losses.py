r"""The numerically stable softplus, shared by the logistic losses of sections 2 and 11.

.. math::
    \operatorname{softplus}(z) = \log(1 + e^{z}) = \max(z, 0) + \log\bigl(1 + e^{-|z|}\bigr).

The right-hand side never exponentiates a positive number, so it neither
overflows for large :math:`z` nor loses the small value :math:`e^{z}` for very
negative :math:`z`. The logistic loss of a margin :math:`m` is
:math:`\operatorname{softplus}(-m)` (in nats): :func:`d2lopt.chapter.erm.logistic_loss`
writes it in bits, :func:`d2lopt.chapter.local_global.logistic_risk` averages it
over a data set.
"""

from __future__ import annotations

from typing import Any

from d2lopt.backends import backend_for

__all__ = ["softplus"]

Array = Any


def softplus(z: Array) -> Array:
    r""":math:`\log(1 + e^{z})`, computed as :math:`\max(z, 0) + \log(1 + e^{-|z|})`.

    Works on an array of any supported framework (or a Python number) and
    returns one of the same framework, so :func:`d2lopt.grad` differentiates it;
    its derivative is the logistic sigmoid :math:`\sigma(z)` everywhere, including
    :math:`z = 0` whatever subgradient a framework takes for :math:`|z|` there
    (the two terms' contributions cancel).

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
    magnitude = ops.abs(z)
    return 0.5 * (z + magnitude) + ops.log1p(ops.exp(-magnitude))
