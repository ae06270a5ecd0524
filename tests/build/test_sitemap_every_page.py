"""docs/_ext/sitemap_every_page.py: the sitemap lists every page after a partial rebuild.

A tiny project of three pages is built, then one page is edited and the project is
rebuilt: sphinx-sitemap alone would then list only the page it rewrote.
"""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

pytest.importorskip("sphinx_sitemap")

EXT_DIR = Path(__file__).resolve().parents[2] / "docs" / "_ext"

CONF = f"""\
import sys
sys.path.insert(0, {str(EXT_DIR)!r})
extensions = {{extensions!r}}
html_theme = "basic"
html_baseurl = "https://example.org/tiny/"
sitemap_url_scheme = "{{{{link}}}}"
sitemap_excludes = ["search.html", "genindex.html"]
"""


def _project(root: Path, extensions: list[str]) -> None:
    (root / "conf.py").write_text(CONF.format(extensions=extensions))
    (root / "index.rst").write_text("Tiny\n====\n\n.. toctree::\n\n   one\n   two\n")
    for name in ("one", "two"):
        (root / f"{name}.rst").write_text(f"{name.title()}\n===\n\nText.\n")


def _build(root: Path) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-q", "-b", "html", str(root), str(root / "_build")],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    tree = ET.parse(root / "_build" / "sitemap.xml")
    return {el.text for el in tree.iter() if el.tag.endswith("loc")}


EVERY_PAGE = {f"https://example.org/tiny/{name}.html" for name in ("index", "one", "two")}


def _rebuilt_after_an_edit(root: Path, extensions: list[str]) -> set[str]:
    _project(root, extensions)
    assert _build(root) == EVERY_PAGE
    (root / "one.rst").write_text("One\n===\n\nOther text.\n")
    return _build(root)


def test_a_rebuild_keeps_every_page_in_the_sitemap(tmp_path: Path) -> None:
    assert _rebuilt_after_an_edit(tmp_path, ["sphinx_sitemap", "sitemap_every_page"]) == EVERY_PAGE


def test_without_it_a_rebuild_lists_only_the_pages_it_rewrote(tmp_path: Path) -> None:
    """The sphinx-sitemap behaviour the extension fixes (if this fails, it may be unneeded)."""
    listed = _rebuilt_after_an_edit(tmp_path, ["sphinx_sitemap"])
    assert "https://example.org/tiny/one.html" in listed
    assert listed < EVERY_PAGE
