"""docs/_ext/pool_notebooks.py: the notebook pages run in the gallery's pool.

A tiny project with one gallery example and three MyST notebook pages is built
with myst-nb (``nb_execution_mode = "cache"``) and ``d2lopt_gallery_pool`` at
``parallel=2``. ``conf.py`` logs the Sphinx process's id, and each notebook logs
its name and its kernel's parent process, so the log says which notebooks ran,
how often, and whether a pool worker or Sphinx itself (myst-nb) started them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest.importorskip("sphinx_gallery")
pytest.importorskip("myst_nb")
pytest.importorskip("joblib")

from tiny_gallery import sphinx_build, write_conf, write_examples  # noqa: E402

CONF = """
import os
with open(os.environ["TINY_RUN_LOG"], "a") as _log:
    _log.write(f"sphinx {os.getpid()}\\n")
extensions.append("myst_nb")
exclude_patterns.append("_build")
nb_execution_mode = "cache"
nb_execution_cache_path = str(HERE / "_build" / ".jupyter_cache")
nb_execution_raise_on_error = True
nb_execution_show_tb = True
"""

NOTEBOOK = """\
---
file_format: mystnb
kernelspec:
  name: python3
  display_name: Python 3
{metadata}---

# Page {name}

```{{code-cell}} python
import os
with open(os.environ["TINY_RUN_LOG"], "a") as log:
    log.write(f"{name} {{os.getppid()}}\\n")
{body}
```
"""

EXAMPLE = '''\
"""
Example a
=========

Prints.
"""

print("output of a")
'''


def _page(root: Path, name: str, body: str, metadata: str = "") -> None:
    (root / f"{name}.md").write_text(NOTEBOOK.format(name=name, body=body, metadata=metadata))


def _project(root: Path) -> None:
    root.mkdir()
    write_conf(root, ["d2lopt_gallery_pool"], parallel=2, extra=CONF)
    write_examples(root, {"s1": {"a": EXAMPLE}})
    _page(root, "one", 'print("output of one:", 6 * 7)')
    _page(root, "two", 'print("output of two:", 2 ** 10)')
    # Its own metadata asks myst-nb to execute it every time, not from the cache.
    _page(root, "forced", 'print("forced ran")', metadata="mystnb:\n  execution_mode: force\n")
    (root / "index.rst").write_text(
        "Tiny\n====\n\n.. toctree::\n\n   one\n   two\n   forced\n   auto_examples/index\n"
    )


def _build(root: Path, log: Path, succeed: bool = True) -> tuple[dict[str, list[str]], str, str]:
    """Build; return ``{notebook: [who started its kernel, ...]}``, Sphinx's pid, its output."""
    result = sphinx_build(root, log, timeout=300, succeed=succeed)
    lines = [line.split() for line in log.read_text().splitlines()]
    sphinx_pid = next(pid for name, pid in lines if name == "sphinx")
    runs: dict[str, list[str]] = {}
    for name, parent in lines:
        if name != "sphinx":
            runs.setdefault(name, []).append("sphinx" if parent == sphinx_pid else "pool")
    return runs, sphinx_pid, result.stdout + result.stderr


@pytest.mark.slow
def test_notebooks_run_in_the_pool_and_myst_nb_uses_them(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    _project(root)
    log = tmp_path / "runs.log"

    runs, _, output = _build(root, log)
    assert runs == {"one": ["pool"], "two": ["pool"], "forced": ["sphinx"]}
    assert "and 2 of 2 notebooks stored in jupyter-cache" in output
    assert output.count("Using cached notebook") == 2
    assert "output of one: 42" in (root / "_build" / "one.html").read_text()
    assert "output of two: 1024" in (root / "_build" / "two.html").read_text()

    runs, _, output = _build(root, log)  # nothing changed: only the forced page runs
    assert runs == {"forced": ["sphinx"]}

    _page(root, "two", 'print("output of two:", 3 ** 4)')  # new code: run again, in the pool
    runs, _, output = _build(root, log)
    assert runs == {"two": ["pool"], "forced": ["sphinx"]}
    assert "and 1 of 1 notebooks stored in jupyter-cache" in output
    assert "output of two: 81" in (root / "_build" / "two.html").read_text()


@pytest.mark.slow
def test_a_notebook_that_fails_in_the_pool_fails_the_build_with_its_traceback(
    tmp_path: Path,
) -> None:
    root = tmp_path / "proj"
    _project(root)
    _page(root, "two", 'raise ValueError("two is broken")')
    log = tmp_path / "runs.log"

    runs, _, output = _build(root, log, succeed=False)
    # Not stored; myst-nb runs it again while reading, and reports the error.
    assert runs["two"] == ["pool", "sphinx"]
    assert "two.md failed in the pool" in output
    assert "ValueError: two is broken" in re.sub(r"\x1b\[[0-9;]*m", "", output)  # no colours
    assert "and 1 of 2 notebooks stored in jupyter-cache" in output
