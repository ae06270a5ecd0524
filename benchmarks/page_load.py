"""Page load benchmark: when does each chapter page reach its final look on a slow device?

Serves a built site with ``python -m http.server`` on 127.0.0.1 and opens each
chapter page (``chapter/NN_*.html``) in headless Chromium, cold (a new browser
context: empty cache) with the CPU throttled 4x (CDP
``Emulation.setCPUThrottlingRate``), a desktop window of 1280 x 900. For each load:

- **first paint**: ``first-contentful-paint``;
- **final look**: the latest of the load event's end, the last web font or image
  that arrived before the page went quiet, the end of MathJax's typesetting (pages
  that still use it), and the last layout shift; the page is quiet once 1.5 s pass
  with no new layout shift (the wait is not counted);
- **script / all**: bytes of the JavaScript files / of every file the page
  loaded (decoded: as the files are, before any compression by a host).

Each page is loaded ``--runs`` times (default 3) and the median is reported.
Compare two sites (before and after a change) in the same run, interleaved, so
that other load on the machine hits both alike::

    python benchmarks/page_load.py --site before=/work/main/docs/_build/html \\
        --site after=docs/_build/html

Results: a Markdown table on stdout and ``benchmarks/results/page_load.{md,json}``.
Needs Playwright and a Chromium (``D2LOPT_CHROMIUM``, else ``chromium`` on the
PATH, else Playwright's own). Not a test: timings vary with the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
QUIET_MS = 1500
TIMEOUT_MS = 60_000

OBSERVE_JS = """
window.__shifts = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) window.__shifts.push(entry.startTime);
}).observe({type: "layout-shift", buffered: true});
"""

FINAL_LOOK_JS = """
async ({quietMs, timeoutMs}) => {
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  let typeset = 0;
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await Promise.race([MathJax.startup.promise, sleep(timeoutMs)]);
    typeset = performance.now();
  }
  await Promise.race([document.fonts.ready, sleep(timeoutMs)]);
  const images = Array.from(document.images).filter((img) => img.loading !== "lazy");
  await Promise.race([Promise.all(images.map((img) => img.decode().catch(() => null))),
                      sleep(timeoutMs)]);
  // Quiet: no new layout shift for quietMs.
  let seen = -1;
  while (window.__shifts.length !== seen) {
    seen = window.__shifts.length;
    await sleep(quietMs);
  }
  const nav = performance.getEntriesByType("navigation")[0];
  const resources = performance.getEntriesByType("resource");
  const font = (r) => /\\.(woff2?|ttf|otf)(\\?|$)/.test(r.name);
  const shown = (r) => images.some((img) => img.currentSrc === r.name);
  const arrived = resources.filter((r) => font(r) || shown(r)).map((r) => r.responseEnd);
  const paint = performance.getEntriesByName("first-contentful-paint")[0];
  const size = (r) => r.decodedBodySize || r.transferSize || 0;
  return {
    load: nav.loadEventEnd,
    first_paint: paint ? paint.startTime : null,
    typeset,
    last_asset: Math.max(0, ...arrived),
    last_shift: Math.max(0, ...window.__shifts),
    script_bytes: resources.filter((r) => /\\.m?js(\\?|$)/.test(r.name))
      .reduce((sum, r) => sum + size(r), 0),
    all_bytes: resources.reduce((sum, r) => sum + size(r), 0) + (nav.decodedBodySize || 0),
    requests: resources.length + 1,
    math_scripts: resources.map((r) => r.name)
      .filter((n) => /mathjax|katex[^/]*\\.js/i.test(n)).length,
  };
}
"""


def chromium() -> str | None:
    if os.environ.get("D2LOPT_CHROMIUM"):
        return os.environ["D2LOPT_CHROMIUM"]
    names = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
    return next((path for name in names if (path := shutil.which(name))), None)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(site: Path) -> tuple[subprocess.Popen[bytes], str]:
    """``python -m http.server`` on 127.0.0.1 for ``site``; the process and the root URL."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
         "--directory", str(site)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return process, url
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"http.server did not start on port {port}")


def load_once(browser: Any, url: str, throttle: float) -> dict[str, float]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, device_scale_factor=1)
    try:
        page = context.new_page()
        page.add_init_script(OBSERVE_JS)
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": throttle})
        page.goto(url, wait_until="load", timeout=TIMEOUT_MS)
        seen = page.evaluate(FINAL_LOOK_JS, {"quietMs": QUIET_MS, "timeoutMs": TIMEOUT_MS})
    finally:
        context.close()
    seen["final_look"] = max(seen["load"], seen["typeset"], seen["last_asset"], seen["last_shift"])
    return seen


def chapter_pages(site: Path) -> list[str]:
    found = (site / "chapter").glob("[0-9][0-9]_*.html")
    return sorted(p.relative_to(site).as_posix() for p in found)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--site", action="append", metavar="NAME=PATH",
                        help="a built site (repeatable); default: now=docs/_build/html")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--throttle", type=float, default=4.0)
    parser.add_argument("--pages", nargs="*", help="paths relative to the site (default: chapters)")
    parser.add_argument("--out", type=Path, default=RESULTS / "page_load")
    args = parser.parse_args(argv)
    sites = dict(s.split("=", 1) for s in (args.site or [f"now={ROOT / 'docs/_build/html'}"]))
    sites = {name: Path(path).resolve() for name, path in sites.items()}
    for name, path in sites.items():
        if not (path / "index.html").is_file():
            parser.error(f"{name}: no built site at {path}")
    pages = args.pages or chapter_pages(next(iter(sites.values())))

    from playwright.sync_api import sync_playwright

    servers = {name: serve(path) for name, path in sites.items()}
    runs: dict[str, dict[str, list[dict[str, float]]]] = {n: {p: [] for p in pages} for n in sites}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium(), headless=True,
                                         args=["--no-sandbox", "--disable-gpu"])
            for page in pages:
                for _ in range(args.runs):
                    for name, (_, url) in servers.items():  # interleaved
                        seen = load_once(browser, url + page, args.throttle)
                        runs[name][page].append(seen)
                        print(f"{name} {page}: final look {seen['final_look'] / 1e3:.2f} s",
                              file=sys.stderr, flush=True)
            browser.close()
    finally:
        for process, _ in servers.values():
            process.terminate()
            process.wait()

    def median(name: str, page: str, key: str) -> float:
        values = [r[key] for r in runs[name][page] if r[key] is not None]
        return statistics.median(values) if values else float("nan")

    header = ["page"] + [f"{n} {col}" for n in sites for col in
                         ("final look s", "first paint s", "script kB", "all kB")]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for page in pages:
        cells = [page]
        for name in sites:
            cells += [f"{median(name, page, 'final_look') / 1e3:.2f}",
                      f"{median(name, page, 'first_paint') / 1e3:.2f}",
                      f"{median(name, page, 'script_bytes') / 1e3:.0f}",
                      f"{median(name, page, 'all_bytes') / 1e3:.0f}"]
        lines.append("| " + " | ".join(cells) + " |")
    summary = []
    for name in sites:
        looks = [median(name, p, "final_look") / 1e3 for p in pages]
        summary.append(f"{name}: final look {statistics.median(looks):.2f} s (median page), "
                       f"{max(looks):.2f} s (slowest page)")
    env = (f"{args.runs} cold loads per page, CPU throttled {args.throttle:g}x, "
           f"{platform.platform()}, {os.cpu_count()} cores; medians")
    report = "\n".join([f"# Page load ({env})", "", *lines, "", *summary, ""])
    print(report)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".md").write_text(report, encoding="utf-8")
    args.out.with_suffix(".json").write_text(
        json.dumps({"sites": {n: str(p) for n, p in sites.items()}, "runs": runs,
                    "throttle": args.throttle}, indent=1),
        encoding="utf-8",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
