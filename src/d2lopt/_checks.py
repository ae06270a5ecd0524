"""Argument checks shared by the public functions: one message per kind of mistake.

Each check returns the value in a plain Python form (so a NumPy or 0-d
framework scalar is accepted wherever a number is) or raises a ``TypeError``
(wrong kind of object) or ``ValueError`` (right kind, wrong value) whose
message names the argument and says what to pass instead.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable
from typing import Any

__all__ = ["check_callable", "check_choice", "check_integer", "check_real"]


def _as_python_number(value: Any, name: str) -> int | float | complex:
    """A Python number from a Python, NumPy or 0-d framework scalar; TypeError otherwise."""
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        raise TypeError(f"{name} must be a number, got the bool {value!r}")
    if isinstance(value, numbers.Number):
        return value.item() if hasattr(value, "item") else value  # NumPy scalars
    shape = getattr(value, "shape", None)
    if shape is not None and hasattr(value, "item") and len(tuple(shape)) == 0:
        item = value.item()  # a 0-d NumPy array, torch tensor, JAX array
        return _as_python_number(item, name)
    if shape is not None and hasattr(value, "numpy") and len(tuple(shape)) == 0:
        return _as_python_number(value.numpy(), name)  # a 0-d tf.Tensor
    raise TypeError(f"{name} must be a number (a Python, NumPy or 0-d array scalar), "
                    f"got {type(value).__name__}")


def check_real(value: Any, name: str, *, positive: bool = False, nonnegative: bool = False,
               finite: bool = True, below: float | None = None) -> float:
    """``value`` as a float, checked.

    Parameters
    ----------
    value : number
        A Python, NumPy or 0-d array (torch, TensorFlow, JAX) real scalar.
    name : str
        The argument's name, for the message.
    positive, nonnegative : bool
        Require ``value > 0`` or ``value >= 0``.
    finite : bool, default True
        Refuse NaN and infinities.
    below : float, optional
        Require ``value < below`` (e.g. a momentum coefficient below 1).

    Examples
    --------
    >>> check_real(0.5, "lr", positive=True)
    0.5
    >>> check_real(-1, "lr", positive=True)
    Traceback (most recent call last):
    ...
    ValueError: lr must be positive, got -1
    """
    number = _as_python_number(value, name)
    if isinstance(number, complex):
        raise TypeError(f"{name} must be a real number, got the complex {number!r}")
    number = float(number)
    if math.isnan(number) or (finite and math.isinf(number)):
        raise ValueError(f"{name} must be a finite number, got {number!r}")
    if positive and not number > 0:
        raise ValueError(f"{name} must be positive, got {_show(value, number)}")
    if nonnegative and not number >= 0:
        raise ValueError(f"{name} must be zero or positive, got {_show(value, number)}")
    if below is not None and not number < below:
        raise ValueError(f"{name} must be below {below:g}, got {_show(value, number)}")
    return number


def check_integer(value: Any, name: str, *, minimum: int | None = None,
                  maximum: int | None = None) -> int:
    """``value`` as an int, checked: an integer number (``3`` or ``3.0``, not ``2.5`` or ``True``).

    Examples
    --------
    >>> check_integer(100.0, "steps", minimum=0)
    100
    >>> check_integer(2.5, "steps")
    Traceback (most recent call last):
    ...
    ValueError: steps must be a whole number, got 2.5
    """
    number = _as_python_number(value, name)
    if isinstance(number, complex):
        raise TypeError(f"{name} must be an integer, got the complex {number!r}")
    if isinstance(number, float):
        if not math.isfinite(number) or number != int(number):
            raise ValueError(f"{name} must be a whole number, got {number!r}")
        number = int(number)
    if minimum is not None and number < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {number}")
    if maximum is not None and number > maximum:
        raise ValueError(f"{name} must be at most {maximum}, got {number}")
    return int(number)


def check_callable(f: Any, name: str = "f") -> Callable[..., Any]:
    """``f`` if it can be called, else a TypeError naming ``name``.

    Examples
    --------
    >>> check_callable(3.0)
    Traceback (most recent call last):
    ...
    TypeError: f must be a function of one array, got float
    """
    if not callable(f):
        raise TypeError(f"{name} must be a function of one array, got {type(f).__name__}")
    return f


def check_choice(value: Any, name: str, choices: Iterable[str]) -> str:
    """``value`` if it is one of ``choices`` (strings), else an error listing them.

    Examples
    --------
    >>> check_choice("norm", "mode", ("norm", "value"))
    'norm'
    """
    options = tuple(choices)
    if not isinstance(value, str):
        raise TypeError(f"{name} must be one of {', '.join(map(repr, options))}; "
                        f"got {type(value).__name__}")
    if value not in options:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, options))}; got {value!r}")
    return value


def _show(original: Any, number: float) -> str:
    return repr(original) if isinstance(original, (int, float)) else f"{number!r}"
