"""docs/_ext/gallery_lazy_images.py: gallery pages load the images after the first lazily.

A tiny project: an example page and an index page under ``auto_examples/``, and a
page outside it that keeps its images as they are.
"""

from __future__ import annotations

import re
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

EXT_DIR = Path(__file__).resolve().parents[2] / "docs" / "_ext"
sys.path.insert(0, str(EXT_DIR))
from gallery_lazy_images import EAGER_INDEX, lazy_after  # noqa: E402

CONF = f"""\
import sys
sys.path.insert(0, {str(EXT_DIR)!r})
extensions = ["gallery_lazy_images"]
html_theme = "basic"
"""


def _png(path: Path) -> None:
    """A 1 x 1 grey PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x80")
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def _page(title: str, images: int) -> str:
    body = "".join(f".. image:: /fig.png\n   :alt: figure {i}\n\n" for i in range(images))
    return f"{title}\n{'=' * len(title)}\n\n{body}"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("lazy")
    (root / "conf.py").write_text(CONF)
    _png(root / "fig.png")
    (root / "auto_examples" / "s1").mkdir(parents=True)
    (root / "index.rst").write_text(_page("Home", 3) + ".. toctree::\n\n   auto_examples/index\n"
                                    "   auto_examples/s1/plot_a\n")
    (root / "auto_examples" / "index.rst").write_text(_page("Gallery", 6))
    (root / "auto_examples" / "s1" / "plot_a.rst").write_text(_page("Example", 3))
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "-b", "html", str(root), str(root / "_build")],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return root / "_build"


def _loading(html: str) -> list[str | None]:
    tags = re.findall(r"<img\b[^>]*>", html)
    return [(m.group(1) if (m := re.search(r'loading="(\w+)"', t)) else None) for t in tags]


def test_example_pages_load_all_but_the_first_image_lazily(built: Path) -> None:
    html = (built / "auto_examples" / "s1" / "plot_a.html").read_text(encoding="utf-8")
    assert _loading(html) == [None, "lazy", "lazy"]


def test_gallery_index_loads_its_first_row_eagerly(built: Path) -> None:
    html = (built / "auto_examples" / "index.html").read_text(encoding="utf-8")
    assert _loading(html) == [None] * EAGER_INDEX + ["lazy"] * (6 - EAGER_INDEX)


def test_pages_outside_the_gallery_are_left_alone(built: Path) -> None:
    assert _loading((built / "index.html").read_text(encoding="utf-8")) == [None] * 3


def test_an_image_with_its_own_loading_keeps_it() -> None:
    assert lazy_after('<img loading="eager" src="a"><img src="b">', 0) == (
        '<img loading="eager" src="a"><img loading="lazy" src="b">'
    )
