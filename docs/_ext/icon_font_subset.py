"""The icon fonts hold only the icons the site shows.

pydata-sphinx-theme draws its icons (menu, search, theme switch, GitHub, the
admonitions' marks) with Font Awesome's web fonts: ``fa-solid-900.woff2``,
``fa-brands-400.woff2`` and ``fa-regular-400.woff2``, 225 kB of glyphs on every
first visit for about twenty icons. When the build finishes, each font is cut
down (fontTools' subsetter, WOFF2 through ``brotli``) to the icons the site can
show:

- every ``fa-<name>`` class in the site's pages and in the scripts of
  ``_static`` (the theme switch changes its icon), looked up in the theme's CSS
  rules ``.fa-<name>{--fa:"\\f0c9"}``;
- every Font Awesome code point the CSS uses itself, outside those rules (the
  theme's ``--pst-icon-*`` marks of notes, warnings and external links).

The theme's CSS loses the rules of the other 2,500 icons too (65 kB of the
376 kB that every page parses). Sphinx copies the theme's full fonts and CSS
again at each build; they are cut again.
Checked by tests/build/test_icon_font_subset.py and, on the built site, by
tests/browser/test_icon_fonts.py (every icon a page draws has its glyph).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

FONTS = ("fa-solid-900.woff2", "fa-brands-400.woff2", "fa-regular-400.woff2")
#: One Font Awesome rule: the class names of an icon and its code point.
_RULE = re.compile(r'((?:\.fa-[a-z0-9-]+,?)+)\{--fa:"(\\[0-9a-fA-F]{1,6}|[^"\\])"\}')
_CLASS = re.compile(r"\bfa-[a-z0-9]+(?:-[a-z0-9]+)*")
#: A code point in Font Awesome's private-use ranges, escaped or as a character.
_ESCAPE = re.compile(r"\\([0-9a-fA-F]{4,6})")
_PRIVATE = re.compile("[\ue000-\uf8ff\U000f0000-\U0010ffff]")


def _code(text: str) -> int:
    return int(text[1:], 16) if text.startswith("\\") else ord(text)


def icon_codes(css: str) -> dict[str, int]:
    r"""Icon class -> code point, from Font Awesome's rules in ``css``.

    >>> icon_codes('.fa-bars,.fa-navicon{--fa:"\\f0c9"}.fa-x{--fa:"\\e000"}')
    {'fa-bars': 61641, 'fa-navicon': 61641, 'fa-x': 57344}
    """
    codes: dict[str, int] = {}
    for names, code in _RULE.findall(css):
        for name in names.split(","):
            if name:
                codes[name[1:]] = _code(code)
    return codes


def css_codes(css: str) -> set[int]:
    r"""The private-use code points ``css`` uses outside Font Awesome's icon rules.

    >>> sorted(css_codes('.fa-bars{--fa:"\\f0c9"} :root{--pst-icon-bell:"\\f0f3"}'))
    [61683]
    """
    rest = _RULE.sub("", css)
    codes = {int(h, 16) for h in _ESCAPE.findall(rest)}
    codes |= {ord(c) for c in _PRIVATE.findall(rest)}
    return {c for c in codes if 0xE000 <= c <= 0xF8FF or c >= 0xF0000}


def drop_unused_rules(css: str, codes: set[int]) -> str:
    r"""``css`` without the Font Awesome icon rules whose code point is not in ``codes``.

    >>> drop_unused_rules('.fa-bars{--fa:"\\f0c9"}.fa-x{--fa:"\\e000"}a{b:c}', {0xF0C9})
    '.fa-bars{--fa:"\\f0c9"}a{b:c}'
    """
    return _RULE.sub(lambda m: m.group(0) if _code(m.group(2)) in codes else "", css)


def used_codes(css: str, texts: Iterable[str]) -> set[int]:
    """Code points of the icons named in ``texts`` (pages, scripts) and used by ``css``."""
    codes = icon_codes(css)
    used = css_codes(css)
    for text in texts:
        used |= {codes[name] for name in _CLASS.findall(text) if name in codes}
    return used


def subset(font: Path, codes: set[int]) -> tuple[int, int]:
    """Cut ``font`` (WOFF2) down to the glyphs of ``codes``, in place; bytes before and after."""
    from fontTools import subset as ft_subset
    from fontTools.ttLib import TTFont

    before = font.stat().st_size
    options = ft_subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]
    options.notdef_outline = True
    options.name_IDs = ["*"]
    with TTFont(font) as ttf:
        subsetter = ft_subset.Subsetter(options)
        subsetter.populate(unicodes=sorted(codes & set(ttf.getBestCmap() or {})))
        subsetter.subset(ttf)
        ttf.flavor = "woff2"
        ttf.save(font)
    return before, font.stat().st_size


def _names(text: str) -> list[str]:
    return sorted(set(_CLASS.findall(text)))


def _subset_fonts(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    static = outdir / "_static"
    fonts = [p for name in FONTS for p in static.rglob(name)]
    if not fonts:
        return
    # A cache next to the doctrees (not published): the icon names of each page
    # and script by size and time, and each cut font by its source and glyphs,
    # so that a build that changed nothing reads no page and cuts no font.
    cache_dir = Path(app.doctreedir) / "d2lopt-icon-fonts"
    cache_dir.mkdir(parents=True, exist_ok=True)
    stamp = cache_dir / "names.json"
    try:
        seen = json.loads(stamp.read_text())
    except (OSError, ValueError):
        seen = {}
    files = [*outdir.rglob("*.html"),
             *(p for p in static.rglob("*.js") if p.name != "fontawesome.js")]
    names: dict[str, list] = {}
    for path in files:
        info = path.stat()
        key, tag = str(path.relative_to(outdir)), [info.st_size, info.st_mtime_ns]
        entry = seen.get(key)
        if entry is None or entry[0] != tag:
            entry = [tag, _names(path.read_text(encoding="utf-8", errors="replace"))]
        names[key] = entry
    stamp.write_text(json.dumps(names))
    sheets = {p: p.read_text(encoding="utf-8") for p in sorted(static.rglob("*.css"))}
    css = "\n".join(sheets.values())
    codes = used_codes(css, (" ".join(entry[1]) for entry in names.values()))
    total_before = total_after = 0
    for font in fonts:
        source = font.read_bytes()
        key = hashlib.sha256(source + repr(sorted(codes)).encode()).hexdigest()[:16]
        cached = cache_dir / f"{key}-{font.name}"
        if cached.is_file():
            font.write_bytes(cached.read_bytes())
            before, after = len(source), cached.stat().st_size
        else:
            before, after = subset(font, codes)
            cached.write_bytes(font.read_bytes())
        total_before += before
        total_after += after
    css_before = css_after = 0
    for sheet, text in sheets.items():
        if _RULE.search(text):
            kept = drop_unused_rules(text, codes)
            sheet.write_text(kept, encoding="utf-8")
            css_before, css_after = css_before + len(text), css_after + len(kept)
    logger.info("icon_font_subset: %d icons kept; %d Font Awesome fonts from %d to %d kB, "
                "their CSS from %d to %d kB", len(codes), len(fonts), total_before // 1000,
                total_after // 1000, css_before // 1000, css_after // 1000)


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("build-finished", _subset_fonts)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
