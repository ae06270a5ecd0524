"""Shared fixtures: the same backend test runs once per installed framework."""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from d2lopt.backends import get_backend, installed

INSTALLED = installed()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--only-framework", action="append", default=[], metavar="NAME",
        help="run only the tests of framework NAME (repeatable): instances of parametrized tests "
             "whose parameters name it, tests and doctests whose id names it, and tests that "
             "loop over every installed framework. `nox -s tests_tensorflow` / `tests_jax` use "
             "it: the rest ran in `nox -s tests`.",
    )


def pytest_report_header(config: pytest.Config) -> str:
    only = config.getoption("--only-framework")
    suffix = f" (only the tests of {', '.join(only)})" if only else ""
    return f"d2lopt backends under test: {', '.join(INSTALLED)}{suffix}"


def names_framework(item: pytest.Item, framework: str) -> bool:
    """Whether ``item`` is a test of ``framework``: a parameter or its id names it."""
    callspec = getattr(item, "callspec", None)
    if callspec is not None and any(
        (isinstance(value, str) and value == framework)
        or getattr(value, "name", None) == framework  # a Backend adapter
        for value in callspec.params.values()
    ):
        return True
    return framework in item.nodeid.replace("-", "_").replace("/", "_").split("_") or (
        f"{framework}." in item.nodeid or f"[{framework}" in item.nodeid
        or f"-{framework}" in item.nodeid)


#: Names by which a test loops over every installed framework itself (not parametrized).
EVERY_FRAMEWORK = ("snippet_outputs(", "installed()", "INSTALLED", "BACKENDS")


def runs_every_framework(item: pytest.Item) -> bool:
    """Whether ``item``'s test function loops over the installed frameworks itself."""
    function = getattr(item, "function", None)
    try:
        source = inspect.getsource(function) if function is not None else ""
    except (OSError, TypeError):
        return False
    return any(name in source for name in EVERY_FRAMEWORK)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    only = config.getoption("--only-framework")
    if not only:
        return
    unknown = sorted(set(only) - set(INSTALLED))
    if unknown:
        raise pytest.UsageError(
            f"--only-framework {', '.join(unknown)}: not installed here "
            f"(installed: {', '.join(INSTALLED)}); install its extra, e.g. pip install \".[jax]\"")
    keep, drop = [], []
    for item in items:
        ours = runs_every_framework(item) or any(names_framework(item, name) for name in only)
        (keep if ours else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


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
