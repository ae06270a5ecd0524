"""Gallery thumbnails describe their figure.

sphinx-gallery writes every thumbnail with an empty ``alt``. A thumbnail is a
small copy of one figure of its example (``# sphinx_gallery_thumbnail_number``,
default the first), so it gets that figure's alt text (the figure's titles), or
the example's title. Checked by tests/browser.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx

_THUMB = re.compile(r"(?P<dir>.*)/images/thumb/sphx_glr_(?P<stem>.+)_thumb\.(png|svg|jpg)$")
_THUMB_NUMBER = re.compile(r"sphinx_gallery_thumbnail_number\s*=\s*(-?\d+)")


@cache
def _example_alts(rst: Path, stem: str) -> tuple[tuple[str, ...], str]:
    """The alt texts of an example's figures, in order, and the example's title."""
    if not rst.is_file():
        return (), ""
    text = rst.read_text(encoding="utf-8")
    figure = re.compile(
        r"image-sg:: \S*/sphx_glr_" + re.escape(stem) + r"_(\d+)\.\w+\s*\n\s+:alt: ([^\n]*)"
    )
    alts = tuple(alt.strip() for _, alt in sorted(figure.findall(text), key=lambda m: int(m[0])))
    heading = re.search(r"^(\S[^\n]*)\n(=+)\s*$", text, re.MULTILINE)
    return alts, heading.group(1).strip() if heading else ""


def _thumbnail_number(source: Path) -> int:
    if source.is_file():
        match = _THUMB_NUMBER.search(source.read_text(encoding="utf-8"))
        if match:
            return int(match.group(1))
    return 1


def _describe_thumbnails(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    for image in doctree.findall(nodes.image):
        if image.get("alt"):
            continue
        match = _THUMB.match(image["uri"].lstrip("/"))
        if not match:
            continue
        folder = Path(app.srcdir) / match.group("dir")
        stem = match.group("stem")
        alts, title = _example_alts(folder / f"{stem}.rst", stem)
        number = _thumbnail_number(folder / f"{stem}.py")
        index = number - 1 if number > 0 else len(alts) + number
        if 0 <= index < len(alts) and alts[index]:
            image["alt"] = alts[index]
        elif title:
            image["alt"] = f"Figure of the example: {title}"


def _forget_examples(app: Sphinx, env: Any, docnames: list[str]) -> None:
    _example_alts.cache_clear()


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("doctree-resolved", _describe_thumbnails)
    app.connect("env-before-read-docs", _forget_examples)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
