"""docs/_ext/exercise_index.py and the exercise notebooks of docs/_ext/notebook_download.py.

A tiny MyST-NB project with two section pages (``chapter/01_a``, ``chapter/02_b``)
holding exercises, one of them with a computed (gated) solution, and an
Exercises page, is built; then one page gets another exercise and the project
is built again incrementally. The Exercises page lists every exercise with its
section number, title and kind, and links both notebooks of each page; the
notebooks are valid, the one to hand out has no solution, the other has them.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

pytest.importorskip("sphinx_exercise")
pytest.importorskip("sphinx_togglebutton")
pytest.importorskip("myst_nb")

from tiny_gallery import EXT_DIR  # noqa: E402

sys.path.insert(0, str(EXT_DIR))
from exercise_index import renumber, section_number  # noqa: E402
from notebook_download import exercise_notebooks, plain_roles  # noqa: E402

CONF = f"""
import sys
sys.path.insert(0, {str(EXT_DIR)!r})
extensions = ["myst_nb", "sphinx_exercise", "sphinx_togglebutton", "notebook_download",
              "exercise_index"]
myst_enable_extensions = ["dollarmath", "colon_fence"]
nb_execution_mode = "auto"
exclude_patterns = ["_build", "jupyter_execute"]
togglebutton_hint = "Show the solution"
"""
HEADER = """---
file_format: mystnb
kernelspec:
  name: python3
  display_name: Python 3
---
"""
PAGE_A = HEADER + """
# 1. Alpha

```{code-cell} python
value = 6 * 7
```

## Summary

Words.

## Exercises

:::{exercise} A derivation
:label: ex-01-derive
:class: derivation

Show that $x^2 \\ge 0$.
:::

:::{solution} ex-01-derive
:class: dropdown

SECRET-DERIVATION: a square is never negative.
:::

:::{exercise} A computation
:label: ex-01-compute
:class: computation

Compute six times seven.
:::

```{solution-start} ex-01-compute
:class: dropdown
```
SECRET-PROSE: we multiply.

```{code-cell} python
answer = 6 * 7
print(f"The answer is {answer}.")
```
```{solution-end}
```
"""
PAGE_B = HEADER + """
# 2. Beta

```{code-cell} python
x = 1
```

## Exercises

:::{exercise} First of beta
:label: ex-02-first
:class: folk-claim

A claim.
:::

:::{solution} ex-02-first
:class: dropdown

SECRET-B: it is false.
:::
"""
EXTRA_B = """
:::{exercise} Second of beta
:label: ex-02-second
:class: experiment

Change it.
:::

:::{solution} ex-02-second
:class: dropdown

SECRET-B2: nothing happens.
:::
"""
INDEX = """# Tiny

```{toctree}
chapter/01_a
chapter/02_b
chapter/exercises
```
"""
EXERCISES = "# Exercises\n\n```{exercise-index}\n```\n"


def _build(root: Path) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", str(root), str(root / "_build" / "html")],
        capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("exercises")
    (root / "conf.py").write_text(CONF)
    (root / "index.md").write_text(INDEX)
    (root / "chapter").mkdir()
    (root / "chapter" / "01_a.md").write_text(PAGE_A)
    (root / "chapter" / "02_b.md").write_text(PAGE_B)
    (root / "chapter" / "exercises.md").write_text(EXERCISES)
    log = _build(root)
    assert not re.search(r"^(?!\[IPKernelApp\]).*WARNING", log, re.M), log
    return root


def _html(root: Path, page: str) -> str:
    return (root / "_build" / "html" / page).read_text(encoding="utf-8")


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_exercises_are_numbered_by_section(project: Path) -> None:
    text = _text(_html(project, "chapter/01_a.html"))
    assert "Exercise 1.1 (A derivation)" in text
    assert "Exercise 1.2 (A computation)" in text
    assert "Exercise 2.1 (First of beta)" in _text(_html(project, "chapter/02_b.html"))


def test_the_index_lists_every_exercise_with_links(project: Path) -> None:
    html = _html(project, "chapter/exercises.html")
    text = _text(html)
    for entry in ("Exercise 1.1 : A derivation ( derivation )",
                  "Exercise 1.2 : A computation ( computation )",
                  "Exercise 2.1 : First of beta ( folk-claim )"):
        assert re.sub(r"\s+", "", entry) in re.sub(r"\s+", "", text), text
    assert 'href="01_a.html#ex-01-derive"' in html
    assert 'href="02_b.html#ex-02-first"' in html
    for stem in ("01_a", "02_b"):
        for kind in ("exercises", "solutions"):
            assert f'href="../_sources/chapter/{stem}-{kind}.ipynb"' in html
            assert (project / "_build" / "html" / "_sources" / "chapter"
                    / f"{stem}-{kind}.ipynb").is_file()
    assert "SECRET" not in html


def test_pages_link_their_two_notebooks_at_the_start_of_the_exercises(project: Path) -> None:
    html = _html(project, "chapter/01_a.html")
    section = html[html.index('id="exercises"'):]
    first = section[:section.index('class="admonition')]
    assert 'href="../_sources/chapter/01_a-exercises.ipynb"' in first
    assert 'href="../_sources/chapter/01_a-solutions.ipynb"' in first


def _notebook(project: Path, name: str) -> nbformat.NotebookNode:
    path = project / "_build" / "html" / "_sources" / "chapter" / name
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    return notebook


def test_the_notebook_to_hand_out_has_no_solution(project: Path) -> None:
    notebook = _notebook(project, "01_a-exercises.ipynb")
    text = json.dumps(notebook)
    assert "SECRET" not in text and "answer = 6 * 7" not in text
    markdown = [c.source for c in notebook.cells if c.cell_type == "markdown"]
    assert "pip install" in markdown[0]
    assert any("### Exercise 1.1: A derivation" in m and "$x^2 \\ge 0$" in m for m in markdown)
    assert any("### Exercise 1.2: A computation" in m for m in markdown)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert [c.source for c in code] == [""]  # one empty cell, for the computed exercise
    assert ":::" not in text and "{exercise" not in text and "{solution" not in text


def test_the_notebook_with_solutions_has_them_all(project: Path) -> None:
    notebook = _notebook(project, "01_a-solutions.ipynb")
    text = "\n".join(c.source for c in notebook.cells)
    for secret in ("SECRET-DERIVATION", "SECRET-PROSE", "answer = 6 * 7"):
        assert secret in text
    assert text.index("Exercise 1.1") < text.index("SECRET-DERIVATION") < text.index(
        "Exercise 1.2") < text.index("SECRET-PROSE") < text.index("answer = 6 * 7")
    assert "value = 6 * 7" not in text  # only the Exercises section
    assert ":::" not in text and "{solution" not in text
    (code,) = [c for c in notebook.cells if c.cell_type == "code"]
    namespace: dict[str, object] = {}
    exec(compile(code.source, "solution", "exec"), namespace)  # noqa: S102
    assert namespace["answer"] == 42


def test_an_incremental_build_lists_a_new_exercise(project: Path) -> None:
    (project / "chapter" / "02_b.md").write_text(PAGE_B + EXTRA_B)
    _build(project)
    text = re.sub(r"\s+", "", _text(_html(project, "chapter/exercises.html")))
    assert "Exercise2.2:SecondofBeta(experiment)".lower() in text.lower()
    assert "Exercise1.2:Acomputation(computation)" in text
    solutions = _notebook(project, "02_b-solutions.ipynb")
    assert "SECRET-B2" in "\n".join(c.source for c in solutions.cells)


def test_a_rebuild_that_reads_nothing_keeps_the_numbers(project: Path) -> None:
    _build(project)  # nothing changed: the numbering is not walked again
    with open(project / "chapter" / "01_a.md", "a", encoding="utf-8") as page:
        page.write("\n:::{exercise} A third\n:label: ex-01-third\n:class: computation\n\n"
                   "Add one.\n:::\n")
    _build(project)  # a page was read: the numbering is walked, the new exercise numbered
    text = _text(_html(project, "chapter/01_a.html"))
    assert "Exercise 1.2 (A computation)" in text and "Exercise 1.3 (A third)" in text
    text = re.sub(r"\s+", "", _text(_html(project, "chapter/exercises.html")))
    assert "Exercise2.1:Firstofbeta" in text and "Exercise1.1:Aderivation" in text


def test_renumber_and_roles() -> None:
    assert section_number("chapter/12_practice") == 12
    numbers = renumber({"chapter/03_m": {"exercise": {"y": (5,), "x": (4,)},
                                         "figure": {"f": (2,)}}})
    assert numbers == {"chapter/03_m": {"exercise": {"x": (3, 1), "y": (3, 2)}}}
    assert plain_roles("{cite}`a, b` and {doc}`the page <../x>`") == "[a, b] and the page"


def test_a_page_without_exercises_has_no_notebooks() -> None:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_markdown_cell("# T\n\n## Summary\n\nNo exercises.")]
    assert exercise_notebooks(notebook, {}) is None
