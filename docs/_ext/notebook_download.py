"""Chapter pages offer their notebook.

Each page that myst-nb executed gets its executed notebook (outputs included) in
``_sources/`` and an ``.ipynb`` entry in the theme's download menu, next to
``.md`` and ``.pdf`` (the theme does this only when a remote launch service is
configured). Checked by tests/browser.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx


def _offer_notebook(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any):
    if context.get("ipynb_source") or not context.get("sourcename", "").endswith(
        (".md", ".md.txt")
    ):
        return
    executed = Path(app.outdir).parent / "jupyter_execute" / f"{pagename}.ipynb"
    if not executed.is_file():
        return  # not a notebook page (or not executed by myst-nb)
    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(executed, target)
    context["ipynb_source"] = f"{pagename}.ipynb"


def setup(app: Sphinx) -> dict[str, Any]:
    # Before sphinx-book-theme builds its download menu (priority 501).
    app.connect("html-page-context", _offer_notebook, priority=500)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
