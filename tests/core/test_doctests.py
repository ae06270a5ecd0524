"""Run the examples in the package's docstrings, one test per module.

A module that needs an optional dependency which is not installed (``d2lopt.tensorflow``
without TensorFlow, an example that loads data with scikit-learn where it is absent) is
skipped; any other error fails.
"""

from __future__ import annotations

import doctest
import importlib
import importlib.util
import sys
from pathlib import Path

import matplotlib
import pytest

import d2lopt

PACKAGE = Path(d2lopt.__file__).parent
#: Top-level modules of the optional extras (``d2lopt[torch]``, ``[tensorflow]``, ``[jax]``...).
OPTIONAL = ("torch", "tensorflow", "jax", "sklearn")


def module_names() -> list[str]:
    names = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names.append(".".join(parts))
    return names


def missing_optional(err: BaseException) -> str | None:
    """The optional dependency whose absence caused ``err``, if that is what happened."""
    while err is not None:
        if isinstance(err, ImportError):
            top = (err.name or "").split(".")[0]
            if top in OPTIONAL and importlib.util.find_spec(top) is None:
                return top
        err = err.__cause__
    return None


def import_or_skip(name: str):
    try:
        return importlib.import_module(name)
    except ImportError as err:
        missing = missing_optional(err)
        if missing:
            pytest.skip(f"{name} needs {missing}, which is not installed")
        raise


class Runner(doctest.DocTestRunner):
    """A doctest runner that remembers the exceptions raised by examples."""

    def __init__(self) -> None:
        super().__init__(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
        self.errors: list[BaseException] = []

    def report_unexpected_exception(self, out, test, example, exc_info) -> None:
        self.errors.append(exc_info[1])
        super().report_unexpected_exception(out, test, example, exc_info)


def test_every_module_is_collected():
    names = module_names()
    for expected in ("d2lopt", "d2lopt.derivatives", "d2lopt.critical", "d2lopt.backends",
                     "d2lopt.landscapes.base", "d2lopt.landscapes.classic"):
        assert expected in names


@pytest.mark.parametrize("name", module_names())
def test_docstring_examples(name):
    module = import_or_skip(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = Runner()
    tests = finder.find(module, name)  # each test runs in a copy of the module globals
    if not any(t.examples for t in tests):
        pytest.skip(f"{name} has no docstring examples")
    report: list[str] = []
    with matplotlib.rc_context():  # examples may restyle matplotlib: keep it to this test
        for test in tests:
            runner.run(test, out=report.append)
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
    result = runner.summarize(verbose=False)
    missing = {missing_optional(err) for err in runner.errors} - {None}
    if missing:
        pytest.skip(f"examples in {name} need {', '.join(sorted(missing))}, not installed")
    assert result.failed == 0, "".join(report)
