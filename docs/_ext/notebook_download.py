"""Chapter pages offer their notebook, one that runs without the site's tools.

Each page that myst-nb executed gets its executed notebook (outputs included) in
``_sources/`` and an ``.ipynb`` entry in the theme's download menu, next to
``.md`` and ``.pdf`` (the theme does this only when a remote launch service is
configured). The downloaded copy is made to stand alone:

- every glue role of the markdown (``{glue:text}`name```, ``{glue:text}`name:fmt```,
  ``{glue:md}``, ``{glue:math}``, ``{glue}``) is replaced by its value as the
  page renders it, read from the ``.glue.json`` that myst-nb writes next to the
  executed notebook;
- ``from myst_nb import glue`` becomes a small definition that needs no myst-nb;
- a first markdown cell says how to install what the notebook needs: the
  package from a clone, with the extras (``torch``, ``tensorflow``, ``jax``,
  ``nets``) that its code cells, and the chapter modules they import, use.

A page with a ``## Exercises`` section (sphinx-exercise) also gets two notebooks
made from it, ``_sources/<page>-exercises.ipynb`` (the statements, and an empty
code cell under each exercise whose solution computes: to hand out) and
``_sources/<page>-solutions.ipynb`` (the statements, each followed by its worked
solution, prose and code), both standing alone like the page notebook; a line
at the start of the page's Exercises section links them.

Checked by tests/build/test_notebook_download.py, tests/build/test_exercise_notebooks.py
and tests/browser/test_downloads.py.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import re
from pathlib import Path
from typing import Any

import nbformat
from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

#: A glue role of MyST markdown: ``{glue}`key```, ``{glue:text}`key:fmt```, ...
GLUE_ROLE = re.compile(r"\{glue(?::(any|text|md|math))?\}`([^`]+)`")
#: The stand-in for ``myst_nb.glue`` in the downloaded copy.
GLUE_STANDIN = '''\
def glue(name, value, display=True):
    """The page pastes ``value`` into its text as ``name``; here it is only shown."""
    if display:
        from IPython.display import display as show

        show(value)
'''
_GLUE_IMPORT = re.compile(r"^from myst_nb import glue[ \t]*$", re.MULTILINE)
#: Imports, and the extra of pyproject.toml that provides them.
EXTRA_OF_IMPORT = {
    "torch": "torch", "d2lopt.torch": "torch",
    "tensorflow": "tensorflow", "d2lopt.tensorflow": "tensorflow",
    "jax": "jax", "d2lopt.jax": "jax",
    "sklearn": "nets", "d2lopt.nets": "nets",
}
_IMPORT = re.compile(r"^\s*(?:from|import)\s+([\w.]+)", re.MULTILINE)
_CHAPTER_MODULE = re.compile(r"^d2lopt\.chapter\.\w+$")


def pasted(role: str, key_spec: str, glue_data: dict[str, Any]) -> str:
    """The text a glue role shows on the page, as markdown.

    >>> pasted("text", "lr:.2f", {"lr": {"data": {"text/plain": "0.125"}}})
    '0.12'
    >>> pasted("math", "f", {"f": {"data": {"text/latex": "$x^2$"}}})
    '$x^2$'

    Raises
    ------
    KeyError
        If the key was not glued on the page, or its value has no form the role shows.
    """
    from myst_nb.core.variables import format_plain_text

    if role == "md":
        key = key_spec.rsplit(":", 1)[0] if ":" in key_spec else key_spec
    elif role == "text":
        key, _, fmt = key_spec.rpartition(":") if ":" in key_spec else (key_spec, "", "s")
    else:
        key = key_spec
    if "::" in key:
        raise KeyError(f"{key!r} is glued on another page")
    data = glue_data[key]["data"]
    if role == "math" or (role in (None, "any") and "text/latex" in data):
        return "$" + data["text/latex"].strip().strip("$").strip() + "$"
    if role == "md" or (role in (None, "any") and "text/markdown" in data):
        return data["text/markdown"]
    if role == "text":
        return format_plain_text(data["text/plain"], fmt)
    return format_plain_text(data["text/plain"], "")


def paste_glue(markdown: str, glue_data: dict[str, Any]) -> tuple[str, list[str]]:
    """``markdown`` with each glue role replaced by its value; and the roles left as they were.

    >>> paste_glue("step {glue:text}`lr:.1f` of {glue:text}`n`",
    ...            {"lr": {"data": {"text/plain": "0.25"}}, "n": {"data": {"text/plain": "10"}}})
    ('step 0.2 of 10', [])
    """
    missing: list[str] = []

    def replace(match: re.Match[str]) -> str:
        try:
            return pasted(match.group(1), match.group(2), glue_data)
        except KeyError:
            missing.append(match.group(0))
            return match.group(0)

    return GLUE_ROLE.sub(replace, markdown), missing


def required_extras(code: str) -> list[str]:
    """The extras of d2lopt that ``code`` needs: its imports, and those of the chapter modules.

    >>> required_extras("import numpy\\nfrom d2lopt import torch as d2l")
    ['torch']
    """
    modules = _IMPORT.findall(code)
    modules += [f"{m}.{name}" for m, name in re.findall(
        r"^\s*from\s+(d2lopt)\s+import\s+(\w+)", code, re.MULTILINE)]
    extras = set()
    for module in modules:
        for name, extra in EXTRA_OF_IMPORT.items():
            if module == name or module.startswith(name + "."):
                extras.add(extra)
        if _CHAPTER_MODULE.match(module):
            spec = importlib.util.find_spec(module)
            if spec is not None and spec.origin and spec.origin.endswith(".py"):
                extras.update(required_extras(Path(spec.origin).read_text(encoding="utf-8")))
    if "nets" in extras:
        extras.discard("torch")  # the nets extra installs PyTorch
    return sorted(extras)


def install_note(extras: list[str]) -> str:
    """The markdown of the downloaded notebook's first cell: what to install to run it.

    >>> print(install_note(["torch"]).splitlines()[-1])
    pip install ".[torch]"
    """
    target = '"."' if not extras else f'".[{",".join(extras)}]"'
    needs = "only the package" if not extras else "the package with the " + ", ".join(
        f"`{e}`" for e in extras) + (" extra" if len(extras) == 1 else " extras")
    return (
        f"**To run this notebook** you need {needs}. From a clone of "
        "https://github.com/d2lopt/d2lopt (see its README), in a virtual environment:\n\n"
        f"    pip install {target}"
    )


def standalone_notebook(notebook: Any, glue_data: dict[str, Any]) -> tuple[Any, list[str]]:
    """A copy of an executed page notebook that runs and reads without myst-nb.

    Returns the notebook and the glue roles that could not be pasted.
    """
    notebook = copy.deepcopy(notebook)
    missing: list[str] = []
    code = []
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            cell.source, left = paste_glue(cell.source, glue_data)
            missing += left
        elif cell.cell_type == "code":
            cell.source = _GLUE_IMPORT.sub(GLUE_STANDIN.rstrip("\n"), cell.source)
            code.append(cell.source)
    note = nbformat.v4.new_markdown_cell(install_note(required_extras("\n".join(code))))
    note.pop("id", None)
    if notebook.get("nbformat_minor", 0) >= 5:
        note["id"] = "d2lopt-install-note"
    notebook.cells.insert(0, note)
    return notebook, missing


# -- Exercise notebooks ----------------------------------------------------------

#: A fenced directive opening line: ``:::{exercise} Title`` or ```` ```{solution-start} label ````.
_FENCE_OPEN = re.compile(r"^(?P<fence>:{3,}|`{3,})\{(?P<name>[\w:-]+)\}\s*(?P<argument>.*)$")
_OPTION = re.compile(r"^:(?P<key>[\w-]+):\s*(?P<value>.*)$")
#: Inline MyST roles a notebook reader would see raw: ``{cite}`key```, ``{math}`x```, ...
_ROLE = re.compile(r"\{(?P<role>[\w:-]+)\}`(?P<text>[^`]*)`")
_EXERCISES_HEADING = re.compile(r"^## Exercises\s*$", re.MULTILINE)
_NEXT_HEADING = re.compile(r"^#{1,2} ", re.MULTILINE)


def plain_roles(markdown: str) -> str:
    """MyST roles as a notebook shows them: math as ``$...$``, references as their text.

    >>> plain_roles("see {cite}`boyd2004`, {ref}`the step <ex-04-step>` and {math}`x^2`")
    'see [boyd2004], the step and $x^2$'
    """
    def replace(match: re.Match[str]) -> str:
        role, text = match.group("role"), match.group("text")
        if role in ("math", "eq"):
            return f"${text}$"
        if role.startswith("cite"):
            return "[" + ", ".join(k.strip() for k in text.split(",")) + "]"
        explicit = re.match(r"^(.*?)\s*<[^<>]+>$", text, flags=re.S)
        return explicit.group(1) if explicit else text

    return _ROLE.sub(replace, markdown)


def _blocks(markdown: str) -> list[tuple[str, dict[str, Any]]]:
    """Split markdown into ``("text", {"text"})``, ``("exercise"|"solution", {...})``,
    ``("solution-start", {"label"})`` and ``("solution-end", {})`` pieces, in order."""
    lines = markdown.split("\n")
    blocks: list[tuple[str, dict[str, Any]]] = []
    text: list[str] = []
    i = 0

    def flush() -> None:
        if "".join(text).strip():
            blocks.append(("text", {"text": "\n".join(text).strip("\n")}))
        text.clear()

    while i < len(lines):
        match = _FENCE_OPEN.match(lines[i])
        name = match.group("name") if match else ""
        if name not in ("exercise", "solution", "solution-start", "solution-end"):
            text.append(lines[i])
            i += 1
            continue
        flush()
        fence, options, body = match.group("fence"), {}, []
        i += 1
        while i < len(lines) and _OPTION.match(lines[i]):
            option = _OPTION.match(lines[i])
            options[option.group("key")] = option.group("value").strip()
            i += 1
        while i < len(lines) and lines[i].strip() != fence:
            body.append(lines[i])
            i += 1
        i += 1  # the closing fence
        blocks.append((name, {"argument": match.group("argument").strip(), "options": options,
                              "body": "\n".join(body).strip("\n")}))
    flush()
    return blocks


def exercise_notebooks(notebook: Any, glue_data: dict[str, Any], section: int | None = None
                       ) -> tuple[Any, Any] | None:
    """The two notebooks of a page's ``## Exercises`` section: without and with solutions.

    ``notebook`` is the executed page notebook (myst-nb: markdown cells hold the
    MyST source); ``section`` numbers the exercises ``section.k``. Returns None
    when the page has no Exercises section.
    """
    cells = notebook.cells
    start = next((i for i, cell in enumerate(cells) if cell.cell_type == "markdown"
                  and _EXERCISES_HEADING.search(cell.source)), None)
    if start is None:
        return None
    title = next((line[2:].strip() for cell in cells if cell.cell_type == "markdown"
                  for line in cell.source.splitlines() if line.startswith("# ")), "")
    without: list[Any] = []
    with_: list[Any] = []
    gated = False
    count = 0
    code: list[str] = []

    def markdown(target: list[Any], text: str, *, new_cell: bool = False) -> None:
        text, _ = paste_glue(plain_roles(text), glue_data)
        if target and target[-1].cell_type == "markdown" and not new_cell:
            target[-1].source += "\n\n" + text
        else:
            target.append(nbformat.v4.new_markdown_cell(text))

    first = cells[start].source[_EXERCISES_HEADING.search(cells[start].source).end():]
    pieces: list[Any] = [nbformat.v4.new_markdown_cell(first)] + list(cells[start + 1:])
    for cell in pieces:
        if cell.cell_type == "code":
            source = _GLUE_IMPORT.sub(GLUE_STANDIN.rstrip("\n"), cell.source)
            copy_cell = copy.deepcopy(cell)
            copy_cell.source = source
            with_.append(copy_cell)
            code.append(source)
            if not gated:
                without.append(copy.deepcopy(copy_cell))
            continue
        if cell.cell_type != "markdown":
            continue
        source = cell.source
        heading = _NEXT_HEADING.search(source)
        if heading:  # the Exercises section ends at the next heading
            source = source[:heading.start()]
        for kind, block in _blocks(source):
            if kind == "text":
                if not gated:
                    markdown(without, block["text"])
                markdown(with_, block["text"])
            elif kind == "exercise":
                count += 1
                number = f"{section}.{count}" if section is not None else str(count)
                name = f"### Exercise {number}"
                if block["argument"]:
                    name += f": {block['argument']}"
                statement = name
                if block["options"].get("class"):
                    statement += f"\n\n*Kind: {block['options']['class']}*"
                statement += "\n\n" + block["body"]
                markdown(without, statement, new_cell=True)
                markdown(with_, statement, new_cell=True)
            elif kind == "solution":
                markdown(with_, "#### Solution\n\n" + block["body"])
            elif kind == "solution-start":
                gated = True
                markdown(with_, "#### Solution")
                without.append(nbformat.v4.new_code_cell(""))
            elif kind == "solution-end":
                gated = False
        if heading:
            break
    note = install_note(required_extras("\n".join(code)))
    result = []
    for label, body in (("exercises", without), ("exercises with solutions", with_)):
        book = nbformat.v4.new_notebook(metadata=copy.deepcopy(notebook.metadata))
        head = nbformat.v4.new_markdown_cell(f"# {title}: {label}\n\n{note}")
        book.cells = [head] + body
        for k, cell in enumerate(book.cells):
            cell["id"] = f"d2lopt-{k}"
            if cell.cell_type == "code" and label == "exercises":
                cell.outputs = []
                cell.execution_count = None
        result.append(book)
    return result[0], result[1]


def _write_exercise_notebooks(app: Sphinx, pagename: str, notebook: Any,
                              glue_data: dict[str, Any]) -> None:
    match = re.match(r"^(?:.*/)?(\d\d)_", pagename)
    books = exercise_notebooks(notebook, glue_data, int(match.group(1)) if match else None)
    if books is None:
        return
    for suffix, book in zip(("exercises", "solutions"), books, strict=True):
        target = Path(app.outdir) / "_sources" / f"{pagename}-{suffix}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.validate(book)
        nbformat.write(book, target)


def _link_exercise_notebooks(app: Sphinx, doctree: Any, docname: str) -> None:
    """A line at the start of the page's Exercises section: its two notebooks."""
    from docutils import nodes

    if app.builder.format != "html":
        return
    for section in doctree.findall(nodes.section):
        if "exercises" not in section["ids"]:
            continue
        up = "../" * docname.count("/")
        line = nodes.paragraph(classes=["d2lopt-exercise-notebooks"])
        line += nodes.Text("Download these exercises as a notebook: ")
        line += nodes.reference("", "without solutions",
                                refuri=f"{up}_sources/{docname}-exercises.ipynb")
        line += nodes.Text(" (to hand out) or ")
        line += nodes.reference("", "with solutions",
                                refuri=f"{up}_sources/{docname}-solutions.ipynb")
        line += nodes.Text(".")
        section.insert(1, line)
        return


def _offer_notebook(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any):
    if context.get("ipynb_source") or not context.get("sourcename", "").endswith(
        (".md", ".md.txt")
    ):
        return
    executed = Path(app.outdir).parent / "jupyter_execute" / f"{pagename}.ipynb"
    if not executed.is_file():
        return  # not a notebook page (or not executed by myst-nb)
    glue_file = executed.with_name(f"{executed.stem}.glue.json")
    glue_data = json.loads(glue_file.read_text(encoding="utf-8")) if glue_file.is_file() else {}
    notebook, missing = standalone_notebook(nbformat.read(executed, as_version=4), glue_data)
    for role in missing:
        logger.warning("%s: the downloaded notebook keeps %s (no value to paste)", pagename, role,
                       type="d2lopt", subtype="notebook_download")
    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, target)
    _write_exercise_notebooks(app, pagename, nbformat.read(executed, as_version=4), glue_data)
    context["ipynb_source"] = f"{pagename}.ipynb"


def setup(app: Sphinx) -> dict[str, Any]:
    # Before sphinx-book-theme builds its download menu (priority 501).
    app.connect("html-page-context", _offer_notebook, priority=500)
    app.connect("doctree-resolved", _link_exercise_notebooks)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "2"}
