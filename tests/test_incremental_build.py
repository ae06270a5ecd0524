"""docs/_ext/d2lopt_stale.py: a rebuild reruns exactly the examples whose inputs changed.

A tiny Sphinx project (sphinx-gallery + the extension, pointed at a fake package
``tinypkg``) is built four times in a temporary folder; every example script
appends its name to a log file, so the log of a build says which examples ran.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("sphinx_gallery")

EXT_DIR = Path(__file__).resolve().parents[1] / "docs" / "_ext"

CONF = """\
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, {ext_dir!r})
sys.path.insert(0, str(HERE))  # tinypkg, for the examples

project = "tiny"
extensions = ["sphinx_gallery.gen_gallery", "d2lopt_stale"]
exclude_patterns = ["_build"]
d2lopt_stale_package = "tinypkg"
d2lopt_stale_package_dir = str(HERE / "tinypkg")
sphinx_gallery_conf = {{
    "examples_dirs": "examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "image_scrapers": (),
    "abort_on_example_error": True,
    "write_computation_times": False,
    "download_all_examples": False,
    "parallel": False,
}}
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
    (root / "conf.py").write_text(CONF.format(ext_dir=str(EXT_DIR)))
    (root / "index.rst").write_text(
        "Tiny\n====\n\n.. toctree::\n\n   auto_examples/index\n"
    )
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
    log.write_text("")
    env = {**os.environ, "TINY_RUN_LOG": str(log), "MPLBACKEND": "agg"}
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-q", "-b", "html", str(root), str(root / "_build")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
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
