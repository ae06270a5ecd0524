r"""Numbers as a person writes them, for the chapter's prose, tables, titles and printed sentences.

:func:`format_number` writes a real minus sign (U+2212), a chosen number of
significant figures, plain decimals from about :math:`10^{-3}` to
:math:`10^{6}`, and :math:`a \times 10^{n}` outside that range, never
computer e-notation such as ``1e-05``.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

__all__ = ["MINUS", "format_number", "format_uncertain"]

#: The minus sign, U+2212 (a hyphen-minus is shorter and sits lower).
MINUS = "\u2212"
_SUPERSCRIPT = str.maketrans("-0123456789", "\u207b\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076"
                             "\u2077\u2078\u2079")


def _check_real(x: object, name: str) -> float:
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, (numbers.Real, np.floating,
                                                                np.integer)):
        if isinstance(x, np.ndarray) and x.ndim == 0 and np.isrealobj(x):
            return float(x)
        raise TypeError(f"{name} must be a real number, got {type(x).__name__}")
    return float(x)


def format_number(x: float, sig: int = 3, *, small: float = 1e-3, large: float = 1e6,
                  trim: bool = False, sign: bool = False, latex: bool = False) -> str:
    r"""Write ``x`` with ``sig`` significant figures, as in a textbook.

    Parameters
    ----------
    x : real number
        A Python, NumPy or 0-d array number. Integers below ``large`` are written
        exactly (``150``, not ``150.``).
    sig : int, default 3
        Significant figures.
    small, large : float
        Magnitudes below ``small`` or at least ``large`` are written
        :math:`a \times 10^{n}`; zero is always ``0``.
    trim : bool, default False
        Drop trailing zeros after the decimal point (``0.5`` instead of ``0.500``).
    sign : bool, default False
        Write ``+`` before positive numbers (for changes and differences).
    latex : bool, default False
        Return TeX for math mode (``-4.28 \times 10^{8}``) instead of Unicode text
        (``−4.28 × 10⁸``).

    Returns
    -------
    str

    Raises
    ------
    TypeError
        If ``x`` is not a real number (a bool, a string, an array with more than one element).
    ValueError
        If ``sig`` is not a positive integer.

    Examples
    --------
    >>> format_number(-0.5)
    '−0.500'
    >>> format_number(6.647e-4)
    '6.65 × 10⁻⁴'
    >>> format_number(4.2773e8, latex=True)
    '4.28 \\times 10^{8}'
    >>> format_number(150), format_number(0.25, trim=True), format_number(0.0)
    ('150', '0.25', '0')
    """
    if isinstance(sig, bool) or not isinstance(sig, (int, np.integer)) or sig < 1:
        raise ValueError(f"sig must be a positive integer (significant figures), got {sig!r}")
    value = _check_real(x, "x")
    minus = "-" if latex else MINUS
    if math.isnan(value):
        return r"\mathrm{NaN}" if latex else "NaN"
    if math.isinf(value):
        return (minus if value < 0 else "") + (r"\infty" if latex else "\u221e")
    prefix = minus if value < 0 else ("+" if sign and value > 0 else "")
    magnitude = abs(value)
    if magnitude == 0:
        return "0"
    is_integer = isinstance(x, (numbers.Integral, np.integer)) and not isinstance(x, bool)
    if is_integer and magnitude < large:
        return prefix + str(int(magnitude))
    # Python's own rounding to sig figures gives the mantissa and exponent (9.996 -> 1.00e+01).
    mantissa_text, exponent_text = f"{magnitude:.{sig - 1}e}".split("e")
    exponent = int(exponent_text)
    if small <= magnitude < large:
        decimals = max(0, sig - 1 - exponent)
        text = f"{magnitude:.{decimals}f}"
        if trim and "." in text:
            text = text.rstrip("0").rstrip(".")
        return prefix + text
    digits = mantissa_text
    if trim and "." in digits:
        digits = digits.rstrip("0").rstrip(".")
    if latex:
        return f"{prefix}{digits} \\times 10^{{{exponent}}}"
    return f"{prefix}{digits} \u00d7 10{str(exponent).translate(_SUPERSCRIPT)}"


def format_uncertain(value: float, error: float, sig: int = 2, *, small: float = 1e-3,
                     large: float = 1e6, latex: bool = False) -> str:
    r"""``value ± error``, both written to the decimal place of the error's last figure.

    When ``value`` is outside ``[small, large)`` the pair shares one power of
    ten: ``(1.23 ± 0.05) × 10⁻⁵``.

    Parameters
    ----------
    value, error : real numbers
        The estimate and its (non-negative) standard error.
    sig : int, default 2
        Significant figures of the error.
    small, large, latex
        As for :func:`format_number`.

    Examples
    --------
    >>> format_uncertain(0.5, 0.0123)
    '0.500 ± 0.012'
    >>> format_uncertain(-1.23456, 0.0)
    '−1.23 ± 0'
    >>> format_uncertain(1.234e-5, 5.6e-7)
    '(1.234 ± 0.056) × 10⁻⁵'
    """
    value_f, error_f = _check_real(value, "value"), _check_real(error, "error")
    if not error_f >= 0:
        raise ValueError(f"error must be a non-negative number, got {error!r}")
    pm = r" \pm " if latex else " \u00b1 "
    options = {"small": small, "large": large, "latex": latex}
    if error_f == 0 or not math.isfinite(error_f) or not math.isfinite(value_f):
        return format_number(value_f, **options) + pm + format_number(error_f, sig, **options)
    error_exponent = math.floor(math.log10(error_f)) - (sig - 1)  # place of its last figure
    shared = 0
    if not small <= abs(value_f) < large:
        shared = math.floor(math.log10(abs(value_f))) if value_f else error_exponent
    decimals = max(0, shared - error_exponent)
    minus = "-" if latex else MINUS
    body = (f"{minus if value_f < 0 else ''}{abs(value_f) / 10 ** shared:.{decimals}f}"
            f"{pm}{error_f / 10 ** shared:.{decimals}f}")
    if shared == 0:
        return body
    if latex:
        return f"({body}) \\times 10^{{{shared}}}"
    return f"({body}) \u00d7 10{str(shared).translate(_SUPERSCRIPT)}"
