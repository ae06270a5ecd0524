"""Gradients, Hessians and Hessian-vector products of scalar functions.

Each function takes ``f`` and returns a new function of ``x`` that works on
whatever framework ``x`` belongs to and returns an array of that framework.
``x`` must be real, finite and non-empty (:func:`d2lopt.backends.as_array`);
an ``f`` written with another framework's operations than ``x``'s is reported
as such (:mod:`d2lopt.backends.mismatch`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from d2lopt._checks import check_callable
from d2lopt.backends import as_array, backend_for
from d2lopt.backends.mismatch import call_checked

Array = Any
Scalar = Callable[[Array], Array]

__all__ = ["grad", "hessian", "hvp", "value_and_grad", "elementwise_grad"]


def value_and_grad(f: Scalar) -> Callable[[Array], tuple[Array, Array]]:
    """Return a function computing ``(f(x), ∇f(x))`` in one pass.

    Examples
    --------
    >>> import numpy as np
    >>> value, g = value_and_grad(lambda x: (x ** 2).sum())(np.array([1.0, 2.0]))
    >>> float(value), g.tolist()
    (5.0, [2.0, 4.0])
    """
    check_callable(f)

    def evaluate(x: Array) -> tuple[Array, Array]:
        backend, x = as_array(x)
        return call_checked(backend.value_and_grad, f, x, backend)

    return evaluate


def grad(f: Scalar) -> Callable[[Array], Array]:
    r"""Return the gradient :math:`\nabla f` as a function.

    Parameters
    ----------
    f : callable
        A scalar function of one array (NumPy, PyTorch, TensorFlow or JAX).

    Returns
    -------
    callable
        ``x -> ∇f(x)``, an array of the same framework and shape as ``x``.

    Examples
    --------
    >>> import numpy as np
    >>> float(grad(lambda x: x ** 3)(2.0))
    12.0
    >>> grad(lambda x: (x ** 2).sum())(np.array([1.0, -3.0]))
    array([ 2., -6.])
    """
    check_callable(f)

    def gradient(x: Array) -> Array:
        backend, x = as_array(x)
        return call_checked(backend.grad, f, x, backend)

    return gradient


def hessian(f: Scalar) -> Callable[[Array], Array]:
    r"""Return the Hessian :math:`\nabla^2 f` as a function.

    For ``x`` of shape ``(d,)`` the result has shape ``(d, d)``; for a scalar
    ``x`` it is a scalar (the second derivative).

    Examples
    --------
    >>> import numpy as np
    >>> hessian(lambda x: x[0] ** 2 - x[1] ** 2)(np.zeros(2))
    array([[ 2.,  0.],
           [ 0., -2.]])
    """
    check_callable(f)

    def second_derivative(x: Array) -> Array:
        backend, x = as_array(x)
        return call_checked(backend.hessian, f, x, backend)

    return second_derivative


def hvp(f: Scalar) -> Callable[[Array, Array], Array]:
    r"""Return the Hessian-vector product :math:`(x, v) \mapsto \nabla^2 f(x)\, v`.

    The Hessian is never formed: the product costs about two gradients.

    Examples
    --------
    >>> import numpy as np
    >>> hvp(lambda x: x[0] ** 2 - x[1] ** 2)(np.zeros(2), np.array([1.0, 1.0]))
    array([ 2., -2.])
    """
    check_callable(f)

    def product(x: Array, v: Array) -> Array:
        backend, x = as_array(x)
        v_backend, v = as_array(v, name="v")
        if v_backend is not backend:
            raise TypeError(
                f"x is a {backend.name} array but v is a {v_backend.name} array; "
                "pass both from the same framework"
            )
        if backend.shape(v) != backend.shape(x):
            raise ValueError(
                f"v must have the shape of x, {backend.shape(x)}; got {backend.shape(v)}"
            )
        return call_checked(backend.hvp, f, x, backend, v)

    return product


def elementwise_grad(f: Callable[[Array], Array]) -> Callable[[Array], Array]:
    r"""Return the derivative :math:`x \mapsto f'(x)` of an elementwise function, by autodiff.

    For :math:`f` acting elementwise, :math:`\partial_{x_i} \sum_j f(x_j) = f'(x_i)`:
    the gradient of the sum is the array of derivatives, computed in one pass
    on the framework of ``x``. Where ``f`` has a kink or a jump the framework's
    convention applies (a step function has derivative 0 everywhere, the jump
    included).

    Parameters
    ----------
    f : callable
        An elementwise function of one array (an activation, a loss of the margin).

    Returns
    -------
    callable
        ``x -> f'(x)``, an array of the same framework and shape as ``x``.

    Examples
    --------
    >>> import numpy as np
    >>> elementwise_grad(lambda x: x ** 3)(np.array([1.0, 2.0])).tolist()   # 3 x^2
    [3.0, 12.0]
    """
    if not callable(f):  # check_callable's words, for an elementwise function
        raise TypeError(f"f must be an elementwise function of one array, got {type(f).__name__}")

    def summed(x: Array) -> Array:
        return backend_for(x).sum(f(x))

    return grad(summed)
