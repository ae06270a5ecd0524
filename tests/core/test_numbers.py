"""d2lopt.plot.numbers: numbers written as a person writes them, read back to the same value."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from d2lopt.plot.numbers import MINUS, format_number, format_uncertain

_SUPERSCRIPTS = dict(zip("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789", strict=True))


def read_back(text: str) -> float:
    """Parse what format_number wrote (Unicode form) back into a float."""
    text = text.replace(MINUS, "-")
    match = re.fullmatch(r"([+-]?[0-9.]+)(?: × 10([⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+))?", text)
    assert match, f"unexpected form {text!r}"
    exponent = int("".join(_SUPERSCRIPTS[c] for c in match.group(2))) if match.group(2) else 0
    return float(match.group(1)) * 10.0 ** exponent


finite = st.floats(allow_nan=False, allow_infinity=False, allow_subnormal=False,
                   min_value=-1e300, max_value=1e300)


@given(finite, st.integers(1, 8))
def test_the_text_reads_back_to_the_value_within_its_significant_figures(x, sig):
    text = format_number(x, sig)
    assert "e" not in text and "-" not in text  # no e-notation, no hyphen-minus
    if x == 0:
        assert text == "0"
        return
    assert math.isclose(read_back(text), x, rel_tol=0.51 * 10.0 ** (1 - sig))
    assert text.startswith(MINUS) == (x < 0)


@given(finite, st.integers(1, 6))
def test_the_tex_form_is_the_same_number(x, sig):
    tex = format_number(x, sig, latex=True)
    match = re.fullmatch(r"(-?[0-9.]+)(?: \\times 10\^\{(-?[0-9]+)\})?", tex)
    assert match, f"unexpected TeX {tex!r}"
    value = float(match.group(1)) * 10.0 ** int(match.group(2) or 0)
    assert value == read_back(format_number(x, sig))


@pytest.mark.parametrize(("x", "kwargs", "expected"), [
    (-0.5, {}, "−0.500"),
    (0.5, {"trim": True}, "0.5"),
    (6.647e-4, {}, "6.65 × 10⁻⁴"),
    (1e-3, {}, "0.00100"),
    (4.2773e8, {}, "4.28 × 10⁸"),
    (9.996, {}, "10.0"),
    (9.9996e-5, {}, "1.00 × 10⁻⁴"),
    (150, {}, "150"),
    (np.int64(-47), {}, "−47"),
    (np.float32(0.25), {"sig": 2}, "0.25"),
    (np.array(2.0), {}, "2.00"),
    (0.1, {"sign": True}, "+0.100"),
    (float("nan"), {}, "NaN"),
    (float("-inf"), {}, "−∞"),
    (-2.5e-12, {"latex": True}, r"-2.50 \times 10^{-12}"),
])
def test_examples(x, kwargs, expected):
    assert format_number(x, **kwargs) == expected


@pytest.mark.parametrize("bad", ["1.0", True, None, [1.0], np.zeros(2), 1 + 2j])
def test_what_is_not_a_real_number_is_refused(bad):
    with pytest.raises(TypeError, match="x must be a real number"):
        format_number(bad)


@pytest.mark.parametrize("sig", [0, -1, 2.5, True])
def test_significant_figures_must_be_a_positive_integer(sig):
    with pytest.raises(ValueError, match="sig must be a positive integer"):
        format_number(1.0, sig)


@pytest.mark.parametrize(("value", "error", "expected"), [
    (0.5, 0.0123, "0.500 ± 0.012"),
    (0.5, 0.0, "0.500 ± 0"),
    (12.3, 1.7, "12.3 ± 1.7"),
    (-3.0, 0.25, "−3.00 ± 0.25"),
    (1.234e-5, 5.6e-7, "(1.234 ± 0.056) × 10⁻⁵"),
])
def test_uncertain_values_share_the_error_decimal_place(value, error, expected):
    assert format_uncertain(value, error) == expected


def test_a_negative_error_is_refused():
    with pytest.raises(ValueError, match="error must be a non-negative number"):
        format_uncertain(1.0, -0.1)
