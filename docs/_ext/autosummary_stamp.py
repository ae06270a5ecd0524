"""Autosummary writes the API stubs only when what they are made from has changed.

``sphinx.ext.autosummary`` regenerates every stub in ``gen_modules`` on every
build, importing each documented module to list its members: on a rebuild with
nothing changed that was about a third of the time (importing PyTorch for
``d2lopt.chapter.real_networks`` included), and it wrote nothing. The stubs are
made from the d2lopt sources, the pages that hold autosummary tables
(``autosummary_generate``), the templates and the ``autosummary_*`` settings.
This extension keeps a digest of those next to the doctrees; when a build finds
the same digest and every stub the last build listed, it skips autosummary's
generation for that build (the setting is restored right after, so the saved
configuration does not change). Any change to an input, a missing stub, or a
warning while they were generated regenerates them as before. Docstrings are
not an input of the stubs: autodoc reads them when it reads a stub page, and
Sphinx re-reads that page when its module's file changes.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import sphinx
from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

_STAMP = "d2lopt-autosummary.json"
_GENERATED = "gen_modules"


def inputs_digest(package_digest: str, pages: list[Path], template_dirs: list[Path],
                  settings: dict[str, str]) -> str:
    """A digest of what autosummary's stubs are made from.

    The package's sources (``package_digest``, from
    :func:`d2lopt.chapter.cache.source_digest`), the ``pages`` that hold the
    tables, every file under ``template_dirs``, the ``autosummary_*``
    ``settings`` and the Sphinx version.

    >>> import tempfile
    >>> api = Path(tempfile.mkdtemp()) / "api.md"
    >>> _ = api.write_text("x")
    >>> settings = {"autosummary_generate": "['api.md']"}
    >>> first = inputs_digest("0123", [api], [], settings)
    >>> first == inputs_digest("0123", [api], [], settings)
    True
    >>> first == inputs_digest("4567", [api], [], settings)
    False
    >>> _ = api.write_text("y")
    >>> first == inputs_digest("0123", [api], [], settings)
    False
    """
    digest = hashlib.sha256(f"sphinx {sphinx.__version__}, d2lopt {package_digest}".encode())
    templates = [f for folder in template_dirs for f in sorted(folder.rglob("*")) if f.is_file()]
    for path in [*pages, *templates]:
        digest.update(path.as_posix().encode())
        digest.update(path.read_bytes() if path.is_file() else b"(missing)")
    digest.update(json.dumps(settings, sort_keys=True).encode())
    return digest.hexdigest()


def _digest(app: Sphinx) -> str:
    from d2lopt.chapter.cache import source_digest

    srcdir = Path(app.srcdir)
    generate = app.config.autosummary_generate
    pages = [srcdir / page for page in generate] if isinstance(generate, (list, tuple)) else []
    settings = {item.name: repr(item.value) for item in app.config
                if item.name.startswith("autosummary_")}
    return inputs_digest(source_digest(), pages,
                         [srcdir / folder for folder in app.config.templates_path], settings)


def _stubs(app: Sphinx) -> list[str]:
    folder = Path(app.srcdir) / _GENERATED
    return sorted(p.name for p in folder.glob("*.rst")) if folder.is_dir() else []


def _stamp_file(app: Sphinx) -> Path:
    return Path(app.doctreedir) / _STAMP  # not published with the site


def _skip_when_unchanged(app: Sphinx) -> None:
    if not app.config.autosummary_generate:
        return
    try:
        stamp = json.loads(_stamp_file(app).read_text())
    except (OSError, ValueError):
        stamp = {}
    digest = _digest(app)
    folder = Path(app.srcdir) / _GENERATED
    if stamp.get("digest") == digest and stamp.get("stubs") and all(
            (folder / name).is_file() for name in stamp["stubs"]):
        app.d2lopt_autosummary = ("skipped", app.config.autosummary_generate)
        app.config.autosummary_generate = []
        logger.info("autosummary_stamp: %d API stubs up to date, not generated again",
                    len(stamp["stubs"]))
    else:
        # Sphinx's warning count, to keep no stamp when generating warned (a module
        # that failed to import): the next build must generate, and warn, again.
        app.d2lopt_autosummary = ("generating", digest, getattr(app, "_warncount", None))


def _after_generation(app: Sphinx) -> None:
    state = getattr(app, "d2lopt_autosummary", None)
    if state is None:
        return
    del app.d2lopt_autosummary
    if state[0] == "skipped":
        app.config.autosummary_generate = state[1]
        return
    _, digest, warnings_before = state
    if warnings_before is not None and getattr(app, "_warncount", None) == warnings_before:
        _stamp_file(app).parent.mkdir(parents=True, exist_ok=True)
        _stamp_file(app).write_text(json.dumps({"digest": digest, "stubs": _stubs(app)}))
    else:
        _stamp_file(app).unlink(missing_ok=True)


def setup(app: Sphinx) -> dict[str, Any]:
    # Autosummary generates at builder-inited, priority 500; d2lopt_docs removes the
    # old section member pages at 400.
    app.connect("builder-inited", _skip_when_unchanged, priority=450)
    app.connect("builder-inited", _after_generation, priority=550)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
