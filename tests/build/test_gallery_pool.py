"""docs/_ext/d2lopt_gallery_pool.py: every section's examples in one worker pool.

A tiny sphinx-gallery project with two sections is built with ``parallel=2``
and the extension. Each example appends its name and process id to a log, so
the log says which examples ran, how often, and in how many processes; the
generated pages must hold each example's own output.
"""

from __future__ import annotations

import importlib
import os
import re
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version
from sphinx.errors import ExtensionError

pytest.importorskip("sphinx_gallery")
pytest.importorskip("joblib")

from tiny_gallery import EXT_DIR, sphinx_build, write_conf  # noqa: E402

EXAMPLE = '''\
"""
Example {name}
==========

Logs its name and process.
"""

import os
import time

time.sleep({sleep})
with open(os.environ["TINY_RUN_LOG"], "a") as log:
    log.write(f"{name} {{os.getpid()}}\\n")
print("output of {name}:", {value})
'''

SECTIONS = {"s1": [("a", 0.5, 11), ("b", 0.0, 22)], "s2": [("c", 0.5, 33), ("d", 0.0, 44)]}


def _make_project(root: Path, parallel: object) -> None:
    root.mkdir()
    write_conf(root, ["d2lopt_gallery_pool"], parallel=parallel)
    examples = root / "examples"
    examples.mkdir()
    (examples / "README.rst").write_text("Examples\n========\n")
    for section, items in SECTIONS.items():
        (examples / section).mkdir()
        (examples / section / "README.rst").write_text(f"{section}\n{'-' * len(section)}\n")
        for name, sleep, value in items:
            (examples / section / f"plot_{name}.py").write_text(
                EXAMPLE.format(name=name, sleep=sleep, value=value)
            )


def _build(root: Path, log: Path) -> tuple[list[tuple[str, str]], str]:
    """Build; return the (example, pid) lines of the run log and sphinx's output."""
    result = sphinx_build(root, log, "-W", timeout=180)
    runs = [tuple(line.split()) for line in log.read_text().splitlines()]
    return sorted(runs), result.stdout + result.stderr


@pytest.mark.slow
def test_pool_runs_each_example_of_every_section_once(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    _make_project(root, parallel=2)
    log = tmp_path / "runs.log"

    runs, output = _build(root, log)
    assert [name for name, _ in runs] == ["a", "b", "c", "d"]  # each exactly once
    assert len({pid for _, pid in runs}) == 2  # in the two workers of one pool
    assert str(os.getpid()) not in {pid for _, pid in runs}
    assert "d2lopt_gallery_pool: 4 of 4 examples executed" in output
    for section, items in SECTIONS.items():
        for name, _, value in items:
            page = (root / "auto_examples" / section / f"plot_{name}.rst").read_text()
            assert f"output of {name}: {value}" in page
        index = (root / "auto_examples" / section / "index.rst").read_text()
        assert all(f"plot_{name}" in index for name, _, _ in items)
    html = (root / "_build" / "auto_examples" / "s2" / "plot_c.html").read_text()
    assert "output of c: 33" in html

    runs, output = _build(root, log)  # nothing changed: nothing runs
    assert runs == []
    assert "0 of 4 examples executed (0 sent to the pool)" in output  # no pool started

    with open(root / "examples" / "s2" / "plot_d.py", "a") as script:
        script.write("# touched\n")
    runs, output = _build(root, log)
    assert [name for name, _ in runs] == ["d"]
    assert "1 of 4 examples executed (1 sent to the pool)" in output


@pytest.mark.slow
def test_pool_stays_out_of_serial_builds(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    _make_project(root, parallel=False)
    log = tmp_path / "runs.log"
    runs, output = _build(root, log)
    assert [name for name, _ in runs] == ["a", "b", "c", "d"]
    assert {pid for _, pid in runs} == {runs[0][1]}  # one process: sphinx-gallery's own
    assert "d2lopt_gallery_pool" not in output


# -- The guard on sphinx-gallery's internals --------------------------------------------


@pytest.fixture
def pool():
    """The extension module (docs/_ext/d2lopt_gallery_pool.py)."""
    sys.path.insert(0, str(EXT_DIR))
    try:
        return importlib.import_module("d2lopt_gallery_pool")
    finally:
        sys.path.remove(str(EXT_DIR))


def test_installed_sphinx_gallery_passes_the_guard(pool) -> None:
    import sphinx_gallery

    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    pool.check_sphinx_gallery()  # no error
    supported = SpecifierSet(pool.SPHINX_GALLERY_VERSIONS)
    assert Version(sphinx_gallery.__version__) in supported
    with open(EXT_DIR.parents[1] / "pyproject.toml", "rb") as file:
        extras = tomllib.load(file)["project"]["optional-dependencies"]
    for extra in ("docs", "test"):  # pinned to the range the extension was written for
        pins = [Requirement(r) for r in extras[extra] if r.startswith("sphinx-gallery")]
        assert [pin.specifier for pin in pins] == [supported]


@pytest.mark.parametrize("dotted", [
    "sphinx_gallery.gen_gallery._prepare_sphx_glr_dirs",
    "sphinx_gallery.gen_gallery._collect_gallery_files",
    "sphinx_gallery.gen_gallery.get_subsections",
    "sphinx_gallery.gen_rst.generate_file_rst",
    "sphinx_gallery.gen_rst.generate_dir_rst",
])
def test_guard_fails_loudly_when_a_function_is_gone(pool, monkeypatch, dotted) -> None:
    import sphinx_gallery

    module_name, _, name = dotted.rpartition(".")
    assert dotted in pool.REQUIRED
    monkeypatch.delattr(importlib.import_module(module_name), name)
    version = re.escape(sphinx_gallery.__version__)
    message = rf"sphinx-gallery {version} differs: {dotted} is missing"
    with pytest.raises(ExtensionError, match=message):
        pool.check_sphinx_gallery()


def test_guard_fails_loudly_on_a_changed_signature(pool, monkeypatch) -> None:
    import sphinx_gallery.gen_rst as gen_rst

    def generate_file_rst(fname, src_dir, target_dir, gallery_conf):  # two swapped
        raise AssertionError("not called")

    monkeypatch.setattr(gen_rst, "generate_file_rst", generate_file_rst)
    with pytest.raises(ExtensionError, match=r"takes \(fname, src_dir, target_dir, gallery_conf\)"):
        pool.check_sphinx_gallery()


def test_guard_fails_loudly_when_the_patched_call_is_gone(pool, monkeypatch) -> None:
    import sphinx_gallery.gen_rst as gen_rst

    def generate_dir_rst(src_dir, target_dir, gallery_conf, *args):
        return [gen_rst.run_example(f) for f in src_dir]  # no longer the patched global

    monkeypatch.setattr(gen_rst, "generate_dir_rst", generate_dir_rst)
    with pytest.raises(ExtensionError, match="no longer calls the module global generate_file_rst"):
        pool.check_sphinx_gallery()


def test_guard_runs_at_setup(pool, monkeypatch) -> None:
    """A build with an incompatible sphinx-gallery stops when the extension loads."""
    import sphinx_gallery.gen_rst as gen_rst

    monkeypatch.delattr(gen_rst, "generate_file_rst")
    with pytest.raises(ExtensionError, match="written for sphinx-gallery >=0.22,<0.23"):
        pool.setup(None)  # before it touches the application
