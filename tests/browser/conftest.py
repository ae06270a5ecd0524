"""The built site, served on 127.0.0.1 and read by headless Chromium.

Every test in this folder is marked ``browser`` (``nox -s tests`` deselects them
with ``-m "not browser"``; ``nox -s browser`` builds the site and runs them).

- The site is ``docs/_build/html``, or the folder named by ``D2LOPT_SITE``.
  When ``D2LOPT_SITE`` is set (as ``nox -s browser`` does), a missing site or a
  missing browser is an error; otherwise those tests are skipped with the reason.
- The site is served the way GitHub Pages serves it: under the path of its
  public URL (``/d2lopt/``, read from the canonical link of ``index.html``),
  with the site's own ``404.html`` (status 404) for any path that is not there.
- The browser is the system Chromium (``playwright install`` needs a download;
  Debian's ``chromium`` package does not). Every request that would leave
  127.0.0.1 is aborted and recorded.

Each page is visited once: loaded on a desktop, checked in the light theme, then
the dark one, then narrowed to a phone's 375 px. Worker threads visit the pages
ahead of the tests, from the session's start (``D2LOPT_BROWSER_WORKERS`` browsers,
default one per core, at most 4), chapter and gallery pages first; the many small
tests of ``test_pages.py``, ``test_page_weight.py`` and ``test_chapter_reading.py``
read that one visit.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sitecheck

ROOT = Path(__file__).resolve().parents[2]
STRICT = "D2LOPT_SITE" in os.environ
SITE = Path(os.environ.get("D2LOPT_SITE", ROOT / "docs" / "_build" / "html")).resolve()


_WANTED = pytest.StashKey[list]()  # the pages the selected tests visit, in order
_SUMMARY = pytest.StashKey[list]()  # lines for the terminal summary



def _missing(reason: str) -> None:
    if STRICT:
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """``page_path``: every page of the built site (one test per page)."""
    if "page_path" in metafunc.fixturenames:
        pages = sitecheck.site_pages(SITE)
        metafunc.parametrize("page_path", pages or [pytest.param(None, id="no-site")])


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Remember which pages the selected tests need, in test order, for the visitors."""
    wanted: dict[str, None] = {}
    reads = False  # a test reads chapter and gallery pages from their visits
    for item in items:
        path = getattr(item, "callspec", None) and item.callspec.params.get("page_path")
        if path:
            wanted[path] = None
        elif "visit" in getattr(item, "fixturenames", ()):
            reads = True
    if reads:
        wanted.update(dict.fromkeys(p for p in sitecheck.site_pages(SITE)
                                    if sitecheck.is_reading_page(p)))
    # The reading pages first: the tests that go through them run first (test_chapter_reading).
    config.stash[_WANTED] = sorted(wanted, key=lambda p: not sitecheck.is_reading_page(p))


@pytest.fixture(scope="session")
def site() -> Path:
    if not (SITE / "index.html").is_file():
        _missing(f"no built site at {SITE}: run `nox -s docs` (or set D2LOPT_SITE)")
    return SITE


@pytest.fixture(scope="session")
def base_url(site: Path) -> Iterator[str]:
    """``http://127.0.0.1:<free port>/d2lopt/``: the site's root URL."""
    server, url = sitecheck.serve(site)
    try:
        yield url
    finally:
        server.shutdown()
        server.server_close()


def _check_browser() -> None:
    try:
        import axe_playwright_python  # noqa: F401
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _missing("pip install playwright axe-playwright-python")
    if sitecheck.chromium() is None:
        _missing("no chromium on PATH: apt-get install chromium")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One Chromium for the journeys (the page visits have their own, one per worker)."""
    _check_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = sitecheck.launch(pw)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def visitor(request: pytest.FixtureRequest, base_url: str, site: Path) -> Iterator[Any]:
    _check_browser()
    paths = request.config.stash.get(_WANTED, [])
    visitor = sitecheck.Visitor(base_url, site, paths, sitecheck.default_workers())
    yield visitor
    visitor.close()
    request.config.stash[_SUMMARY] = _summary(visitor.done())


@pytest.fixture(scope="session", autouse=True)
def _visits_start_with_the_session(request: pytest.FixtureRequest) -> None:
    """Start the visitors before the first test, so that they run beside the slow ones.

    The page visits take most of the suite's time; started with the session, they
    overlap the downloads test and the journeys instead of waiting for them. When
    the site or the browser is missing, the tests that need them report it.
    """
    if not request.config.stash.get(_WANTED, []) or not (SITE / "index.html").is_file():
        return
    if sitecheck.chromium() is None:
        return
    request.getfixturevalue("visitor")


@pytest.fixture(scope="session")
def visit(visitor: Any, browser: Any) -> Callable[[str], sitecheck.PageVisit]:
    """``visit(page_path)``: what the browser saw on that page (visited once per session)."""

    def _visit(path: str | None) -> sitecheck.PageVisit:
        if path is None:
            _missing(f"no built site at {SITE}: run `nox -s docs` (or set D2LOPT_SITE)")
        return visitor.get(path, browser)

    return _visit


def _summary(visits: list[sitecheck.PageVisit]) -> list[str]:
    if not visits:
        return []
    heaviest = max(visits, key=lambda v: v.traffic.bytes_loaded)
    heaviest_2x = max(visits, key=lambda v: v.phone_bytes)
    return [
        f"pages visited: {len(visits)} ({sum(v.seconds for v in visits):.0f} s of visits, "
        f"{sitecheck.default_workers()} at a time)",
        f"images checked: {sum(len(v.images) for v in visits)} "
        f"(+ {sum(len(v.hidpi_figures()) for v in visits)} 2x figures)",
        f"math elements typeset: {sum(v.math['total'] for v in visits)}",
        f"heaviest page (desktop): {heaviest.path} {heaviest.traffic.bytes_loaded / 1e6:.2f} MB",
        f"heaviest page (2x screen): {heaviest_2x.path} {heaviest_2x.phone_bytes / 1e6:.2f} MB",
        f"axe serious/critical violations: light {sum(len(v.axe['light']) for v in visits)}, "
        f"dark {sum(len(v.axe['dark']) for v in visits)}",
    ]


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    lines = config.stash.get(_SUMMARY, [])
    if lines:
        terminalreporter.write_sep("-", "the site in a browser")
        for line in lines:
            terminalreporter.write_line(line)
