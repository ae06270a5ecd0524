"""A tiny sphinx-gallery project for the tests of the build extensions in docs/_ext.

Its examples append a line to the file named by ``TINY_RUN_LOG``, so a build's
log says which examples ran.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

EXT_DIR = Path(__file__).resolve().parents[2] / "docs" / "_ext"

_CONF = """\
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, {ext_dir!r})
sys.path.insert(0, str(HERE))  # packages of the project, for the examples

project = "tiny"
extensions = ["sphinx_gallery.gen_gallery", *{extensions!r}]
exclude_patterns = ["_build", "examples"]
sphinx_gallery_conf = {{
    "examples_dirs": "examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "image_scrapers": (),
    "abort_on_example_error": True,
    "write_computation_times": False,
    "download_all_examples": False,
    "parallel": {parallel!r},
}}
{extra}"""


def write_conf(root: Path, extensions: list[str], parallel: object, extra: str = "") -> None:
    """``root/conf.py`` and ``root/index.rst`` of a project whose gallery is ``root/examples``."""
    (root / "conf.py").write_text(
        _CONF.format(ext_dir=str(EXT_DIR), extensions=extensions, parallel=parallel, extra=extra)
    )
    (root / "index.rst").write_text("Tiny\n====\n\n.. toctree::\n\n   auto_examples/index\n")


def sphinx_build(
    root: Path, log: Path, *options: str, timeout: float = 120, succeed: bool = True
) -> subprocess.CompletedProcess[str]:
    """Build ``root`` into ``root/_build`` with an empty run log.

    The test fails when the build fails (or, with ``succeed=False``, when it does not).
    """
    log.write_text("")
    env = {**os.environ, "TINY_RUN_LOG": str(log), "MPLBACKEND": "agg"}
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", *options, "-b", "html", str(root), str(root / "_build")],
        env=env, capture_output=True, text=True, timeout=timeout,
    )
    assert (result.returncode == 0) == succeed, result.stdout + result.stderr
    return result


def write_examples(root: Path, sections: dict[str, dict[str, str]]) -> None:
    """``root/examples``: one folder per section, holding ``plot_<name>.py`` with its source."""
    examples = root / "examples"
    examples.mkdir(parents=True, exist_ok=True)
    (examples / "README.rst").write_text("Examples\n========\n")
    for section, scripts in sections.items():
        (examples / section).mkdir(exist_ok=True)
        (examples / section / "README.rst").write_text(f"{section}\n{'-' * len(section)}\n")
        for name, source in scripts.items():
            (examples / section / f"plot_{name}.py").write_text(source)


#: ``sphinx_gallery_conf`` additions for examples that draw with Matplotlib.
MATPLOTLIB_CONF = """
sphinx_gallery_conf["image_scrapers"] = ("matplotlib",)
sphinx_gallery_conf["image_srcset"] = ["2x"]
"""
