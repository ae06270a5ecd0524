"""Exercises numbered by section, and a page that lists them all.

Two jobs, both reading sphinx-exercise's registry (``env.sphinx_exercise_registry``):

- **Numbers.** sphinx-exercise numbers exercises with Sphinx's ``numfig``, which
  without a numbered toctree counts across the whole site (``Exercise 37``).
  The section pages are ``chapter/NN_<name>``; their exercises become
  ``Exercise NN.k`` (k counts on the page), in the page title, the solution
  titles and every ``{numref}``. Only exercises are numbered: ``numfig`` is on
  because sphinx-exercise needs it, not to number the site's figures.
- **Index.** The ``exercise-index`` directive (on ``chapter/exercises.md``) is
  replaced, once every page is read, by one section per page with exercises:
  the page's title as a link, its two notebooks (without and with solutions,
  written by ``notebook_download``), and a list of its exercises with their
  number, title and kind (the ``:class:`` of the exercise). The page is
  rewritten whenever any page is read again, so the list follows
  incremental builds.

A build that reads no page keeps the last build's numbers instead of letting
Sphinx walk every doctree to count them again (about 2 s of a rebuild).

Checked by tests/build/test_exercise_index.py.
"""

from __future__ import annotations

import re
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.environment.collectors.toctree import TocTreeCollector
from sphinx.util.docutils import SphinxDirective

#: The documents whose exercises are numbered by section: ``chapter/NN_name``.
SECTION_DOC = re.compile(r"^chapter/(\d\d)_[\w-]+$")
#: The kinds an exercise can have (its one ``:class:`` value).
KINDS = ("derivation", "computation", "experiment", "folk-claim")
EXERCISE_TYPES = ("exercise", "exercise-start")


def section_number(docname: str) -> int | None:
    """The section number of a section page's document name, else None.

    >>> section_number("chapter/04_ill_conditioning"), section_number("chapter/index")
    (4, None)
    """
    match = SECTION_DOC.match(docname)
    return int(match.group(1)) if match else None


def renumber(fignumbers: dict[str, dict[str, dict[str, tuple[int, ...]]]]) -> dict:
    """Keep only exercise numbers; number a section page's exercises ``(NN, k)``.

    ``fignumbers`` is ``env.toc_fignumbers`` as Sphinx assigns it
    (``docname -> figtype -> id -> number``, numbers counted across the site).

    >>> renumber({"chapter/04_x": {"exercise": {"b": (8,), "a": (7,)}, "figure": {"f": (1,)}},
    ...           "other": {"exercise": {"c": (9,)}}})
    {'chapter/04_x': {'exercise': {'a': (4, 1), 'b': (4, 2)}}, 'other': {'exercise': {'c': (9,)}}}
    """
    result = {}
    for docname, types in fignumbers.items():
        exercises = types.get("exercise")
        if not exercises:
            continue
        number = section_number(docname)
        if number is not None:
            ordered = sorted(exercises, key=exercises.__getitem__)
            exercises = {key: (number, k) for k, key in enumerate(ordered, start=1)}
        result[docname] = {"exercise": dict(exercises)}
    return result


_ASSIGN = TocTreeCollector.assign_figure_numbers
#: The documents this build reads or removes (None until it is known). When there
#: are none, the numbers of the last build stand: Sphinx would walk every doctree
#: (about 2 s for this site) to find them again.
_TOUCHED: dict[str, set[str] | None] = {"docs": None, "purged": set()}


def _assign_figure_numbers(self: TocTreeCollector, env: BuildEnvironment) -> list[str]:
    """Sphinx's numbering, then :func:`renumber`; the documents whose numbers changed."""
    old = env.toc_fignumbers
    if _TOUCHED["docs"] == set() and old:
        return []
    _ASSIGN(self, env)
    env.toc_fignumbers = renumber(env.toc_fignumbers)
    return sorted(d for d in set(old) | set(env.toc_fignumbers)
                  if old.get(d) != env.toc_fignumbers.get(d))


class exercise_index_node(nodes.General, nodes.Element):
    """Where the list of exercises goes (replaced at doctree-resolved)."""


class ExerciseIndex(SphinxDirective):
    """``exercise-index``: every exercise of the site, by section."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        docs = getattr(self.env, "exercise_index_docs", set())
        docs.add(self.env.docname)
        self.env.exercise_index_docs = docs
        return [exercise_index_node()]


def exercise_entries(registry: dict[str, dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """``docname -> [{"label", "title", "kind"}, ...]``.

    Pages sorted by name, exercises in page order.
    """
    pages: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for label, entry in registry.items():
        if entry.get("type") not in EXERCISE_TYPES:
            continue
        node = entry["node"]
        subtitle = ""
        if node.children and len(node.children[0].children) > 1:
            subtitle = node.children[0].children[1].astext()
        kinds = [c for c in node.get("classes", []) if c in KINDS]
        pages.setdefault(entry["docname"], []).append((node.get("serial_number", 0), {
            "label": label, "title": subtitle, "kind": kinds[0] if kinds else ""}))
    return {doc: [item for _, item in sorted(items, key=lambda pair: pair[0])]
            for doc, items in sorted(pages.items())}


def notebook_names(docname: str) -> tuple[str, str]:
    """The two notebooks of a page, relative to the site root: without and with solutions.

    >>> notebook_names("chapter/04_x")
    ('_sources/chapter/04_x-exercises.ipynb', '_sources/chapter/04_x-solutions.ipynb')
    """
    return (f"_sources/{docname}-exercises.ipynb", f"_sources/{docname}-solutions.ipynb")


def _relative(app: Sphinx, fromdoc: str, path: str) -> str:
    depth = fromdoc.count("/")
    return "../" * depth + path


def _index_nodes(app: Sphinx, fromdoc: str) -> list[nodes.Node]:
    env = app.env
    registry = getattr(env, "sphinx_exercise_registry", {})
    numbers = env.toc_fignumbers
    out: list[nodes.Node] = []
    for docname, items in exercise_entries(registry).items():
        title = env.titles[docname].astext() if docname in env.titles else docname
        section = nodes.section(ids=[f"exercises-{docname.rsplit('/', 1)[-1]}"])
        uri = app.builder.get_relative_uri(fromdoc, docname)
        heading = nodes.title()
        heading += nodes.reference("", title, internal=True, refuri=uri)
        section += heading
        without, with_ = notebook_names(docname)
        links = nodes.paragraph()
        links += nodes.Text("Notebooks: ")
        links += nodes.reference("", "exercises", refuri=_relative(app, fromdoc, without))
        links += nodes.Text(" (to hand out) · ")
        links += nodes.reference("", "exercises with solutions",
                                 refuri=_relative(app, fromdoc, with_))
        links["classes"].append("d2lopt-exercise-notebooks")
        section += links
        listing = nodes.bullet_list(classes=["d2lopt-exercise-list"])
        for item in items:
            number = numbers.get(docname, {}).get("exercise", {}).get(item["label"])
            name = "Exercise " + ".".join(map(str, number)) if number else "Exercise"
            entry = nodes.paragraph()
            entry += nodes.reference("", name, internal=True, refuri=f"{uri}#{item['label']}")
            if item["title"]:
                entry += nodes.Text(f": {item['title']}")
            if item["kind"]:
                entry += nodes.Text(" (")
                entry += nodes.emphasis("", item["kind"])
                entry += nodes.Text(")")
            listing += nodes.list_item("", entry)
        section += listing
        out.append(section)
    if not out:
        out.append(nodes.paragraph(text="No exercises yet."))
    return out


def _resolve(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    for node in list(doctree.findall(exercise_index_node)):
        if app.builder.format != "html":
            node.replace_self([])
            continue
        node.replace_self(_index_nodes(app, docname))


def _purge(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    getattr(env, "exercise_index_docs", set()).discard(docname)
    _TOUCHED["purged"].add(docname)


def _before_read(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    # After the removed documents were purged, before any is read.
    _TOUCHED["docs"] = set(docnames) | _TOUCHED["purged"]
    _TOUCHED["purged"] = set()


def _merge(app: Sphinx, env: BuildEnvironment, docnames: set[str], other: BuildEnvironment) -> None:
    env.exercise_index_docs = getattr(env, "exercise_index_docs", set()) | getattr(
        other, "exercise_index_docs", set())


def _outdated(app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str],
              removed: set[str]) -> list[str]:
    """A page read again may have new exercises: the index pages are written again too."""
    if added or changed or removed:
        return sorted(getattr(env, "exercise_index_docs", set()) - added - changed - removed)
    return []


def setup(app: Sphinx) -> dict[str, Any]:
    TocTreeCollector.assign_figure_numbers = _assign_figure_numbers
    app.add_node(exercise_index_node)
    app.add_directive("exercise-index", ExerciseIndex)
    app.connect("doctree-resolved", _resolve)
    app.connect("env-purge-doc", _purge)
    app.connect("env-before-read-docs", _before_read)
    app.connect("env-merge-info", _merge)
    app.connect("env-get-outdated", _outdated)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
