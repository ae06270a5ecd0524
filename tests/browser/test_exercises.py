"""Exercises on the built site: a solution opens by keyboard, and stays accessible.

On a chapter page, the first solution's toggle (sphinx-togglebutton's
``<button>``) is reached with Tab from the notebook links at the start of the
Exercises section and opened with Enter: ``aria-expanded`` turns true and the
solution's content becomes visible; Space closes it again. With the solution
open, axe-core finds no serious or critical violation in the light theme or in
the dark one. The Exercises page links every exercise to an anchor that exists.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from sitecheck import DARK_JS, DESKTOP, Traffic, open_page, run_axe

pytestmark = pytest.mark.browser

PAGE = "chapter/04_ill_conditioning.html"
BUTTON = "div.solution button.toggle-button"
#: Tab presses allowed from the notebook links to the first solution's toggle.
MAX_TABS = 40

SOLUTION_STATE_JS = """
(button) => {
  const solution = button.closest("div.solution");
  const body = Array.from(solution.children)
    .filter((el) => !el.classList.contains("admonition-title"));
  const visible = body.some((el) => el.getClientRects().length > 0
                                    && getComputedStyle(el).visibility !== "hidden");
  return {expanded: button.getAttribute("aria-expanded"), visible,
          label: button.getAttribute("aria-label") || "", hint: button.dataset.toggleHint || ""};
}
"""


@pytest.fixture
def chapter_page(browser: Any, base_url: str, site: Path) -> Any:
    assert (site / PAGE).is_file(), f"the site has no {PAGE}"
    traffic = Traffic(base_url, site)
    context, page = open_page(browser, traffic, base_url + PAGE, **DESKTOP)
    yield page, traffic
    context.close()


def _focused_is(page: Any, button: Any) -> bool:
    return bool(button.evaluate("(b) => document.activeElement === b"))


def test_a_solution_opens_by_keyboard_and_axe_stays_clean(chapter_page: Any) -> None:
    page, traffic = chapter_page
    button = page.locator(BUTTON).first
    assert button.count() == 1, f"{PAGE} has no solution toggle"
    state = button.evaluate(SOLUTION_STATE_JS)
    assert state["expanded"] == "false" and not state["visible"], state
    assert state["label"].strip(), "the toggle button has no accessible name"
    assert state["hint"] == "Show the solution", state

    # Tab from the last link before it (the notebook links of the Exercises section).
    page.locator("#exercises p.d2lopt-exercise-notebooks a").last.focus()
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if _focused_is(page, button):
            break
    assert _focused_is(page, button), f"{MAX_TABS} Tabs do not reach the first solution's toggle"

    page.keyboard.press("Enter")
    state = button.evaluate(SOLUTION_STATE_JS)
    assert state["expanded"] == "true" and state["visible"], state
    assert state["hint"] == "Hide the solution", state

    light = run_axe(page, traffic)
    assert page.evaluate(DARK_JS) == "dark"
    dark = run_axe(page, traffic)
    assert not light, f"axe, light theme, solution open: {light}"
    assert not dark, f"axe, dark theme, solution open: {dark}"

    page.keyboard.press("Space")
    state = button.evaluate(SOLUTION_STATE_JS)
    assert state["expanded"] == "false" and not state["visible"], state
    assert not traffic.page_errors and not traffic.external, (traffic.page_errors, traffic.external)


def test_the_exercises_page_links_every_exercise(site: Path) -> None:
    html = (site / "chapter" / "exercises.html").read_text(encoding="utf-8")
    links = re.findall(r'href="(\d\d_[\w-]+\.html)#(ex-\d\d-[\w-]+)"', html)
    assert len(links) >= 4 * 4, f"only {len(links)} exercises listed"
    problems = []
    for page, anchor in links:
        target = (site / "chapter" / page).read_text(encoding="utf-8")
        if f'id="{anchor}"' not in target:
            problems.append(f"{page}#{anchor}: no such anchor")
        if page[:2] != anchor[3:5]:
            problems.append(f"{page}#{anchor}: listed under the wrong section")
    for page in sorted({page for page, _ in links}):
        for kind in ("exercises", "solutions"):
            notebook = f"../_sources/chapter/{page.removesuffix('.html')}-{kind}.ipynb"
            if f'href="{notebook}"' not in html:
                problems.append(f"{page}: its {kind} notebook is not linked")
            elif not (site / "chapter" / notebook).resolve().is_file():
                problems.append(f"{notebook}: not in the site")
    assert not problems, "\n".join(problems)
