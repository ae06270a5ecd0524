"""The interactive figures: every control moves by keyboard and changes the figure, offline.

Each figure (``div.d2lopt-interactive``, made by :mod:`d2lopt.plot.interactive`)
is driven the way a keyboard user drives it: focus a slider and press an arrow
key, focus a list and pick another option with the arrow keys. The SVG shown
must change to the frame of the new setting, with no console error. The page
itself holds only the frame shown first; the others come from the figure's
frames file (``data-frames``) once the reader reaches for a control. The page
is also read as every page is (``visit``): axe finds no serious or critical
problem in the light and the dark theme, no request leaves the site, and the
page stays within the page budgets (500 kB of script, uncompressed; 1.5 MB in
all, as sent). Only pages with such a figure load its script.
"""

from __future__ import annotations

import json
import re

import pytest
import sitecheck

pytestmark = pytest.mark.browser

#: Page -> id of its interactive figure, and the control (if any) that dragging moves.
FIGURES = {
    "chapter/04_ill_conditioning.html": ("ill-conditioning-interactive", None),
    "chapter/06_saddle_points.html": ("saddle-points-interactive", "azim"),
    "chapter/07_newton.html": ("newton-interactive", None),
    "chapter/12_practice.html": ("practice-interactive", None),
}
SCRIPT = "d2lopt-interactive.js"
SCRIPT_BUDGET = 500_000  # bytes of JavaScript, uncompressed (what the browser parses)
BUDGET = 1_500_000  # bytes as sent (text gzip-compressed), see test_page_weight.py


@pytest.fixture
def figure_page(browser, base_url, site, request):
    path = request.param
    traffic = sitecheck.Traffic(base_url, site)
    context, page = sitecheck.open_page(browser, traffic, base_url + path, **sitecheck.DESKTOP)
    yield path, page, traffic
    context.close()


def _frames(page, traffic, figure: str) -> dict[str, str]:
    """State -> SVG of every frame of ``figure``, as the browser parses it: the page's own
    ``<template>`` and those of the figure's frames file (read from the site on disk)."""
    url = page.eval_on_selector(f"#{figure}", "(r) => new URL(r.dataset.frames, location).href")
    text = traffic.file_for(url).read_text(encoding="ascii")
    prefix = f'd2loptFrames("{figure}", '
    assert text.startswith(prefix) and text.endswith(");\n"), f"{url}: {text[:80]!r}"
    frames = json.loads(text[len(prefix):-3])
    parse = ("(svg) => { const t = document.createElement('template'); t.innerHTML = svg; "
             "return t.innerHTML; }")
    frames = {state: page.evaluate(parse, svg) for state, svg in frames.items()}
    frames.update(page.eval_on_selector_all(
        f"#{figure} template[data-state]",
        "(ts) => Object.fromEntries(ts.map((t) => [t.dataset.state, t.innerHTML]))"))
    return frames


def _frame(page, figure: str) -> tuple[str, str]:
    return page.eval_on_selector(
        f"#{figure} .d2lopt-interactive-view",
        "(v) => [v.getAttribute('data-state') || '', v.innerHTML]")


@pytest.mark.parametrize("figure_page", list(FIGURES), indirect=True)
def test_every_control_changes_the_figure_by_keyboard(figure_page) -> None:
    path, page, traffic = figure_page
    figure, drag = FIGURES[path]
    root = page.locator(f"#{figure}")
    assert root.is_visible(), f"{path}: #{figure} is not shown (did {SCRIPT} run?)"
    controls = root.locator("[data-control]")
    assert controls.count() >= 1
    # The page holds the frame shown first; the others come with the reader's first move.
    assert page.locator(f"#{figure} template").count() == 1, f"{path}: frames in the page"
    assert not [url for url in traffic.loaded if "d2lopt-frames" in url], f"{path}: frames loaded"
    frames = None
    for i in range(controls.count()):
        control = controls.nth(i)
        name = control.get_attribute("data-control")
        label = page.locator(f"label[for='{control.get_attribute('id')}']")
        assert label.count() == 1 and label.inner_text().strip(), f"{name} has no label"
        before_state, before_svg = _frame(page, figure)
        control.focus()
        if control.evaluate("(c) => c.tagName") == "SELECT":
            last = control.evaluate("(c) => c.selectedIndex === c.options.length - 1")
            page.keyboard.press("ArrowUp" if last else "ArrowDown")
        else:
            at_max = control.evaluate("(c) => c.value === c.max")
            page.keyboard.press("ArrowLeft" if at_max else "ArrowRight")
            text = control.get_attribute("aria-valuetext")
            out = page.locator(f"output[for='{control.get_attribute('id')}']").inner_text()
            assert text and text == out, f"{name}: aria-valuetext {text!r}, shown {out!r}"
        page.wait_for_function(
            "([f, s]) => document.querySelector(`#${f} .d2lopt-interactive-view`)"
            ".getAttribute('data-state') !== s", arg=[figure, before_state], timeout=10_000)
        after_state, after_svg = _frame(page, figure)
        assert after_state != before_state, f"{path}: {name} did not change the state"
        assert after_svg != before_svg and "<svg" in after_svg, f"{path}: {name} kept the figure"
        frames = frames or _frames(page, traffic, figure)
        assert frames.get(after_state) == after_svg, (
            f"{path}: the figure is not the frame of {after_state}")
    if drag:
        slider = root.locator(f"input[data-control='{drag}']")
        before = slider.input_value()
        box = root.locator(".d2lopt-interactive-view").bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(x + 60, y, steps=6)
        page.mouse.up()
        assert slider.input_value() != before, f"{path}: dragging did not turn the figure"
    assert not traffic.console_errors and not traffic.page_errors, (
        traffic.console_errors + traffic.page_errors)
    assert not traffic.external, f"{path} asked for {traffic.external}"


@pytest.mark.parametrize("path", list(FIGURES))
def test_figure_page_is_accessible_offline_and_within_budget(visit, path: str) -> None:
    seen = visit(path)
    for theme, violations in seen.axe.items():
        assert not violations, f"{path} ({theme}): {violations}"
    assert not seen.traffic.external, f"{path} asked for {seen.traffic.external}"
    assert not seen.traffic.console_errors and not seen.traffic.page_errors
    scripts = {url: seen.traffic.file_for(url).stat().st_size for url in seen.traffic.loaded
               if re.search(r"\.m?js(\?|$)", url) and seen.traffic.file_for(url).is_file()}
    assert any(SCRIPT in url for url in scripts), f"{path} does not load {SCRIPT}"
    ours = sum(size for url, size in scripts.items() if SCRIPT in url)
    assert ours <= 10_000, f"{SCRIPT} is {ours} bytes: the figures are drawn at build time"
    assert seen.traffic.bytes_loaded <= BUDGET, f"{path}: {seen.traffic.bytes_loaded} bytes"
    assert seen.phone_bytes <= BUDGET, f"{path}: {seen.phone_bytes} bytes on a 2x screen"
    total = sum(scripts.values())
    if total > SCRIPT_BUDGET and any("mathjax" in url.lower() for url in scripts):
        mathjax = sum(v for u, v in scripts.items() if "mathjax" in u.lower())
        pytest.xfail(f"{path}: {total / 1e3:.0f} kB of script, of which MathJax "
                     f"{mathjax / 1e3:.0f} kB: the math is to be typeset at build time (issue 15)")
    assert total <= SCRIPT_BUDGET, f"{path}: {scripts}"


def test_only_pages_with_a_figure_load_its_script(site) -> None:
    pages = sitecheck.site_pages(site)
    assert pages
    for path in pages:
        text = (site / path).read_text(encoding="utf-8")
        has_figure = 'class="d2lopt-interactive"' in text
        assert (SCRIPT in text) == has_figure, (
            f"{path}: figure {has_figure}, script {SCRIPT in text}")
        if path in FIGURES:
            assert has_figure, f"{path} has no interactive figure"
