"""docs/_ext/d2lopt_stale.py: a rebuild reruns exactly the examples whose inputs changed.

A tiny Sphinx project (sphinx-gallery + the extension, pointed at a fake package
``tinypkg``) is built four times in a temporary folder; every example script
appends its name to a log file, so the log of a build says which examples ran.
"""

from __future__ import annotations

import sys
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


def _build(root: Path, log: Path) -> list[str]:
    """Build the project; return the sorted names of the examples that ran."""
    sphinx_build(root, log, "-q")
    return sorted(log.read_text().split())


@pytest.mark.slow
def test_rebuild_reruns_what_changed(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    root.mkdir()
    _make_project(root)
    log = tmp_path / "runs.log"
    stamp = root / "auto_examples" / ".tinypkg-source-hash"

    assert _build(root, log) == ["a", "b", "c"]
    assert stamp.exists()
    first_hash = stamp.read_text().strip()

    assert _build(root, log) == []  # nothing changed

    with open(root / "examples" / "plot_a.py", "a") as script:
        script.write("# touched\n")
    assert _build(root, log) == ["a"]  # sphinx-gallery's own md5 check

    with open(root / "tinypkg" / "__init__.py", "a") as module:
        module.write("# changed\n")
    assert _build(root, log) == ["a", "b"]  # the examples that use the package
    assert stamp.read_text().strip() != first_hash

    assert _build(root, log) == []  # and the new stamp holds


@pytest.mark.slow
def test_no_stamp_without_running_the_examples(tmp_path: Path) -> None:
    """With ``plot_gallery=0`` the examples don't run, so the old stamp must stay."""
    root = tmp_path / "proj"
    root.mkdir()
    _make_project(root)
    log = tmp_path / "runs.log"
    stamp = root / "auto_examples" / ".tinypkg-source-hash"
    assert _build(root, log) == ["a", "b", "c"]
    before = stamp.read_text()

    with open(root / "tinypkg" / "__init__.py", "a") as module:
        module.write("# changed\n")
    (root / "conf.py").write_text((root / "conf.py").read_text() + "plot_gallery = 'False'\n")
    assert _build(root, log) == []
    assert stamp.read_text() == before

    (root / "conf.py").write_text(
        (root / "conf.py").read_text().replace("plot_gallery = 'False'\n", "")
    )
    assert _build(root, log) == ["a", "b"]


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
