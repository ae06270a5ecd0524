"""docs/conf.py: settings left to sphinx-gallery's defaults give the site's order."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import pytest

pytest.importorskip("sphinx_gallery")

from sphinx_gallery.gen_gallery import DEFAULT_GALLERY_CONF, get_subsections  # noqa: E402

DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.fixture(scope="module")
def gallery_conf() -> dict:
    """The site's sphinx-gallery configuration, over sphinx-gallery's defaults."""
    path = list(sys.path)
    try:
        conf = runpy.run_path(str(DOCS / "conf.py"))
    finally:
        sys.path[:] = path  # conf.py puts docs/_ext first
    # (sphinx-gallery copies Sphinx's source_suffix in when it fills its defaults)
    sphinx_suffixes = {"source_suffix": conf["source_suffix"]}
    return {**DEFAULT_GALLERY_CONF, **conf["sphinx_gallery_conf"], **sphinx_suffixes}


def test_gallery_sections_come_in_chapter_order(gallery_conf: dict) -> None:
    """01_goals ... 12_practice by their number, then nets (the section list of the page)."""
    examples = DOCS / gallery_conf["examples_dirs"]
    sections = get_subsections(DOCS, examples, gallery_conf)
    numbered = [p.name for p in examples.iterdir() if p.name[:2].isdigit() and p.is_dir()]
    expected = sorted(numbered, key=lambda name: int(name.split("_", 1)[0])) + ["nets"]
    assert [name.split("_", 1)[0] for name in expected[:12]] == [f"{n:02d}" for n in range(1, 13)]
    assert sections == expected
