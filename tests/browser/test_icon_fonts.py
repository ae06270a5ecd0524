"""Every icon a page draws has its glyph in the icon font the site serves.

The site's Font Awesome fonts are cut down to the icons it shows
(docs/_ext/icon_font_subset.py). Here the browser says which icons each kind of
page draws: every element or ``::before``/``::after`` whose font is Font
Awesome, with the character it draws and the font's weight. Each must be in the
cmap of the font file that the site's CSS names for that family and weight, read
from the site with fontTools. A missing glyph would show as an empty box. And
every element with an icon class draws something: the theme's CSS keeps only the
rules of the icons the site shows.
"""

from __future__ import annotations

import re

import pytest
import sitecheck

pytestmark = pytest.mark.browser

pytest.importorskip("brotli")
from fontTools.ttLib import TTFont  # noqa: E402

#: One page of each layout: home (the header's icons, as on every page), a chapter
#: (admonitions, solutions, framework tabs), the exercises index, a gallery example, the API.
PAGES = ["index.html", "chapter/12_practice.html", "chapter/exercises.html",
         "auto_examples/01_goals/plot_risk_vs_empirical_risk.html", "api.html"]

ICONS_JS = r"""
() => {
  const seen = [], blank = [];
  const family = /(^|\s)(fa|fas|far|fab|fa-solid|fa-regular|fa-brands)(\s|$)/;
  for (const el of document.querySelectorAll("[class*='fa-']")) {
    if (!family.test(String(el.className))) continue;
    const content = getComputedStyle(el, "::before").content;
    if (!content || content === "none" || content === "normal" || content === '""') {
      blank.push(el.tagName + "." + String(el.className).slice(0, 60));
    }
  }
  for (const el of document.querySelectorAll("*")) {
    for (const pseudo of [null, "::before", "::after"]) {
      const style = getComputedStyle(el, pseudo);
      if (!/Font Awesome/i.test(style.fontFamily)) continue;
      const text = pseudo ? style.content : el.textContent;
      if (pseudo && (!text || text === "none" || text === "normal")) continue;
      for (const ch of text) {
        const code = ch.codePointAt(0);
        if (code >= 0xe000 && code <= 0xf8ff) {
          seen.push([style.fontFamily, style.fontWeight, code,
                     el.tagName + "." + String(el.className).slice(0, 60) + (pseudo || "")]);
        }
      }
    }
  }
  return {seen, blank};
}
"""
_FACE = re.compile(r"@font-face\{([^}]*)\}")


def _faces(site) -> dict[tuple[str, str], str]:
    """(family, weight) -> the font file the CSS of ``_static/styles`` names for it."""
    faces = {}
    for css in (site / "_static" / "styles").glob("*.css"):
        for body in _FACE.findall(css.read_text(encoding="utf-8")):
            family = re.search(r"font-family:([^;]+)", body)
            weight = re.search(r"font-weight:(\d+)", body)
            src = re.search(r"url\(([^)]+\.woff2)\)", body)
            if family and weight and src and "Font Awesome" in family.group(1):
                name = family.group(1).replace("\\", "").strip(" \"'")
                faces[(name, weight.group(1))] = (css.parent / src.group(1)).resolve()
    return faces


def test_every_icon_drawn_has_its_glyph(browser, base_url, site) -> None:
    faces = _faces(site)
    assert len(faces) >= 3, f"no Font Awesome @font-face found in the theme's CSS: {faces}"
    cmaps = {}
    for face, path in faces.items():
        with TTFont(path) as font:
            cmaps[face] = set(font.getBestCmap() or {})
    missing, drawn = [], 0
    for path in PAGES:
        traffic = sitecheck.Traffic(base_url, site)
        context, page = sitecheck.open_page(browser, traffic, base_url + path,
                                            **sitecheck.DESKTOP)
        try:
            icons = page.evaluate(ICONS_JS)
        finally:
            context.close()
        missing += [f"{path}: {where} draws nothing (its icon rule is gone)"
                    for where in icons["blank"]]
        for family, weight, code, where in icons["seen"]:
            name = next((n for n, _ in faces if n in family), None)
            face = (name, weight)
            drawn += 1
            if face not in cmaps or code not in cmaps[face]:
                missing.append(f"{path}: {where} draws U+{code:04X} in {family} {weight}")
    assert drawn >= 10, f"only {drawn} icons found on {PAGES}"
    assert not missing, "\n".join(missing)
