"""Shared fixtures: the same backend test runs once per installed framework."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from d2lopt.backends import SUPPORTED, get_backend

INSTALLED = tuple(name for name in SUPPORTED if importlib.util.find_spec(name) is not None)


def pytest_report_header(config: pytest.Config) -> str:
    return f"d2lopt backends under test: {', '.join(INSTALLED)}"


@pytest.fixture(params=INSTALLED)
def backend(request: pytest.FixtureRequest):
    """The adapter of each installed framework (numpy, torch, tensorflow)."""
    return get_backend(request.param)


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20261123)


@pytest.fixture(params=tuple(name for name in INSTALLED if name != "numpy"))
def non_numpy_backend(request: pytest.FixtureRequest):
    """The adapter of each installed framework other than NumPy (to compare against NumPy)."""
    return get_backend(request.param)
