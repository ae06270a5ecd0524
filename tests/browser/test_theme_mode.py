"""The colour theme is resolved in the page's head, before anything is drawn.

With the default mode "auto", the theme's own head script used to set
``data-theme="auto"`` (which no style rule matches) and its deferred script set
"light" or "dark" after the first paint: a restyle of the whole page. The head
script now resolves "auto" from ``prefers-color-scheme`` (the template override in
``docs/_ext/drop_fontawesome_templates/layout.html``), so the deferred script
finds the value already there.
"""

from __future__ import annotations

from typing import Any

import pytest
from sitecheck import DESKTOP

pytestmark = pytest.mark.browser

PAGE = "chapter/06_saddle_points.html"

#: Records every value data-theme takes, and whether the body existed at the time.
RECORD_JS = """
window.__themes = [];
new MutationObserver((records) => {
  for (const r of records) {
    if (r.target !== document.documentElement) continue;
    window.__themes.push([document.documentElement.dataset.theme, document.body !== null]);
  }
}).observe(document, {attributes: true, subtree: true, attributeFilter: ["data-theme"]});
"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_theme_is_set_once_before_the_body(browser: Any, base_url: str, scheme: str) -> None:
    context = browser.new_context(**DESKTOP, color_scheme=scheme)
    try:
        page = context.new_page()
        page.add_init_script(RECORD_JS)
        page.goto(base_url + PAGE, wait_until="load")
        # The theme's deferred script has applied the mode once it stored the theme it chose.
        page.wait_for_function("localStorage.getItem('theme') !== null")
        themes = page.evaluate("window.__themes")
        final = page.evaluate("document.documentElement.dataset.theme")
    finally:
        context.close()
    assert final == scheme
    assert themes, "data-theme was never set"
    value, body_existed = themes[0]
    assert (value, body_existed) == (scheme, False), (
        f"the head script should set data-theme={scheme!r} before the body: {themes}")
    assert all(value == scheme for value, _ in themes), f"data-theme changed later: {themes}"
