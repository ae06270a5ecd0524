"""docs/_ext/gallery_figure_text_check.py: a warning per text problem of a gallery figure.

A tiny gallery with two scripts: one draws a clean figure and a second one
whose two labels overlap; the other draws one clean figure. Built serially and
with two worker processes (whose log does not reach Sphinx), the build warns
exactly once, naming the script and the figure, and ``-W`` fails it.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

pytest.importorskip("sphinx_gallery")
pytest.importorskip("matplotlib")

from tiny_gallery import EXT_DIR, MATPLOTLIB_CONF, sphinx_build, write_conf, write_examples  # noqa: E402

sys.path.insert(0, str(EXT_DIR))
from gallery_figure_text_check import figure_reports, report_path  # noqa: E402

HEADER = '''\
"""
{title}
=======

A figure.
"""

import matplotlib.pyplot as plt
'''
CLEAN = """
fig, ax = plt.subplots(figsize=(6.9, 4.3), dpi=100, layout="constrained")
ax.plot([0, 1], [0, 1])
ax.set_title("a clean title", fontsize=12)
ax.set_xlabel("x", fontsize=11)
ax.set_ylabel("y", fontsize=11)
ax.tick_params(labelsize=10)
"""
OVERLAP = CLEAN.replace('ax.set_title("a clean title", fontsize=12)', (
    'ax.text(0.5, 0.5, "first label", fontsize=12)\n'
    'ax.text(0.5, 0.5, "second label", fontsize=12)'
))
CONF = MATPLOTLIB_CONF + (
    'extensions.append("gallery_figure_text_check")\n'
    'sphinx_gallery_conf["image_scrapers"] = ("gallery_figure_text_check.scraper",)\n'
)
WARNING = re.compile(r"WARNING: (\S+), figure (\d+): (.*?) \[d2lopt\.figure_text\]")


def _project(root: Path, parallel: object) -> None:
    root.mkdir(parents=True)
    write_conf(root, [], parallel=parallel, extra=CONF)
    write_examples(root, {"s1": {
        "clean": HEADER.format(title="Clean") + CLEAN,
        "overlap": HEADER.format(title="Overlap") + CLEAN + OVERLAP,
    }})


def test_report_path_is_next_to_the_image() -> None:
    assert report_path(Path("a/images/sphx_glr_p_002.png")) == Path(
        "a/images/sphx_glr_p_002.text.json")


@pytest.mark.slow
@pytest.mark.parametrize("parallel", [False, 2])
def test_build_warns_once_per_problem_naming_script_and_figure(
    tmp_path: Path, parallel: object
) -> None:
    pytest.importorskip("joblib")
    root = tmp_path / "proj"
    _project(root, parallel)
    result = sphinx_build(root, tmp_path / "runs.log", timeout=180)
    warnings = WARNING.findall(result.stderr)
    assert warnings == [("proj/examples/s1/plot_overlap.py", "2",
                         "'first label' overlaps 'second label'")], result.stderr
    reports = figure_reports(root / "auto_examples")
    assert [(r["script"].rsplit("/", 1)[1], r["figure"], bool(r["problems"])) for r in reports] == [
        ("plot_clean.py", 1, False), ("plot_overlap.py", 1, False), ("plot_overlap.py", 2, True)]
    saved = json.loads(report_path(
        root / "auto_examples/s1/images/sphx_glr_plot_overlap_002.png").read_text())
    assert saved["problems"] == ["'first label' overlaps 'second label'"]


@pytest.mark.slow
def test_warnings_fail_a_strict_build(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    _project(root, parallel=False)
    result = sphinx_build(root, tmp_path / "runs.log", "-W", timeout=180, succeed=False)
    assert "plot_overlap.py, figure 2" in result.stderr


@pytest.mark.slow
def test_a_clean_gallery_builds_strictly(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    root.mkdir()
    write_conf(root, [], parallel=False, extra=CONF)
    write_examples(root, {"s1": {"clean": HEADER.format(title="Clean") + CLEAN}})
    result = sphinx_build(root, tmp_path / "runs.log", "-W", timeout=180)
    assert "figure_text" not in result.stderr
