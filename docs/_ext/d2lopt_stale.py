"""Rerun the examples and notebooks that use the library when the library changes.

sphinx-gallery reruns an example only when the example's own file changes (its
``.md5`` next to the generated copy), and myst-nb's ``nb_execution_mode = "cache"``
reuses a page's outputs while the page's code is unchanged. Neither knows that
the figures also depend on the package the examples import, so after an edit to
``src/d2lopt`` both would keep serving stale output.

This extension hashes the package's source (every ``*.py`` under its folder,
paths and contents) when the configuration is read, and

* stores the hash in the config value ``d2lopt_source_hash`` (``rebuild="env"``),
  so that Sphinx re-reads every page when it changes;
* compares it with a stamp file in each gallery output folder
  (``<gallery_dir>/.<package>-source-hash``); when they differ it deletes the
  ``.md5`` of every generated example whose script mentions the package, so
  sphinx-gallery runs exactly those again;
* compares it with a stamp next to myst-nb's execution cache and, when they
  differ, drops the cached notebooks whose code mentions the package;
* writes the new stamps when the build has finished without an error (and, for
  the gallery, only when the examples were run: not with ``plot_gallery=0``).

Configuration (``conf.py``)::

    extensions = [..., "d2lopt_stale"]
    d2lopt_stale_package = "d2lopt"        # the default
    d2lopt_stale_package_dir = None        # default: the folder of the importable package

A full rebuild with nothing changed costs nothing extra: one hash of the package
source (milliseconds).
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
import shutil
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util import logging

logger = logging.getLogger(__name__)

__version__ = "1.0"


def source_hash(package_dir: str | Path) -> str:
    """SHA-256 of every ``*.py`` below *package_dir*: relative paths and contents, sorted.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as d:
    ...     _ = (pathlib.Path(d) / "m.py").write_text("x = 1\\n")
    ...     len(source_hash(d))
    64
    """
    root = Path(package_dir)
    if not root.is_dir():
        raise ValueError(
            f"d2lopt_stale: package folder {root} does not exist; set "
            "`d2lopt_stale_package_dir` in conf.py to the folder of the package's source."
        )
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def _package_dir(config: Config) -> Path:
    if config.d2lopt_stale_package_dir:
        return Path(config.d2lopt_stale_package_dir)
    name = config.d2lopt_stale_package
    spec = importlib.util.find_spec(name)  # finds the package without importing it
    if spec is None or not spec.submodule_search_locations:
        raise ValueError(
            f"d2lopt_stale: cannot find the package {name!r}; install it, or set "
            "`d2lopt_stale_package_dir` in conf.py."
        )
    return Path(list(spec.submodule_search_locations)[0])


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def _gallery_dirs(app: Sphinx, config: Config) -> list[Path]:
    conf = getattr(config, "sphinx_gallery_conf", None) or {}
    return [Path(app.srcdir, d) for d in _as_list(conf.get("gallery_dirs"))]


def _notebook_cache_dir(app: Sphinx, config: Config) -> Path | None:
    if getattr(config, "nb_execution_mode", "off") != "cache":
        return None
    # myst-nb 1.4 (sphinx_ext.create_mystnb_config): the config value, else
    # <outdir>/../.jupyter_cache.
    path = getattr(config, "nb_execution_cache_path", "") or ""
    return Path(path) if path else Path(app.outdir).parent / ".jupyter_cache"


def _read(path: Path) -> str | None:
    try:
        return path.read_text().strip()
    except OSError:
        return None


def _mentions(text: str, package: str) -> bool:
    return re.search(rf"\b{re.escape(package)}\b", text) is not None


def invalidate_examples(gallery_dir: Path, package: str) -> list[Path]:
    """Delete the ``.md5`` of every generated example in *gallery_dir* that mentions *package*.

    sphinx-gallery keeps a copy of each script next to its ``<script>.md5``; a
    missing ``.md5`` makes it run the example again. Returns the scripts affected.
    """
    invalidated = []
    for md5 in sorted(gallery_dir.rglob("*.md5")):
        script = md5.with_suffix("")  # plot_x.py.md5 -> plot_x.py
        if script.suffix != ".py" or not script.exists():
            continue  # .ipynb.md5, .rst.md5, images ...: not an example's run stamp
        if _mentions(script.read_text(errors="replace"), package):
            md5.unlink()
            invalidated.append(script)
    return invalidated


def invalidate_notebooks(cache_dir: Path, package: str) -> int | None:
    """Drop the jupyter-cache records whose code mentions *package*; ``None``: whole cache.

    Falls back to deleting the cache folder when it cannot be read record by record.
    """
    if not cache_dir.exists():
        return 0
    try:
        from jupyter_cache import get_cache

        cache = get_cache(str(cache_dir))
        dropped = 0
        for record in cache.list_cache_records():
            nb = cache.get_cache_bundle(record.pk).nb
            code = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "code")
            if _mentions(code, package):
                cache.remove_cache(record.pk)
                dropped += 1
        return dropped
    except Exception as error:  # noqa: BLE001 - any trouble: start the cache afresh
        logger.info(f"d2lopt_stale: clearing {cache_dir} ({error!r})")
        shutil.rmtree(cache_dir, ignore_errors=True)
        return None


def _plots_run(config: Config) -> bool:
    value = getattr(config, "plot_gallery", True)
    return str(value).strip().lower() not in ("0", "false", "no", "off", "")


def on_config_inited(app: Sphinx, config: Config) -> None:
    package = config.d2lopt_stale_package
    digest = source_hash(_package_dir(config))
    config.d2lopt_source_hash = digest
    pending: list[Path] = []
    notes = []

    for gallery_dir in _gallery_dirs(app, config):
        stamp = gallery_dir / f".{package}-source-hash"
        old = _read(stamp)
        if old == digest:
            continue
        if gallery_dir.is_dir():
            scripts = invalidate_examples(gallery_dir, package)
            why = "no record of the source they ran with" if old is None else "source changed"
            notes.append(
                f"{len(scripts)} example(s) in {gallery_dir.name}/ will rerun "
                f"({package} {why}, hash {digest[:12]})"
            )
        pending.append(stamp)

    cache_dir = _notebook_cache_dir(app, config)
    if cache_dir is not None:
        stamp = cache_dir.with_name(f"{cache_dir.name}.{package}-source-hash")
        old = _read(stamp)
        if old != digest:
            if cache_dir.exists():
                dropped = invalidate_notebooks(cache_dir, package)
                what = "all" if dropped is None else str(dropped)
                why = "no record of the source they ran with" if old is None else "source changed"
                notes.append(f"{what} cached notebook(s) dropped ({package} {why})")
            pending.append(stamp)

    if notes:
        logger.info("d2lopt_stale: " + "; ".join(notes))
    app._d2lopt_stale_stamps = (digest, pending)  # type: ignore[attr-defined]


def on_build_finished(app: Sphinx, exception: Exception | None) -> None:
    digest, pending = getattr(app, "_d2lopt_stale_stamps", (None, []))
    if exception is not None or digest is None or app.statuscode:
        return
    gallery_dirs = set(_gallery_dirs(app, app.config))
    for stamp in pending:
        if stamp.parent in gallery_dirs and not _plots_run(app.config):
            continue  # examples were not run: their outputs are still stale
        if stamp.parent.is_dir():
            stamp.write_text(digest + "\n")


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("d2lopt_stale_package", "d2lopt", "env", types=[str])
    app.add_config_value("d2lopt_stale_package_dir", None, "env", types=[str, type(None)])
    app.add_config_value("d2lopt_source_hash", "", "env", types=[str])
    # Before sphinx-gallery fills its defaults (priority 10) and before the env is loaded.
    app.connect("config-inited", on_config_inited, priority=5)
    app.connect("build-finished", on_build_finished)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
