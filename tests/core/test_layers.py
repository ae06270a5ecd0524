"""The package's two layers: the core never imports the chapter, and each section is four files.

See CONTRIBUTING.md ("Two layers, one rule").
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

import d2lopt
from d2lopt import chapter

PACKAGE = Path(d2lopt.__file__).parent
ROOT = Path(__file__).resolve().parents[2]
FRAMEWORK_NAMESPACES = {"numpy", "torch", "tensorflow", "jax"}


def imported_modules(path: Path) -> set[str]:
    """Every absolute module name that ``path`` imports (``from a.b import c`` counts ``a.b.c``)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


CORE_FILES = sorted(p for p in PACKAGE.rglob("*.py")
                    if "chapter" not in p.relative_to(PACKAGE).parts)


@pytest.mark.parametrize("path", CORE_FILES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_core_never_imports_the_chapter(path):
    offending = sorted(name for name in imported_modules(path)
                       if name == "d2lopt.chapter" or name.startswith("d2lopt.chapter."))
    assert not offending, f"{path.relative_to(ROOT)} imports {offending}: the core must not"


def test_at_most_six_top_level_core_modules():
    modules = {p.stem for p in PACKAGE.glob("*.py")} - {"__init__"} - FRAMEWORK_NAMESPACES
    assert len(modules) <= 6, sorted(modules)


def section_folders() -> dict[str, str]:
    """``section -> gallery folder`` for the numbered gallery folders (``07_newton -> newton``)."""
    folders = sorted(p.name for p in (ROOT / "gallery").iterdir()
                     if p.is_dir() and p.name[:2].isdigit())
    return {name.split("_", 1)[1]: name for name in folders}


def test_one_chapter_module_per_gallery_section_in_order():
    assert tuple(section_folders()) == chapter.SECTIONS


@pytest.mark.parametrize("section", chapter.SECTIONS)
def test_each_section_is_a_page_a_gallery_folder_a_module_and_a_test(section):
    folder = section_folders()[section]
    assert (ROOT / "docs" / "chapter" / f"{folder}.md").is_file()
    assert (ROOT / "tests" / "chapter" / f"test_{folder}.py").is_file()
    module = importlib.import_module(f"d2lopt.chapter.{section}")
    assert module.__doc__, f"d2lopt.chapter.{section} has no docstring"


def test_every_test_folder_is_collected(pytestconfig: pytest.Config) -> None:
    """No folder of tests/ matches norecursedirs (pytest's default list has "build")."""
    from fnmatch import fnmatch

    patterns = pytestconfig.getini("norecursedirs")
    folders = sorted(p.name for p in (ROOT / "tests").iterdir()
                     if p.is_dir() and not p.name.startswith(("_", ".")))
    assert {"core", "chapter", "build", "browser"} <= set(folders)
    skipped = [name for name in folders if any(fnmatch(name, pattern) for pattern in patterns)]
    assert not skipped, f"pytest would not collect tests/{skipped}: norecursedirs {patterns}"
