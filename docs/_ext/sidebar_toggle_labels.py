"""Sidebar toggles have a name.

pydata-sphinx-theme draws each expandable entry of the navigation as
``<details><summary>`` holding only a chevron icon, which screen readers announce
as an unnamed button (axe ``summary-name``, serious). Each such ``<summary>``
gets ``aria-label="Sections of <entry title>"``. Checked by tests/browser.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx


def _label_summaries(toctree: Any) -> Any:
    """Give each icon-only ``<summary>`` of a toctree an ``aria-label``.

    ``toctree`` is what pydata-sphinx-theme's ``generate_toctree_html`` returns:
    a BeautifulSoup object (or a string); it is labelled in place and returned.
    """
    if isinstance(toctree, str):
        if "<summary>" not in toctree:
            return toctree
        from bs4 import BeautifulSoup  # a dependency of pydata-sphinx-theme

        return str(_label_summaries(BeautifulSoup(toctree, "html.parser")))
    for summary in toctree.find_all("summary"):
        if summary.get_text(strip=True) or summary.get("aria-label"):
            continue
        item = summary.find_parent("li")
        link = item.find("a", recursive=False) if item else None
        title = link.get_text(" ", strip=True) if link else ""
        summary["aria-label"] = f"Sections of {title}" if title else "Sections"
    return toctree


def _wrap_toctree(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any):
    generate = context.get("generate_toctree_html")
    if generate is None or getattr(generate, "_d2lopt_labelled", False):
        return

    def generate_toctree_html(*args: Any, **kwargs: Any) -> Any:
        return _label_summaries(generate(*args, **kwargs))

    generate_toctree_html._d2lopt_labelled = True  # type: ignore[attr-defined]
    context["generate_toctree_html"] = generate_toctree_html


def setup(app: Sphinx) -> dict[str, Any]:
    # After pydata-sphinx-theme (priority 500) has put generate_toctree_html in the context.
    app.connect("html-page-context", _wrap_toctree, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
