"""docs/_ext/notebook_download.py: the downloaded chapter notebook stands alone.

A page notebook as myst-nb leaves it (glue roles in the markdown, ``from myst_nb
import glue`` in a code cell) and its glue data as myst-nb writes it
(``<page>.glue.json``, computed here by the cell itself) become a notebook
whose markdown shows the values as the page renders them, whose code runs with
myst-nb unimportable, and whose first cell says what to install.
"""

from __future__ import annotations

import builtins
import sys
from typing import Any

import nbformat
import pytest
from tiny_gallery import EXT_DIR

sys.path.insert(0, str(EXT_DIR))
from notebook_download import (  # noqa: E402
    install_note,
    paste_glue,
    required_extras,
    standalone_notebook,
)

CODE = """\
import math

from myst_nb import glue

glue("half", 0.5, display=False)
glue("count", 1234, display=False)
glue("name", "Newton", display=False)
"""
MARKDOWN = (
    "A step of {glue:text}`half:.3f`, {glue:text}`count` runs of {glue:text}`name`, "
    "and {glue:text}`half`."
)


def _glue_data() -> dict[str, Any]:
    """What myst-nb stores per key: the IPython text/plain form of the value."""
    values = {"half": 0.5, "count": 1234, "name": "Newton"}
    return {key: {"data": {"text/plain": repr(value)}, "metadata": {}}
            for key, value in values.items()}


def _page_notebook() -> Any:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_markdown_cell("# Page\n\n" + MARKDOWN),
                      nbformat.v4.new_code_cell(CODE)]
    return notebook


def test_markdown_shows_the_values_as_the_page_does() -> None:
    notebook, missing = standalone_notebook(_page_notebook(), _glue_data())
    assert missing == []
    assert notebook.cells[1].source == (
        "# Page\n\nA step of 0.500, 1234 runs of Newton, and 0.5.")
    assert "{glue" not in "".join(cell.source for cell in notebook.cells)


def test_code_runs_without_myst_nb(monkeypatch: pytest.MonkeyPatch) -> None:
    notebook, _ = standalone_notebook(_page_notebook(), _glue_data())
    code = notebook.cells[2].source
    assert "import myst_nb" not in code and "from myst_nb" not in code
    real_import = builtins.__import__

    def no_myst_nb(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.split(".")[0] == "myst_nb":
            raise ModuleNotFoundError("No module named 'myst_nb'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_myst_nb)
    namespace: dict[str, Any] = {}
    exec(compile(code, "cell", "exec"), namespace)  # noqa: S102
    assert namespace["math"].pi == pytest.approx(3.14159265)
    assert callable(namespace["glue"])


def test_first_cell_says_what_to_install() -> None:
    notebook, _ = standalone_notebook(_page_notebook(), _glue_data())
    assert notebook.cells[0].cell_type == "markdown"
    assert notebook.cells[0].source.endswith('pip install "."')
    nbformat.validate(notebook)


def test_unknown_keys_are_reported_and_kept() -> None:
    text, missing = paste_glue("x {glue:text}`nope:.2f` y {glue:text}`other::half`", _glue_data())
    assert text == "x {glue:text}`nope:.2f` y {glue:text}`other::half`"
    assert missing == ["{glue:text}`nope:.2f`", "{glue:text}`other::half`"]


@pytest.mark.parametrize(("code", "extras"), [
    ("import numpy as np", []),
    ("from d2lopt import torch as d2l", ["torch"]),
    ("import torch.nn", ["torch"]),
    ("from d2lopt.nets import train\nimport torch", ["nets"]),
    ("import jax.numpy as jnp\nfrom d2lopt import tensorflow", ["jax", "tensorflow"]),
    ("from d2lopt.chapter.newton import SETTINGS", []),
])
def test_required_extras_from_imports(code: str, extras: list[str]) -> None:
    assert required_extras(code) == extras


def test_install_note_names_the_extras() -> None:
    assert install_note(["nets"]).endswith('pip install ".[nets]"')
    assert "`jax`, `torch` extras" in install_note(["jax", "torch"])
