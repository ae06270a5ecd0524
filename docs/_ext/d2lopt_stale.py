"""Rerun the examples and notebooks whose library inputs changed, and only those.

sphinx-gallery reruns an example only when the example's own file changes (its
``.md5`` next to the generated copy), and myst-nb's ``nb_execution_mode = "cache"``
reuses a page's outputs while the page's code is unchanged. Neither knows that
the figures also depend on the package the examples import, so after an edit to
``src/d2lopt`` both would keep serving stale output.

This extension works out, for each example and cached notebook, which part of
the package it depends on, conservatively:

* the **core hash** covers every ``*.py`` of the package except the section
  modules ``<package>/chapter/<section>.py`` (so ``chapter/__init__.py`` and
  every core module are in it);
* an example's or notebook's **inputs** are the core hash plus the sources of
  the section modules its code names (``d2lopt.chapter.newton``, ``from
  d2lopt.chapter import newton, cliffs``; a bare ``d2lopt.chapter`` or ``from
  d2lopt import chapter`` counts as every section), together with the section
  modules those import in turn (and any that a core module names); code that
  does not mention the package has no inputs and is never invalidated here.

When the configuration is read it

* stores the hash of the whole package source in the config value
  ``d2lopt_source_hash`` (``rebuild="env"``), so that Sphinx re-reads every page
  (autodoc included) after any change;
* compares each generated example's inputs with its stamp
  ``<gallery_dir>/<sub>/<script>.py.<package>-inputs`` (next to the ``.md5``
  sphinx-gallery keeps) and deletes the ``.md5`` of those that differ or have no
  stamp, so sphinx-gallery runs exactly those again;
* compares each jupyter-cache record's inputs with the JSON map
  ``<cache_dir>.<package>-inputs.json`` (keyed by the record's hash key) and drops
  the records that differ;
* logs one line saying how many examples and notebooks will rerun and why.

When the build has finished without an error it writes the stamps of every
example and cached notebook present (for the gallery only when the examples were
run: not with ``plot_gallery=0``). Stamps left by version 1 of this extension (one
full-source hash per gallery folder and cache) are honoured once: an example or
notebook without a stamp whose folder's old stamp matches the current source is
taken as up to date.

Configuration (``conf.py``)::

    extensions = [..., "d2lopt_stale"]
    d2lopt_stale_package = "d2lopt"        # the default
    d2lopt_stale_package_dir = None        # default: the folder of the importable package
    d2lopt_stale_sections = "chapter"      # the subpackage of one module per section

A rebuild with nothing changed costs a few hashes and regular-expression scans
of the package and the generated scripts (milliseconds).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util import logging

logger = logging.getLogger(__name__)

__version__ = "2.0"

ALL = "*"  # "every section module"


def _check_dir(root: Path) -> None:
    if not root.is_dir():
        raise ValueError(
            f"d2lopt_stale: package folder {root} does not exist; set "
            "`d2lopt_stale_package_dir` in conf.py to the folder of the package's source."
        )


def _sources(root: Path) -> list[Path]:
    return [p for p in sorted(root.rglob("*.py")) if "__pycache__" not in p.parts]


def _digest(parts: Iterable[tuple[str, bytes]]) -> str:
    digest = hashlib.sha256()
    for name, content in parts:
        digest.update(name.encode())
        digest.update(b"\0")
        digest.update(content)
        digest.update(b"\0")
    return digest.hexdigest()


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
    _check_dir(root)
    return _digest((p.relative_to(root).as_posix(), p.read_bytes()) for p in _sources(root))


def referenced_sections(code: str, package: str, sections: str = "chapter") -> set[str]:
    """Names of the section modules *code* refers to; ``"*"`` in the set: all of them.

    Finds ``package.sections.<name>`` anywhere, ``from package.sections import a, b``
    (also in parentheses over several lines) and, in code inside the sections
    package, ``from .<name> import ...`` and ``from . import a, b``. A reference
    that cannot be resolved to names (``from package import sections``, a bare
    ``package.sections``, ``import *``) gives ``"*"``. Names that are not modules
    (``SECTIONS`` of ``__init__``) are returned too; the caller keeps the modules.

    Examples
    --------
    >>> sorted(referenced_sections("from d2lopt.chapter import newton, cliffs as c", "d2lopt"))
    ['cliffs', 'newton']
    >>> sorted(referenced_sections("import d2lopt.chapter.goals\\nfrom d2lopt import plot",
    ...                            "d2lopt"))
    ['goals']
    >>> sorted(referenced_sections("from d2lopt.chapter import (\\n    erm,\\n    vanishing,\\n)",
    ...                            "d2lopt"))
    ['erm', 'vanishing']
    >>> referenced_sections("from d2lopt import chapter", "d2lopt")
    {'*'}
    >>> sorted(referenced_sections("from . import goals\\nfrom .erm import SETTINGS", "d2lopt"))
    ['erm', 'goals']
    >>> referenced_sections("from d2lopt import optim, plot", "d2lopt")
    set()
    """
    pkg, sub = re.escape(package), re.escape(sections)
    found: set[str] = set()
    found.update(re.findall(rf"\b{pkg}\.{sub}\.(\w+)", code))
    from_import = r"\s+import\s+(?:\(([^)]*)\)|((?:[^\n#;\\]|\\\n)*))"
    for match in re.finditer(rf"\bfrom\s+{pkg}\.{sub}{from_import}", code):
        found.update(_imported_names(match.group(1) or match.group(2) or ""))
    for match in re.finditer(rf"\bfrom\s+\.{from_import}", code):
        found.update(_imported_names(match.group(1) or match.group(2) or ""))
    found.update(re.findall(r"\bfrom\s+\.(\w+)", code))
    for match in re.finditer(rf"\bfrom\s+{pkg}{from_import}", code):
        if sections in _imported_names(match.group(1) or match.group(2) or ""):
            found.add(ALL)
    if re.search(rf"\b{pkg}\.{sub}\b(?!\.\w)(?!\s+import\b)", code):
        found.add(ALL)
    return found


def _imported_names(text: str) -> set[str]:
    names = set()
    for item in text.replace("\\\n", " ").split(","):
        words = item.split()
        if words:
            names.add(ALL if words[0] == "*" else words[0])
    return names


def imported_sections(
    code: str, package: str, sections: str = "chapter", inside: bool = False
) -> set[str]:
    """The section modules that the ``import`` statements of Python *code* name.

    Unlike :func:`referenced_sections` this reads only real imports (docstrings
    and comments of the core mention sections without importing them). With
    *inside* (the code of the sections package's ``__init__``), ``from . import a``
    and ``from .a import x`` name ``a``; otherwise a relative import that mentions
    *sections*, ``from package import sections`` or
    ``import package.sections`` gives ``"*"``, and so does code that does not parse.

    Examples
    --------
    >>> imported_sections("'Used by d2lopt.chapter.newton.'\\nimport numpy", "d2lopt")
    set()
    >>> code = "from d2lopt.chapter.goals import x\\nimport d2lopt.chapter.erm"
    >>> sorted(imported_sections(code, "d2lopt"))
    ['erm', 'goals']
    """
    import ast

    try:
        tree = ast.parse(code)
    except SyntaxError:
        return {ALL}
    whole = f"{package}.{sections}"
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == whole:
                    found.add(ALL)
                elif alias.name.startswith(whole + "."):
                    found.add(alias.name.split(".")[2])
        elif isinstance(node, ast.ImportFrom):
            module, names = node.module or "", {a.name for a in node.names}
            if node.level == 1 and inside:
                if module:
                    found.add(module.split(".")[0])
                else:
                    found |= {ALL if n == "*" else n for n in names}
            elif node.level:
                if sections in module.split(".") or sections in names:
                    found.add(ALL)
            elif module == whole:
                found |= {ALL if n == "*" else n for n in names}
            elif module.startswith(whole + "."):
                found.add(module.split(".")[2])
            elif module == package and sections in names:
                found.add(ALL)
    return found


@dataclass(frozen=True)
class PackageInputs:
    """Hashes of a package's parts, and which section modules import which.

    ``core`` hashes every module but the section modules; ``modules`` maps each
    section module's name to the hash of its source; ``imports`` to the section
    modules it names; ``core_imports`` are those the core imports (none, when the
    core keeps to its rule of never importing a section); ``source`` is the
    :func:`source_hash` of the whole package.
    """

    package: str
    core: str
    modules: Mapping[str, str]
    imports: Mapping[str, frozenset[str]]
    core_imports: frozenset[str] = field(default_factory=frozenset)
    source: str = ""  # the whole package's source_hash

    @classmethod
    def read(
        cls, package_dir: str | Path, package: str, sections: str = "chapter"
    ) -> PackageInputs:
        """Hash the package source in *package_dir*.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> with tempfile.TemporaryDirectory() as d:
        ...     root = pathlib.Path(d)
        ...     (root / "chapter").mkdir()
        ...     for name, text in [("__init__.py", ""), ("core.py", "x = 1\\n"),
        ...                        ("chapter/__init__.py", ""),
        ...                        ("chapter/one.py", "from . import two\\n"),
        ...                        ("chapter/two.py", "y = 2\\n")]:
        ...         _ = (root / name).write_text(text)
        ...     inputs = PackageInputs.read(root, "pkg")
        >>> sorted(inputs.modules), sorted(inputs.closure({"one"}))
        (['one', 'two'], ['one', 'two'])
        """
        root = Path(package_dir)
        _check_dir(root)
        section_dir = root / sections
        all_parts, core_parts, modules, imports = [], [], {}, {}
        core_refs: set[str] = set()
        for path in _sources(root):
            content = path.read_bytes()
            relative = path.relative_to(root).as_posix()
            all_parts.append((relative, content))
            if path.parent == section_dir and path.name != "__init__.py":
                modules[path.stem] = _digest([(relative, content)])
                code = content.decode(errors="replace")
                imports[path.stem] = frozenset(referenced_sections(code, package, sections))
            else:
                core_parts.append((relative, content))
                code = content.decode(errors="replace")
                core_refs |= imported_sections(code, package, sections, path.parent == section_dir)
        return cls(
            package, _digest(core_parts), modules, imports, frozenset(core_refs),
            _digest(all_parts),
        )

    def closure(self, names: Iterable[str]) -> set[str]:
        """The section modules among *names*, those they import, and so on; ``"*"``: all."""
        todo = set(names) | set(self.core_imports)
        done: set[str] = set()
        while todo:
            name = todo.pop()
            if name == ALL:
                return set(self.modules)
            if name in done or name not in self.modules:
                continue
            done.add(name)
            todo |= self.imports[name] - done
        return done

    def of_code(self, code: str) -> dict[str, Any] | None:
        """The inputs record of *code*: the hashes it depends on.

        ``None`` when *code* does not mention the package.
        """
        if re.search(rf"\b{re.escape(self.package)}\b", code) is None:
            return None
        return self.of_references(referenced_sections(code, self.package))

    def of_references(self, references: Iterable[str]) -> dict[str, Any]:
        """The inputs record of code that refers to the section modules *references*.

        ``references`` (sorted) is kept in the record, so that a notebook whose code
        is unchanged need not be read again.
        """
        references = sorted(set(references))
        used = sorted(self.closure(references))
        modules = {name: self.modules[name] for name in used}
        parts = [("core", self.core.encode())] + [(n, h.encode()) for n, h in modules.items()]
        inputs = _digest(parts)
        return {"inputs": inputs, "core": self.core, "modules": modules, "references": references}


def why_changed(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> list[str]:
    """What differs between two inputs records, in words.

    Examples
    --------
    >>> why_changed(None, {"inputs": "b", "core": "c", "modules": {}})
    ['no record']
    >>> why_changed({"inputs": "a", "core": "c", "modules": {"one": "1"}},
    ...             {"inputs": "b", "core": "c", "modules": {"one": "2", "two": "3"}})
    ['one', 'two']
    >>> why_changed({"inputs": "a", "core": "c", "modules": {}},
    ...             {"inputs": "b", "core": "d", "modules": {}})
    ['core']
    """
    if not isinstance(old, Mapping) or "inputs" not in old:
        return ["no record"]
    if old.get("inputs") == new["inputs"]:
        return []
    reasons = ["core"] if old.get("core") != new["core"] else []
    old_modules = old.get("modules") or {}
    reasons += [n for n, h in new["modules"].items() if old_modules.get(n) != h]
    return reasons or ["section modules used"]


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


def _read_json(path: Path) -> Any:
    text = _read(path)
    try:
        return json.loads(text) if text else None
    except ValueError:
        return None


def _example_stamp(script: Path, package: str) -> Path:
    return script.with_name(f"{script.name}.{package}-inputs")


def _old_gallery_stamp(gallery_dir: Path, package: str) -> Path:
    """Version 1's stamp: one full-source hash per gallery folder."""
    return gallery_dir / f".{package}-source-hash"


def _old_cache_stamp(cache_dir: Path, package: str) -> Path:
    """Version 1's stamp: one full-source hash next to the notebook cache."""
    return cache_dir.with_name(f"{cache_dir.name}.{package}-source-hash")


def _examples(gallery_dir: Path) -> list[Path]:
    """The generated copies of the example scripts that have a ``.md5``."""
    scripts = []
    for md5 in sorted(gallery_dir.rglob("*.py.md5")):
        script = md5.with_suffix("")  # plot_x.py.md5 -> plot_x.py
        if script.exists():
            scripts.append(script)
    return scripts


def invalidate_examples(
    gallery_dir: Path, inputs: PackageInputs, legacy_ok: bool = False
) -> dict[Path, list[str]]:
    """Delete the ``.md5`` of each example in *gallery_dir* whose inputs changed.

    sphinx-gallery keeps a copy of each script next to its ``<script>.md5``; a
    missing ``.md5`` makes it run the example again. With *legacy_ok*, an example
    without a stamp is taken as up to date. Returns each affected script with
    the reasons (:func:`why_changed`).
    """
    invalidated = {}
    for script in _examples(gallery_dir):
        record = inputs.of_code(script.read_text(errors="replace"))
        if record is None:
            continue
        stamp = _example_stamp(script, inputs.package)
        old = _read_json(stamp)
        if old is None and legacy_ok:
            continue
        reasons = why_changed(old, record)
        if reasons:
            script.with_name(script.name + ".md5").unlink(missing_ok=True)
            invalidated[script] = reasons
    return invalidated


def write_example_stamps(gallery_dir: Path, inputs: PackageInputs) -> int:
    """Record the inputs of every example in *gallery_dir* that has a ``.md5``; returns how many."""
    written = 0
    for script in _examples(gallery_dir):
        record = inputs.of_code(script.read_text(errors="replace"))
        stamp = _example_stamp(script, inputs.package)
        if record is None:
            stamp.unlink(missing_ok=True)
            continue
        stamp.write_text(json.dumps(record, sort_keys=True) + "\n")
        written += 1
    return written


def _notebook_map(cache_dir: Path, package: str) -> Path:
    return cache_dir.with_name(f"{cache_dir.name}.{package}-inputs.json")


def _cache_records(
    cache_dir: Path, inputs: PackageInputs, stamps: Mapping[str, Any]
) -> Iterable[tuple[Any, Any, dict[str, Any] | None]]:
    """Each record of the cache with its inputs now.

    A record's hash key is that of its code, so the section modules the code
    refers to are read from its stamp when it has one, and from the notebook
    otherwise.
    """
    from jupyter_cache import get_cache

    cache = get_cache(str(cache_dir))
    for record in cache.list_cache_records():
        old = stamps.get(record.hashkey)
        if isinstance(old, Mapping) and isinstance(old.get("references"), list):
            yield cache, record, inputs.of_references(old["references"])
            continue
        nb = cache.get_cache_bundle(record.pk).nb
        code = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "code")
        yield cache, record, inputs.of_code(code)


def _notebook_stamps(cache_dir: Path, package: str) -> dict[str, Any]:
    stamps = _read_json(_notebook_map(cache_dir, package))
    return stamps if isinstance(stamps, dict) else {}


def invalidate_notebooks(
    cache_dir: Path, inputs: PackageInputs, legacy_ok: bool = False
) -> dict[str, list[str]] | None:
    """Drop the jupyter-cache records whose inputs changed; ``None``: the whole cache was cleared.

    The inputs each record ran with are read from the JSON map next to the cache.
    Falls back to deleting the cache folder when it cannot be read record by record.
    Returns each dropped record's source (its ``uri``) with the reasons.
    """
    if not cache_dir.exists():
        return {}
    stamps = _notebook_stamps(cache_dir, inputs.package)
    try:
        dropped = {}
        for cache, record, new in list(_cache_records(cache_dir, inputs, stamps)):
            if new is None:
                continue
            old = stamps.get(record.hashkey)
            if old is None and legacy_ok:
                continue
            reasons = why_changed(old, new)
            if reasons:
                cache.remove_cache(record.pk)
                dropped[str(record.uri)] = reasons
        return dropped
    except Exception as error:  # noqa: BLE001 - any trouble: start the cache afresh
        logger.info(f"d2lopt_stale: clearing {cache_dir} ({error!r})")
        shutil.rmtree(cache_dir, ignore_errors=True)
        return None


def write_notebook_stamps(cache_dir: Path, inputs: PackageInputs) -> int:
    """Record the inputs of every notebook in the cache (the JSON map); returns how many."""
    old = _notebook_stamps(cache_dir, inputs.package)
    stamps = {
        record.hashkey: new
        for _, record, new in _cache_records(cache_dir, inputs, old)
        if new is not None
    }
    text = json.dumps(stamps, sort_keys=True, indent=1) + "\n"
    _notebook_map(cache_dir, inputs.package).write_text(text)
    return len(stamps)


def _plots_run(config: Config) -> bool:
    value = getattr(config, "plot_gallery", True)
    return str(value).strip().lower() not in ("0", "false", "no", "off", "")


def _summary(kind: str, reasons: Mapping[Any, list[str]] | None) -> str:
    if reasons is None:
        return f"all cached {kind}s (cache unreadable)"
    counts: dict[str, int] = {}
    for why in reasons.values():
        for reason in why:
            counts[reason] = counts.get(reason, 0) + 1
    why = ", ".join(f"{reason}: {n}" for reason, n in sorted(counts.items()))
    return f"{len(reasons)} {kind}(s)" + (f" ({why})" if why else "")


def on_config_inited(app: Sphinx, config: Config) -> None:
    package = config.d2lopt_stale_package
    inputs = PackageInputs.read(_package_dir(config), package, config.d2lopt_stale_sections)
    digest = inputs.source  # == source_hash(package_dir), in the same pass
    config.d2lopt_source_hash = digest

    examples: dict[Path, list[str]] = {}
    for gallery_dir in _gallery_dirs(app, config):
        if gallery_dir.is_dir():
            legacy_ok = _read(_old_gallery_stamp(gallery_dir, package)) == digest
            examples.update(invalidate_examples(gallery_dir, inputs, legacy_ok))

    notebooks: dict[str, list[str]] | None = {}
    cache_dir = _notebook_cache_dir(app, config)
    if cache_dir is not None and cache_dir.exists():
        legacy_ok = _read(_old_cache_stamp(cache_dir, package)) == digest
        notebooks = invalidate_notebooks(cache_dir, inputs, legacy_ok)

    if examples or notebooks or notebooks is None:
        logger.info(
            f"d2lopt_stale: {_summary('example', examples)} and {_summary('notebook', notebooks)} "
            f"rerun, their {package} inputs changed (by reason; 'core': any module outside "
            f"{package}.{config.d2lopt_stale_sections}.<section>)"
        )
    app._d2lopt_stale_inputs = inputs  # type: ignore[attr-defined]


def on_build_finished(app: Sphinx, exception: Exception | None) -> None:
    inputs = getattr(app, "_d2lopt_stale_inputs", None)
    if exception is not None or inputs is None or app.statuscode:
        return
    package = inputs.package
    if _plots_run(app.config):  # otherwise the examples did not run: outputs still stale
        for gallery_dir in _gallery_dirs(app, app.config):
            if gallery_dir.is_dir():
                write_example_stamps(gallery_dir, inputs)
                _old_gallery_stamp(gallery_dir, package).unlink(missing_ok=True)
    cache_dir = _notebook_cache_dir(app, app.config)
    if cache_dir is not None and cache_dir.is_dir():
        write_notebook_stamps(cache_dir, inputs)
        _old_cache_stamp(cache_dir, package).unlink(missing_ok=True)


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("d2lopt_stale_package", "d2lopt", "env", types=[str])
    app.add_config_value("d2lopt_stale_package_dir", None, "env", types=[str, type(None)])
    app.add_config_value("d2lopt_stale_sections", "chapter", "env", types=[str])
    app.add_config_value("d2lopt_source_hash", "", "env", types=[str])
    # Before sphinx-gallery fills its defaults (priority 10) and before the env is loaded.
    app.connect("config-inited", on_config_inited, priority=5)
    app.connect("build-finished", on_build_finished)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
