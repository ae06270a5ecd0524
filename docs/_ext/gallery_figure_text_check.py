"""Every gallery figure's text is checked in the build: a warning per problem.

:func:`scraper` is sphinx-gallery's Matplotlib image scraper with one step
before it: every open figure is measured with
:func:`d2lopt.plot.layout.text_problems` at the width the chapter column shows
it (``DISPLAY_WIDTH`` px), and the problems (overlapping text, text leaving the
figure, text smaller than 9 pt as shown) are written next to the figure's image,
``sphx_glr_<script>_00N.text.json`` (an empty list when it is clean). Configure
it in conf.py as ``"image_scrapers": ("gallery_figure_text_check.scraper",)``.

The examples may run in worker processes (``parallel``), whose log never
reaches Sphinx. So when the gallery is generated (``builder-inited``, after
sphinx-gallery), :func:`report` reads those files in the main process and emits
one Sphinx warning per problem, naming the script and the figure number; with
``-W`` the build fails. An example that was not rerun keeps its figures, and so
its report.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

#: Pixels: the width of the chapter's text column on a 1280-pixel desktop.
DISPLAY_WIDTH = 690
#: Points: the smallest text, as shown at ``DISPLAY_WIDTH``, that counts as legible.
MIN_SIZE = 9.0
_SUFFIX = ".text.json"


def report_path(image_path: str | Path) -> Path:
    """The report file of a figure image: ``<image stem>.text.json`` next to it.

    >>> report_path("images/sphx_glr_plot_a_001.png").as_posix()
    'images/sphx_glr_plot_a_001.text.json'
    """
    path = Path(image_path)
    return path.with_name(path.stem + _SUFFIX)


def scraper(block: Any, block_vars: dict[str, Any], gallery_conf: dict[str, Any],
            **kwargs: Any) -> str:
    """sphinx-gallery's Matplotlib scraper, after writing each open figure's text problems."""
    import matplotlib.pyplot as plt
    from sphinx_gallery.scrapers import matplotlib_scraper

    from d2lopt.plot.layout import text_problems

    numbers = plt.get_fignums()
    problems = [text_problems(plt.figure(n), min_size=MIN_SIZE, display_width=DISPLAY_WIDTH)
                for n in numbers]
    iterator = block_vars["image_path_iterator"]
    already = len(iterator)
    rst = matplotlib_scraper(block, block_vars, gallery_conf, **kwargs)
    src_dir = Path(gallery_conf["src_dir"])
    script = Path(block_vars["src_file"])
    try:
        script_name = script.resolve().relative_to(src_dir.resolve().parent).as_posix()
    except ValueError:
        script_name = script.name
    for image_path, found in zip(iterator.paths[already:], problems, strict=True):
        figure = int(Path(image_path).stem.rsplit("_", 1)[1])
        report_path(image_path).write_text(
            json.dumps({"script": script_name, "figure": figure, "problems": found}, indent=1)
        )
    return rst


def figure_reports(gallery_dir: Path) -> list[dict[str, Any]]:
    """The reports of the figures that exist under ``gallery_dir``, sorted by script and figure."""
    reports = []
    for path in sorted(gallery_dir.rglob("*" + _SUFFIX)):
        image = path.with_name(path.name.removesuffix(_SUFFIX) + ".png")
        if image.is_file():
            reports.append(json.loads(path.read_text()))
    return sorted(reports, key=lambda r: (r["script"], r["figure"]))


def report(app: Sphinx) -> None:
    """One warning per text problem of a gallery figure, naming its script and figure."""
    conf = app.config.sphinx_gallery_conf
    gallery_dirs = conf.get("gallery_dirs", [])
    for gallery_dir in [gallery_dirs] if isinstance(gallery_dirs, str) else gallery_dirs:
        for entry in figure_reports(Path(app.srcdir) / gallery_dir):
            for problem in entry["problems"]:
                logger.warning("%s, figure %d: %s", entry["script"], entry["figure"], problem,
                               type="d2lopt", subtype="figure_text")


def setup(app: Sphinx) -> dict[str, Any]:
    # After sphinx-gallery generates the gallery (builder-inited, priority 500)
    # and d2lopt_gallery_pool restores it (600).
    app.connect("builder-inited", report, priority=700)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
