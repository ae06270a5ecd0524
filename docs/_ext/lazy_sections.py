"""A page's sections are laid out and drawn when the reader nears them.

A chapter page holds 4,700 to 8,600 elements (KaTeX's HTML and MathML, highlighted
code), and the browser styled and laid out all of them before the page was ready,
although a window shows one or two sections. Three parts:

- ``d2lopt-lazy-sections.css`` gives every second-level section of the article,
  and the paragraphs, lists, figures and displayed formulas in it,
  ``content-visibility: auto``, so that one far from the window keeps a placeholder
  of its last size until the reader scrolls near it (print, find-in-page and links
  to its headings still reach it). The containment that comes with it keeps margins
  from collapsing across the section's edges, so the heading's top margin moves to
  the section and the last child's bottom margin goes: nothing moves
  (tests/browser/test_lazy_sections.py compares every element's position).
- pydata-sphinx-theme, on ``load``, reads the size of every code block and output
  to make the scrollable ones keyboard focusable, which lays out every section
  again. ``without_load_scan`` takes that call out of the theme's script (at
  ``build-finished``, after the theme's files are copied); a theme whose script no
  longer has it stops the build, so that the change is looked at.
- ``d2lopt-tab-stops.js`` does the theme's check instead: for a block as soon as it
  is drawn, for the rest when the browser is idle, for all at the first Tab press,
  and again after the window is resized.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

STATIC = Path(__file__).parent / "lazy_sections_static"
THEME_SCRIPT = Path("_static") / "scripts" / "pydata-sphinx-theme.js"

#: The theme's minified ``addTabStopsToScrollableElements`` call, run on ``load``.
LOAD_SCAN = re.compile(
    r'"complete"===document\.readyState\?(?P<f>[\w$]+)\(\):'
    r'window\.addEventListener\("load",(?P=f)\)'
)
#: What takes its place (a comment that says where the check went).
REPLACEMENT = "void 0/* d2lopt: d2lopt-tab-stops.js sets the tab stops (lazy_sections.py) */"


def without_load_scan(source: str) -> str:
    """The theme's script ``source`` without its tab-stop scan on ``load``.

    Raises ``ValueError`` when the script has the call not once and was not
    already changed (a different theme version: look at what it does on load).

    >>> without_load_scan('f(),"complete"===document.readyState?I():'
    ...                   'window.addEventListener("load",I)})();')  # doctest: +ELLIPSIS
    'f(),void 0/* d2lopt: ... */})();'
    """
    if REPLACEMENT in source:
        return source
    changed, count = LOAD_SCAN.subn(REPLACEMENT, source)
    if count != 1:
        raise ValueError(
            f"found the theme's tab-stop scan on load {count} times, expected once: "
            "pydata-sphinx-theme changed; update docs/_ext/lazy_sections.py"
        )
    return changed


def _add_static(app: Sphinx, config: Any) -> None:
    config.html_static_path = [*config.html_static_path, str(STATIC)]


def _patch_theme_script(app: Sphinx, exception: BaseException | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    script = Path(app.outdir) / THEME_SCRIPT
    if not script.is_file():
        raise ExtensionError(f"lazy_sections: no {THEME_SCRIPT} in the built site")
    source = script.read_text(encoding="utf-8")
    try:
        changed = without_load_scan(source)
    except ValueError as error:
        raise ExtensionError(f"lazy_sections: {script}: {error}") from error
    if changed != source:
        script.write_text(changed, encoding="utf-8")


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("config-inited", _add_static)
    app.add_css_file("d2lopt-lazy-sections.css")
    app.add_js_file("d2lopt-tab-stops.js", loading_method="defer")
    app.connect("build-finished", _patch_theme_script)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
