"""Chapter figures are served at 2x, with their size, and lazily below the first.

The chapter pages show gallery figures with MyST ``{figure}`` directives that
point at ``/auto_examples/<folder>/images/sphx_glr_<script>_00N.png``.
sphinx-gallery saves a 2x copy of each figure next to it
(``sphx_glr_<script>_00N_2_00x.png``, from ``image_srcset = ["2x"]``) but only
its own pages use it. On chapter pages this extension

- gives each such image a ``srcset`` with the 1x and the 2x file, and copies the
  2x file into ``_images/`` next to the 1x one;
- sets the ``width`` and ``height`` attributes to the 1x file's pixel size, so
  the page does not jump while the figures load (the stylesheet keeps them
  within the column: ``max-width: 100%; height: auto``);
- marks every figure after the page's first ``loading="lazy"``.

A figure whose 2x file is missing (while its 1x file exists) is a warning.
Checked by tests/build/test_chapter_figure_srcset.py and tests/browser.
"""

from __future__ import annotations

import posixpath
import re
import struct
import urllib.parse
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging
from sphinx.writers.html5 import HTML5Translator

logger = logging.getLogger(__name__)

#: A gallery figure: ``auto_examples/<folder>/images/sphx_glr_<script>_00N.png``.
GALLERY_FIGURE = re.compile(r"^/?(auto_examples/.+/images/sphx_glr_.+_\d{3})\.png$")
#: The multiplier of the high-resolution copy, as sphinx-gallery names it.
HIDPI = 2.0
_SRCSET = "d2lopt_srcset_2x"  # node attribute: the 2x file, relative to the source folder


def hidpi_name(stem: str, factor: float = HIDPI) -> str:
    """The file name sphinx-gallery gives the ``factor`` x copy of ``<stem>.png``.

    >>> hidpi_name("sphx_glr_plot_a_001")
    'sphx_glr_plot_a_001_2_00x.png'
    """
    return f"{stem}_{factor:.2f}".replace(".", "_") + "x.png"


def png_size(path: Path) -> tuple[int, int]:
    """Width and height, in pixels, from a PNG file's header.

    Raises
    ------
    ValueError
        If ``path`` is not a PNG file.
    """
    with open(path, "rb") as handle:
        header = handle.read(24)
    if len(header) < 24 or header[:8] != b"\x89PNG\r\n\x1a\n" or header[12:16] != b"IHDR":
        raise ValueError(f"{path} is not a PNG file")
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def _is_chapter_page(docname: str) -> bool:
    return docname.startswith("chapter/")


class ChapterFigureSrcset(SphinxPostTransform):
    """Mark the gallery figures of a chapter page: 2x file, pixel size, lazy loading."""

    default_priority = 400
    formats = ("html",)

    def run(self, **kwargs: Any) -> None:
        if not _is_chapter_page(self.env.docname):
            return
        srcdir = Path(self.app.srcdir)
        first = True
        for node in self.document.findall(nodes.image):
            match = GALLERY_FIGURE.match(node["uri"])
            if not match:
                continue
            one_x = srcdir / f"{match.group(1)}.png"
            if not one_x.is_file():
                continue  # a build that does not run the gallery (plot_gallery=0)
            two_x = one_x.with_name(hidpi_name(one_x.stem))
            if not two_x.is_file():
                logger.warning("chapter figure %s has no 2x file %s", node["uri"], two_x.name,
                               location=node, type="d2lopt", subtype="srcset")
            else:
                relative = two_x.relative_to(srcdir).as_posix()
                # The builder copies every file of builder.images into _images/.
                self.app.builder.images.setdefault(relative, two_x.name)
                node[_SRCSET] = relative
            width, height = png_size(one_x)
            node["width"], node["height"] = str(width), str(height)
            node.attributes.pop("scale", None)
            if not first:
                node["loading"] = "lazy"
            first = False


def visit_image(self: HTML5Translator, node: nodes.image) -> None:
    """Sphinx's own ``<img>``, with the ``srcset`` of a marked chapter figure."""
    HTML5Translator.visit_image(self, node)
    relative = node.get(_SRCSET)
    if not relative or relative not in self.builder.images:
        return
    two_x = posixpath.join(self.builder.imgpath,
                           urllib.parse.quote(self.builder.images[relative]))
    srcset = self.attval(f"{node['uri']} 1x, {two_x} 2x")
    for index in range(len(self.body) - 1, -1, -1):
        if self.body[index].startswith("<img "):
            self.body[index] = self.body[index].replace("<img ", f'<img srcset="{srcset}" ', 1)
            break


def depart_image(self: HTML5Translator, node: nodes.image) -> None:
    HTML5Translator.depart_image(self, node)


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_post_transform(ChapterFigureSrcset)
    app.add_node(nodes.image, override=True, html=(visit_image, depart_image))
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
