"""Bibliography entries are list items.

docutils writes the citation list as ``role="list"`` holding
``role="doc-biblioentry"`` entries, a role that WAI-ARIA (DPUB 1.1) deprecated,
so the list has no valid items (axe ``aria-required-children``, critical). The
entries become ``role="listitem"``. Checked by tests/browser.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx


def _list_item_roles(
    app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any
) -> None:
    body = context.get("body")
    if body and 'role="doc-biblioentry"' in body:
        context["body"] = body.replace('role="doc-biblioentry"', 'role="listitem"')


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("html-page-context", _list_item_roles, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
