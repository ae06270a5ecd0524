"""docs/_ext/chapter_figure_srcset.py: chapter figures get their 2x file, size and lazy loading.

A tiny project with one gallery script drawing two figures (sphinx-gallery
saves each at 1x and 2x) and one page under ``chapter/`` showing both, plus a
page outside ``chapter/`` that the extension must leave alone.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

pytest.importorskip("sphinx_gallery")
pytest.importorskip("matplotlib")

from tiny_gallery import EXT_DIR, MATPLOTLIB_CONF, sphinx_build, write_conf, write_examples  # noqa: E402

sys.path.insert(0, str(EXT_DIR))
from chapter_figure_srcset import hidpi_name, png_size  # noqa: E402

SCRIPT = '''\
"""
Two figures
===========

Draws two figures of different sizes.
"""

import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(6.9, 4.3), dpi=100)
ax.plot([0, 1], [0, 1])
fig2, ax2 = plt.subplots(figsize=(4.0, 3.0), dpi=100)
ax2.plot([0, 1], [1, 0])
'''

FIGURE = "/auto_examples/s1/images/sphx_glr_plot_two_{n:03d}.png"
PAGE = """\
Page
====

.. figure:: {first}
   :alt: the first figure
   :width: 100%

.. figure:: {second}
   :alt: the second figure
   :width: 100%
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("srcset") / "proj"
    root.mkdir()
    write_conf(root, ["chapter_figure_srcset"], parallel=False, extra=MATPLOTLIB_CONF)
    write_examples(root, {"s1": {"two": SCRIPT}})
    page = PAGE.format(first=FIGURE.format(n=1), second=FIGURE.format(n=2))
    (root / "chapter").mkdir()
    (root / "chapter" / "page.rst").write_text(page)
    (root / "other.rst").write_text(page.replace("Page\n====", "Other\n====="))
    (root / "index.rst").write_text(
        "Tiny\n====\n\n.. toctree::\n\n   auto_examples/index\n   chapter/page\n   other\n"
    )
    sphinx_build(root, tmp_path_factory.mktemp("log") / "runs.log", "-W", timeout=180)
    return root


def _images(html: str) -> list[dict[str, str]]:
    tags = re.findall(r"<img\b[^>]*>", html)
    return [dict(re.findall(r'([a-z-]+)="([^"]*)"', tag)) for tag in tags]


def test_hidpi_name_is_sphinx_gallerys() -> None:
    assert hidpi_name("sphx_glr_plot_a_001") == "sphx_glr_plot_a_001_2_00x.png"
    assert hidpi_name("x", 1.5) == "x_1_50x.png"


def test_png_size_reads_the_header(tmp_path: Path) -> None:
    from PIL import Image

    Image.new("RGB", (37, 11)).save(tmp_path / "a.png")
    assert png_size(tmp_path / "a.png") == (37, 11)
    (tmp_path / "b.png").write_bytes(b"not a png at all, not at all")
    with pytest.raises(ValueError, match="not a PNG"):
        png_size(tmp_path / "b.png")


def test_chapter_figures_have_srcset_size_and_lazy_loading(built: Path) -> None:
    out = built / "_build"
    first, second = _images((out / "chapter" / "page.html").read_text())
    for img, n, inches in ((first, 1, (6.9, 4.3)), (second, 2, (4.0, 3.0))):
        stem = f"sphx_glr_plot_two_{n:03d}"
        assert img["src"] == f"../_images/{stem}.png"
        assert img["srcset"] == f"../_images/{stem}.png 1x, ../_images/{stem}_2_00x.png 2x"
        one_x, two_x = out / "_images" / f"{stem}.png", out / "_images" / f"{stem}_2_00x.png"
        assert png_size(one_x) == (round(inches[0] * 100), round(inches[1] * 100))
        assert png_size(two_x) == (2 * png_size(one_x)[0], 2 * png_size(one_x)[1])
        assert (img["width"], img["height"]) == tuple(str(v) for v in png_size(one_x))
        assert "style" not in img  # the "100%" width gave way to the pixel size
    assert "loading" not in first  # the first figure is on the first screen
    assert second["loading"] == "lazy"


def test_pages_outside_the_chapter_are_left_alone(built: Path) -> None:
    for img in _images((built / "_build" / "other.html").read_text()):
        assert "srcset" not in img and "loading" not in img
        assert img["style"] == "width: 100%;"
