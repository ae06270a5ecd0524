"""No page weighs more than 1.5 MB as the browser loads it.

The weight is the sum of the bodies of every file the page loads before the
reader does anything: the HTML, styles, scripts, web fonts (MathJax's included),
and the images (lazy ones too, as if the reader scrolled to the end). Each URL
counts once, with the size a host sends it: GitHub Pages and Read the Docs
gzip text files (HTML, CSS, JavaScript, SVG), so those count gzip-compressed
(level 6); images and WOFF2 fonts are already compressed and count as they are.
It is counted for a desktop screen, and for a 2x (phone) screen, which loads
the 2x figure of each srcset instead of the 1x one.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

BUDGET = 1_500_000  # bytes


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
