"""PNG files are small.

sphinx-gallery's ``compress_images`` runs ``optipng`` on the gallery figures
(lossless). When the build finishes, the gallery thumbnails (shown at 160 x 112
px, so a grid of 30 of them weighed 800 kB) and the 2x figures that HiDPI
screens load (their pixels are half the size of a CSS pixel) are re-saved with
a dithered 256-colour palette: a third to a quarter of the size and, at that
size, no visible difference. The other PNGs of the site (drawn by the chapter's notebook cells)
get ``optipng -o2`` when it is installed. A stamp file next to the doctrees keeps
files from being redone. Checked by tests/browser (page weight).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

_STAMP = "d2lopt-pngs.json"


def _palette(png: Path) -> None:
    """Re-save a gallery thumbnail with a 256-colour palette (dithered)."""
    from PIL import Image

    with Image.open(png) as im:
        im.load()
    if im.mode == "RGBA" and im.getextrema()[3][0] == 255:
        im = im.convert("RGB")  # opaque: no alpha channel to keep
    elif im.mode not in {"RGB", "RGBA"}:
        return
    quantized = im.quantize(
        colors=256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.FLOYDSTEINBERG
    )
    quantized.save(png, optimize=True)


def _shrink_pngs(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    optipng = shutil.which("optipng")
    images = Path(app.outdir) / "_images"
    stamp_file = Path(app.doctreedir) / _STAMP  # not published with the site
    try:
        stamps = json.loads(stamp_file.read_text())
    except (OSError, ValueError):
        stamps = {}
    thumbnails = compressed = 0
    for png in sorted(images.glob("*.png")):
        stat = png.stat()
        if stamps.get(png.name) == [stat.st_size, stat.st_mtime_ns]:
            continue  # done in an earlier build, and not copied again since
        if png.name.startswith("sphx_glr_") and png.name.endswith(("_thumb.png", "_2_00x.png")):
            _palette(png)
            thumbnails += 1
        elif not png.name.startswith("sphx_glr_") and optipng:
            # (the gallery's figures are compressed by sphinx-gallery: compress_images)
            subprocess.run([optipng, "-quiet", "-o2", str(png)], check=False)
            compressed += 1
        stat = png.stat()
        stamps[png.name] = [stat.st_size, stat.st_mtime_ns]
    stamp_file.write_text(json.dumps(stamps, indent=0, sort_keys=True))
    if thumbnails or compressed:
        logger.info(
            f"png_compression: {thumbnails} thumbnails and 2x figures to 256 colours, "
            f"{compressed} other PNG files compressed with optipng"
        )


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("build-finished", _shrink_pngs)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
