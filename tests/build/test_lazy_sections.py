"""docs/_ext/lazy_sections.py: the theme's tab-stop scan on load leaves its script.

The scan is checked in the script that the installed pydata-sphinx-theme ships,
the one every build copies; what takes its place in the browser is checked by
tests/browser/test_lazy_sections.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

EXT_DIR = Path(__file__).resolve().parents[2] / "docs" / "_ext"
sys.path.insert(0, str(EXT_DIR))
from lazy_sections import LOAD_SCAN, REPLACEMENT, without_load_scan  # noqa: E402

pydata_sphinx_theme = pytest.importorskip("pydata_sphinx_theme")
THEME_SCRIPT = (Path(pydata_sphinx_theme.__file__).parent / "theme" / "pydata_sphinx_theme"
                / "static" / "scripts" / "pydata-sphinx-theme.js")


def test_the_installed_theme_loses_only_its_load_scan() -> None:
    source = THEME_SCRIPT.read_text(encoding="utf-8")
    (scan,) = [m.group(0) for m in LOAD_SCAN.finditer(source)]
    changed = without_load_scan(source)
    assert changed.count(REPLACEMENT) == 1
    assert not LOAD_SCAN.search(changed)
    # Everything else is the theme's, byte for byte.
    assert changed.replace(REPLACEMENT, scan) == source
    # Nothing else on "load" went: the call was the last statement.
    assert 'window.addEventListener("load"' not in changed.split(REPLACEMENT)[1]


def test_a_second_run_changes_nothing() -> None:
    once = without_load_scan(THEME_SCRIPT.read_text(encoding="utf-8"))
    assert without_load_scan(once) == once


@pytest.mark.parametrize("source", [
    "(()=>{document.body})();",  # a theme without the scan
    '"complete"===document.readyState?I():window.addEventListener("load",I);'
    '"complete"===document.readyState?J():window.addEventListener("load",J)',  # twice
    '"complete"===document.readyState?I():window.addEventListener("load",J)',  # not one call
])
def test_a_changed_theme_stops_the_build(source: str) -> None:
    with pytest.raises(ValueError, match="pydata-sphinx-theme changed"):
        without_load_scan(source)
