"""Chapter and gallery pages read well: numbers, figures, glued values, citations.

Issue #11's checks of the rendered pages, each read from the page in Chromium:

- chapter text (code, math and URLs left out) has no e-notation (``5.0e-01``)
  and no hyphen-minus before a digit (a negative number or a range; a name
  such as ``CIFAR-10``, letter-hyphen-digit, is allowed);
- glued numbers (``span.pasted-text``) have the font weight of the text around them;
- at 1280 x 900 every chapter figure is shown at >= 0.8 of its 1x pixel width,
  and at a device pixel ratio of 2 the image the browser picks has >= 1.6 image
  pixels per CSS pixel (or is an SVG);
- every author-year citation in chapter and gallery pages ("Name et al. (2017)",
  "(Name, 2017)", "Name & Name (2017)") has its year inside a link to the
  references page.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from sitecheck import DESKTOP, FIGURES_JS, Traffic, chapter_pages, gallery_pages, open_page

pytestmark = pytest.mark.browser

E_NOTATION = re.compile(r"\d\s?[eE][+\-−]?\d")
#: A hyphen-minus before a digit, unless it joins a name to a number (CIFAR-10).
HYPHEN_DIGIT = re.compile(r"(?<![A-Za-z])-\d")
URL = re.compile(r"\b(?:https?://|www\.)\S+")
NAME = r"[A-Z][\w'’\-]+"
YEAR = r"(?P<year>(?:19|20)\d\d)[a-z]?"
CITATION = re.compile("|".join([
    rf"{NAME} et al\.?,?\s*[(\[]?{YEAR}".replace("(?P<year>", "(?P<y1>"),
    rf"{NAME} (?:&|and) {NAME},?\s*[(\[]?{YEAR}".replace("(?P<year>", "(?P<y2>"),
    rf"{NAME}\s*[(\[]{YEAR}[)\]]".replace("(?P<year>", "(?P<y3>"),
    rf"[(\[]{NAME},\s*{YEAR}".replace("(?P<year>", "(?P<y4>"),
]))
def _read_at_2x(browser: Any, base_url: str, site: Path, page: str, script: str) -> Any:
    """``script``'s result on ``page`` opened on a screen of device pixel ratio 2."""
    traffic = Traffic(base_url, site)
    context, tab = open_page(browser, traffic, base_url + page,
                             **{**DESKTOP, "device_scale_factor": 2})
    try:
        return tab.evaluate(script)
    finally:
        context.close()


def _chapter_figures(visit: Any, site: Path) -> list[tuple[str, dict[str, Any]]]:
    """Every gallery figure of every chapter page, as the page visit saw it (1x)."""
    figures = [(page, img) for page in chapter_pages(site)
               for img in visit(page).reading["figures"]]
    assert figures, "no gallery figures on the chapter pages"
    return figures


def _sentences(blocks: list[dict[str, Any]]) -> list[str]:
    return [URL.sub(" ", block["text"]) for block in blocks]


def _context(text: str, match: re.Match[str]) -> str:
    return repr(text[max(0, match.start() - 30):match.end() + 30])


def test_chapter_text_has_no_e_notation_and_no_hyphen_minus(visit: Any, site: Path) -> None:
    pages = chapter_pages(site)
    assert pages, "no chapter section pages"
    problems = []
    for page in pages:
        for text in _sentences(visit(page).reading["text"]):
            problems += [f"{page}: e-notation in {_context(text, m)}"
                         for m in E_NOTATION.finditer(text)]
            problems += [f"{page}: hyphen-minus before a digit in {_context(text, m)}"
                         for m in HYPHEN_DIGIT.finditer(text)]
    assert not problems, "\n".join(problems)


def test_glued_numbers_have_the_weight_of_their_text(visit: Any, site: Path) -> None:
    problems, seen = [], 0
    for page in chapter_pages(site):
        for span in visit(page).reading["weights"]:
            seen += 1
            if span["weight"] != span["around"]:
                problems.append(f"{page}: {span['text']!r} is weight {span['weight']}, "
                                f"its text {span['around']}")
    assert seen, "no glued numbers on the chapter pages"
    assert not problems, "\n".join(problems)


def test_chapter_figures_are_shown_near_their_pixel_width(visit: Any, site: Path) -> None:
    figures = _chapter_figures(visit, site)
    problems = []
    for page, img in figures:
        one_x = img["one_x"] or img["natural"]
        if img["shown"] < 0.8 * one_x:
            problems.append(f"{page}: {img['src']} is {one_x} px wide, shown at "
                            f"{img['shown']:.0f} px ({img['shown'] / one_x:.2f})")
    assert not problems, "\n".join(problems)


def test_chapter_figures_are_sharp_at_2x(browser: Any, base_url: str, site: Path) -> None:
    figures = [(page, img) for page in chapter_pages(site)
               for img in _read_at_2x(browser, base_url, site, page, FIGURES_JS)]
    assert figures, "no gallery figures on the chapter pages"
    problems = []
    for page, img in figures:
        if img["current"].endswith(".svg"):
            continue
        density = img["pixels"] / img["shown"]
        if density < 1.6:
            problems.append(f"{page}: {img['current']} has {density:.2f} image pixels "
                            "per CSS pixel at a device pixel ratio of 2")
    assert not problems, "\n".join(problems)


def test_citations_link_to_the_references(visit: Any, site: Path) -> None:
    pages = chapter_pages(site) + gallery_pages(site)
    assert pages, "no chapter or gallery pages"
    problems = []
    for page in pages:
        for block in visit(page).reading["text"]:
            text = block["text"]
            for match in CITATION.finditer(text):
                group = next(g for g in ("y1", "y2", "y3", "y4") if match.group(g))
                href = block["links"][match.start(group)]
                if "references.html" not in href:
                    problems.append(f"{page}: {match.group(0)!r} is not a link to the "
                                    f"references ({_context(text, match)})")
    assert not problems, "\n".join(problems)
