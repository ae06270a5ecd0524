"""Reading the chapter's MyST pages in tests: their framework tabs and their structure.

Every section page (``docs/chapter/NN_*.md``) is a notebook page (myst-nb)
with one set of framework tabs (sphinx-design, ``:sync-group: framework``)
whose code differs only by its import line, numbers glued by hidden cells,
and a summary. The per-section tests import these helpers to run the tab
code and compare its output with the library.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import io
import re
import sys
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHAPTER = ROOT / "docs" / "chapter"
FRAMEWORKS = ("numpy", "torch", "tensorflow", "jax")
_TAB = re.compile(r":sync: (\w+)\n\n```python\n(.*?)```", flags=re.S)


def section_pages() -> list[str]:
    """File names of the numbered section pages, in order."""
    return sorted(p.name for p in CHAPTER.glob("[0-9][0-9]_*.md"))


def page_text(page: str) -> str:
    return (CHAPTER / page).read_text(encoding="utf-8")


def tab_snippets(page: str) -> dict[str, str]:
    """``framework -> python code`` of the page's framework tabs."""
    return {m.group(1): m.group(2) for m in _TAB.finditer(page_text(page))}


def run_snippet(code: str) -> str:
    """Execute tab code in a fresh namespace; return what it printed."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "<tab snippet>", "exec"), {"__name__": "__snippet__"})
    return out.getvalue().strip()


def snippet_outputs(page: str) -> dict[str, str]:
    """What each tab prints, for the frameworks installed here (NumPy always)."""
    outputs = {
        key: run_snippet(code)
        for key, code in tab_snippets(page).items()
        if importlib.util.find_spec(key) is not None
    }
    assert "numpy" in outputs, f"{page} has no NumPy tab"
    return outputs


@functools.cache
def page_glue(page: str) -> dict[str, object]:
    """Run the hidden cells of a page with a recording ``glue`` and return ``name -> value``."""
    cells = hidden_cells(page)
    assert cells, f"{page} has no hidden code cell"
    glued: dict[str, object] = {}
    recorder = types.ModuleType("myst_nb")
    recorder.glue = lambda name, value, display=True: glued.__setitem__(name, value)
    saved = sys.modules.get("myst_nb")
    sys.modules["myst_nb"] = recorder
    try:
        for cell in cells:
            exec(compile(cell, f"<{page}>", "exec"), {"__name__": "__page__"})
    finally:
        if saved is None:
            del sys.modules["myst_nb"]
        else:
            sys.modules["myst_nb"] = saved
    return glued


def structure_problems(page: str, title: str) -> list[str]:
    """What is wrong with a section page's structure (empty when nothing is).

    ``title`` is the page's exact first-level heading, e.g. ``"5. Local minima"``.
    """
    text = page_text(page)
    problems = []
    header = text.split("---")[1] if text.startswith("---") else ""
    if "file_format: mystnb" not in header:
        problems.append("no `file_format: mystnb` in the front matter (not executed)")
    if "name: python3" not in header or "display_name: Python 3" not in header:
        problems.append("no python3 kernelspec in the front matter")
    if f"\n# {title}\n" not in text:
        problems.append(f"no title `# {title}`")
    if ":sync-group: framework" not in text:
        problems.append("no synced framework tabs")
    snippets = tab_snippets(page)
    if set(snippets) != set(FRAMEWORKS):
        problems.append(f"tabs {sorted(snippets)}, expected {list(FRAMEWORKS)}")
    bodies = {code.replace(f"from d2lopt import {key} as d2l", "IMPORT")
              for key, code in snippets.items()}
    if len(bodies) > 1:
        problems.append("the tabs differ by more than the import line")
    if "from myst_nb import glue" not in text or ":tags: [remove-input]" not in text:
        problems.append("no hidden cell gluing the page's numbers")
    if "## Summary" not in text:
        problems.append("no `## Summary`")
    glued = set(re.findall(r'glue\(f?"([^"]+)"', text))
    used = set(re.findall(r"\{glue:text\}`(\w+)", text))
    # an f-string placeholder such as {n} or {keys[method]} stands for any name part
    patterns = [re.compile(re.sub(r"\\\{[^}]*\\\}", r"\\w+", re.escape(name)) + "$")
                for name in glued]
    missing = sorted(u for u in used if not any(p.match(u) for p in patterns))
    if missing:
        problems.append(f"glue references without a glue() call: {missing}")
    for image in re.findall(r"```\{figure\} (\S+)", text):
        if not image.startswith("/auto_examples/") or "/images/sphx_glr_" not in image:
            problems.append(f"figure {image} is not a gallery figure")
            continue
        script = image.split("/images/sphx_glr_")[1].rsplit("_", 1)[0] + ".py"
        folder = image.split("/")[2]
        if not (ROOT / "gallery" / folder / script).exists():
            problems.append(f"figure {image}: no gallery/{folder}/{script}")
    return problems


_SOLUTION = re.compile(r"```\{solution-start\} ([\w-]+)\n(.*?)```\{solution-end\}", flags=re.S)
_CODE_CELL = re.compile(r"```\{code-cell\} python\n(?::[^\n]*\n)*(.*?)```", flags=re.S)


def exercise_labels(page: str) -> list[str]:
    """Labels of the page's exercises (``:::{exercise}`` and ``{exercise-start}``), in order."""
    return re.findall(r"\{exercise(?:-start)?\}[^\n]*\n:label: ([\w-]+)", page_text(page))


def solution_code(page: str) -> dict[str, str]:
    """``label -> code`` of the page's computed solutions (code cells between
    ``{solution-start} label`` and ``{solution-end}``), cells joined in order."""
    return {m.group(1): "\n".join(_CODE_CELL.findall(m.group(2)))
            for m in _SOLUTION.finditer(page_text(page))}


def run_solution(page: str, label: str) -> tuple[dict[str, object], str]:
    """Execute the code of one computed solution; return its namespace and what it printed."""
    code = solution_code(page)[label]
    namespace: dict[str, object] = {"__name__": "__solution__"}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, f"<{page} {label}>", "exec"), namespace)
    return namespace, out.getvalue().strip()


def hidden_cells(page: str) -> list[str]:
    """The code of the page's hidden (``remove-input``) cells, in order."""
    return re.findall(r"```\{code-cell\} python\n:tags: \[remove-input\]\n(.*?)```",
                      page_text(page), flags=re.S)


def settings_problems(page: str) -> list[str]:
    """Where a section's page or gallery scripts do not take their values from its settings.

    ``page`` is the section page (``"07_newton.md"``); its module is
    ``d2lopt.chapter.<name>`` and its scripts are ``gallery/07_newton/*.py``.
    Each script must start its first code cell with
    ``from d2lopt.chapter import <name>``, ``settings = <name>.SETTINGS`` and
    ``print(settings)``; some hidden cell of the page must import ``SETTINGS``.
    """
    folder = page.removesuffix(".md")
    name = folder.split("_", 1)[1]
    problems = []
    head = (f"from d2lopt.chapter import {name}\n\n"
            f"settings = {name}.SETTINGS\nprint(settings)\n")
    scripts = sorted((ROOT / "gallery" / folder).glob("*.py"))
    if not scripts:
        problems.append(f"no gallery script in gallery/{folder}")
    for script in scripts:
        cells = script.read_text(encoding="utf-8").split("\n# %%\n")
        first_code = next((c for c in cells[1:]
                           if any(not line.startswith("#") and line.strip()
                                  for line in c.splitlines())), "")
        code = "\n".join(line for line in first_code.splitlines() if not line.startswith("#"))
        if not code.lstrip("\n").startswith(head):
            problems.append(f"{script.name}: its first code cell does not start with {head!r}")
    import_line = re.compile(rf"from d2lopt\.chapter\.{name} import [^\n]*\bSETTINGS\b"
                             rf"|from d2lopt\.chapter\.{name} import \([^)]*\bSETTINGS\b")
    if not any(import_line.search(cell) for cell in hidden_cells(page)):
        problems.append(f"{page}: no hidden cell imports d2lopt.chapter.{name}.SETTINGS")
    return problems
