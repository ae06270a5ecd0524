"""The notebooks myst-nb would execute, run ahead in the gallery's worker pool.

With ``nb_execution_mode = "cache"``, myst-nb executes a notebook page that has
no matching jupyter-cache record while Sphinx reads it, one page after the
other, after the gallery's pool (``d2lopt_gallery_pool``) has finished. On two
cores the chapter's notebooks then ran alone for about two minutes of a cold
build. This module finds those notebooks before the pool starts, so that the
pool runs them beside the examples (:func:`execute`, in a worker), and stores
each executed notebook in jupyter-cache (:func:`store`) exactly as myst-nb's
``NotebookClientCache`` does; when Sphinx then reads the page, myst-nb finds
the record and uses it ("Using cached notebook").

A notebook is read with myst-nb's own reader and configuration, so the cache
key (the code cells and the kernelspec) is the one myst-nb computes. Notebooks
that myst-nb would not execute from the cache are left to it: excluded by
``nb_execution_excludepatterns``, switched to another execution mode by their
own ``mystnb`` metadata, run in a temporary folder, or under a kernel alias. A
notebook that fails in the pool is not stored: myst-nb runs it again while
reading and reports the error with its traceback, as it would without the pool.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from sphinx.application import Sphinx


@dataclass(frozen=True)
class NotebookTask:
    """One notebook page to execute: its path, notebook, reader format and settings.

    ``expected`` is its sort key, as for an example: the seconds it took when the
    pool last ran it (0 if never), then its size in bytes.
    """

    path: Path
    notebook: Any  # nbformat.NotebookNode
    read_fmt: dict | None
    timeout: int | None
    allow_errors: bool
    expected: tuple[float, int] = (0.0, 0)


def _seconds_file(app: Sphinx) -> Path:
    """``<cache>.seconds.json``: how long each notebook took when the pool last ran it."""
    cache = Path(app.env.mystnb_config.execution_cache_path)
    return cache.with_name(cache.name + ".seconds.json")


def _seconds(app: Sphinx) -> dict[str, float]:
    try:
        return {str(k): float(v) for k, v in json.loads(_seconds_file(app).read_text()).items()}
    except (OSError, ValueError, TypeError, AttributeError):
        return {}


def _configs(app: Sphinx) -> tuple[Any, Any]:
    """myst's and myst-nb's parser configurations, as they will be when pages are read.

    Both are made from the Sphinx configuration at ``builder-inited`` (priority
    500), after the pool's own listener; they are made here the same way, by the
    same functions, and are made again, identically, at their usual time.
    """
    from myst_nb.sphinx_ext import create_mystnb_config
    from myst_parser.sphinx_ext.main import create_myst_config

    if getattr(app.env, "myst_config", None) is None:
        create_myst_config(app)
    if getattr(app.env, "mystnb_config", None) is None:
        create_mystnb_config(app)
    return app.env.myst_config, app.env.mystnb_config


def _task(app: Sphinx, docname: str, md_config: Any, nb_config: Any,
          seconds: dict[str, float]) -> NotebookTask | None:
    """The page ``docname`` as a task, or ``None`` if myst-nb would not run it from the cache."""
    from myst_nb.core.nb_to_tokens import nb_node_to_dict
    from myst_nb.core.read import create_nb_reader

    path = Path(app.env.doc2path(docname))
    if path.suffix not in (".md", ".ipynb") or not path.is_file():
        return None
    if any(PurePosixPath(path.as_posix()).match(p) for p in nb_config.execution_excludepatterns):
        return None
    content = path.read_text(encoding="utf-8")
    reader = create_nb_reader(str(path), md_config, nb_config, content)
    if reader is None:
        return None
    notebook = reader.read(content)
    overrides = nb_node_to_dict(notebook.metadata.get(nb_config.metadata_key, {}))
    overrides.pop("output_folder", None)
    try:
        config = nb_config.copy(**overrides)
    except (TypeError, ValueError):
        return None  # myst-nb warns about it when it reads the page
    if config.execution_mode != "cache" or config.execution_in_temp:
        return None
    return NotebookTask(path, notebook, reader.read_fmt, config.execution_timeout,
                        config.execution_allow_errors,
                        (seconds.get(str(path), 0.0), len(content.encode("utf-8"))))


def stale_notebooks(app: Sphinx) -> list[NotebookTask]:
    """The notebook pages that myst-nb would execute: those without a jupyter-cache record."""
    from jupyter_cache import get_cache

    if getattr(app.config, "nb_execution_mode", "off") != "cache":
        return []
    md_config, nb_config = _configs(app)
    if nb_config.kernel_rgx_aliases:  # myst-nb renames kernels while reading: left to it
        return []
    cache = get_cache(nb_config.execution_cache_path)
    seconds = _seconds(app)
    docnames = app.project.discover(app.config.exclude_patterns, app.config.include_patterns)
    tasks = []
    for docname in sorted(docnames):
        task = _task(app, docname, md_config, nb_config, seconds)
        if task is None:
            continue
        try:
            cache.match_cache_notebook(task.notebook)
        except KeyError:
            tasks.append(task)
    return tasks


def execute(task: NotebookTask) -> tuple[Any, float, str | None]:
    """In a worker: run the task's notebook in its page's folder, as myst-nb does.

    Returns ``(executed notebook, seconds, None)``, or ``(None, seconds, error)``.

    The kernel talks to the worker over Unix sockets in a folder of its own
    (jupyter_client's ``ipc`` transport, on POSIX systems), not over TCP: two
    workers starting kernels at the same moment could be handed the same free
    port (a cold build once logged ``ZMQError: Address already in use`` for a
    kernel's heartbeat), and a TCP kernel warns that its traffic is not encrypted.
    """
    import tempfile

    from jupyter_cache.executors.utils import single_nb_execution
    from traitlets.config import Config

    with tempfile.TemporaryDirectory(prefix="d2lopt-kernel-") as sockets:
        config = Config()
        if os.name == "posix":  # ZeroMQ has no Unix sockets on Windows: TCP there
            config.KernelManager.transport = "ipc"
            config.KernelManager.ip = f"{sockets}/kernel"
        result = single_nb_execution(task.notebook, cwd=str(task.path.parent),
                                     timeout=task.timeout, allow_errors=task.allow_errors,
                                     meta_override=True, config=config)
    if result.err is not None:
        return None, result.time, f"{type(result.err).__name__}: {result.exc_string}"
    return task.notebook, result.time, None


def store(app: Sphinx, executed: list[tuple[NotebookTask, Any, float]]) -> None:
    """Add each executed notebook to jupyter-cache, as myst-nb does after it runs one."""
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn
    from jupyter_cache.cache.db import NbProjectRecord

    if not executed:
        return
    cache = get_cache(app.env.mystnb_config.execution_cache_path)
    times = _seconds(app)
    for task, notebook, seconds in executed:
        if task.read_fmt is not None:
            record = cache.add_nb_to_project(str(task.path), read_data=task.read_fmt)
        else:
            record = cache.add_nb_to_project(str(task.path))
        NbProjectRecord.remove_tracebacks([record.pk], cache.db)
        cache.cache_notebook_bundle(
            CacheBundleIn(notebook, record.uri, data={"execution_seconds": seconds}),
            check_validity=False, overwrite=True,
        )
        times[str(task.path)] = round(float(seconds), 2)
    _seconds_file(app).write_text(json.dumps(times, indent=1, sort_keys=True))
