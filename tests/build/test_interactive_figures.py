"""docs/_ext/interactive_figures.py: a page keeps the frame shown first; the others go to a file.

A tiny project whose page, one folder down, shows an interactive figure of
:func:`d2lopt.plot.interactive.interactive_html` (three frames, the second shown
first) through a ``raw`` directive, as a chapter's hidden cell does.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from d2lopt.plot.interactive import Control, interactive_html

EXT_DIR = Path(__file__).resolve().parents[2] / "docs" / "_ext"
sys.path.insert(0, str(EXT_DIR))
from interactive_figures import frames_script, split_frames  # noqa: E402

CONF = f"""\
import sys
sys.path.insert(0, {str(EXT_DIR)!r})
extensions = ["interactive_figures"]
html_theme = "basic"
"""
SVGS = {(0,): "<svg><text>zéro</text></svg>", (1,): "<svg><text>one</text></svg>",
        (2,): "<svg><text>two</text></svg>"}


def _figure(name: str = "demo") -> str:
    control = Control("a", "a", (0, 1, 2), initial=1)
    return interactive_html(SVGS, [control], name=name, description="Move a.", alt="Text.")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("interactive")
    (root / "conf.py").write_text(CONF)
    (root / "index.rst").write_text("Home\n====\n\n.. toctree::\n\n   sub/page\n")
    (root / "sub").mkdir()
    raw = "\n".join("   " + line for line in _figure().splitlines())
    (root / "sub" / "page.rst").write_text(f"Page\n====\n\n.. raw:: html\n\n{raw}\n")
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "-b", "html", str(root), str(root / "_build")],
        capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return root / "_build"


def test_the_page_keeps_only_the_first_frame_and_names_its_frames_file(built: Path) -> None:
    page = (built / "sub" / "page.html").read_text(encoding="utf-8")
    assert re.findall(r'<template data-state="([0-9-]+)">', page) == ["1"]
    assert "<text>one</text>" in page and "two" not in page
    url = re.search(r'data-frames="([^"]+)"', page).group(1)
    assert url == "../_static/d2lopt-frames/sub--page--demo.js"
    assert "d2lopt-interactive.js" in page and "d2lopt-interactive.css" in page
    text = (built / "sub" / url).resolve().read_text(encoding="ascii")
    prefix = 'd2loptFrames("demo", '
    assert text.startswith(prefix) and text.endswith(");\n")
    assert json.loads(text[len(prefix):-3]) == {"0": SVGS[(0,)], "2": SVGS[(2,)]}


def test_a_page_without_a_figure_is_left_alone(built: Path) -> None:
    page = (built / "index.html").read_text(encoding="utf-8")
    assert "d2lopt-interactive" not in page and "data-frames" not in page


def test_split_frames_handles_each_figure_of_a_page_apart() -> None:
    body = "<p>a</p>" + _figure("one") + "<p>b</p>" + _figure("two") + "<p>c</p>"
    new, frames = split_frames(body)
    assert frames == {name: {"0": SVGS[(0,)], "2": SVGS[(2,)]} for name in ("one", "two")}
    assert new.count("<template") == 2 and new.count("<text>one</text>") == 2
    assert new.startswith("<p>a</p>") and "<p>b</p>" in new and new.endswith("<p>c</p>")


def test_split_frames_refuses_what_it_cannot_read() -> None:
    with pytest.raises(ValueError, match="the same id|the id 'one'"):
        split_frames(_figure("one") + _figure("one"))
    with pytest.raises(ValueError, match="opening tag"):
        split_frames('<div class="d2lopt-interactive" data-initial="0" id="x">')


def test_frames_script_is_ascii_and_round_trips() -> None:
    text = frames_script("f", {"0": SVGS[(0,)]})
    assert text.isascii()
    assert json.loads(text[len('d2loptFrames("f", '):-3]) == {"0": SVGS[(0,)]}
