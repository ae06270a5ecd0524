"""The examples in d2lopt's docstrings, run by pytest's own doctest collector.

pyproject.toml collects them with ``--doctest-modules --pyargs`` and the test path
``d2lopt``: the package is found the way ``import d2lopt`` finds it, so the
doctests run against the same copy as the tests (the working tree under
``PYTHONPATH=src``, the installed wheel in ``nox -s tests``).

A module that cannot be imported because an optional framework is missing
(``d2lopt.tensorflow`` without TensorFlow, ``d2lopt.nets`` without PyTorch) is
skipped, and so is an example that needs one (loading data with scikit-learn);
any other error fails. Each example runs in its own Matplotlib style context,
with its figures closed afterwards.

The hooks must also see the installed package, which lies outside this folder
(a conftest's hooks apply only below it): :func:`pytest_configure` registers
them as a plugin.
"""

from __future__ import annotations

import doctest
import importlib
import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

#: Top-level modules of the optional extras (``d2lopt[torch]``, ``[tensorflow]``, ``[jax]``,
#: ``[nets]``).
OPTIONAL = ("torch", "tensorflow", "jax", "sklearn")


def missing_optional(err: BaseException | None) -> str | None:
    """The optional framework whose absence caused ``err`` (or its causes), if any."""
    while err is not None:
        if isinstance(err, ImportError):
            top = (err.name or "").split(".")[0]
            if top in OPTIONAL and importlib.util.find_spec(top) is None:
                return top
        err = err.__cause__
    return None


def package_module(path: Path) -> str | None:
    """The dotted name of the d2lopt module in the file ``path``, if it is one."""
    spec = importlib.util.find_spec("d2lopt")
    if spec is None or spec.origin is None or path.suffix != ".py":
        return None
    package = Path(spec.origin).parent
    if not path.is_relative_to(package):
        return None
    parts = path.relative_to(package.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


class OptionalFrameworks:
    """Skip the doctests that need a framework which is not installed."""

    @pytest.hookimpl(tryfirst=True)
    def pytest_make_collect_report(
        self, collector: pytest.Collector
    ) -> pytest.CollectReport | None:
        name = package_module(collector.path) if isinstance(collector, pytest.File) else None
        if name is None:
            return None
        try:
            importlib.import_module(name)
        except ImportError as err:
            missing = missing_optional(err)
            if missing is None:
                return None  # a real error: pytest's own collection reports it
            reason = f"Skipped: {name} needs {missing}, which is not installed"
            return pytest.CollectReport(
                collector.nodeid, "skipped", (str(collector.path), 1, reason), []
            )
        return None

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Iterator[None]:
        report = yield
        error = call.excinfo.value if call.excinfo is not None else None
        if report.failed and isinstance(error, doctest.UnexpectedException):
            missing = missing_optional(error.exc_info[1])
            if missing is not None:
                report.outcome = "skipped"
                lineno = (error.test.lineno or 0) + error.example.lineno + 1
                report.longrepr = (
                    str(item.path), lineno, f"Skipped: {item.name} needs {missing}, not installed"
                )
        return report

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Iterator[None]:
        if package_module(item.path) is None:
            return (yield)
        import matplotlib

        try:
            with matplotlib.rc_context():  # an example may restyle Matplotlib
                return (yield)
        finally:
            pyplot = sys.modules.get("matplotlib.pyplot")
            if pyplot is not None:
                pyplot.close("all")


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(OptionalFrameworks(), "d2lopt-optional-frameworks")
