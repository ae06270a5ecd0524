"""The 404 page works at any depth.

sphinx-notfound-page makes the 404 page's styles, scripts and navigation
absolute (``notfound_urls_prefix``), so the host can serve it for a missing page
in any folder; the links written in its body are made absolute here too.
Checked by tests/browser.
"""

from __future__ import annotations

import re
from typing import Any

from sphinx.application import Sphinx

_RELATIVE_LINK = re.compile(r'href="(?![a-z][a-z0-9+.-]*:|/|#)([^"]*)"')


def _absolute_links(
    app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any
) -> None:
    body = context.get("body")
    prefix = getattr(app.config, "notfound_urls_prefix", None)
    if body and prefix and pagename == getattr(app.config, "notfound_pagename", None):
        # The 404 page is served at any depth: its links are relative to the site root.
        context["body"] = _RELATIVE_LINK.sub(
            lambda m: f'href="{prefix.rstrip("/")}/{m.group(1)}"', body
        )


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("html-page-context", _absolute_links, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
