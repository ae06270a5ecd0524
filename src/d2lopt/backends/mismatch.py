"""Telling the user that a function and its array come from two different frameworks.

A function written with ``torch`` operations and called on a NumPy array fails
deep inside PyTorch ("must be Tensor, not ArrayBox"); the reverse fails inside
NumPy ("sum() got an unexpected keyword argument 'axis'"). When a derivative
fails, :func:`call_checked` tries ``f`` once on the same values as an array of
each other imported framework: if one of them gives a scalar of that framework,
the error names both frameworks and says what to pass.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TypeVar

from d2lopt.backends import _REGISTRY, get_backend
from d2lopt.backends.base import Backend

__all__ = ["call_checked", "framework_mismatch"]

T = TypeVar("T")

#: What a framework raises when it is handed another framework's array (TensorFlow
#: raises a ValueError when it cannot convert an autograd box). The original error is
#: raised again when no other framework explains it.
_MISMATCH_ERRORS = (TypeError, AttributeError, RuntimeError, ValueError)


def _article(phrase: str) -> str:
    return f"an {phrase}" if phrase[0].lower() in "aeiou" else f"a {phrase}"


def framework_mismatch(f: Callable[[Any], Any], x: Any, backend: Backend,
                       name: str = "f") -> TypeError | None:
    """The error to raise if ``f``, failing on ``x`` of ``backend``, works on another framework.

    ``f`` is called once on ``x``'s values as an array of each other framework
    already imported; ``None`` if none of them gives a scalar of its own framework.

    Examples
    --------
    >>> import numpy as np, torch
    >>> from d2lopt.backends import get_backend
    >>> error = framework_mismatch(lambda v: torch.sum(v ** 2), np.ones(2), get_backend("numpy"))
    >>> print(error)
    f was called with a NumPy array but uses torch operations: pass a torch.Tensor
    """
    values = backend.to_numpy(x)
    for key, entry in _REGISTRY.items():
        if key == backend.name or sys.modules.get(entry.framework) is None:
            continue
        other = get_backend(key)
        try:
            value = f(other.tensor(values))
        except Exception:  # noqa: BLE001 - any failure means f does not use this framework
            continue
        if other.owns(value) and other.shape(value) == ():
            return TypeError(
                f"{name} was called with {_article(backend.array_type)} but uses {other.name} "
                f"operations: pass {_article(other.array_type)}"
            )
    return None


def call_checked(operation: Callable[..., T], f: Callable[[Any], Any], x: Any,
                 backend: Backend, *args: Any) -> T:
    """``operation(f, x, *args)``, with a framework mismatch between ``f`` and ``x`` explained.

    Examples
    --------
    >>> import numpy as np
    >>> from d2lopt.backends import get_backend
    >>> numpy = get_backend("numpy")
    >>> call_checked(numpy.grad, lambda v: (v ** 2).sum(), np.ones(2), numpy).tolist()
    [2.0, 2.0]
    """
    try:
        return operation(f, x, *args)
    except _MISMATCH_ERRORS as error:
        explained = framework_mismatch(f, x, backend)
        if explained is None:
            raise
        raise explained from error
