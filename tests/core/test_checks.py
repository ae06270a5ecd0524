"""d2lopt._checks: one message per kind of mistake, and every kind of scalar accepted."""

from __future__ import annotations

import math

import numpy as np
import pytest

from d2lopt._checks import check_callable, check_choice, check_integer, check_real


def test_every_backend_0d_scalar_is_a_number(backend):
    assert check_real(backend.tensor(0.25), "lr") == 0.25
    assert check_integer(backend.tensor(7.0), "steps") == 7


@pytest.mark.parametrize("value", [0.5, np.float32(0.5), np.float64(0.5), np.array(0.5), 1 / 2])
def test_python_and_numpy_scalars(value):
    assert check_real(value, "lr", positive=True) == 0.5


@pytest.mark.parametrize(("value", "kwargs", "error", "message"), [
    (True, {}, TypeError, "lr must be a number, got the bool True"),
    ("0.1", {}, TypeError, "lr must be a number"),
    (np.zeros(2), {}, TypeError, "lr must be a number"),
    (1j, {}, TypeError, "lr must be a real number"),
    (math.nan, {}, ValueError, "lr must be a finite number"),
    (math.inf, {}, ValueError, "lr must be a finite number"),
    (0.0, {"positive": True}, ValueError, "lr must be positive, got 0.0"),
    (-1e-9, {"nonnegative": True}, ValueError, "lr must be zero or positive"),
    (1.0, {"below": 1.0}, ValueError, "lr must be below 1, got 1.0"),
])
def test_bad_reals_name_the_argument(value, kwargs, error, message):
    with pytest.raises(error, match=message):
        check_real(value, "lr", **kwargs)


def test_infinity_is_allowed_when_asked():
    assert check_real(math.inf, "threshold", finite=False) == math.inf
    with pytest.raises(ValueError, match="finite"):
        check_real(math.nan, "threshold", finite=False)


@pytest.mark.parametrize(("value", "kwargs", "error", "message"), [
    (2.5, {}, ValueError, "steps must be a whole number, got 2.5"),
    (math.inf, {}, ValueError, "steps must be a whole number"),
    (-1, {"minimum": 0}, ValueError, "steps must be at least 0, got -1"),
    (11, {"maximum": 10}, ValueError, "steps must be at most 10, got 11"),
    (False, {}, TypeError, "steps must be a number, got the bool False"),
])
def test_bad_integers_name_the_argument(value, kwargs, error, message):
    with pytest.raises(error, match=message):
        check_integer(value, "steps", **kwargs)


def test_integers_from_numpy_and_whole_floats():
    assert check_integer(np.int64(3), "n") == 3
    assert type(check_integer(3.0, "n")) is int


def test_callable_and_choice():
    assert check_callable(abs) is abs
    with pytest.raises(TypeError, match="loss must be a function"):
        check_callable(None, "loss")
    assert check_choice("value", "mode", ["norm", "value"]) == "value"
    with pytest.raises(ValueError, match="mode must be one of 'norm', 'value'; got 'max'"):
        check_choice("max", "mode", ["norm", "value"])
    with pytest.raises(TypeError, match="mode must be one of"):
        check_choice(1, "mode", ["norm", "value"])
