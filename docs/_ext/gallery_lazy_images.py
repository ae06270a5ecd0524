"""Gallery pages load their images below the first ones lazily.

An example page shows its figures one under the other and the gallery's index
pages a grid of thumbnails; a reader who stays at the top needs only the first
of them. On every page under ``auto_examples/`` each ``<img>`` after the first
``EAGER`` ones (``EAGER_INDEX`` on an index page: its first row of thumbnails)
gets ``loading="lazy"``; the browser fetches it as it comes near the window.
(Chapter pages: ``chapter_figure_srcset``.) Checked by
tests/build/test_gallery_lazy_images.py and tests/browser.
"""

from __future__ import annotations

import re
from typing import Any

from sphinx.application import Sphinx

GALLERY = "auto_examples/"
EAGER = 1
EAGER_INDEX = 4

_IMG = re.compile(r"<img\b(?![^>]*\bloading=)")


def lazy_after(html: str, eager: int) -> str:
    """``html`` with ``loading="lazy"`` on each ``<img>`` after the first ``eager`` ones.

    >>> lazy_after('<img src="a.png"><p>x</p><img src="b.png"><img loading="eager" src="c">', 1)
    '<img src="a.png"><p>x</p><img loading="lazy" src="b.png"><img loading="eager" src="c">'
    """
    count = 0

    def mark(match: re.Match[str]) -> str:
        nonlocal count
        count += 1
        return match.group(0) if count <= eager else '<img loading="lazy"'

    return _IMG.sub(mark, html)


def _lazy_gallery_images(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    if not pagename.startswith(GALLERY) or "body" not in context:
        return
    eager = EAGER_INDEX if pagename.endswith("index") else EAGER
    context["body"] = lazy_after(context["body"], eager)


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("html-page-context", _lazy_gallery_images)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
