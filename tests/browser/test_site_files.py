"""The built site has what hosting and readers expect, read from its files.

Sitemap, Open Graph tags, a root 404 page, hi-dpi figures, gallery thumbnails,
and API pages that list the examples using each function.
(Marked ``browser`` with the rest of this folder: they need the built site.)
"""

from __future__ import annotations

import re
import urllib.parse
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from sitecheck import gallery_pages, site_pages

pytestmark = pytest.mark.browser

NOT_IN_SITEMAP = {"404.html", "search.html", "genindex.html", "py-modindex.html"}


def _canonical(site: Path) -> str:
    html = (site / "index.html").read_text(encoding="utf-8")
    return re.search(r'<link rel="canonical" href="([^"]+)index\.html"', html).group(1)


def test_sitemap_lists_every_page_at_its_public_url(site: Path) -> None:
    root = _canonical(site)
    tree = ET.parse(site / "sitemap.xml")
    locs = [el.text for el in tree.iter() if el.tag.endswith("loc")]
    assert all(loc.startswith(root) for loc in locs), [loc for loc in locs if root not in loc][:5]
    listed = {loc[len(root) :] for loc in locs}
    pages = set(site_pages(site)) - NOT_IN_SITEMAP
    assert listed == pages, (
        f"not listed: {sorted(pages - listed)[:10]}; extra: {sorted(listed - pages)[:10]}"
    )


@pytest.mark.parametrize("page", ["index.html", "chapter/index.html", "auto_examples/index.html"])
def test_open_graph_tags_with_an_image(site: Path, page: str) -> None:
    html = (site / page).read_text(encoding="utf-8")
    tags = dict(re.findall(r'<meta property="og:([a-z:_]+)" content="([^"]*)"', html))
    root = _canonical(site)
    assert tags.get("title") and tags.get("description") and tags.get("site_name")
    assert tags.get("url") == root + page
    image = tags.get("image", "")
    assert image.startswith(root), f"og:image {image!r} is not on the site"
    assert (site / image[len(root) :]).is_file(), f"og:image {image} is not in the build"
    assert tags.get("image:alt"), "og:image has no alt text"


def test_404_page_at_the_root_with_absolute_links(site: Path) -> None:
    """GitHub Pages serves /404.html for any missing path, at any depth."""
    html = (site / "404.html").read_text(encoding="utf-8")
    prefix = urllib.parse.urlsplit(_canonical(site)).path
    assert "not found" in html.lower()
    assets = re.findall(r'(?:href|src)="([^"#]+)"', html)
    relative = [
        url for url in assets if not url.startswith((prefix, "http://", "https://", "data:"))
    ]
    assert not relative, f"404.html has links that break below the root: {relative[:10]}"


def test_gallery_figures_have_a_2x_version(site: Path) -> None:
    pages = gallery_pages(site)
    problems = []
    for page in pages:
        html = (site / page).read_text(encoding="utf-8")
        figures = re.findall(r'<img[^>]+class="sphx-glr-(?:single|multi)-img"[^>]*>', html)
        for img in figures:
            match = re.search(r'srcset="([^"]+)"', img)
            if not match or "2.00x" not in match.group(1):
                problems.append(f"{page}: no 2x srcset in {img[:120]}")
    assert pages and not problems, "\n".join(problems[:20])


def test_every_example_has_a_thumbnail(site: Path) -> None:
    html = (site / "auto_examples" / "index.html").read_text(encoding="utf-8")
    tags = re.findall(r'<img\b[^>]*_thumb\.png[^>]*>', html)  # any attribute order (loading=lazy)
    thumbs = [(re.search(r'\balt="([^"]*)"', tag).group(1) if 'alt="' in tag else "",
               re.search(r'\bsrc="([^"]+_thumb\.png)"', tag).group(1)) for tag in tags]
    examples = gallery_pages(site)
    assert len(thumbs) == len(examples)
    for alt, src in thumbs:
        assert alt.strip(), f"thumbnail {src} has no alt text"
        assert (site / "auto_examples" / src).resolve().is_file(), src


def test_api_pages_list_the_examples_that_use_them(site: Path) -> None:
    html = (site / "gen_modules" / "d2lopt.grad.html").read_text(encoding="utf-8")
    heading = re.search(r"examples using.{0,200}grad", html, re.IGNORECASE | re.DOTALL)
    assert heading, "the API page of d2lopt.grad has no 'examples using' section"
    assert html.count("sphx-glr-thumbcontainer") >= 1
    with_examples = [
        p
        for p in site_pages(site)
        if p.startswith("gen_modules/") and "sphx-glr-thumbcontainer" in (site / p).read_text()
    ]
    assert len(with_examples) >= 5, with_examples


def test_math_fonts_are_woff2_files_the_stylesheet_names(site: Path) -> None:
    """KaTeX's style sheet names only WOFF2 files, each there; no other font file is served."""
    css = (site / "_static" / "katex" / "katex.css").read_text(encoding="utf-8")
    named = set(re.findall(r"url\(([^)]+)\)", css))
    assert named, "the KaTeX style sheet names no font file"
    assert all(name.endswith(".woff2") for name in named), sorted(named)
    folder = site / "_static" / "katex"
    missing = sorted(name for name in named if not (folder / name).is_file())
    assert not missing, f"named by _static/katex/katex.css but not in the site: {missing}"
    served = {p.relative_to(folder).as_posix() for p in (folder / "fonts").iterdir()}
    assert served == named, f"font files nobody asks for: {sorted(served - named)}"
    others = [
        p.relative_to(site).as_posix()
        for p in (site / "_static").rglob("*")
        if p.suffix in {".ttf", ".woff", ".otf", ".eot"}
    ]
    assert not others, f"font files besides WOFF2 in _static: {others[:10]}"
    assert not (site / "_static" / "mathjax").exists(), "MathJax is still copied into _static"


def test_every_formula_is_typeset_with_mathml(site: Path) -> None:
    """Each formula of each page is KaTeX's HTML with its MathML (read from the files)."""
    problems = []
    for page in site_pages(site):
        html = (site / page).read_text(encoding="utf-8")
        formulas = len(re.findall(r'<(?:span|div) class="math[" ]', html))
        mathml = html.count('<span class="katex-mathml"><math')
        if formulas != mathml:
            problems.append(f"{page}: {formulas} formulas, {mathml} with MathML")
        if "katex-error" in html:
            problems.append(f"{page}: a formula KaTeX could not typeset")
    assert not problems, "\n".join(problems[:20])
