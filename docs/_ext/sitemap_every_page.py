"""The sitemap lists every page after an incremental build too.

sphinx-sitemap (2.9) collects a link per page written by *this* build
(``html-page-context``), so a rebuild that rewrites a few pages replaces
``sitemap.xml`` with those few. Before it writes the file, this adds the
pages that this build did not rewrite, through sphinx-sitemap's own
``add_html_link`` (so its URL scheme and ``sitemap_excludes`` apply).
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx


def _written(app: Sphinx, pagename: str, *args: Any) -> None:
    app.env.d2lopt_written_pages.add(pagename)  # type: ignore[attr-defined]


def _builder_inited(app: Sphinx) -> None:
    app.env.d2lopt_written_pages = set()  # type: ignore[attr-defined]


def _add_the_rest(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    import sphinx_sitemap  # the docs extra has it; the tests import this module without it

    written = getattr(app.env, "d2lopt_written_pages", set())
    for docname in sorted(app.env.found_docs - written):
        sphinx_sitemap.add_html_link(app, docname, None, None, None)


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("sphinx_sitemap")
    app.connect("builder-inited", _builder_inited, priority=600)  # after sphinx-sitemap's
    app.connect("html-page-context", _written)
    app.connect("build-finished", _add_the_rest, priority=400)  # before it writes the file
    # Pages written by parallel writer processes would not be seen here.
    return {"parallel_read_safe": True, "parallel_write_safe": False}
