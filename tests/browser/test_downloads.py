"""The downloads work end to end.

Every gallery example page links its ``.py`` and ``.ipynb``; the gallery index
links the two zips; chapter pages link their notebook, whose text shows the
glued numbers (no ``{glue`` role left) and whose first cell says what to
install; a chapter page with exercises also links, at the start of its
Exercises section, its notebook of exercises (to hand out: no solution) and
its notebook with solutions. The slow test (``downloads`` marker) downloads both zips in the
browser and every chapter page's notebook, builds the wheel of d2lopt, installs
it with its ``nets`` extra (torch, scikit-learn) in a fresh virtual
environment, and runs there, outside the source tree (so that ``import d2lopt``
can only come from the wheel), every script, every chapter notebook and
notebook with solutions, and one gallery notebook: the other gallery notebooks
are checked to hold exactly their script's code, which has run, and the
notebooks to hand out to hold no code. The runs share one
``D2LOPT_CACHE_DIR``, as the docs build's do, so that an experiment that a page
and its scripts both show runs once, in that environment.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from sitecheck import DESKTOP, Traffic, chapter_pages, gallery_pages, open_page

from d2lopt.chapter.cache import ENV as CACHE_ENV

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
ZIPS = {"python": "auto_examples_python.zip", "jupyter": "auto_examples_jupyter.zip"}
DOWNLOAD_LINK = re.compile(r'<a[^>]+href="([^"]+\.(?:py|ipynb|zip))"')
MYST_NB_IMPORT = re.compile(r"^\s*(from|import) myst_nb\b", re.MULTILINE)
#: A hang guard, not a timing test: the scripts take seconds.
RUN_TIMEOUT = 600




def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method="HEAD")) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _links(site: Path, page: str) -> list[str]:
    return DOWNLOAD_LINK.findall((site / page).read_text(encoding="utf-8"))


def _url(base_url: str, page: str, href: str) -> str:
    return urllib.parse.urljoin(base_url + page, href)


def test_every_example_offers_its_script_and_notebook(site: Path, base_url: str) -> None:
    pages = gallery_pages(site)
    assert pages, "no gallery example pages"
    problems = []
    for page in pages:
        stem = page.rsplit("/", 1)[1].removesuffix(".html")
        links = _links(site, page)
        for suffix in (".py", ".ipynb"):
            found = [href for href in links if href.endswith(f"/{stem}{suffix}")]
            if not found:
                problems.append(f"{page}: no {suffix} download")
            for href in found:
                if (status := _status(_url(base_url, page, href))) != 200:
                    problems.append(f"{page}: {href} answers {status}")
    assert not problems, "\n".join(problems)


def test_gallery_index_offers_both_zips(site: Path, base_url: str) -> None:
    links = _links(site, "auto_examples/index.html")
    examples = {p.rsplit("/", 1)[1].removesuffix(".html") for p in gallery_pages(site)}
    for kind, name in ZIPS.items():
        found = [href for href in links if href.endswith(name)]
        assert found, f"the gallery index does not offer {name}"
        url = _url(base_url, "auto_examples/index.html", found[0])
        with urllib.request.urlopen(url) as response:
            assert response.status == 200
            data = response.read()
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            suffix = ".py" if kind == "python" else ".ipynb"
            stems = {Path(n).stem for n in archive.namelist() if n.endswith(suffix)}
        assert stems == examples, f"{name}: {sorted(stems ^ examples)} differ from the pages"




def _chapter_notebook(site: Path, base_url: str, page: str) -> dict[str, Any]:
    """The notebook ``page`` offers, fetched from the served site."""
    html = (site / page).read_text(encoding="utf-8")
    match = re.search(r'href="([^"]+(?<!-exercises)(?<!-solutions)\.ipynb)"', html)
    assert match, f"{page} offers no notebook"
    with urllib.request.urlopen(_url(base_url, page, match.group(1))) as response:
        return json.loads(response.read())


EXERCISE_KINDS = ("exercises", "solutions")


def _exercise_notebooks(site: Path, base_url: str, page: str) -> dict[str, dict[str, Any]]:
    """``kind -> notebook`` of the exercise notebooks ``page`` links (none without exercises)."""
    html = (site / page).read_text(encoding="utf-8")
    if 'id="exercises"' not in html:
        return {}
    section = html[html.index('id="exercises"'):]
    notebooks = {}
    for kind in EXERCISE_KINDS:
        match = re.search(rf'href="([^"]+-{kind}\.ipynb)"', section)
        assert match, f"{page}: its Exercises section does not link its {kind} notebook"
        with urllib.request.urlopen(_url(base_url, page, match.group(1))) as response:
            assert response.status == 200
            notebooks[kind] = json.loads(response.read())
    return notebooks


def _source(cell: dict[str, Any]) -> str:
    source = cell["source"]
    return source if isinstance(source, str) else "".join(source)


def test_chapter_notebooks_are_valid(site: Path, base_url: str) -> None:
    chapter = chapter_pages(site)
    assert chapter, "no chapter section pages"
    problems = []
    for page in chapter:
        notebook = _chapter_notebook(site, base_url, page)
        assert notebook["nbformat"] == 4
        cells = notebook["cells"]
        assert any(cell["cell_type"] == "code" for cell in cells), page
        first = cells[0]
        if first["cell_type"] != "markdown" or "pip install" not in _source(first):
            problems.append(f"{page}: the first cell does not say what to install")
        for cell in cells:
            text = _source(cell)
            if cell["cell_type"] == "markdown" and "{glue" in text:
                left = re.search(r".{0,30}[{]glue.{0,30}", text)[0]
                problems.append(f"{page}: markdown keeps {left!r}")
            if cell["cell_type"] == "code" and MYST_NB_IMPORT.search(text):
                problems.append(f"{page}: a code cell imports myst_nb")
    assert not problems, "\n".join(problems)


def test_exercise_notebooks_are_valid(site: Path, base_url: str) -> None:
    """Each page with exercises links both notebooks; solutions only in the second."""
    nbformat = pytest.importorskip("nbformat")
    problems = []
    pages = [p for p in chapter_pages(site) if 'id="exercises"' in (site / p).read_text("utf-8")]
    for page in pages:
        books = _exercise_notebooks(site, base_url, page)
        for kind, book in books.items():
            nbformat.validate(nbformat.from_dict(book))
            text = "".join(_source(c) for c in book["cells"])
            first = _source(book["cells"][0])
            if "pip install" not in first:
                problems.append(f"{page} {kind}: the first cell does not say what to install")
            if "### Exercise" not in text:
                problems.append(f"{page} {kind}: no exercise")
            for raw in ("{glue", ":::{", "{solution", "{exercise"):
                if raw in text:
                    problems.append(f"{page} {kind}: keeps {raw!r}")
        hand_out = "".join(_source(c) for c in books["exercises"]["cells"])
        with_ = "".join(_source(c) for c in books["solutions"]["cells"])
        code = [_source(c) for c in books["exercises"]["cells"] if c["cell_type"] == "code"]
        if "#### Solution" in hand_out or any(source.strip() for source in code):
            problems.append(f"{page}: the notebook to hand out shows a solution")
        if with_.count("#### Solution") < hand_out.count("### Exercise"):
            problems.append(f"{page}: the notebook with solutions misses some")
    assert not problems, "\n".join(problems)


# -- End to end: download, install the wheel, run everything ------------------------


def _download_zips(browser: Any, base_url: str, site: Path, into: Path) -> dict[str, Path]:
    traffic = Traffic(base_url, site)
    context, page = open_page(
        browser, traffic, base_url + "auto_examples/index.html", accept_downloads=True, **DESKTOP
    )
    saved = {}
    try:
        for kind, name in ZIPS.items():
            with page.expect_download() as info:
                page.locator(f"a[href$='{name}']").first.click()
            saved[kind] = into / name
            info.value.save_as(saved[kind])
    finally:
        context.close()
    assert not traffic.external and not traffic.http_errors and not traffic.failed
    return saved


def _notebook_code(path: Path) -> list[str]:
    """The code cells of a notebook file."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return [_source(cell) for cell in cells if cell["cell_type"] == "code"]


def _script_code(path: Path) -> list[str]:
    """The code blocks of a gallery script, as sphinx-gallery splits it into cells."""
    from sphinx_gallery.py_source_parser import split_code_and_text_blocks

    blocks = split_code_and_text_blocks(str(path))[1]
    return [block[1] for block in blocks if block[0] == "code"]


def code_lines(blocks: list[str]) -> list[str]:
    """Non-blank code lines, without sphinx-gallery's configuration comments.

    >>> code_lines(["x = 1\\n\\n# sphinx_gallery_thumbnail_number = 2\\n", "print(x)  \\n"])
    ['x = 1', 'print(x)']
    """
    return [line.rstrip() for block in blocks for line in block.splitlines()
            if line.strip() and not line.strip().startswith("# sphinx_gallery_")]


def _run(command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, capture_output=True, text=True, timeout=RUN_TIMEOUT, check=False, **kwargs
    )


def _fresh_env(tmp: Path) -> dict[str, str]:
    """A reader's shell: no PYTHONPATH or active venv, one thread, no display."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env |= {"MPLBACKEND": "Agg", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    env["MPLCONFIGDIR"] = str(tmp / "matplotlib")
    env.pop("D2LOPT_BACKEND", None)
    return env


NOTEBOOK_RUNNER = """
import sys, nbformat
from nbclient import NotebookClient
notebook = nbformat.read(sys.argv[1], as_version=4)
NotebookClient(notebook, timeout=600, kernel_name="python3",
               resources={"metadata": {"path": sys.argv[2]}}).execute()
"""


@pytest.mark.downloads
def test_downloaded_examples_run_with_only_the_wheel_installed(
    browser: Any, base_url: str, site: Path, tmp_path: Path
) -> None:
    start = time.perf_counter()
    zips = _download_zips(browser, base_url, site, tmp_path)
    scripts_dir, notebooks_dir = tmp_path / "scripts", tmp_path / "notebooks"
    zipfile.ZipFile(zips["python"]).extractall(scripts_dir)
    zipfile.ZipFile(zips["jupyter"]).extractall(notebooks_dir)
    scripts = sorted(scripts_dir.rglob("*.py"))
    gallery_notebooks = sorted(notebooks_dir.rglob("*.ipynb"))
    assert scripts and len(scripts) == len(gallery_notebooks)
    # A gallery notebook is its script cut into cells: every script runs below, so
    # each notebook is checked to hold exactly its script's code, and one is run
    # through a Jupyter kernel (running all of them would run every script twice).
    by_stem = {path.stem: path for path in scripts}
    different = [nb.name for nb in gallery_notebooks
                 if code_lines(_notebook_code(nb)) != code_lines(_script_code(by_stem[nb.stem]))]
    assert not different, f"gallery notebooks whose code is not their script's: {different}"
    notebooks = gallery_notebooks[:1]
    # The chapter pages' notebooks, as a reader downloads them.
    chapter_dir = tmp_path / "chapter-notebooks"
    chapter_dir.mkdir()
    sections = chapter_pages(site)
    assert sections, "no chapter section pages"
    for page in sections:
        stem = page.rsplit("/", 1)[1].removesuffix(".html")
        (chapter_dir / f"{stem}.ipynb").write_text(
            json.dumps(_chapter_notebook(site, base_url, page)), encoding="utf-8")
        for kind, book in _exercise_notebooks(site, base_url, page).items():
            (chapter_dir / f"{stem}-{kind}.ipynb").write_text(json.dumps(book), encoding="utf-8")
    # A notebook to hand out has no code (test_exercise_notebooks_are_valid): nothing to run.
    hand_outs = sorted(chapter_dir.glob("*-exercises.ipynb"))
    assert hand_outs and not any(code.strip() for nb in hand_outs for code in _notebook_code(nb))
    # Largest first, so that the two runners finish together.
    notebooks += sorted(set(chapter_dir.glob("*.ipynb")) - set(hand_outs),
                        key=lambda nb: -nb.stat().st_size)

    # The wheel, and a virtual environment with only it (and what its examples need).
    wheels = tmp_path / "wheels"
    built = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(wheels), str(ROOT)])
    assert built.returncode == 0, built.stdout + built.stderr
    (wheel,) = wheels.glob("d2lopt-*.whl")
    venv = tmp_path / "venv"
    assert _run([sys.executable, "-m", "venv", str(venv)]).returncode == 0
    python = venv / "bin" / "python"
    env = _fresh_env(tmp_path)
    env[CACHE_ENV] = str(tmp_path / "experiments")
    # --no-compile: Python compiles what the runs import; pip would compile all of PyTorch.
    install = [str(python), "-m", "pip", "install", "-q", "--no-compile",
               f"d2lopt[nets] @ {wheel.as_uri()}"]
    install += ["torch==2.13.0", "ipykernel", "nbclient", "nbformat"]
    constraints = ROOT / "requirements" / "constraints.txt"
    if constraints.is_file():
        install += ["-c", str(constraints)]
    installed = _run(install, env=env, cwd=tmp_path)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    setup_seconds = time.perf_counter() - start

    where = _run(
        [str(python), "-c", "import d2lopt; print(d2lopt.__file__)"], env=env, cwd=tmp_path
    )
    assert where.returncode == 0, where.stderr
    assert Path(where.stdout.strip()).is_relative_to(venv), where.stdout
    assert not Path(where.stdout.strip()).is_relative_to(ROOT)

    def run(path: Path) -> tuple[str, float, str | None]:
        """Run a script, or a notebook through NOTEBOOK_RUNNER, in a folder of its own."""
        t = time.perf_counter()
        script = path.suffix == ".py"
        cwd = tmp_path / ("run" if script else "run-nb") / path.stem
        cwd.mkdir(parents=True)
        command = [str(path)] if script else ["-c", NOTEBOOK_RUNNER, str(path), str(cwd)]
        done = _run([str(python), *command], env=env, cwd=cwd)
        error = None if done.returncode == 0 else (done.stdout + done.stderr)[-3000:]
        return path.name, time.perf_counter() - t, error

    t = time.perf_counter()
    with ThreadPoolExecutor(max_workers=2) as pool:  # the notebooks, then the scripts
        results = list(pool.map(run, notebooks + scripts))
    run_seconds = time.perf_counter() - t
    failures = [f"{name}:\n{error}" for name, _, error in results if error]
    by_time = sorted(results, key=lambda r: -r[1])
    print(
        f"\n{len(scripts)} scripts + {len(notebooks)} notebooks (one of the gallery's, "
        f"the chapter pages' and their solutions'): "
        f"setup {setup_seconds:.0f} s, runs {run_seconds:.0f} s (two at a time): "
        + ", ".join(f"{name} {s:.1f} s" for name, s, _ in by_time)
    )
    assert not failures, "\n\n".join(failures)
