"""docs/_ext/d2lopt_stale.py: a rebuild reruns exactly the examples whose inputs changed.

A tiny Sphinx project (sphinx-gallery + the extension, pointed at a fake package
``tinypkg``) is built four times in a temporary folder; every example script
appends its name to a log file, so the log of a build says which examples ran.
"""

from __future__ import annotations

import sys
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


def _make_project(root: Path) -> None:
    write_conf(root, ["d2lopt_stale"], parallel=False, extra=EXTRA_CONF)
    (root / "tinypkg").mkdir()
    (root / "tinypkg" / "__init__.py").write_text("VALUE = 1\n")
    examples = root / "examples"
    examples.mkdir()
    (examples / "README.rst").write_text("Examples\n========\n")
    for name, imports, value in [
        ("a", "import tinypkg", "tinypkg.VALUE"),
        ("b", "from tinypkg import VALUE", "VALUE + 1"),
        ("c", "", "3"),
    ]:
        (examples / f"plot_{name}.py").write_text(
            EXAMPLE.format(name=name, imports=imports, value=value)
        )


@dataclass
class Project:
    """The tiny project in ``root``; its examples log their names to ``log``."""

    root: Path
    log: Path

    @property
    def stamp(self) -> Path:
        return self.root / "auto_examples" / ".tinypkg-source-hash"

    def build(self) -> list[str]:
        """Build the project; return the sorted names of the examples that ran."""
        sphinx_build(self.root, self.log, "-q")
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
    assert project.build() == ["a", "b", "c"]
    assert project.stamp.exists()
    return project


@pytest.mark.slow
def test_rebuild_reruns_what_changed(built: Project) -> None:
    first_hash = built.stamp.read_text().strip()

    assert built.build() == []  # nothing changed

    built.append("examples/plot_a.py", "# touched\n")
    assert built.build() == ["a"]  # sphinx-gallery's own md5 check

    built.append("tinypkg/__init__.py", "# changed\n")
    assert built.build() == ["a", "b"]  # the examples that use the package
    assert built.stamp.read_text().strip() != first_hash

    assert built.build() == []  # and the new stamp holds


@pytest.mark.slow
def test_no_stamp_without_running_the_examples(built: Project) -> None:
    """With ``plot_gallery=0`` the examples don't run, so the old stamp must stay."""
    before = built.stamp.read_text()

    built.append("tinypkg/__init__.py", "# changed\n")
    conf = built.root / "conf.py"
    conf.write_text(conf.read_text() + "plot_gallery = 'False'\n")
    assert built.build() == []
    assert built.stamp.read_text() == before

    conf.write_text(conf.read_text().replace("plot_gallery = 'False'\n", ""))
    assert built.build() == ["a", "b"]


def test_source_hash_tracks_paths_and_contents(tmp_path: Path) -> None:
    sys.path.insert(0, str(EXT_DIR))
    try:
        from d2lopt_stale import source_hash
    finally:
        sys.path.remove(str(EXT_DIR))
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
