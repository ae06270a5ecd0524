"""docs/_ext/autosummary_stamp.py: API stubs are generated again only when an input changed.

A tiny Sphinx project with one autosummary table (a d2lopt module, so the digest
covers a real package) is built several times; the log says whether autosummary
generated, and the stub's modification time whether it was written.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

pytest.importorskip("sphinx")

from sphinx.cmd.build import build_main  # noqa: E402

EXT_DIR = Path(__file__).resolve().parents[2] / "docs" / "_ext"
sys.path.insert(0, str(EXT_DIR))
from autosummary_stamp import _STAMP  # noqa: E402

CONF = f"""\
import sys
sys.path.insert(0, {str(EXT_DIR)!r})
extensions = ["sphinx.ext.autodoc", "sphinx.ext.autosummary", "autosummary_stamp"]
autosummary_generate = ["index.rst"]
templates_path = ["_templates"]
"""

INDEX = """\
Tiny
====

.. autosummary::
   :toctree: gen_modules

   {module}
"""

STUB = Path("gen_modules") / "d2lopt.plot.numbers.rst"


def _project(root: Path, module: str = "d2lopt.plot.numbers") -> Path:
    src = root / "src"
    (src / "_templates").mkdir(parents=True)
    (src / "conf.py").write_text(CONF)
    (src / "index.rst").write_text(INDEX.format(module=module))
    return src


def _build(src: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """Build the project; its log, warnings included."""
    out = src.parent / "html"
    status = build_main(["-b", "html", "-d", str(out / ".doctrees"), str(src), str(out)])
    assert status == 0
    log = capsys.readouterr()
    return log.out + log.err


def test_a_rebuild_with_nothing_changed_does_not_generate(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = _project(tmp_path)
    first = _build(src, capsys)
    assert "generating autosummary for" in first and (src / STUB).is_file()
    written = (src / STUB).stat().st_mtime_ns

    second = _build(src, capsys)
    assert "generating autosummary for" not in second
    assert "API stubs up to date" in second
    assert (src / STUB).stat().st_mtime_ns == written
    assert "0 added, 0 changed, 0 removed" in second
    # the setting was restored before the environment was saved: no configuration change
    assert "configuration has changed" not in second


def test_a_changed_input_or_a_missing_stub_generates_again(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = _project(tmp_path)
    _build(src, capsys)

    (src / STUB).unlink()
    assert "generating autosummary for" in _build(src, capsys)
    assert (src / STUB).is_file()

    (src / "_templates" / "note.txt").write_text("a template folder changed")
    assert "generating autosummary for" in _build(src, capsys)

    (src / "index.rst").write_text(INDEX.format(module="d2lopt.plot.numbers") + "\nMore.\n")
    assert "generating autosummary for" in _build(src, capsys)
    assert "API stubs up to date" in _build(src, capsys)


def test_no_stamp_when_generating_warned(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    src = _project(tmp_path, module="d2lopt.no_such_module")
    for _ in range(2):  # the warning comes back: nothing was stamped
        log = _build(src, capsys)
        assert "generating autosummary for" in log and "no_such_module" in log
        assert not (tmp_path / "html" / ".doctrees" / _STAMP).exists()
