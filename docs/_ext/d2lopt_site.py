"""Fixes, at build time, what the theme and the gallery ship that a reader trips over.

Each fix is checked by the browser tests in ``tests/browser`` (axe-core, alt
text, page weight); remove one only with the test that needs it.

- **Sidebar toggles have a name.** pydata-sphinx-theme draws each expandable
  entry of the navigation as ``<details><summary>`` holding only a chevron
  icon, which screen readers announce as an unnamed button (axe
  ``summary-name``, serious). Each such ``<summary>`` gets
  ``aria-label="Sections of <entry title>"``.
- **MathJax on every page.** Sphinx loads MathJax only on pages whose own text
  has math, but the navigation sidebar of every page lists the gallery's titles,
  some of which have math in them; without MathJax they show as raw TeX. The
  assets policy ``always`` loads it everywhere.
- **Bibliography entries are list items.** docutils writes the citation list as
  ``role="list"`` holding ``role="doc-biblioentry"`` entries, a role that
  WAI-ARIA (DPUB 1.1) deprecated, so the list has no valid items (axe
  ``aria-required-children``, critical). The entries become ``role="listitem"``.
- **Gallery thumbnails describe their figure.** sphinx-gallery writes every
  thumbnail with an empty ``alt``. A thumbnail is a small copy of one figure of
  its example (``# sphinx_gallery_thumbnail_number``, default the first), so it
  gets that figure's alt text (the figure's titles), or the example's title.
- **Alt text is read, not typeset.** The gallery's alt texts are the figures'
  titles, which use Matplotlib's TeX (``$\\frac{1}{4}x^4$``); a screen reader
  would spell out the dollars and backslashes. Math in alt text becomes plain
  text (``1/4 x^4``, Greek letters as Unicode).
- **The 404 page works at any depth.** sphinx-notfound-page makes the 404
  page's styles, scripts and navigation absolute (``notfound_urls_prefix``), so
  the host can serve it for a missing page in any folder; the links written in
  its body are made absolute here too.
- **Chapter pages offer their notebook.** Each page that myst-nb executed gets
  its executed notebook (outputs included) in ``_sources/`` and an ``.ipynb``
  entry in the theme's download menu, next to ``.md`` and ``.pdf`` (the theme
  does this only when a remote launch service is configured).
- **No fontawesome.js.** The theme loads it (540 kB gzipped) only so that
  users can add custom icons; its CSS and web fonts already draw every icon of
  the site. ``d2lopt_site_templates/layout.html`` leaves it out.
- **PNG files are small.** sphinx-gallery's ``compress_images`` runs
  ``optipng`` on the gallery figures (lossless). When the build finishes, the
  gallery thumbnails (shown at 160 x 112 px, so a grid of 30 of them weighed
  800 kB) are re-saved with a dithered 256-colour palette: a quarter of the
  size and, at that size, no visible difference. The other PNGs of the site
  (drawn by the chapter's notebook cells) get ``optipng -o2`` when it is
  installed. A stamp file next to the doctrees keeps files from being redone.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

# -- Sidebar <summary> names ------------------------------------------------------


def _label_summaries(toctree: Any) -> Any:
    """Give each icon-only ``<summary>`` of a toctree an ``aria-label``.

    ``toctree`` is what pydata-sphinx-theme's ``generate_toctree_html`` returns:
    a BeautifulSoup object (or a string); it is labelled in place and returned.
    """
    if isinstance(toctree, str):
        if "<summary>" not in toctree:
            return toctree
        from bs4 import BeautifulSoup  # a dependency of pydata-sphinx-theme

        return str(_label_summaries(BeautifulSoup(toctree, "html.parser")))
    for summary in toctree.find_all("summary"):
        if summary.get_text(strip=True) or summary.get("aria-label"):
            continue
        item = summary.find_parent("li")
        link = item.find("a", recursive=False) if item else None
        title = link.get_text(" ", strip=True) if link else ""
        summary["aria-label"] = f"Sections of {title}" if title else "Sections"
    return toctree


def _wrap_toctree(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any):
    generate = context.get("generate_toctree_html")
    if generate is None or getattr(generate, "_d2lopt_labelled", False):
        return

    def generate_toctree_html(*args: Any, **kwargs: Any) -> Any:
        return _label_summaries(generate(*args, **kwargs))

    generate_toctree_html._d2lopt_labelled = True  # type: ignore[attr-defined]
    context["generate_toctree_html"] = generate_toctree_html


# -- Bibliography roles -----------------------------------------------------------


_RELATIVE_LINK = re.compile(r'href="(?![a-z][a-z0-9+.-]*:|/|#)([^"]*)"')


def _fix_body(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any):
    body = context.get("body")
    if not body:
        return
    if 'role="doc-biblioentry"' in body:
        body = body.replace('role="doc-biblioentry"', 'role="listitem"')
    prefix = getattr(app.config, "notfound_urls_prefix", None)
    if prefix and pagename == getattr(app.config, "notfound_pagename", None):
        # The 404 page is served at any depth: its links are relative to the site root.
        body = _RELATIVE_LINK.sub(lambda m: f'href="{prefix.rstrip("/")}/{m.group(1)}"', body)
    context["body"] = body


# -- Notebook download ------------------------------------------------------------


def _offer_notebook(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any):
    if context.get("ipynb_source") or not context.get("sourcename", "").endswith(
        (".md", ".md.txt")
    ):
        return
    executed = Path(app.outdir).parent / "jupyter_execute" / f"{pagename}.ipynb"
    if not executed.is_file():
        return  # not a notebook page (or not executed by myst-nb)
    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(executed, target)
    context["ipynb_source"] = f"{pagename}.ipynb"


# -- Thumbnail alt text -----------------------------------------------------------

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


# -- Math in alt text ---------------------------------------------------------------

_TEX_WORDS = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε",
    "eta": "η", "theta": "θ", "kappa": "κ", "lambda": "λ", "mu": "μ", "nu": "ν", "pi": "π",
    "rho": "ρ", "sigma": "σ", "tau": "τ", "phi": "φ", "omega": "ω", "Delta": "Δ",
    "Lambda": "Λ", "Sigma": "Σ", "nabla": "∇", "propto": "∝", "sim": "~", "approx": "≈",
    "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "ne": "≠", "neq": "≠", "times": "×",
    "cdot": "·", "infty": "∞", "to": "→", "in": "∈", "pm": "±", "star": "*", "top": "T",
    "ell": "ℓ", "partial": "∂", "sqrt": "√", "prime": "′", "quad": " ", "qquad": " ",
}
_FRAC = re.compile(r"\\[dt]?frac\{([^{}]*)\}\{([^{}]*)\}")
_TEX_COMMAND = re.compile(r"\\([A-Za-z]+)")
_SIZING = re.compile(r"\\(left|right|big|Big|bigg|Bigg|mathrm|mathbf|operatorname|text)\b")
_MATH_SPAN = re.compile(r"\$([^$]*)\$")


def spoken_math(text: str) -> str:
    r"""Text with Matplotlib/TeX math turned into what a screen reader can say.

    >>> spoken_math(r"Double well $\frac{1}{4}x^4 - y^2$ with $\eta = 2/\lambda_{\max}$")
    'Double well 1/4 x^4 - y^2 with η = 2/λ_max'
    """

    def plain(math: str) -> str:
        math = _FRAC.sub(r"\1/\2 ", math)
        math = _SIZING.sub("", math)
        math = re.sub(r"\\[,;:!]", " ", math)
        # Symbols become characters; names (\\cos, \\max) words of their own.
        math = _TEX_COMMAND.sub(lambda m: _TEX_WORDS.get(m.group(1), " " + m.group(1)), math)
        math = math.replace("{", "").replace("}", "")
        math = re.sub(r"([_^])\s+", r"\1", math)
        return re.sub(r"\s+", " ", math).strip()

    text = _MATH_SPAN.sub(lambda m: plain(m.group(1)), text)
    return re.sub(r"\s+", " ", text).strip()


def _speak_alt_math(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    # nodes.image, and sphinx-gallery's own image node (``image-sg``, with srcset).
    for image in doctree.findall(lambda node: isinstance(node, nodes.Element) and "alt" in node):
        alt = image.get("alt") or ""
        if "$" in alt:
            image["alt"] = spoken_math(alt)


def _forget_examples(app: Sphinx, env: Any, docnames: list[str]) -> None:
    _example_alts.cache_clear()


# -- PNG compression --------------------------------------------------------------

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
        if png.name.startswith("sphx_glr_") and png.name.endswith("_thumb.png"):
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
            f"d2lopt_site: {thumbnails} thumbnails to 256 colours, "
            f"{compressed} other PNG files compressed with optipng"
        )


def _add_templates(app: Sphinx, config: Any) -> None:
    # After the project's own templates, so that docs/_templates/layout.html would win.
    config.templates_path = [*config.templates_path, str(TEMPLATES)]


TEMPLATES = Path(__file__).parent / "d2lopt_site_templates"


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("config-inited", _add_templates)
    app.set_html_assets_policy("always")
    # After pydata-sphinx-theme (priority 500) has put generate_toctree_html in the context.
    app.connect("html-page-context", _wrap_toctree, priority=900)
    app.connect("html-page-context", _fix_body, priority=900)
    # Before sphinx-book-theme builds its download menu (priority 501).
    app.connect("html-page-context", _offer_notebook, priority=500)
    app.connect("doctree-resolved", _describe_thumbnails)
    app.connect("doctree-resolved", _speak_alt_math, priority=600)  # after the thumbnails
    app.connect("env-before-read-docs", _forget_examples)
    app.connect("build-finished", _shrink_pngs)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
