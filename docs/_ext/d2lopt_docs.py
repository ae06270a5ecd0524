"""Small Sphinx hooks for the d2lopt API reference.

- A module-level object with no doc comment of its own (``STYLE``, a dict; the
  landscape ``risk``, a :class:`~d2lopt.landscapes.Landscape`) would otherwise
  be shown with the docstring of its *type*. Landscapes get a description made
  from the object itself (formula, domain, documented critical points); other
  objects get none.
- NamedTuple fields ("Alias for field number 0") are skipped: the class's
  numpydoc "Attributes" section already documents each of them.
- A section module (``d2lopt.chapter.<section>``) is one page with its helpers
  on it (``_templates/autosummary/section_module.rst``); the per-object pages
  that builds before that layout generated (``d2lopt.chapter.<section>.<name>.rst``
  in ``gen_modules``) are removed, as autosummary leaves them behind and they
  would be built as orphan duplicates.
- Every public module of d2lopt must appear in an autosummary table of
  docs/api.md (the per-framework namespaces in its prose): a new module that is
  not there is reported as a warning, which fails the ``-W`` build.
"""

from __future__ import annotations

import inspect
import pkgutil
import re
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)



def _landscape_lines(obj: Any) -> list[str]:
    domain = " \\times ".join(f"[{lo:g}, {hi:g}]" for lo, hi in obj.domain)
    lines = [
        f"The {obj.dim}-dimensional landscape :math:`f = {obj.formula}` on "
        f":math:`{domain}` (a :class:`~d2lopt.landscapes.Landscape`).",
        "",
    ]
    try:
        points = obj.critical_points
    except Exception:  # noqa: BLE001 - a lazily computed list may fail; say nothing then
        points = ()
    if points:
        lines += ["Documented critical points:", ""]
        for p in points:
            where = ", ".join(f"{c:.6g}" for c in p.location)
            note = f" ({p.note})" if p.note else ""
            lines.append(f"- ({where}): {p.kind}{note}")
        lines.append("")
    return lines


def _process_docstring(
    app: Sphinx, what: str, name: str, obj: Any, options: Any, lines: list[str]
) -> None:
    if what != "data" or inspect.isclass(obj) or inspect.isroutine(obj):
        return
    type_doc = inspect.cleandoc(type(obj).__doc__ or "")
    own = "\n".join(lines).strip()
    if own and own != type_doc:
        return  # a doc comment (#:) of its own
    from d2lopt.landscapes import Landscape

    lines[:] = _landscape_lines(obj) if isinstance(obj, Landscape) else []


def _skip_member(
    app: Sphinx, what: str, name: str, obj: Any, skip: bool, options: Any
) -> bool | None:
    doc = getattr(obj, "__doc__", None) or ""
    if what == "class" and doc.startswith("Alias for field number"):
        return True
    return None


def _reexported(module_name: str, top_level: list[str]) -> bool:
    """Whether every public name of the module is documented as ``d2lopt.<name>``."""
    import importlib

    public = getattr(importlib.import_module(module_name), "__all__", None)
    return bool(public) and set(public) <= set(top_level)


def _check_api_complete(app: Sphinx) -> None:
    import d2lopt

    # The framework namespaces (d2lopt.numpy, d2lopt.torch, ...: one per backend) are
    # described in prose on the API page, not generated: importing one imports its
    # framework.
    from d2lopt.backends import SUPPORTED as NAMESPACES

    api = Path(app.srcdir) / "api.md"
    text = api.read_text(encoding="utf-8")
    entries = re.findall(r"^ {3}([A-Za-z_][\w.]*)\s*$", text, flags=re.MULTILINE)
    listed = {entry.split(".")[0] for entry in entries}
    for module in pkgutil.iter_modules(d2lopt.__path__):
        name = module.name
        if name.startswith("_"):
            continue
        if name in NAMESPACES:
            if f"d2lopt.{name}" not in text:
                logger.warning("d2lopt.%s is not described in %s", name, api,
                               type="d2lopt", subtype="api")
        elif name not in listed and not _reexported(f"d2lopt.{name}", d2lopt.__all__):
            logger.warning(
                "d2lopt.%s is a public module missing from the API reference: add %r to an "
                "autosummary table of %s", name, name, api, type="d2lopt", subtype="api",
            )


def section_page_kind(name: str, sections: tuple[str, ...]) -> str | None:
    """``"section"`` for a section module's page, ``"member"`` for a page of one of its members.

    Only the section modules (``d2lopt.chapter.SECTIONS``) are laid out as one page;
    any other module of the chapter layer (``d2lopt.chapter.cache``) keeps the usual
    per-member pages, which must not be removed (autosummary would write them again
    on every build, and every build would read them again).

    >>> sections = ("newton", "cliffs")
    >>> [section_page_kind(name, sections) for name in (
    ...     "d2lopt.chapter.newton.rst", "d2lopt.chapter.newton.Settings.rst",
    ...     "d2lopt.chapter.cache.rst", "d2lopt.chapter.cache.source_digest.rst")]
    ['section', 'member', None, None]
    """
    parts = name.removesuffix(".rst").split(".")
    if len(parts) < 3 or parts[:2] != ["d2lopt", "chapter"] or parts[2] not in sections:
        return None
    return "section" if len(parts) == 3 else "member"


def _remove_section_member_pages(app: Sphinx) -> None:
    from d2lopt.chapter import SECTIONS

    generated = Path(app.srcdir) / "gen_modules"
    for page in generated.glob("d2lopt.chapter.*.rst") if generated.is_dir() else ():
        kind = section_page_kind(page.name, SECTIONS)
        if kind == "section" and ":toctree:" in page.read_text(encoding="utf-8"):
            # A section page in the old layout: autosummary would read its per-member
            # toctree (before writing the new page) and make the member pages again.
            page.unlink()
        elif kind == "member":
            page.unlink()
            # ... and its HTML from an earlier build into the same folder.
            built = Path(app.outdir) / "gen_modules" / (page.name[: -len(".rst")] + ".html")
            built.unlink(missing_ok=True)


def setup(app: Sphinx) -> dict[str, Any]:
    # Before autosummary (priority 500) generates gen_modules.
    app.connect("builder-inited", _remove_section_member_pages, priority=400)
    app.connect("builder-inited", _check_api_complete)
    # Before napoleon (priority 500) rewrites the lines: compare the raw text.
    app.connect("autodoc-process-docstring", _process_docstring, priority=100)
    app.connect("autodoc-skip-member", _skip_member)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
