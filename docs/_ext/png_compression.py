"""PNG files are small.

When the build finishes, every gallery figure (1x and 2x) and
thumbnail (shown at 160 x 112 px, so a grid of 30 of them weighed 800 kB) is
re-saved with a dithered 256-colour palette chosen by median cut: 40 % of the
size (the 51 1x figures: 3.67 to 1.63 MB). Median cut, not the faster octree,
because the octree merged the pale greys of the 3-D panes into white; after
median cut and dithering, the figures blurred by 1.5 px differ from the
originals by at most 0.27 of 255 on average. Figures with transparency keep
the octree (median cut has no alpha). The other PNGs of the site (drawn by the
chapter's notebook cells) get ``optipng -o2`` when it is installed. A stamp
file next to the doctrees keeps files from being redone. Checked by
tests/build/test_png_compression.py and tests/browser (page weight).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

_STAMP = "d2lopt-pngs.json"
#: Stamps of another method are redone (files already quantized are left as they are).
_METHOD = "mediancut-1x-2x-thumbs"


def palette(png: Path) -> None:
    """Re-save a gallery figure with a 256-colour palette (dithered), in place."""
    from PIL import Image

    with Image.open(png) as im:
        im.load()
    if im.mode == "RGBA" and im.getextrema()[3][0] == 255:
        im = im.convert("RGB")  # opaque: no alpha channel to keep
    elif im.mode not in {"RGB", "RGBA"}:
        return  # already a palette (or grey) image
    method = Image.Quantize.MEDIANCUT if im.mode == "RGB" else Image.Quantize.FASTOCTREE
    quantized = im.quantize(colors=256, method=method, dither=Image.Dither.FLOYDSTEINBERG)
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
    if stamps.get("_method") != _METHOD:
        stamps = {"_method": _METHOD}
    todo = []
    for png in sorted(images.glob("*.png")):
        stat = png.stat()
        if stamps.get(png.name) != [stat.st_size, stat.st_mtime_ns]:
            todo.append(png)  # not done in an earlier build, or copied again since
    gallery = [png for png in todo if png.name.startswith("sphx_glr_")]
    others = [png for png in todo if not png.name.startswith("sphx_glr_")] if optipng else []
    # Pillow releases the GIL while it quantizes and compresses: one thread per core.
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        list(pool.map(palette, gallery))
    for png in others:  # (the gallery's figures get the palette, and no optipng before it)
        subprocess.run([optipng, "-quiet", "-o2", str(png)], check=False)
    thumbnails, compressed = len(gallery), len(others)
    for png in todo:
        stat = png.stat()
        stamps[png.name] = [stat.st_size, stat.st_mtime_ns]
    stamp_file.write_text(json.dumps(stamps, indent=0, sort_keys=True))
    if thumbnails or compressed:
        logger.info(
            f"png_compression: {thumbnails} gallery figures and thumbnails to 256 colours, "
            f"{compressed} other PNG files compressed with optipng"
        )


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("build-finished", _shrink_pngs)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
