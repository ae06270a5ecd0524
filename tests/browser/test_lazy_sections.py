"""Sections far from the window are laid out when the reader nears them (lazy_sections).

``content-visibility: auto`` on the article's second-level sections and on the
paragraphs, lists, figures and displayed formulas in them
(``docs/_ext/lazy_sections.py``): the browser skips what is away from the window
while the page loads. Checked here: that it does skip them; that the
containment it brings moves no element of any page; that a page preloads the math
fonts of what it skips; and that code blocks
and tables still become keyboard focusable exactly when they scroll, which the
theme did on ``load`` and ``d2lopt-tab-stops.js`` now does (when drawn, when idle,
at the first Tab key press, after a resize).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import sitecheck
from sitecheck import DESKTOP, PHONE, TAB_STOP_BLOCKS

pytestmark = pytest.mark.browser

PAGE = "chapter/06_saddle_points.html"
SECTIONS = "article.bd-article > section > section"

#: Whether each section's content is drawn (false: skipped by content-visibility).
DRAWN_JS = f"""
() => Array.from(document.querySelectorAll({SECTIONS!r})).map(
  (s) => s.firstElementChild.checkVisibility({{contentVisibilityAuto: true}}))
"""

#: The page's height and the page-absolute box of every element of the article,
#: rounded to 1/10 px; not the sections' own boxes (the last one now holds its last
#: child's bottom margin, which used to reach past it), only what they hold.
BOXES_JS = f"""
() => [document.documentElement.scrollHeight].concat(
  Array.from(document.querySelectorAll("article.bd-article *:not(article > section, {SECTIONS})"))
  .map((el) => {{
    const r = el.getBoundingClientRect();
    return [el.tagName, Math.round((r.top + scrollY) * 10) / 10, Math.round(r.left * 10) / 10,
            Math.round(r.width * 10) / 10, Math.round(r.height * 10) / 10];
  }}))
"""


def lazy_selectors(site: Path) -> str:
    """The selectors that lazy_sections' style sheet gives ``content-visibility: auto``."""
    css = (site / "_static" / "d2lopt-lazy-sections.css").read_text(encoding="utf-8")
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S).split("@media")[0]
    rules = re.findall(r"([^{}]+)\{([^{}]*)\}", css)
    selectors = [sel.strip() for sel, body in rules if "content-visibility: auto" in body]
    assert ".bd-article > section > section" in selectors
    return ", ".join(selectors)


def all_drawn_css(selectors: str) -> str:
    """Everything drawn, with the containment content-visibility gives what it draws."""
    return (f"{selectors} {{ content-visibility: visible !important;"
            " contain: layout style paint !important; }")

#: Each block the theme made focusable when it scrolls: [tabIndex, scrolls].
TAB_STOPS_JS = f"""
() => Array.from(document.querySelectorAll({TAB_STOP_BLOCKS!r})).map((el) =>
  [el.tabIndex, el.scrollWidth > el.clientWidth || el.scrollHeight > el.clientHeight])
"""

CHECKED_JS = "() => document.documentElement.dataset.tabStops === 'checked'"


#: lazy_sections' style sheet switched off.
WITHOUT_LAZY_CSS_JS = """
() => { for (const link of document.querySelectorAll('link[href*="d2lopt-lazy-sections.css"]'))
  link.disabled = true; }
"""


def pages_of_each_kind(site: Path) -> list[str]:
    """Every chapter page, and the home, API, gallery and one gallery example page."""
    pages = sitecheck.site_pages(site)
    chapters = [p for p in pages if re.fullmatch(r"chapter/\d\d_\w+\.html", p)]
    examples = [p for p in pages if re.fullmatch(r"auto_examples/[^/]+/plot_\w+\.html", p)]
    return [*chapters, "index.html", "api.html", "auto_examples/index.html", *examples[:1]]


def test_sections_far_from_the_window_are_skipped_at_load(browser: Any, base_url: str) -> None:
    page = browser.new_page(**DESKTOP)
    try:
        page.goto(base_url + PAGE, wait_until="load")
        drawn = page.evaluate(DRAWN_JS)
    finally:
        page.close()
    assert len(drawn) >= 5
    assert drawn[0], "the first section, in the window, is drawn"
    assert not any(drawn[-3:]), f"the last sections, far below, are skipped: {drawn}"


def test_the_containment_moves_nothing(browser: Any, base_url: str, site: Path) -> None:
    """Every element is where it is without lazy_sections' style sheet."""
    pages = pages_of_each_kind(site)
    assert len(pages) >= 17
    lazy_elements = lazy_selectors(site)
    page = browser.new_page(**DESKTOP)
    try:
        for path in pages:
            page.goto(base_url + path, wait_until="load")
            page.add_style_tag(content=all_drawn_css(lazy_elements))
            page.evaluate(sitecheck.SETTLE_JS)  # fonts and lazy images too
            lazy = page.evaluate(BOXES_JS)
            page.evaluate(WITHOUT_LAZY_CSS_JS)
            page.add_style_tag(content=f"{lazy_elements} {{ contain: none !important; }}")
            plain = page.evaluate(BOXES_JS)
            assert len(lazy) == len(plain) > 100, path
            moved = [(a, b) for a, b in zip(lazy, plain, strict=True) if a != b]
            assert not moved, f"{path}: {len(moved)} elements moved, first {moved[:3]}"
    finally:
        page.close()


def test_scrollable_blocks_get_a_tab_stop_once_idle(browser: Any, base_url: str) -> None:
    context = browser.new_context(**PHONE)
    try:
        page = context.new_page()
        page.goto(base_url + PAGE, wait_until="load")
        page.wait_for_function(CHECKED_JS, timeout=15_000)
        stops = page.evaluate(TAB_STOPS_JS)
    finally:
        context.close()
    assert {scrolls for _, scrolls in stops} == {True, False}, "the page has both kinds"
    assert [index for index, _ in stops] == [0 if scrolls else -1 for _, scrolls in stops]


def test_the_first_tab_press_checks_every_block(browser: Any, base_url: str) -> None:
    """With the browser never idle, Tab checks every block before focus moves; other keys not."""
    context = browser.new_context(**PHONE)
    try:
        page = context.new_page()
        page.add_init_script("window.requestIdleCallback = () => 0;")
        page.goto(base_url + PAGE, wait_until="load")
        assert page.evaluate("document.documentElement.dataset.tabStops") == "pending"
        page.keyboard.press("ArrowDown")
        assert page.evaluate("document.documentElement.dataset.tabStops") == "pending"
        page.keyboard.press("Tab")
        assert page.evaluate(CHECKED_JS)
        stops = page.evaluate(TAB_STOPS_JS)
    finally:
        context.close()
    assert [index for index, _ in stops] == [0 if scrolls else -1 for _, scrolls in stops]


def test_a_resize_checks_again(browser: Any, base_url: str) -> None:
    page = browser.new_page(**DESKTOP)
    try:
        page.goto(base_url + PAGE, wait_until="load")
        page.wait_for_function(CHECKED_JS, timeout=15_000)
        wide = page.evaluate(TAB_STOPS_JS)
        page.evaluate("document.documentElement.dataset.tabStops = 'stale'")
        page.set_viewport_size(PHONE["viewport"])
        page.wait_for_function(CHECKED_JS, timeout=15_000)
        narrow = page.evaluate(TAB_STOPS_JS)
    finally:
        page.close()
    assert sum(s for _, s in narrow) > sum(s for _, s in wide), "more blocks scroll on a phone"
    for stops in (wide, narrow):
        assert [index for index, _ in stops] == [0 if scrolls else -1 for _, scrolls in stops]


def test_the_theme_no_longer_scans_on_load(site: Path) -> None:
    script = (site / "_static" / "scripts" / "pydata-sphinx-theme.js").read_text(encoding="utf-8")
    assert "d2lopt-tab-stops.js" in script
    assert 'addEventListener("load"' not in script


#: The KaTeX fonts the page preloads, and those it has loaded, as URLs.
FONTS_JS = """
() => ({
  preloaded: Array.from(document.querySelectorAll('link[rel="preload"][as="font"]'))
    .map((link) => link.href).filter((url) => url.includes("/katex/")).sort(),
  loaded: performance.getEntriesByType("resource").map((r) => r.name)
    .filter((url) => url.includes("/katex/fonts/")).sort(),
})
"""


def test_a_page_preloads_the_math_fonts_its_sections_use(browser: Any, base_url: str,
                                                         site: Path) -> None:
    """Fonts a skipped section needs come with the page, not when the reader scrolls to it."""
    page = browser.new_page(**DESKTOP)
    try:
        page.goto(base_url + PAGE, wait_until="load")
        page.add_style_tag(content=all_drawn_css(lazy_selectors(site)))
        page.evaluate(sitecheck.SETTLE_JS)  # fonts and lazy images too
        fonts = page.evaluate(FONTS_JS)
    finally:
        page.close()
    assert len(fonts["loaded"]) >= 3
    assert fonts["preloaded"] == sorted(set(fonts["loaded"]))
