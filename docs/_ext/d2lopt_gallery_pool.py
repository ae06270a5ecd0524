"""Run the gallery examples of all sections in one pool of worker processes.

sphinx-gallery's ``parallel`` option runs the examples of one (sub)section at a
time in its worker pool, and waits for the slowest before it starts the next
section. The chapter's gallery has 13 sections of one to ten examples, often
one long and one short, so with two workers one core sat idle for much of the
build. This extension runs every example of every section (the stale ones;
up-to-date ones return at once) in one joblib pool before sphinx-gallery walks
the sections, the longest first (by the time each took in the previous build,
else by file size), and hands sphinx-gallery each example's result when it
asks for it; sphinx-gallery then writes the section pages, thumbnails and
backreferences as usual.

The results are those of sphinx-gallery's own ``generate_file_rst``, called
with the same arguments it would use, so the output is the same; an example
that was not run here (if sphinx-gallery lists its files differently from the
listing below) is run by sphinx-gallery itself, as without this extension.
The same pool also runs, beside the examples, the notebook pages that myst-nb
would execute while Sphinx reads them (those without a jupyter-cache record), and
stores each in the cache, where myst-nb then finds it (``pool_notebooks.py``).
Active only when ``parallel`` > 1; examples only when they are executed
(``plot_gallery``).

It uses sphinx-gallery's internals (private functions, and the module global
``gen_rst.generate_file_rst`` that ``generate_dir_rst`` calls), as they are in
the versions ``SPHINX_GALLERY_VERSIONS`` (pinned in pyproject.toml's ``docs``
extra). :func:`check_sphinx_gallery` checks, when the extension is set up, that
the installed sphinx-gallery still has each of them with the parameters used
here, and stops the build with an error naming the version otherwise.
"""

from __future__ import annotations

import importlib
import inspect
import json
import time
from collections.abc import Iterator
from pathlib import Path
from types import CodeType
from typing import Any

import pool_notebooks
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging

logger = logging.getLogger(__name__)

#: The sphinx-gallery versions this extension was written for (pyproject.toml, docs extra).
SPHINX_GALLERY_VERSIONS = ">=0.22,<0.23"

#: The sphinx-gallery functions used here, with the leading parameters they are called with.
REQUIRED: dict[str, tuple[str, ...]] = {
    "sphinx_gallery.gen_gallery._prepare_sphx_glr_dirs": ("gallery_conf", "srcdir"),
    "sphinx_gallery.gen_gallery._collect_gallery_files": ("examples_dirs", "gallery_conf"),
    "sphinx_gallery.gen_gallery.get_subsections": (
        "srcdir", "examples_dir", "gallery_conf", "check_for_header",
    ),
    "sphinx_gallery.gen_rst.generate_file_rst": ("fname", "target_dir", "src_dir", "gallery_conf"),
    "sphinx_gallery.gen_rst.generate_dir_rst": ("src_dir", "target_dir", "gallery_conf"),
}


def _names_used(code: CodeType) -> Iterator[str]:
    """The global names a function's code (nested comprehensions included) looks up."""
    yield from code.co_names
    for const in code.co_consts:
        if isinstance(const, CodeType):
            yield from _names_used(const)


def _incompatibility(dotted: str, params: tuple[str, ...]) -> str | None:
    """What is wrong with sphinx-gallery's ``dotted`` for this extension, if anything."""
    module_name, _, name = dotted.rpartition(".")
    func = getattr(importlib.import_module(module_name), name, None)
    if not callable(func):
        return f"{dotted} is missing"
    found = tuple(inspect.signature(func).parameters)[: len(params)]
    if found != params:
        return f"{dotted} takes ({', '.join(found)}), not ({', '.join(params)})"
    return None


def check_sphinx_gallery() -> None:
    """Raise :class:`~sphinx.errors.ExtensionError` unless sphinx-gallery has what is used here."""
    import sphinx_gallery
    import sphinx_gallery.gen_rst as gen_rst

    problems = [p for d, params in REQUIRED.items() if (p := _incompatibility(d, params))]
    calls = set(_names_used(gen_rst.generate_dir_rst.__code__)) if not problems else set()
    if not problems and "generate_file_rst" not in calls:
        problems.append("generate_dir_rst no longer calls the module global generate_file_rst")
    if problems:
        raise ExtensionError(
            f"d2lopt_gallery_pool was written for sphinx-gallery {SPHINX_GALLERY_VERSIONS}, "
            f"but the installed sphinx-gallery {sphinx_gallery.__version__} differs: "
            f"{'; '.join(problems)}. Install a version in that range (pyproject.toml, "
            "docs extra), or update docs/_ext/d2lopt_gallery_pool.py for this one."
        )

_STATE: dict[str, Any] = {"results": {}, "original": None}


def _examples(app: Sphinx, gallery_conf: dict) -> list[tuple[Path, Path, str]]:
    """``(src_dir, target_dir, file name)`` of every example, section by section."""
    from sphinx_gallery.gen_gallery import (
        _collect_gallery_files,
        _prepare_sphx_glr_dirs,
        get_subsections,
    )

    src_root = Path(app.srcdir)
    found = []
    # The (examples_dir, gallery_dir) pairs, as generate_gallery_rst will walk them.
    for examples_dir, gallery_dir in _prepare_sphx_glr_dirs(gallery_conf, src_root):
        src, target = src_root / examples_dir, src_root / gallery_dir
        folders = [(src, target)] + [
            (src / sub, target / sub)
            for sub in get_subsections(src_root, src, gallery_conf, check_for_header=False)
        ]
        for src_dir, target_dir in folders:
            for fname in _collect_gallery_files([src_dir], gallery_conf):
                if (src_dir / fname).is_file():
                    found.append((src_dir, target_dir, fname))
    return found


def _expected_seconds(src_dir: Path, target_dir: Path, fname: str) -> tuple[float, int]:
    """Sort key: the previous build's time of the example, then its file size."""
    cost = target_dir / (Path(fname).stem + ".cost.json")
    try:
        seconds = float(json.loads(cost.read_text())["time"])
    except (OSError, ValueError, KeyError, TypeError):
        seconds = 0.0
    return seconds, (src_dir / fname).stat().st_size


def _is_current(src_dir: Path, target_dir: Path, fname: str) -> bool:
    """Whether sphinx-gallery would skip the example: its source matches the last run's md5."""
    from sphinx_gallery.gen_rst import get_md5sum

    md5 = target_dir / f"{fname}.md5"
    try:
        return md5.read_text() == get_md5sum(src_dir / fname, mode="t")
    except OSError:
        return False


def _cached_generate_file_rst(fname, target_dir, src_dir, gallery_conf, *args, **kwargs):
    key = (str(Path(src_dir)), str(Path(target_dir)), str(fname))
    result = _STATE["results"].pop(key, None)
    if result is not None:
        return result
    return _STATE["original"](fname, target_dir, src_dir, gallery_conf, *args, **kwargs)


def run_all_examples(app: Sphinx) -> None:
    """builder-inited, before sphinx-gallery: run the examples and notebooks, keep the results."""
    import sphinx_gallery.gen_rst as gen_rst

    gallery_conf = app.config.sphinx_gallery_conf
    n_jobs = gallery_conf.get("parallel") or 1
    if not isinstance(n_jobs, int) or n_jobs < 2:
        return
    examples = _examples(app, gallery_conf) if gallery_conf.get("plot_gallery") else []
    notebooks = pool_notebooks.stale_notebooks(app)
    if not examples and not notebooks:
        return
    for _, target_dir, _ in examples:  # as sphinx-gallery does, before any worker starts
        (target_dir / "images" / "thumb").mkdir(parents=True, exist_ok=True)
    # Examples whose source is unchanged are only read back (milliseconds each):
    # here, without starting the pool's processes (about a second) for them.
    stale = examples
    if not gallery_conf.get("run_stale_examples"):
        stale = [e for e in examples if not _is_current(*e)]
    # One queue, the longest jobs first, so that neither worker is left with a long
    # job at the end: (expected seconds, kind, job).
    jobs = [(_expected_seconds(*e), "example", e) for e in stale]
    jobs += [(t.expected, "notebook", t) for t in notebooks]
    jobs.sort(key=lambda job: job[0], reverse=True)

    from joblib import Parallel, delayed

    logger.info(
        f"generating gallery examples of all {len({e[0] for e in examples})} sections "
        f"and {len(notebooks)} notebooks in one pool of {n_jobs} processes "
        "(d2lopt_gallery_pool)...",
        color="white",
    )
    start = time.perf_counter()
    results = {e: gen_rst.generate_file_rst(e[2], e[1], e[0], gallery_conf)
               for e in examples if e not in stale}
    executed = []
    if jobs:
        pool = Parallel(n_jobs=n_jobs, pre_dispatch="n_jobs", batch_size=1, backend="loky")
        done = pool(
            delayed(gen_rst.generate_file_rst)(job[2], job[1], job[0], gallery_conf)
            if kind == "example" else delayed(pool_notebooks.execute)(job)
            for _, kind, job in jobs
        )
        for (_, kind, job), result in zip(jobs, done, strict=True):
            if kind == "example":
                results[job] = result
                continue
            notebook, seconds, error = result
            if error is None:
                executed.append((job, notebook, seconds))
            else:  # myst-nb runs it again when it reads the page, and reports the error
                logger.info(f"d2lopt_gallery_pool: {job.path.name} failed in the pool: "
                            f"{error.splitlines()[0]}")
        _release_workers()
    pool_notebooks.store(app, executed)
    _STATE["results"] = {
        (str(src_dir), str(target_dir), fname): result
        for (src_dir, target_dir, fname), result in results.items()
    }
    ran = sum("passing" in r[3] or "formatted_exception" in r[3] for r in results.values())
    logger.info(
        f"d2lopt_gallery_pool: {ran} of {len(examples)} examples executed "
        f"({len(stale)} sent to the pool) and {len(executed)} of {len(notebooks)} "
        f"notebooks stored in jupyter-cache in {time.perf_counter() - start:.1f} s"
    )
    if not examples:
        return
    # sphinx-gallery now takes the results from here; its own pool is not needed.
    _STATE["original"] = gen_rst.generate_file_rst
    _STATE["parallel"] = n_jobs
    gen_rst.generate_file_rst = _cached_generate_file_rst
    gallery_conf["parallel"] = False


def _release_workers() -> None:
    """Let the pool's processes exit now, while Sphinx reads and writes the pages.

    joblib keeps its loky workers for the next ``Parallel`` call; nothing else in
    the build uses them, and they hold PyTorch, Matplotlib and every example's
    state, which they took about 5 s to tear down when the build exited.
    """
    from joblib.externals.loky import reusable_executor

    executor = getattr(reusable_executor, "_executor", None)
    if executor is not None:
        executor.shutdown(wait=False)


def restore(app: Sphinx) -> None:
    """builder-inited, after sphinx-gallery: undo the patch, keep the configuration."""
    import sphinx_gallery.gen_rst as gen_rst

    if _STATE["original"] is not None:
        gen_rst.generate_file_rst = _STATE["original"]
        app.config.sphinx_gallery_conf["parallel"] = _STATE.pop("parallel")
        _STATE["original"] = None
    left = _STATE["results"]
    _STATE["results"] = {}
    if left:
        logger.warning(f"d2lopt_gallery_pool: {len(left)} results unused: {sorted(left)[:3]}")


def setup(app: Sphinx) -> dict[str, Any]:
    check_sphinx_gallery()
    # sphinx-gallery fills its configuration at builder-inited priority 10 and
    # generates the gallery at 500.
    app.connect("builder-inited", run_all_examples, priority=400)
    app.connect("builder-inited", restore, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
