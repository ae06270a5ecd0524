"""What a reader does on the site: search, switch to dark mode, pick a framework, copy code.

Each journey starts in a fresh browser context (empty storage) and fails on any
request that leaves the site.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from sitecheck import DESKTOP, PHONE, Traffic, open_page, site_pages

pytestmark = pytest.mark.browser

SADDLE_PAGE = "chapter/06_saddle_points.html"


def _clean(traffic: Traffic, *, allow_status: set[tuple[int, str]] = frozenset()) -> None:
    assert not traffic.external, f"requests left the site: {traffic.external}"
    errors = [e for e in traffic.http_errors if (e[0], e[1]) not in allow_status]
    assert not errors, f"HTTP errors: {errors}"
    assert not traffic.failed, f"failed requests: {traffic.failed}"
    assert not traffic.page_errors, f"uncaught exceptions: {traffic.page_errors}"
    assert not traffic.console_errors, f"console errors: {traffic.console_errors}"


@pytest.fixture
def journey(browser: Any, base_url: str, site: Path):
    """``journey(path, **context_args)`` opens a page in a fresh context; closed afterwards."""
    opened = []

    def _open(path: str, **context_args: Any) -> tuple[Any, Any, Traffic]:
        traffic = Traffic(base_url, site)
        context, page = open_page(browser, traffic, base_url + path, **(context_args or DESKTOP))
        opened.append(context)
        return context, page, traffic

    yield _open
    for context in opened:
        context.close()


def test_search_finds_the_saddle_point_section(journey, site: Path) -> None:
    assert (site / SADDLE_PAGE).is_file(), f"the site has no {SADDLE_PAGE}"
    _, page, traffic = journey("search.html?q=saddle")
    page.wait_for_selector("#search-results .search-summary", timeout=30_000)
    page.wait_for_function(
        "() => !document.querySelector('#search-results .search-summary')"
        ".textContent.includes('Preparing')",
        timeout=30_000,
    )
    links = page.eval_on_selector_all(
        "#search-results ul.search li a", "els => els.map(a => a.getAttribute('href'))"
    )
    assert any(SADDLE_PAGE in (href or "") for href in links), (
        f"searching 'saddle' does not list {SADDLE_PAGE}; results: {links[:15]}"
    )
    # The search page goes on fetching the result pages for their summaries; leaving
    # before it is done aborts those requests, which _clean would count as failures.
    page.wait_for_load_state("networkidle")
    first_result = page.locator(f"#search-results ul.search li a[href*='{SADDLE_PAGE}']").first
    first_result.click()
    page.wait_for_load_state("load")
    assert page.url.split("?")[0].split("#")[0].endswith(SADDLE_PAGE)
    assert re.search(r"saddle", page.locator("h1").first.inner_text(), re.IGNORECASE)
    _clean(traffic)


def _background(page: Any) -> str:
    return page.evaluate("getComputedStyle(document.body).backgroundColor")


def test_dark_mode_switch_changes_the_page_and_is_remembered(journey) -> None:
    context, page, traffic = journey("index.html")
    assert page.evaluate("document.documentElement.dataset.theme") == "light"
    light = _background(page)
    page.locator(".theme-switch-button").first.click()
    page.locator(".theme-change-button[data-mode='dark']").first.click()
    page.wait_for_function("document.documentElement.dataset.theme === 'dark'")
    page.wait_for_function(f"getComputedStyle(document.body).backgroundColor !== {light!r}")
    dark = _background(page)
    assert dark != light
    # Dark stays on the next page.
    page.goto(page.url.replace("index.html", "chapter/index.html"))
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    assert _background(page) == dark
    # ... and figures keep a light card behind them (they are drawn on white).
    _clean(traffic)


def _framework_pages(site: Path) -> list[str]:
    return [
        path
        for path in site_pages(site)
        if 'data-sync-group="framework"' in (site / path).read_text(encoding="utf-8")
    ]


def test_framework_tab_choice_is_remembered_across_pages(journey, site: Path) -> None:
    pages = _framework_pages(site)
    assert len(pages) >= 2, (
        f"framework tabs (:sync-group: framework) on {len(pages)} page(s): {pages}; "
        "the choice can only be remembered across two or more"
    )
    first, second = pages[0], pages[1]
    context, page, traffic = journey(first)
    label = page.locator(".sd-tab-label[data-sync-group='framework'][data-sync-id='torch']").first
    assert label.count(), f"{first} has no 'torch' framework tab"
    label.scroll_into_view_if_needed()
    label.click()
    checked = "el => document.getElementById(el.getAttribute('for')).checked"
    assert label.evaluate(checked)
    other = context.new_page()
    other.goto(page.url.rsplit("/", 1)[0].rsplit("chapter", 1)[0] + second)
    tabs = other.locator(".sd-tab-label[data-sync-group='framework'][data-sync-id='torch']")
    assert tabs.count(), f"{second} has no 'torch' framework tab"
    for i in range(tabs.count()):
        assert tabs.nth(i).evaluate(checked), f"{second}: torch tab {i} is not selected"
    other.close()
    _clean(traffic)


def test_copy_button_copies_code_without_prompts(journey) -> None:
    context, page, traffic = journey("index.html")
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    block = page.locator("div.highlight-python").first
    assert block.count(), "the home page has no Python code block"
    block.hover()
    button = block.locator("button.copybtn")
    assert button.count(), "code blocks have no copy button (sphinx-copybutton)"
    button.click()
    copied = page.evaluate("navigator.clipboard.readText()")
    shown = block.locator("pre").inner_text()
    assert copied.strip() and copied.strip().splitlines()[0] in shown
    assert not re.search(r"^(>>> |\$ )", copied, re.MULTILINE)
    _clean(traffic)


@pytest.mark.parametrize("missing", ["no-such-page.html", "chapter/deep/no-such-page.html"])
def test_missing_page_shows_the_site_404_page(journey, base_url: str, missing: str) -> None:
    """Like GitHub Pages: any missing path gets /404.html, which must work at any depth."""
    url = base_url + missing
    context, page, traffic = journey(missing)
    response_status = [s for s, u, _ in traffic.http_errors if u == url]
    assert response_status == [404]
    assert "not found" in page.locator("article h1").first.inner_text().lower()
    _clean(traffic, allow_status={(404, url)})
    # Styled by the theme (its stylesheet loaded), and its links lead to real pages.
    assert page.evaluate("getComputedStyle(document.querySelector('.bd-header')).display") != ""
    hrefs = page.eval_on_selector_all("article a[href]", "els => els.map(a => a.href)")
    for href in hrefs:
        if href.startswith(base_url) and "#" not in href:
            status = page.request.get(href).status
            assert status == 200, f"the 404 page links to {href} ({status})"
    home = page.locator("article a", has_text="home page").first
    home.click()
    page.wait_for_load_state("load")
    assert page.url == base_url + "index.html"


def test_phone_navigation_drawer_opens(journey) -> None:
    """On a phone the sidebar is a drawer behind the menu button; it opens and lists the chapter."""
    context, page, traffic = journey("index.html", **PHONE)
    toggle = page.locator(".primary-toggle").first
    assert toggle.is_visible(), "no menu button on a phone"
    toggle.click()
    drawer = page.locator("#pst-primary-sidebar-modal, .bd-sidebar-primary").first
    drawer.wait_for(state="visible")
    assert drawer.locator("a", has_text="The chapter").first.is_visible()
    _clean(traffic)
