"""Nox sessions for d2lopt: the site, the tests, the lint.

    nox -s docs                 # build the site into docs/_build/html
    nox -s docs -- --fast       # prose-only edit: don't run the gallery scripts
    nox -s tests                # pytest on NumPy and PyTorch
    nox -s tests_tensorflow     # the TensorFlow instances of the tests
    nox -s tests_jax            # the JAX instances of the tests
    nox -s browser              # the built site in headless Chromium (builds it first)
    nox -s browser_pages        # the same without the downloads test
    nox -s bench                # benchmarks: Hessian spectrum, docs build
    nox -s lint                 # ruff

Every install is pinned by requirements/constraints.txt (the lock file).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import nox

nox.needs_version = ">=2024.3.2"
nox.options.default_venv_backend = "venv"
nox.options.sessions = ["lint", "tests", "docs"]
# Reuse a session's environment when it exists: a rebuild with nothing changed
# should not reinstall PyTorch. `nox --reuse-venv=no` (or `-N`) starts fresh.
nox.options.reuse_venv = "yes"

ROOT = Path(__file__).parent
CONSTRAINTS = ("-c", str(ROOT / "requirements" / "constraints.txt"))
DOCS_OUT = ROOT / "docs" / "_build" / "html"

# One thread per process: the examples and tests are small, and oversubscribed
# thread pools only slow a small machine down (and can hang forked workers); a
# non-interactive Matplotlib backend, also in the Jupyter kernels that myst-nb
# starts for the chapter pages. This is the one place it is set: every session
# that runs code passes it (docs/conf.py, .ci/run and benchmarks/ rely on it).
SINGLE_THREAD = {
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MPLBACKEND": "agg",
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",  # quiet ipykernel's debugger
}


def install(session: nox.Session, *args: str) -> None:
    """``pip install`` pinned by the lock file.

    ``--no-compile``: pip would byte-compile every module it installs (PyTorch's
    and TensorFlow's thousands); Python compiles the few that a session imports
    when it first imports them. An install of PyTorch: 23 s -> 9 s.
    """
    session.install("--no-compile", *CONSTRAINTS, *args)


def run_env(session: nox.Session, **extra: str) -> dict[str, str | None]:
    """The environment of the commands a session runs: :data:`SINGLE_THREAD`, ``extra``,
    and a byte-code cache in the session's virtualenv.

    :func:`install` leaves the compiling to the first import, so that import must be
    allowed to write what it compiled: with ``PYTHONDONTWRITEBYTECODE`` set in the
    caller's shell, every process would compile PyTorch's, SciPy's and
    scikit-learn's modules again (about 6 s a process here, and a cold docs build
    starts 16: ``nox --reuse-venv=no -s docs`` took 364 s, 251 s with the cache).
    The cache goes under the virtualenv (``PYTHONPYCACHEPREFIX``), so no
    ``__pycache__`` appears in the source tree.
    """
    return {
        **SINGLE_THREAD,
        "PYTHONDONTWRITEBYTECODE": None,
        "PYTHONPYCACHEPREFIX": str(Path(session.virtualenv.location) / "pycache"),
        **extra,
    }


def install_once(session: nox.Session, *args: str) -> None:
    """Like :func:`install`, skipped when a reused environment already has exactly this.

    For editable installs: the stamp covers the arguments, pyproject.toml and the
    lock file, so a change to any of them reinstalls; source changes need none.
    """
    digest = hashlib.sha256(" ".join(args).encode())
    for path in (ROOT / "pyproject.toml", ROOT / "requirements" / "constraints.txt"):
        digest.update(path.read_bytes())
    stamp = Path(session.virtualenv.location) / ".d2lopt-install-stamp"
    if stamp.exists() and stamp.read_text() == digest.hexdigest():
        session.log("Installed packages match pyproject.toml and the lock file; not reinstalling")
        return
    install(session, *args)
    stamp.write_text(digest.hexdigest())


@nox.session
def lint(session: nox.Session) -> None:
    """Lint the package, tests, gallery scripts and build files with ruff."""
    install(session, "ruff")
    targets = ["src", "tests", "gallery", "docs/conf.py", "docs/_ext", "noxfile.py", "tools"]
    session.run("ruff", "check", *[t for t in targets if (ROOT / t).exists()], *session.posargs)


#: pytest on every core, a test file per worker (its cached fixtures stay in one process).
PARALLEL = ("-n", "auto", "--dist", "loadfile")


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite on NumPy and PyTorch (browser tests excluded), on every core."""
    install(session, ".[test,torch]")
    session.run("pytest", "-m", "not browser", *PARALLEL, *session.posargs, env=run_env(session))


def framework_tests(session: nox.Session, framework: str, **env: str) -> None:
    """The tests of one more framework: what ``nox -s tests`` did not already run.

    ``--only-framework`` (tests/conftest.py) keeps the instances of the tests
    parametrized by framework that name this one, the tests and doctests named
    for it, and the tests that loop over every installed framework (the section
    pages' framework tabs). Arguments replace that selection, e.g.
    ``nox -s tests_jax -- tests/core`` runs all of tests/core with JAX installed.
    """
    selection = session.posargs or ["--only-framework", framework]
    session.run("pytest", "-m", "not browser", *PARALLEL, *selection, env=run_env(session, **env))


@nox.session
def tests_tensorflow(session: nox.Session) -> None:
    """The tests of the TensorFlow backend (with NumPy and PyTorch installed to compare)."""
    install(session, ".[test,torch,tensorflow]")
    framework_tests(session, "tensorflow", TF_CPP_MIN_LOG_LEVEL="2")


@nox.session
def tests_jax(session: nox.Session) -> None:
    """The tests of the JAX backend (with NumPy and PyTorch installed to compare)."""
    install(session, ".[test,torch,jax]")
    framework_tests(session, "jax")


@nox.session
def docs(session: nox.Session) -> None:
    """Build the site into docs/_build/html, running every example and notebook.

    ``nox -s docs -- --fast`` skips the gallery scripts (their pages keep the
    code, without output); use it after a full build, for prose-only edits.
    Other arguments go to sphinx-build, e.g. ``nox -s docs -- -E`` to re-read
    every page.
    """
    # Editable, so that autodoc reads the working tree and a rebuild with no
    # change re-reads nothing.
    install_once(session, "-e", ".[docs,torch,nets]")
    args = list(session.posargs)
    sphinx_args = ["-W", "-n", "--keep-going", "-b", "html"]
    if "--fast" in args:
        args.remove("--fast")
        # Figures of examples that are not run are missing on a first build;
        # report them without failing.
        sphinx_args = ["-n", "--keep-going", "-b", "html", "-D", "plot_gallery=0"]
    session.run(
        "sphinx-build", *sphinx_args, *args, "docs", str(DOCS_OUT),
        env=run_env(session),
    )
    session.log(f"Built the site: {DOCS_OUT / 'index.html'}")
    session.log(f"Serve it with: python -m http.server -d {os.path.relpath(DOCS_OUT)}")


def browser_tests(session: nox.Session, marks: str) -> None:
    """pytest on tests/browser, the tests selected by ``marks``, against the built site."""
    install_once(session, "-e", ".[test,browser]")
    env = run_env(session, D2LOPT_SITE=str(DOCS_OUT))
    session.run("pytest", "tests/browser", "-m", marks, "--durations=5", env=env)


@nox.session(requires=["docs"])
def browser(session: nox.Session) -> None:
    """Test the built site as a reader meets it, in headless Chromium.

    Runs after ``docs`` (an incremental build: seconds when nothing changed).
    Needs Debian's Chromium (``apt-get install -y chromium``) on PATH; the
    Playwright browser downloads are not used. Arguments after ``--`` would
    reach the ``docs`` session too (nox gives them to the sessions a session
    requires), so this session takes none: ``nox -s browser_pages`` skips the
    minutes-long downloads test, and for another selection run pytest in this
    session's environment, e.g. ``D2LOPT_SITE=docs/_build/html
    .nox/browser/bin/python -m pytest tests/browser -m browser -k search``.
    """
    browser_tests(session, "browser")


@nox.session(requires=["docs"])
def browser_pages(session: nox.Session) -> None:
    """The browser session without the downloads test (which runs every script from a wheel)."""
    browser_tests(session, "browser and not downloads")


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks (not tests): Lanczos vs PyHessian power iteration, and the docs build.

    Reports go to benchmarks/results/. ``nox -s bench -- --quick`` runs the docs
    build benchmark on two gallery sections only.
    """
    install_once(session, "-e", ".[docs,torch,nets,bench]")
    session.run("python", "benchmarks/hessian.py", env=run_env(session))
    session.run("python", "benchmarks/build.py", *session.posargs, env=run_env(session))


@nox.session
def build(session: nox.Session) -> None:
    """Build the sdist and the wheel into dist/ and check them with ``twine check --strict``."""
    install(session, "build", "twine")
    dist = ROOT / "dist"
    for old in dist.glob("d2lopt-*"):
        old.unlink()
    session.run("python", "-m", "build", "--outdir", str(dist), str(ROOT))
    session.run("twine", "check", "--strict", *map(str, sorted(dist.glob("d2lopt-*"))))
