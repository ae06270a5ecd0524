"""Interactive figures: their script and styles, only on the pages that have one.

A chapter page's hidden code cell displays the HTML of
:func:`d2lopt.plot.interactive.interactive_html` (a ``div.d2lopt-interactive``
with its controls and one prerendered SVG per setting of them). This extension
copies ``d2lopt-interactive.js`` (a few kB: it swaps the SVG when a control
moves; no plotting library runs in the browser) and its CSS into ``_static``,
and adds them to a page only when its body holds such a figure. No CDN.
Checked by tests/browser/test_interactive.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

STATIC = Path(__file__).parent / "interactive_figures_static"
MARKER = 'class="d2lopt-interactive"'


def _add_static(app: Sphinx, config: Any) -> None:
    config.html_static_path = [*config.html_static_path, str(STATIC)]


def _page_assets(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any],
                 doctree: Any) -> None:
    if MARKER in context.get("body", ""):
        app.add_css_file("d2lopt-interactive.css")
        app.add_js_file("d2lopt-interactive.js", loading_method="defer")


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("config-inited", _add_static)
    app.connect("html-page-context", _page_assets)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
