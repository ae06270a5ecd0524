"""docs/_ext/d2lopt_gallery_pool.py: every section's examples in one worker pool.

A tiny sphinx-gallery project with two sections is built with ``parallel=2``
and the extension. Each example appends its name and process id to a log, so
the log says which examples ran, how often, and in how many processes; the
generated pages must hold each example's own output.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytest.importorskip("sphinx_gallery")
pytest.importorskip("joblib")

from tiny_gallery import sphinx_build, write_conf  # noqa: E402

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
    assert "0 of 4 examples executed" in output

    with open(root / "examples" / "s2" / "plot_d.py", "a") as script:
        script.write("# touched\n")
    runs, _ = _build(root, log)
    assert [name for name, _ in runs] == ["d"]


@pytest.mark.slow
def test_pool_stays_out_of_serial_builds(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    _make_project(root, parallel=False)
    log = tmp_path / "runs.log"
    runs, output = _build(root, log)
    assert [name for name, _ in runs] == ["a", "b", "c", "d"]
    assert {pid for _, pid in runs} == {runs[0][1]}  # one process: sphinx-gallery's own
    assert "d2lopt_gallery_pool" not in output
