"""Serve MathJax from the site itself.

Copies MathJax 3 (the files shipped by the PyPI package ``sphinx-mathjax-offline``,
whose import name is the hyphenated ``sphinx-mathjax-offline``) into
``_static/mathjax`` of the HTML output, and points ``mathjax_path`` there. It does
what that package's own extension does, but declares itself safe for parallel
builds (``sphinx-build -j``) and says what to install when the files are missing.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util.fileutil import copy_asset

PACKAGE = "sphinx-mathjax-offline"
ENTRY = "mathjax/tex-chtml.js"


def mathjax_dir() -> Path:
    """The MathJax folder inside the installed ``sphinx-mathjax-offline`` package."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or spec.origin is None:
        raise ExtensionError(
            f"MathJax is served from the site, from the files of the {PACKAGE!r} "
            f"package, which is not installed: pip install {PACKAGE}"
        )
    folder = Path(spec.origin).parent / "static" / "mathjax"
    if not (folder / "tex-chtml.js").is_file():
        raise ExtensionError(f"{folder} has no tex-chtml.js; reinstall {PACKAGE}")
    return folder


def _copy_mathjax(app: Sphinx, exc: Exception | None) -> None:
    if exc is None and app.builder.format == "html":
        # force: replace files that differ (a new MathJax); identical ones are left alone.
        copy_asset(mathjax_dir(), Path(app.outdir) / "_static" / "mathjax", force=True)


def setup(app: Sphinx) -> dict[str, Any]:
    mathjax_dir()  # fail early, with the install hint
    app.setup_extension("sphinx.ext.mathjax")
    app.config.mathjax_path = ENTRY
    app.connect("build-finished", _copy_mathjax)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
