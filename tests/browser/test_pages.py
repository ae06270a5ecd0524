"""Every page of the built site, as a reader's browser meets it.

One test per page and per property, all read from one visit of the page: loaded
on a desktop, checked in the light then the dark theme, then narrowed to a
phone's width (see ``visit`` in conftest.py).
"""

from __future__ import annotations

import re
import urllib.parse
from pathlib import Path

import pytest
import sitecheck

pytestmark = pytest.mark.browser

#: Alt text that names a file or says nothing.
FILE_NAME = re.compile(r"(\.(png|svg|jpe?g|gif|webp)$)|(^sphx_glr_)|(_\d{3}$)", re.IGNORECASE)
NON_DESCRIPTIVE = re.compile(
    r"^(image|img|figure|fig|picture|photo|thumbnail|plot|graph)\s*\d*$", re.I
)


def _lines(items: list) -> str:
    return "\n  ".join(str(item) for item in items)


def test_no_request_leaves_the_site(visit, page_path: str) -> None:
    seen = visit(page_path)
    external = sorted(set(seen.traffic.external))
    assert not external, f"{page_path} asks for files outside the site:\n  {_lines(external)}"


def _axe_import_404(site: Path, url: str) -> bool:
    """A 404 that axe-core itself causes (dequelabs/axe-core#5268).

    axe's CSSOM preload fetches each ``@import`` of a stylesheet relative to the
    *page* instead of the stylesheet, so the theme's ``@import "../basic.css"``
    (in ``_static/styles/theme.css``) is fetched from the wrong folder. The
    browser itself resolves it correctly (it loads ``_static/basic.css``); the
    404 only happens while axe runs, and the file it wanted exists.
    """
    name = urllib.parse.urlsplit(url).path.rsplit("/", 1)[-1]
    return name.endswith(".css") and (site / "_static" / name).is_file()


def test_page_loads_without_errors(visit, site: Path, page_path: str) -> None:
    seen = visit(page_path)
    traffic = seen.traffic
    problems = []
    for status, url, phase in traffic.http_errors:
        if page_path == "404.html" and url == seen.url and status == 404:
            continue  # the 404 page is served with status 404, as on GitHub Pages
        if phase == "axe" and status == 404 and _axe_import_404(site, url):
            continue
        problems.append(f"HTTP {status} ({phase}): {url}")
    problems += [f"request failed ({why}): {url}" for url, why, _ in traffic.failed]
    problems += [f"console error: {text}" for text in traffic.console_errors]
    problems += [f"uncaught exception: {text}" for text in traffic.page_errors]
    assert not problems, f"{page_path}:\n  {_lines(problems)}"


TEX_MARKUP = re.compile(r"\$|\\[A-Za-z]+")


def test_images_load_and_have_alt_text(visit, page_path: str) -> None:
    seen = visit(page_path)
    problems = []
    for img in seen.images:
        name = img["src"]
        if not img["complete"] or img["width"] == 0:
            problems.append(f"did not load: {img['current'] or name}")
        alt = img["alt"]
        if alt is None:
            problems.append(f"no alt attribute: {name}")
        elif not alt.strip():
            problems.append(f"empty alt text: {name}")
        elif FILE_NAME.search(alt.strip()) or NON_DESCRIPTIVE.match(alt.strip()):
            problems.append(f"alt text {alt!r} does not describe {name}")
        elif TEX_MARKUP.search(alt):
            problems.append(f"alt text {alt!r} has TeX markup a screen reader would spell out")
    # What a 2x screen loads instead (sphinx-gallery's image_srcset).
    problems += [
        f"2x figure missing: {url}" for url, file in seen.hidpi_figures() if not file.is_file()
    ]
    assert not problems, f"{page_path}:\n  {_lines(problems)}"


def test_math_is_typeset_when_the_site_is_built(visit, page_path: str) -> None:
    """KaTeX's HTML for the eye and MathML for screen readers, in the page; no math script."""
    math = visit(page_path).math
    assert not math["scripts"] and not math["typesetter"], (
        f"{page_path} loads a math typesetting script: {math['scripts'] or 'window.MathJax/katex'}"
    )
    problems = [f"not typeset: {tex}" for tex in math["unrendered"][:10]]
    if math["mathml"] != math["total"]:
        problems.append(f"{math['total']} formulas but {math['mathml']} with MathML")
    problems += [f"TeX source on the page: {text}" for text in math["raw_tex"][:10]]
    problems += [f"rendered with no size: {tex}" for tex in math["empty"][:10]]
    problems += [f"fraction drawn flat: {text}" for text in math["flat_fractions"][:10]]
    problems += [f"font face not served or not loaded: {face}" for face in math["missing_fonts"]]
    # KaTeX's HTML is out of axe's scope (sitecheck.AXE_EXCLUDE): what axe would say there
    if math["not_hidden"]:
        problems.append(f"{math['not_hidden']} formulas whose KaTeX HTML is not aria-hidden")
    problems += [f"focusable inside aria-hidden math: {html}" for html in math["hidden_focusable"]]
    problems += [f"math with a colour of its own (contrast unchecked): {html}"
                 for html in math["own_colour"]]
    assert not problems, f"{page_path}:\n  {_lines(problems)}"


def test_chapter_pages_draw_fractions(visit, site: Path) -> None:
    """The chapters' fractions are there, drawn (numerator over denominator, not flat)."""
    pages = sitecheck.chapter_pages(site)
    assert pages, "no chapter pages in the built site"
    fractions = {page: visit(page).math["fractions"] for page in pages}
    assert sum(fractions.values()) > 0, f"no fraction drawn on any chapter page: {fractions}"


def _axe_report(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']}")
        lines += [f"    {target}  {html}" for target, html in v["nodes"][:5]]
    return _lines(lines)


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_no_serious_accessibility_violations(visit, page_path: str, mode: str) -> None:
    violations = visit(page_path).axe[mode]
    assert not violations, f"{page_path} ({mode} theme), axe-core:\n  {_axe_report(violations)}"


def test_no_horizontal_overflow_on_a_phone(visit, page_path: str) -> None:
    """375 px wide: the page itself never scrolls sideways (a wide table may, inside its box)."""
    overflow = visit(page_path).overflow
    assert overflow["clientWidth"] == 375, overflow
    assert overflow["scrollWidth"] <= overflow["clientWidth"], (
        f"{page_path} is {overflow['scrollWidth']} px wide on a 375 px phone; too wide:\n  "
        + _lines(overflow["offenders"])
    )
