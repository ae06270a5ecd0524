"""Shared fixtures: the same backend test runs once per installed framework."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from d2lopt.backends import get_backend, installed

INSTALLED = installed()


def pytest_report_header(config: pytest.Config) -> str:
    return f"d2lopt backends under test: {', '.join(INSTALLED)}"


@pytest.fixture(params=INSTALLED)
def backend(request: pytest.FixtureRequest):
    """The adapter of each installed framework (numpy, torch, tensorflow, jax)."""
    return get_backend(request.param)


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20261123)


@pytest.fixture(params=tuple(name for name in INSTALLED if name != "numpy"))
def non_numpy_backend(request: pytest.FixtureRequest):
    """The adapter of each installed framework other than NumPy (to compare against NumPy)."""
    return get_backend(request.param)


@pytest.fixture
def framework_dtype(backend) -> Callable[[str], Any]:
    """The dtype object called ``kind`` ("float32", "int64") of ``backend``'s framework.

    Looked up in the adapter's array module, else in the framework's top-level module.
    """

    def dtype(kind: str) -> Any:
        found = getattr(backend.xp, kind, None)
        return found if found is not None else getattr(importlib.import_module(backend.name), kind)

    return dtype
