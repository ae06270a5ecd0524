"""docs/_ext/d2lopt_stale.py: a rebuild reruns exactly the examples whose inputs changed.

A tiny Sphinx project (sphinx-gallery + the extension, pointed at a fake package
``tinypkg`` with a core module and a ``chapter`` subpackage of section modules)
is built several times in a temporary folder; every example script appends its
name to a log file, so the log of a build says which examples ran. The notebook
side is checked on a jupyter-cache of two notebooks, without a build.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

pytest.importorskip("sphinx_gallery")

from tiny_gallery import EXT_DIR, sphinx_build, write_conf  # noqa: E402

EXTRA_CONF = """\
d2lopt_stale_package = "tinypkg"
d2lopt_stale_package_dir = str(HERE / "tinypkg")
"""


EXAMPLE = '''\
"""
Example {name}
==========

Appends its name to the run log.
"""

import os
{imports}
with open(os.environ["TINY_RUN_LOG"], "a") as log:
    log.write("{name}\\n")
print({value})
'''

#: The package: a core module and three section modules; ``two`` uses ``three``.
PACKAGE = {
    "__init__.py": "",
    "core.py": "VALUE = 1\n",
    "chapter/__init__.py": '"""Sections: tinypkg.chapter.one, tinypkg.chapter.two."""\n',
    "chapter/one.py": "from tinypkg.core import VALUE\n\nONE = VALUE\n",
    "chapter/two.py": "from tinypkg.chapter.three import THREE\n\nTWO = THREE - 1\n",
    "chapter/three.py": "from tinypkg import core\n\nTHREE = 3 * core.VALUE\n",
}

#: name -> (imports, printed value): ``a`` uses section one, ``b`` section two
#: (and so three), ``c`` no package, ``d`` the core only.
EXAMPLES = {
    "a": ("from tinypkg.chapter import one", "one.ONE"),
    "b": ("from tinypkg.chapter.two import TWO", "TWO"),
    "c": ("", "3"),
    "d": ("import tinypkg.core", "tinypkg.core.VALUE"),
}


def _make_project(root: Path) -> None:
    write_conf(root, ["d2lopt_stale"], parallel=False, extra=EXTRA_CONF)
    for relative, text in PACKAGE.items():
        path = root / "tinypkg" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    examples = root / "examples"
    examples.mkdir()
    (examples / "README.rst").write_text("Examples\n========\n")
    for name, (imports, value) in EXAMPLES.items():
        (examples / f"plot_{name}.py").write_text(
            EXAMPLE.format(name=name, imports=imports, value=value)
        )


@dataclass
class Project:
    """The tiny project in ``root``; its examples log their names to ``log``."""

    root: Path
    log: Path
    output: str = ""

    def stamp(self, name: str) -> Path:
        return self.root / "auto_examples" / f"plot_{name}.py.tinypkg-inputs"

    def build(self) -> list[str]:
        """Build the project; return the sorted names of the examples that ran."""
        result = sphinx_build(self.root, self.log)
        self.output = result.stdout + result.stderr
        return sorted(self.log.read_text().split())

    def append(self, relative: str, line: str) -> None:
        with open(self.root / relative, "a") as file:
            file.write(line)


@pytest.fixture
def built(tmp_path: Path) -> Project:
    """The tiny project after its first build, which runs every example."""
    project = Project(tmp_path / "proj", tmp_path / "runs.log")
    project.root.mkdir()
    _make_project(project.root)
    assert project.build() == ["a", "b", "c", "d"]
    for name in "abd":
        assert project.stamp(name).exists(), name
    assert not project.stamp("c").exists()  # does not use the package
    return project


@pytest.mark.slow
def test_rebuild_reruns_what_changed(built: Project) -> None:
    stamps = {name: built.stamp(name).read_text() for name in "abd"}

    assert built.build() == []  # nothing changed
    assert "d2lopt_stale:" not in built.output

    built.append("examples/plot_a.py", "# touched\n")
    assert built.build() == ["a"]  # sphinx-gallery's own md5 check

    built.append("tinypkg/chapter/one.py", "# changed\n")
    assert built.build() == ["a"]  # only the example importing section one
    assert "d2lopt_stale: 1 example(s) (one: 1)" in built.output

    built.append("tinypkg/chapter/three.py", "# changed\n")
    assert built.build() == ["b"]  # imported by section two, which b imports

    built.append("tinypkg/core.py", "# changed\n")
    assert built.build() == ["a", "b", "d"]  # every example that uses the package
    assert "3 example(s) (core: 3)" in built.output

    built.append("tinypkg/chapter/__init__.py", "# changed\n")
    assert built.build() == ["a", "b", "d"]  # the subpackage's __init__ counts as core

    for name in "abd":
        assert built.stamp(name).read_text() != stamps[name]
    assert built.build() == []  # and the new stamps hold


@pytest.mark.slow
def test_no_stamp_without_running_the_examples(built: Project) -> None:
    """With ``plot_gallery=0`` the examples don't run, so the old stamps must stay."""
    before = {name: built.stamp(name).read_text() for name in "abd"}

    built.append("tinypkg/chapter/one.py", "# changed\n")
    conf = built.root / "conf.py"
    conf.write_text(conf.read_text() + "plot_gallery = 'False'\n")
    assert built.build() == []
    assert {name: built.stamp(name).read_text() for name in "abd"} == before

    conf.write_text(conf.read_text().replace("plot_gallery = 'False'\n", ""))
    assert built.build() == ["a"]


@pytest.mark.slow
def test_version_1_stamps_are_honoured_once(built: Project) -> None:
    """A gallery left by the old extension (one full-source stamp) does not rerun at all."""
    stale = _extension()
    for name in "abd":
        built.stamp(name).unlink()
    old = built.root / "auto_examples" / ".tinypkg-source-hash"
    old.write_text(stale.source_hash(built.root / "tinypkg") + "\n")
    assert built.build() == []
    assert not old.exists()
    assert all(built.stamp(name).exists() for name in "abd")

    for name in "abd":  # without a matching old stamp: no record, so rerun
        built.stamp(name).unlink()
    assert built.build() == ["a", "b", "d"]


def _extension():
    sys.path.insert(0, str(EXT_DIR))
    try:
        import d2lopt_stale
    finally:
        sys.path.remove(str(EXT_DIR))
    return d2lopt_stale


def test_source_hash_tracks_paths_and_contents(tmp_path: Path) -> None:
    source_hash = _extension().source_hash
    (tmp_path / "m.py").write_text("x = 1\n")
    (tmp_path / "notes.txt").write_text("not source")
    h0 = source_hash(tmp_path)
    (tmp_path / "notes.txt").write_text("still not source")
    assert source_hash(tmp_path) == h0
    (tmp_path / "m.py").write_text("x = 2\n")
    h1 = source_hash(tmp_path)
    assert h1 != h0
    (tmp_path / "m.py").rename(tmp_path / "n.py")
    assert source_hash(tmp_path) not in (h0, h1)
    with pytest.raises(ValueError, match="d2lopt_stale_package_dir"):
        source_hash(tmp_path / "missing")


@pytest.fixture
def package(tmp_path: Path) -> Path:
    for relative, text in PACKAGE.items():
        path = tmp_path / "tinypkg" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path / "tinypkg"


def test_inputs_follow_the_section_imports(package: Path) -> None:
    stale = _extension()
    inputs = stale.PackageInputs.read(package, "tinypkg")
    assert sorted(inputs.modules) == ["one", "three", "two"]
    assert inputs.source == stale.source_hash(package)
    assert inputs.core_imports == frozenset()
    assert inputs.closure({"two"}) == {"two", "three"}
    assert inputs.closure({"*"}) == {"one", "two", "three"}
    assert inputs.closure({"SECTIONS", "missing"}) == set()
    records = {
        name: inputs.of_code(EXAMPLE.format(name=name, imports=imports, value=value))
        for name, (imports, value) in EXAMPLES.items()
    }
    assert records["c"] is None
    assert sorted(records["a"]["modules"]) == ["one"]
    assert sorted(records["b"]["modules"]) == ["three", "two"]
    assert records["d"]["modules"] == {}
    assert len({records[n]["inputs"] for n in "abd"}) == 3

    (package / "chapter" / "one.py").write_text("ONE = 2\n")
    changed = stale.PackageInputs.read(package, "tinypkg")
    assert changed.core == inputs.core
    assert changed.of_code("from tinypkg.chapter import one") != inputs.of_code(
        "from tinypkg.chapter import one"
    )
    assert changed.of_code("from tinypkg.chapter import two") == inputs.of_code(
        "from tinypkg.chapter import two"
    )
    assert stale.why_changed(
        inputs.of_code("import tinypkg.chapter.one"), changed.of_code("import tinypkg.chapter.one")
    ) == ["one"]


def test_a_core_module_that_imports_a_section_makes_it_everyones_input(package: Path) -> None:
    stale = _extension()
    (package / "core.py").write_text('"""Not tinypkg.chapter.one."""\nVALUE = 1\n')
    assert stale.PackageInputs.read(package, "tinypkg").core_imports == frozenset()
    (package / "core.py").write_text("def f():\n    from tinypkg.chapter import one\n")
    inputs = stale.PackageInputs.read(package, "tinypkg")
    assert inputs.core_imports == {"one"}
    assert sorted(inputs.of_code("import tinypkg")["modules"]) == ["one"]


@pytest.fixture
def notebook_cache(tmp_path: Path) -> Iterator[tuple[Path, dict[str, str]]]:
    """A jupyter-cache holding two 'executed' notebooks: section one's and section two's."""
    jupyter_cache = pytest.importorskip("jupyter_cache")
    import nbformat
    from jupyter_cache.base import CacheBundleIn

    cache_dir = tmp_path / "_build" / ".jupyter_cache"
    cache = jupyter_cache.get_cache(str(cache_dir))
    uris = {}
    for section in ("one", "two"):
        nb = nbformat.v4.new_notebook(
            cells=[nbformat.v4.new_code_cell(f"from tinypkg.chapter import {section}")]
        )
        uri = str(tmp_path / f"{section}.md")
        cache.cache_notebook_bundle(CacheBundleIn(nb, uri), check_validity=False)
        uris[section] = uri
    yield cache_dir, uris


def test_notebooks_whose_sections_changed_are_dropped(
    package: Path, notebook_cache: tuple[Path, dict[str, str]]
) -> None:
    stale = _extension()
    cache_dir, uris = notebook_cache
    inputs = stale.PackageInputs.read(package, "tinypkg")
    assert stale.invalidate_notebooks(cache_dir, inputs) == {  # no stamps yet
        uris["one"]: ["no record"], uris["two"]: ["no record"]
    }
    _recache(cache_dir, uris)
    assert stale.write_notebook_stamps(cache_dir, inputs) == 2
    stamp_map = cache_dir.with_name(".jupyter_cache.tinypkg-inputs.json")
    recorded = json.loads(stamp_map.read_text())
    assert sorted(entry["references"] for entry in recorded.values()) == [["one"], ["two"]]
    assert stale.invalidate_notebooks(cache_dir, inputs) == {}  # nothing changed

    (package / "chapter" / "three.py").write_text("THREE = 4\n")
    changed = stale.PackageInputs.read(package, "tinypkg")
    assert stale.invalidate_notebooks(cache_dir, changed) == {uris["two"]: ["three"]}
    from jupyter_cache import get_cache

    left = [r.uri for r in get_cache(str(cache_dir)).list_cache_records()]
    assert left == [uris["one"]]


def _recache(cache_dir: Path, uris: dict[str, str]) -> None:
    import nbformat
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    cache = get_cache(str(cache_dir))
    for section, uri in uris.items():
        nb = nbformat.v4.new_notebook(
            cells=[nbformat.v4.new_code_cell(f"from tinypkg.chapter import {section}")]
        )
        cache.cache_notebook_bundle(CacheBundleIn(nb, uri), check_validity=False, overwrite=True)
