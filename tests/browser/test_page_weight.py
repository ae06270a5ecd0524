"""No page weighs more than 1.5 MB as the browser loads it, nor 500 kB of script.

The weight is the sum of the bodies of every file the page loads before the
reader does anything: the HTML, styles, scripts, web fonts (KaTeX's included),
and the images (lazy ones too, as if the reader scrolled to the end). Each URL
counts once, with the size a host sends it: GitHub Pages and Read the Docs
gzip text files (HTML, CSS, JavaScript, SVG), so those count gzip-compressed
(level 6); images and WOFF2 fonts are already compressed and count as they are.
It is counted for a desktop screen, and for a 2x (phone) screen, which loads
the 2x figure of each srcset instead of the 1x one. The same budget holds for
the files uncompressed, on a desktop screen: what the browser decodes and parses.

Script is counted as the files are (uncompressed: what the browser parses and
runs). A page loads a feature's script only when it has the feature
(docs/_ext/lean_page_scripts.py), no math script at all (the math is typeset
when the site is built), and the search index only on the search page.
"""

from __future__ import annotations

import re

import pytest
from sitecheck import TAB_STOP_BLOCKS

pytestmark = pytest.mark.browser

BUDGET = 1_500_000  # bytes
SCRIPT_BUDGET = 500_000  # bytes of JavaScript, uncompressed
#: Script file name -> CSS selector of what a page needs it for.
FEATURE_SCRIPTS = {
    "design-tabs.js": ".sd-tab-set",
    "copybutton.js": "pre",
    "clipboard.min.js": "pre",
    "sg-tags.js": ".sphx-glr-tag-list",
    "togglebutton.js": ".toggle, .dropdown",
    "d2lopt-interactive.js": ".d2lopt-interactive",
    "d2lopt-tab-stops.js": TAB_STOP_BLOCKS,
}


def _heaviest(loaded: dict[str, int], n: int = 8) -> str:
    top = sorted(loaded.items(), key=lambda item: -item[1])[:n]
    return "\n  ".join(f"{size / 1e3:8.1f} kB  {url}" for url, size in top)


@pytest.mark.parametrize("screen", ["desktop", "2x-screen"])
def test_page_weight_within_budget(visit, page_path: str, screen: str) -> None:
    seen = visit(page_path)
    loaded = seen.traffic.loaded
    assert loaded, f"{page_path}: no file was recorded as loaded"
    weight = seen.traffic.bytes_loaded if screen == "desktop" else seen.phone_bytes
    assert weight <= BUDGET, (
        f"{page_path} weighs {weight / 1e6:.2f} MB on a {screen} "
        f"(budget {BUDGET / 1e6:.1f} MB); heaviest files (desktop):\n  {_heaviest(loaded)}"
    )


def test_page_weight_uncompressed_within_budget(visit, page_path: str) -> None:
    """The budget holds for the files as the browser decodes them, not only as sent."""
    seen = visit(page_path)
    weight = seen.traffic.bytes_uncompressed
    assert weight <= BUDGET, (
        f"{page_path} loads {weight / 1e6:.2f} MB uncompressed (budget {BUDGET / 1e6:.1f} MB); "
        f"heaviest files (as sent):\n  {_heaviest(seen.traffic.loaded)}"
    )


def _scripts(seen) -> dict[str, int]:
    """URL -> uncompressed bytes of each JavaScript file the page loaded."""
    traffic = seen.traffic
    return {
        url: traffic.file_for(url).stat().st_size
        for url in traffic.loaded
        if re.search(r"\.m?js(\?|$)", url) and traffic.file_for(url).is_file()
    }


def test_script_within_budget(visit, page_path: str) -> None:
    scripts = _scripts(visit(page_path))
    total = sum(scripts.values())
    assert total <= SCRIPT_BUDGET, (
        f"{page_path} loads {total / 1e3:.0f} kB of script (budget {SCRIPT_BUDGET / 1e3:.0f} kB):"
        f"\n  {_heaviest(scripts)}"
    )


def test_no_script_the_page_does_not_use(visit, page_path: str) -> None:
    seen = visit(page_path)
    names = {url.split("?")[0].rsplit("/", 1)[-1]: url for url in _scripts(seen)}
    unused = []
    for name in ("tex-chtml.js", "katex.min.js", "katex.js", "auto-render.min.js"):
        if name in names or any("mathjax" in url.lower() for url in names.values()):
            unused.append(f"{name}: the math is typeset when the site is built")
    if page_path != "search.html":
        unused += [f"{n}: search index on a page other than search.html"
                   for n in ("searchindex.js", "searchtools.js", "language_data.js") if n in names]
    for name, selector in FEATURE_SCRIPTS.items():
        if name in names and not seen.features.get(selector):
            unused.append(f"{name}: the page has no {selector}")
    assert not unused, f"{page_path} loads scripts it does not use:\n  " + "\n  ".join(unused)
