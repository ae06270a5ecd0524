"""docs/_ext/d2lopt_docs.py: the old per-helper pages are removed before autosummary runs."""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

pytest.importorskip("sphinx")

EXT_DIR = Path(__file__).resolve().parents[2] / "docs" / "_ext"
sys.path.insert(0, str(EXT_DIR))
from d2lopt_docs import _remove_section_member_pages  # noqa: E402

OLD_SECTION_PAGE = """d2lopt.chapter.erm
==================

.. autosummary::
   :toctree:
   :nosignatures:

   margin
"""
NEW_SECTION_PAGE = """d2lopt.chapter.erm
==================

.. autosummary::
   :nosignatures:

   margin
"""


def _tree(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


@pytest.mark.parametrize("section_page", [OLD_SECTION_PAGE, NEW_SECTION_PAGE])
def test_member_pages_go_and_core_pages_stay(tmp_path: Path, section_page: str) -> None:
    src, out = tmp_path / "docs", tmp_path / "html"
    kept = {
        "gen_modules/d2lopt.chapter.rst": ".. autosummary::\n   :toctree:\n\n   erm\n",
        "gen_modules/d2lopt.optim.rst": "optim\n",
        "gen_modules/d2lopt.optim.adam.rst": "adam\n",
        "gen_modules/d2lopt.plot.interactive.Control.rst": "Control\n",
        # a chapter module that is not a section keeps its usual pages (removing them
        # made autosummary write them again, and every build read them again)
        "gen_modules/d2lopt.chapter.cache.rst": ".. autosummary::\n   :toctree:\n\n   x\n",
        "gen_modules/d2lopt.chapter.cache.cached_experiment.rst": "cached_experiment\n",
    }
    removed = {
        "gen_modules/d2lopt.chapter.erm.margin.rst": "margin\n",
        "gen_modules/d2lopt.chapter.erm.Settings.rst": "Settings\n",
        "gen_modules/d2lopt.chapter.vanishing.Settings.slope_at.rst": "slope_at\n",
    }
    _tree(src, {**kept, **removed, "gen_modules/d2lopt.chapter.erm.rst": section_page})
    _tree(out, {"gen_modules/d2lopt.chapter.erm.margin.html": "<p>old</p>",
                "gen_modules/d2lopt.optim.adam.html": "<p>adam</p>"})

    _remove_section_member_pages(SimpleNamespace(srcdir=str(src), outdir=str(out)))

    for name in kept:
        assert (src / name).is_file(), name
    for name in removed:
        assert not (src / name).exists(), name
    # The old layout's section page goes too (autosummary remakes it); the new one stays.
    section = src / "gen_modules/d2lopt.chapter.erm.rst"
    assert section.exists() == (section_page is NEW_SECTION_PAGE)
    assert not (out / "gen_modules/d2lopt.chapter.erm.margin.html").exists()
    assert (out / "gen_modules/d2lopt.optim.adam.html").is_file()


def test_nothing_to_do_without_generated_pages(tmp_path: Path) -> None:
    _remove_section_member_pages(SimpleNamespace(srcdir=str(tmp_path), outdir=str(tmp_path)))
