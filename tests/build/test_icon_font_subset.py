"""docs/_ext/icon_font_subset.py: the icon fonts keep the glyphs of the icons the site shows.

A tiny project with a stand-in for the theme's Font Awesome: a WOFF2 font of
four glyphs at Font Awesome's code points, the CSS rules that name them, and a
page that shows one icon by its class while the CSS uses another directly.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("brotli")
from fontTools.fontBuilder import FontBuilder  # noqa: E402
from fontTools.pens.ttGlyphPen import TTGlyphPen  # noqa: E402
from fontTools.ttLib import TTFont  # noqa: E402

EXT_DIR = Path(__file__).resolve().parents[2] / "docs" / "_ext"
sys.path.insert(0, str(EXT_DIR))
from icon_font_subset import css_codes, drop_unused_rules, icon_codes, subset, used_codes  # noqa: E402

BARS, GITHUB, BELL, UNUSED = 0xF0C9, 0xF09B, 0xF0F3, 0xF2B9
CSS = ('.fa-bars,.fa-navicon{--fa:"\\f0c9"}.fa-github{--fa:"\\f09b"}'
       '.fa-bell{--fa:"\\f0f3"}.fa-address-book{--fa:"\\f2b9"}'
       ':root{--pst-icon-bell:"\\f0f3"}')


def _font(path: Path, codes: list[int]) -> None:
    """A WOFF2 font with a square glyph at each of ``codes``."""
    names = [".notdef", *(f"g{code:x}" for code in codes)]
    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder(names)
    builder.setupCharacterMap({code: f"g{code:x}" for code in codes})
    glyphs = {}
    for name in names:
        pen = TTGlyphPen(None)
        pen.moveTo((100, 0)), pen.lineTo((100, 700)), pen.lineTo((800, 700)), pen.lineTo((800, 0))
        pen.closePath()
        glyphs[name] = pen.glyph()
    builder.setupGlyf(glyphs)
    builder.setupHorizontalMetrics({name: (900, 100) for name in names})
    builder.setupHorizontalHeader(ascent=800, descent=-200)
    builder.setupNameTable({"familyName": "Icons", "styleName": "Regular"})
    builder.setupOS2()
    builder.setupPost()
    builder.font.flavor = "woff2"
    builder.save(str(path))


def _cmap(path: Path) -> set[int]:
    with TTFont(path) as font:
        return set(font.getBestCmap() or {})


def test_codes_come_from_classes_and_from_the_css_itself() -> None:
    assert icon_codes(CSS) == {"fa-bars": BARS, "fa-navicon": BARS, "fa-github": GITHUB,
                               "fa-bell": BELL, "fa-address-book": UNUSED}
    assert css_codes(CSS) == {BELL}
    assert css_codes(":root{--pst-icon-x:\"\uf35d\"} a{content:\"\\201c\"}") == {0xF35D}
    page = '<i class="fa-solid fa-bars"></i> <span class="fab fa-github"></span> fa-nothing'
    assert used_codes(CSS, [page]) == {BARS, GITHUB, BELL}


def test_unused_icon_rules_are_dropped() -> None:
    kept = drop_unused_rules(CSS, {BARS, BELL})
    assert icon_codes(kept) == {"fa-bars": BARS, "fa-navicon": BARS, "fa-bell": BELL}
    assert css_codes(kept) == {BELL}


def test_subset_keeps_only_the_asked_glyphs(tmp_path: Path) -> None:
    font = tmp_path / "fa-solid-900.woff2"
    _font(font, [BARS, GITHUB, BELL, UNUSED])
    before, after = subset(font, {BARS, BELL, 0xF111})  # a code the font lacks is skipped
    assert after < before and after == font.stat().st_size
    assert _cmap(font) == {BARS, BELL}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("icons")
    fonts = root / "_static" / "vendor" / "fontawesome" / "webfonts"
    fonts.mkdir(parents=True)
    _font(fonts / "fa-solid-900.woff2", [BARS, BELL, UNUSED])
    _font(fonts / "fa-brands-400.woff2", [GITHUB])
    (root / "_static" / "icons.css").write_text(CSS)
    (root / "conf.py").write_text(
        f"import sys\nsys.path.insert(0, {str(EXT_DIR)!r})\n"
        'extensions = ["icon_font_subset"]\nhtml_theme = "basic"\n'
        'html_static_path = ["_static"]\nhtml_css_files = ["icons.css"]\n')
    (root / "index.rst").write_text(
        "Home\n====\n\n.. raw:: html\n\n   <i class=\"fa-solid fa-bars\"></i>\n")
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "-b", "html", str(root), str(root / "_build")],
        capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "icon_font_subset: 2 icons kept" in result.stdout
    return root / "_build"


def test_the_built_fonts_hold_the_shown_icons_and_no_other(built: Path) -> None:
    fonts = built / "_static" / "vendor" / "fontawesome" / "webfonts"
    assert _cmap(fonts / "fa-solid-900.woff2") == {BARS, BELL}
    assert _cmap(fonts / "fa-brands-400.woff2") == set()
    css = (built / "_static" / "icons.css").read_text()
    assert ".fa-bars,.fa-navicon{" in css and ".fa-bell{" in css and "--pst-icon-bell" in css
    assert "fa-address-book" not in css and "fa-github" not in css
