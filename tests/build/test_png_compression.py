"""docs/_ext/png_compression.py: gallery figures re-saved with 256 colours, pale greys kept."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

PIL = pytest.importorskip("PIL")
from PIL import Image  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "docs" / "_ext"))
from png_compression import palette  # noqa: E402


def _figure() -> np.ndarray:
    """White, a pale grey pane (as Matplotlib's 3-D axes draw), a colour gradient, a line."""
    pixels = np.full((200, 300, 3), 255, dtype=np.uint8)
    pixels[20:100, 20:140] = 244  # the pane
    ramp = np.linspace(0, 1, 120)
    pixels[110:190, 160:280, 0] = (68 + 185 * ramp).astype(np.uint8)  # a viridis-like ramp
    pixels[110:190, 160:280, 1] = (1 + 230 * ramp).astype(np.uint8)
    pixels[110:190, 160:280, 2] = (84 - 50 * ramp).astype(np.uint8)
    shading = np.random.default_rng(0).integers(-3, 4, size=(80, 120, 1))  # a lit surface
    pixels[110:190, 160:280] = np.clip(pixels[110:190, 160:280] + shading, 0, 255)
    pixels[150, 10:150] = (0, 114, 178)  # an Okabe-Ito blue line
    return pixels


def test_a_figure_keeps_its_pale_grey_and_its_colours(tmp_path: Path) -> None:
    png = tmp_path / "sphx_glr_plot_x_001.png"
    Image.fromarray(_figure()).save(png)
    before = png.stat().st_size
    palette(png)
    with Image.open(png) as im:
        assert im.mode == "P"
        out = np.asarray(im.convert("RGB")).astype(int)
    assert png.stat().st_size < before
    assert np.abs(out[30:90, 30:130] - 244).max() <= 2, "the pane's grey is lost"
    assert (out[150, 20:140] == (0, 114, 178)).all()
    blur = np.abs(out[110:190, 160:280].mean(axis=(0, 1)) - _figure()[110:190, 160:280].mean(
        axis=(0, 1)))
    assert blur.max() < 2


def test_transparency_is_kept_and_palette_images_left_alone(tmp_path: Path) -> None:
    rgba = np.zeros((40, 40, 4), dtype=np.uint8)
    rgba[:20, :, :] = (0, 114, 178, 255)
    png = tmp_path / "sphx_glr_plot_y_001.png"
    Image.fromarray(rgba).save(png)
    palette(png)
    with Image.open(png) as im:
        out = np.asarray(im.convert("RGBA"))
    assert (out[30, 30, 3] == 0) and (out[5, 5] == (0, 114, 178, 255)).all()
    already = png.read_bytes()
    palette(png)  # a palette image: nothing to do
    assert png.read_bytes() == already
