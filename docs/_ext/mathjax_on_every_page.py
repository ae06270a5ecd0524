"""MathJax on every page.

Sphinx loads MathJax only on pages whose own text has math, but the navigation
sidebar of every page lists the gallery's titles, some of which have math in
them; without MathJax they show as raw TeX. The assets policy ``always`` loads
it everywhere. Checked by tests/browser.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx


def setup(app: Sphinx) -> dict[str, Any]:
    app.set_html_assets_policy("always")
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
