"""A page loads a feature's script only when it has that feature.

Extensions add their JavaScript to every page. Here each of these is kept only
on the pages that need it (``NEEDS``: the script, and what in the page's body
it works on):

- sphinx-design's ``design-tabs.js``: tab sets;
- sphinx-copybutton's ``clipboard.min.js`` and ``copybutton.js``: code blocks;
- sphinx-gallery's ``sg-tags.js``: the gallery's tag list;
- sphinx-togglebutton's ``togglebutton.js``: toggles and dropdowns (solutions);
- lazy_sections' ``d2lopt-tab-stops.js``: code blocks, outputs and tables.

The theme's search scripts (``searchtools.js``, ``language_data.js`` and the
site's whole ``searchindex.js``) are loaded by pydata-sphinx-theme on every page
for its search-as-you-type option, which this site leaves off (the search box
opens search.html, which loads them itself); the layout in
``drop_fontawesome_templates`` leaves them out. Checked by tests/browser
(test_page_weight.py).
"""

from __future__ import annotations

import posixpath
from typing import Any

from sphinx.application import Sphinx

#: Script file name -> strings of which the page's body has one when it needs it.
NEEDS = {
    "design-tabs.js": ("sd-tab-set",),
    "clipboard.min.js": ("<pre",),
    "copybutton.js": ("<pre",),
    "sg-tags.js": ("sphx-glr-tag-list",),
    # sphinx-togglebutton: its buttons open ".toggle, .admonition.dropdown" (solutions).
    "togglebutton.js": ("toggle", "dropdown"),
    # lazy_sections: the blocks whose scrolling it makes keyboard operable.
    "d2lopt-tab-stops.js": ("<pre", "output_area", "cell_output", "jp-RenderedHTMLCommon",
                            "pst-scrollable-table-container"),
}


def needed(scripts: list[Any], body: str) -> list[Any]:
    """The ``scripts`` (file names, or Sphinx's script objects) that a page with ``body`` needs.

    >>> needed(["_static/doctools.js", "_static/copybutton.js", "_static/design-tabs.js"],
    ...        '<div class="highlight"><pre>x = 1</pre></div>')
    ['_static/doctools.js', '_static/copybutton.js']
    """
    kept = []
    for script in scripts:
        name = posixpath.basename(str(getattr(script, "filename", script) or "").split("?")[0])
        if name not in NEEDS or any(mark in body for mark in NEEDS[name]):
            kept.append(script)
    return kept


def _drop_unneeded(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    if "script_files" in context:
        context["script_files"] = needed(list(context["script_files"]), context.get("body", ""))


def setup(app: Sphinx) -> dict[str, Any]:
    # Late: after the extensions that add their scripts in html-page-context.
    app.connect("html-page-context", _drop_unneeded, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
