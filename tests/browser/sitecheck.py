"""Serve the built site and record what a browser does with each page.

Used by the fixtures in ``conftest.py``; kept apart so that test modules can
import it (``import sitecheck``) without importing a conftest.
"""

from __future__ import annotations

import functools
import gzip
import http.server
import os
import queue
import re
import shutil
import threading
import time
import urllib.parse
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"viewport": {"width": 1280, "height": 900}, "device_scale_factor": 1}
# A phone: 375 CSS px wide, a 2x screen (the journeys use it; page visits narrow a
# desktop page to its width and count its 2x figures instead).
PHONE = {
    "viewport": {"width": 375, "height": 812},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
SERIOUS = {"serious", "critical"}
#: In dark mode the page is the same DOM with other colours: only the rules that
#: look at colours can give another answer, so only they run again.
COLOUR_RULES = ["color-contrast", "link-in-text-block"]

#: Folders of the built site that hold assets, not pages.
ASSET_DIRS = {"_static", "_sources", "_images", "_downloads", "_modules"}


def chromium() -> str | None:
    """``D2LOPT_CHROMIUM``, else the system Chromium (Debian's ``chromium``) or Chrome, or None."""
    if os.environ.get("D2LOPT_CHROMIUM"):
        return os.environ["D2LOPT_CHROMIUM"]
    names = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
    return next((path for name in names if (path := shutil.which(name))), None)


def launch(playwright: Any) -> Any:
    return playwright.chromium.launch(executable_path=chromium(), headless=True, args=CHROMIUM_ARGS)


def site_pages(site: Path) -> list[str]:
    """Every HTML page of the built site, as a path relative to its root."""
    if not (site / "index.html").is_file():
        return []
    pages = []
    for path in site.rglob("*.html"):
        rel = path.relative_to(site)
        if rel.parts[0] not in ASSET_DIRS:
            pages.append(rel.as_posix())
    return sorted(pages, key=lambda p: (p.count("/"), p))


#: A chapter section page (``chapter/04_ill_conditioning.html``) and a gallery example page.
CHAPTER_PAGE = re.compile(r"chapter/\d\d_[^/]+\.html$")
GALLERY_PAGE = re.compile(r"auto_examples/.+/plot_[^/]+\.html$")


def chapter_pages(site: Path) -> list[str]:
    """The chapter's section pages of the built site."""
    return [p for p in site_pages(site) if CHAPTER_PAGE.match(p)]


def gallery_pages(site: Path) -> list[str]:
    """The gallery's example pages of the built site."""
    return [p for p in site_pages(site) if GALLERY_PAGE.match(p)]


def is_reading_page(path: str) -> bool:
    """A chapter section page or a gallery example page: the pages read as prose, whose
    visits also record their reading text, glued numbers and figures (``PageVisit.reading``)."""
    return bool(CHAPTER_PAGE.match(path) or GALLERY_PAGE.match(path))


def site_prefix(site: Path) -> str:
    """The URL path the site is published under (``/d2lopt/``), from its canonical link."""
    html = (site / "index.html").read_text(encoding="utf-8")
    match = re.search(r'<link rel="canonical" href="([^"]+)"', html)
    if not match:
        return "/"
    path = urllib.parse.urlsplit(match.group(1)).path
    return path.rsplit("/", 1)[0] + "/"


# -- The server ---------------------------------------------------------------------


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Serve the site under ``prefix``; unknown paths get the site's 404.html (GitHub Pages)."""

    prefix = "/"
    site = Path()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib name
        pass

    def _strip_prefix(self) -> bool:
        path = urllib.parse.urlsplit(self.path).path
        if path == self.prefix.rstrip("/") and self.prefix != "/":
            self.send_response(301)
            self.send_header("Location", self.prefix)
            self.end_headers()
            return False
        if not path.startswith(self.prefix):
            self.send_error(404)
            return False
        self.path = "/" + self.path[len(self.prefix) :]
        return True

    def do_GET(self) -> None:
        if self._strip_prefix():
            super().do_GET()

    def do_HEAD(self) -> None:
        if self._strip_prefix():
            super().do_HEAD()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None):
        page = self.site / "404.html"
        if code != 404 or not page.is_file():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


def serve(site: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    """Start serving ``site`` on a free port of 127.0.0.1; returns the server and the site URL."""
    prefix = site_prefix(site)
    handler = type("Handler", (SiteHandler,), {"prefix": prefix, "site": site})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(site))
    )
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}{prefix}"


# -- What a page asked for ----------------------------------------------------------

#: Served gzip-compressed by GitHub Pages and Read the Docs; the rest (PNG, WOFF2) as is.
COMPRESSED_TYPES = {".html", ".css", ".js", ".json", ".svg", ".xml", ".txt", ".map", ".inv"}


@functools.lru_cache(maxsize=4096)
def _transfer_size(path: Path, mtime: float) -> int:
    data = path.read_bytes()
    if path.suffix in COMPRESSED_TYPES:
        return len(gzip.compress(data, compresslevel=6))
    return len(data)


def transfer_size(path: Path) -> int:
    """Bytes on the wire: gzip (level 6) for text files, the file itself otherwise."""
    return _transfer_size(path, path.stat().st_mtime)


@dataclass
class Traffic:
    """What the browser asked for while a page was open."""

    base_url: str
    site: Path
    external: list[str] = field(default_factory=list)
    http_errors: list[tuple[int, str, str]] = field(default_factory=list)  # status, url, phase
    failed: list[tuple[str, str, str]] = field(default_factory=list)  # url, reason, phase
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    loaded: dict[str, int] = field(default_factory=dict)  # url -> bytes sent (load phase)
    phase: str = "load"

    @property
    def origin(self) -> str:
        parts = urllib.parse.urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}/"

    def is_local(self, url: str) -> bool:
        scheme = urllib.parse.urlsplit(url).scheme
        return scheme in {"data", "blob", "about"} or url.startswith(self.origin)

    def route(self, route: Any) -> None:
        url = route.request.url
        if self.is_local(url):
            route.continue_()
        else:
            self.external.append(url)
            route.abort("blockedbyclient")

    def on_response(self, response: Any) -> None:
        if response.status >= 400:
            self.http_errors.append((response.status, response.url, self.phase))
        elif self.phase == "load" and response.url.startswith(self.base_url):
            self.loaded.setdefault(response.url, self.body_size(response.url))

    def on_failed(self, request: Any) -> None:
        if request.url not in self.external:
            self.failed.append((request.url, request.failure or "", self.phase))

    def on_console(self, message: Any) -> None:
        # "Failed to load resource" repeats a failed request, which is reported
        # with its URL (http_errors / failed); keep the other errors.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.console_errors.append(message.text)

    def file_for(self, url: str) -> Path:
        """The file of the site that the local server sends for ``url``."""
        path = urllib.parse.unquote(urllib.parse.urlsplit(url).path)
        file = self.site / path[len(urllib.parse.urlsplit(self.base_url).path) :]
        return file / "index.html" if file.is_dir() else file

    def body_size(self, url: str) -> int:
        """Bytes a host that compresses text (GitHub Pages, Read the Docs) sends for ``url``."""
        file = self.file_for(url)
        return transfer_size(file) if file.is_file() else 0

    @property
    def bytes_loaded(self) -> int:
        return sum(self.loaded.values())

    @property
    def bytes_uncompressed(self) -> int:
        """The loaded files' own sizes: what the browser decodes and parses."""
        files = (self.file_for(url) for url in self.loaded)
        return sum(file.stat().st_size for file in files if file.is_file())


SETTLE_JS = """
async () => {
  const timeout = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  // lazy_sections: every part of the page drawn, as a reader who scrolled through it
  // sees it (tests/browser/test_lazy_sections.py checks the page as it loads).
  const drawn = document.createElement("style");
  drawn.textContent = "* { content-visibility: visible !important; }";
  document.head.append(drawn);
  document.body.getBoundingClientRect();
  const images = Array.from(document.images);
  for (const img of images) img.loading = "eager";
  const decoded = Promise.all(images.map((img) => img.decode().catch(() => null)));
  await Promise.race([decoded, timeout(15000)]);
  await Promise.race([document.fonts.ready, timeout(10000)]);
  // lazy_sections: the code blocks that scroll get their tab stop once the page is idle.
  const stops = () => document.documentElement.dataset.tabStops;
  for (let waited = 0; stops() && stops() !== "checked" && waited < 10000; waited += 50) {
    await timeout(50);
  }
  await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
}
"""


def open_page(browser: Any, traffic: Traffic, url: str, **context_args: Any) -> tuple[Any, Any]:
    """A new context (empty cache and storage) and page, with ``traffic`` recording it.

    Returns once every part of the page is drawn (no content-visibility skipping), every
    image (lazy ones too) and the web fonts are done, and the tab stops are set.
    """
    context = browser.new_context(service_workers="block", **context_args)
    context.route("**/*", traffic.route)
    page = context.new_page()
    page.on("response", traffic.on_response)
    page.on("requestfailed", traffic.on_failed)
    page.on("console", traffic.on_console)
    page.on("pageerror", lambda error: traffic.page_errors.append(str(error)))
    page.goto(url, wait_until="load")
    page.evaluate(SETTLE_JS)
    return context, page


# -- One page, looked at in every way -----------------------------------------------

IMAGES_JS = """
() => Array.from(document.images).map((img) => ({
  src: img.getAttribute("src"),
  current: img.currentSrc,
  alt: img.getAttribute("alt"),
  srcset: img.getAttribute("srcset"),
  width: img.naturalWidth,
  complete: img.complete,
}))
"""

MATH_JS = """
() => {
  const formulas = Array.from(document.querySelectorAll(".math"));
  const rendered = formulas.filter((el) => el.querySelector(".katex"));
  // Text a reader sees that is TeX source: delimiters or commands outside code.
  const skip = "pre, code, kbd, samp, script, style, .katex-mathml, .highlight, noscript, .sig";
  const tex = new RegExp(String.raw`\\\\[()[\\]]|\\$\\$|\\\\(frac|tfrac|begin|end|mathbf`
    + String.raw`|boldsymbol|operatorname|alpha|eta|lambda|nabla)\\b`);
  const raw = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest(skip) || !node.textContent.trim()) continue;
    if (tex.test(node.textContent) || /(^|[^\\\\$])\\$[^$\\s][^$]*\\$/.test(node.textContent)) {
      if (parent.getClientRects().length) raw.push(node.textContent.trim().slice(0, 80));
    }
  }
  // The font face of every glyph: served (in document.fonts) and loaded.
  const faces = new Map();
  for (const f of document.fonts) {
    faces.set(`${f.family.replace(/"/g, "")}|${f.weight}|${f.style}`, f.status);
  }
  const missingFonts = new Set();
  for (const el of document.querySelectorAll(".katex-html *")) {
    if (el.children.length || !el.textContent.trim() || !el.getClientRects().length) continue;
    const style = getComputedStyle(el);
    const family = style.fontFamily.split(",")[0].replace(/"/g, "").trim();
    if (!family.startsWith("KaTeX_")) continue;
    const weight = Number(style.fontWeight) >= 600 ? "700" : "400";
    const key = `${family}|${weight}|${style.fontStyle}`;
    if (faces.get(key) !== "loaded") missingFonts.add(`${key} (${faces.get(key) || "not served"})`);
  }
  const box = (el) => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  const fractions = Array.from(document.querySelectorAll(".katex-html .mfrac"))
    .filter((el) => el.getClientRects().length);
  return {
    total: formulas.length,
    unrendered: formulas.filter((el) => !el.querySelector(".katex"))
      .map((el) => el.textContent.trim().slice(0, 80)),
    mathml: rendered.filter((el) => el.querySelector(".katex-mathml math annotation")).length,
    empty: rendered
      .filter((el) => el.getClientRects().length && !box(el.querySelector(".katex-html")))
      .map((el) => el.querySelector("annotation")?.textContent.slice(0, 80)),
    fractions: fractions.length,
    flat_fractions: fractions.filter((el) => !box(el) || el.getBoundingClientRect().height < 8)
      .map((el) => el.textContent.slice(0, 40)),
    raw_tex: raw,
    // What axe would check in KaTeX's HTML, which it does not see (AXE_EXCLUDE).
    not_hidden: document.querySelectorAll('.katex-html:not([aria-hidden="true"])').length,
    hidden_focusable: Array.from(document.querySelectorAll(
      ".katex-html a[href], .katex-html [tabindex], .katex-html button, .katex-html input"))
      .map((el) => el.outerHTML.slice(0, 80)),
    own_colour: Array.from(document.querySelectorAll(
      '.katex-html [style*="color"], .katex-html [style*="background"]'))
      .map((el) => el.outerHTML.slice(0, 80)),
    missing_fonts: Array.from(missingFonts),
    scripts: Array.from(document.scripts).map((s) => s.src).filter((s) => /mathjax|katex/i.test(s)),
    typesetter: Boolean(window.MathJax || window.katex || window.renderMathInElement),
  };
}
"""

# -- What a reader reads (chapter and gallery pages) --------------------------------

READING_SKIP = "pre, code, kbd, samp, script, style, .math, .katex, nav, .headerlink"

#: The reading text of the article: per block, its text and, per character, the
#: href of the link it sits in ("" outside links). Code, math and navigation are left out.
TEXT_JS = """
(skip) => {
  const article = document.querySelector("article") || document.querySelector("main");
  const blocks = article.querySelectorAll(
    "p, li, td, th, dd, dt, figcaption, caption, h1, h2, h3, h4, blockquote");
  const out = [];
  for (const block of blocks) {
    if (block.closest(skip) || block.querySelector("p, li, td")) continue;
    let text = "", links = [];
    const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.parentElement.closest(skip)) continue;
      const a = node.parentElement.closest("a[href]");
      text += node.data;
      for (let i = 0; i < node.data.length; i++) links.push(a ? a.href : "");
    }
    out.push({text, links});
  }
  return out;
}
"""
WEIGHTS_JS = """
() => Array.from(document.querySelectorAll("span.pasted-text")).map((span) => ({
  text: span.textContent,
  weight: getComputedStyle(span).fontWeight,
  around: getComputedStyle(span.parentElement).fontWeight,
}))
"""
#: naturalWidth is corrected for the srcset density (a 2x file of 1380 pixels reports
#: 690), so the pixels of the chosen file are read from a fresh Image of currentSrc.
FIGURES_JS = """
async () => Promise.all(Array.from(document.querySelectorAll("figure img, div.figure img"))
  .filter((img) => /sphx_glr_/.test(img.getAttribute("src") || ""))
  .map(async (img) => {
    const probe = new Image();
    probe.src = img.currentSrc || img.src;
    await probe.decode();
    return {
      src: img.getAttribute("src"),
      current: img.currentSrc,
      natural: img.naturalWidth,
      pixels: probe.naturalWidth,
      one_x: Number(img.getAttribute("width")) || null,
      shown: img.getBoundingClientRect().width,
    };
  }))
"""


#: The blocks that d2lopt-tab-stops.js makes keyboard focusable when they scroll.
TAB_STOP_BLOCKS = ("pre, .nboutput > .output_area, .cell_output > .output, "
                   ".jp-RenderedHTMLCommon, .pst-scrollable-table-container")

#: What some scripts work on: how many of each the page has.
FEATURES_JS = """
(selectors) => Object.fromEntries(selectors.map((s) => [s, document.querySelectorAll(s).length]))
"""
FEATURE_SELECTORS = [
    ".sd-tab-set", "pre", ".sphx-glr-tag-list", ".toggle, .dropdown", ".d2lopt-interactive",
    TAB_STOP_BLOCKS,
]

OVERFLOW_JS = """
() => {
  const root = document.documentElement;
  const width = root.clientWidth;
  const result = {scrollWidth: root.scrollWidth, clientWidth: width, offenders: []};
  if (root.scrollWidth <= width) return result;
  const contained = (el) => {
    for (let p = el; p && p !== document.body; p = p.parentElement) {
      const style = getComputedStyle(p);
      if (style.position === "fixed") return true;
      if (p !== el && ["auto", "scroll", "hidden", "clip"].includes(style.overflowX)) return true;
    }
    return false;
  };
  const wide = (el) => el.getBoundingClientRect().right > width + 1 && !contained(el);
  for (const el of document.body.querySelectorAll("*")) {
    if (!wide(el) || Array.from(el.children).some(wide)) continue;  // the innermost ones
    const r = el.getBoundingClientRect();
    const name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
      + (typeof el.className === "string" && el.className.trim()
         ? "." + el.className.trim().split(/\\s+/).join(".") : "");
    result.offenders.push(`${name} (right edge ${Math.round(r.right)} px): `
      + (el.textContent || "").trim().replace(/\\s+/g, " ").slice(0, 60));
    if (result.offenders.length >= 8) break;
  }
  return result;
}
"""

FRAMES_JS = "() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))"

DARK_JS = """
async () => {
  localStorage.setItem("mode", "dark");
  localStorage.setItem("theme", "dark");
  document.documentElement.dataset.mode = "dark";
  document.documentElement.dataset.theme = "dark";
  await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  await Promise.all(document.getAnimations().map((a) => a.finished.catch(() => null)));
  return document.documentElement.dataset.theme;
}
"""


@dataclass
class PageVisit:
    """What one page did: loaded on a desktop, checked in the light then the dark
    theme, then narrowed to a phone's width."""

    path: str
    url: str
    traffic: Traffic
    images: list[dict[str, Any]]
    math: dict[str, Any]
    features: dict[str, int]  # selector -> elements (FEATURE_SELECTORS)
    axe: dict[str, list[dict[str, Any]]]  # "light"/"dark" -> serious or critical violations
    overflow: dict[str, Any]
    seconds: float
    #: chapter and gallery pages: "text" (TEXT_JS), "weights" (WEIGHTS_JS), "figures" (FIGURES_JS)
    reading: dict[str, Any] = field(default_factory=dict)

    def hidpi_figures(self) -> list[tuple[str, Path]]:
        """The 2x candidate of every image with a srcset, as (URL, file)."""
        found = []
        for img in self.images:
            for candidate in (img["srcset"] or "").split(","):
                parts = candidate.split()
                if len(parts) == 2 and parts[1] in {"2x", "2.0x", "2.00x"}:
                    url = urllib.parse.urljoin(self.url, parts[0])
                    found.append((url, self.traffic.file_for(url)))
        return found

    @property
    def phone_bytes(self) -> int:
        """The page's weight on a 2x phone screen: the 2x figures instead of the 1x ones."""
        loaded = dict(self.traffic.loaded)
        for img in self.images:
            if img["srcset"]:
                loaded.pop(img["current"], None)
        for url, file in self.hidpi_figures():
            loaded[url] = transfer_size(file) if file.is_file() else 0
        return sum(loaded.values())


#: Left out of axe's scope: KaTeX's HTML, the formulas drawn for the eye. It is
#: ``aria-hidden`` (screen readers get the MathML beside it, which axe checks), its
#: glyphs take the colour of the text around them, and it is 43-46 % of a chapter
#: page's elements: axe's contrast rule spent 1.5 s of a chapter page's 3.7 s in it,
#: once per theme. What axe would find there is checked by MATH_JS instead: it stays
#: aria-hidden, with no focusable element and no colour of its own in it
#: (``not_hidden``, ``hidden_focusable``, ``own_colour``; tests/browser/test_pages.py).
AXE_EXCLUDE = [[".katex-html"]]


def run_axe(page: Any, traffic: Traffic, rules: list[str] | None = None) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it is now (see AXE_EXCLUDE)."""
    from axe_playwright_python.sync_playwright import Axe

    options: dict[str, Any] = {"resultTypes": ["violations"]}
    if rules:
        options["runOnly"] = {"type": "rule", "values": rules}
    traffic.phase = "axe"
    try:
        result = Axe().run(page, context={"exclude": AXE_EXCLUDE}, options=options)
    finally:
        traffic.phase = "after"
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [(", ".join(map(str, n["target"])), n["html"][:160]) for n in v["nodes"]],
        }
        for v in result.response["violations"]
        if v["impact"] in SERIOUS
    ]


def visit_page(browser: Any, base_url: str, site: Path, path: str) -> PageVisit:
    start = time.perf_counter()
    url = base_url + path
    traffic = Traffic(base_url, site)
    context, page = open_page(browser, traffic, url, **DESKTOP)
    try:
        images = page.evaluate(IMAGES_JS)
        math = page.evaluate(MATH_JS)
        features = page.evaluate(FEATURES_JS, FEATURE_SELECTORS)
        reading = {}
        if is_reading_page(path):
            reading = {"text": page.evaluate(TEXT_JS, READING_SKIP),
                       "weights": page.evaluate(WEIGHTS_JS), "figures": page.evaluate(FIGURES_JS)}
        axe = {"light": run_axe(page, traffic)}
        if page.evaluate(DARK_JS) != "dark":
            raise AssertionError(f"{path}: could not switch to the dark theme")
        axe["dark"] = run_axe(page, traffic, COLOUR_RULES)
        page.set_viewport_size(PHONE["viewport"])
        page.evaluate(FRAMES_JS)
        overflow = page.evaluate(OVERFLOW_JS)
    finally:
        context.close()
    return PageVisit(
        path=path,
        url=url,
        traffic=traffic,
        images=images,
        math=math,
        features=features,
        axe=axe,
        overflow=overflow,
        seconds=time.perf_counter() - start,
        reading=reading,
    )


# -- Visiting many pages at once ------------------------------------------------------


class Visitor:
    """Visits pages ahead of the tests, in worker threads with a browser each.

    Playwright's sync API is bound to the thread that started it, so each
    worker starts its own Playwright and Chromium. ``get(path)`` waits for the
    page's visit (visiting it now if it was not queued).
    """

    def __init__(self, base_url: str, site: Path, paths: list[str], workers: int) -> None:
        self.base_url = base_url
        self.site = site
        self.results: dict[str, Future[PageVisit]] = {}
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._lock = threading.Lock()
        for path in paths:
            self._future(path)
            self._queue.put(path)
        self._threads = [
            threading.Thread(target=self._work, name=f"visitor-{i}", daemon=True)
            for i in range(max(1, min(workers, len(paths))))
        ]
        for _ in self._threads:
            self._queue.put(None)
        for thread in self._threads:
            thread.start()

    def _future(self, path: str) -> tuple[Future[PageVisit], bool]:
        with self._lock:
            if path in self.results:
                return self.results[path], False
            future: Future[PageVisit] = Future()
            self.results[path] = future
            return future, True

    def _work(self) -> None:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            browser = launch(pw)
            try:
                while (path := self._queue.get()) is not None:
                    future = self.results[path]
                    if not future.set_running_or_notify_cancel():
                        continue
                    try:
                        future.set_result(visit_page(browser, self.base_url, self.site, path))
                    except BaseException as error:  # noqa: BLE001 - handed to the test
                        future.set_exception(error)
            finally:
                browser.close()

    def get(self, path: str, browser: Any) -> PageVisit:
        future, new = self._future(path)
        if new:  # not one of the queued pages: visit it here, with the caller's browser
            future.set_running_or_notify_cancel()
            future.set_result(visit_page(browser, self.base_url, self.site, path))
        return future.result()

    def close(self) -> None:
        for future in self.results.values():
            future.cancel()
        for thread in self._threads:
            thread.join(timeout=120)

    def done(self) -> list[PageVisit]:
        return [
            f.result()
            for f in self.results.values()
            if f.done() and not f.cancelled() and f.exception() is None
        ]


def default_workers() -> int:
    """``D2LOPT_BROWSER_WORKERS``, else one browser per core (at least 1, at most 4).

    Measured on 2 cores (26 pages): 82 s with one browser, 62 s with two.
    """
    if "D2LOPT_BROWSER_WORKERS" in os.environ:
        return int(os.environ["D2LOPT_BROWSER_WORKERS"])
    return max(1, min(4, os.cpu_count() or 1))
