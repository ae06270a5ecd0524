"""Docs build benchmark: does a rebuild cost what changed?

Builds the site in a scratch copy of the working tree (so the real docs/_build,
gallery output and notebook cache are untouched) with the current interpreter,
``sphinx-build -W -n --keep-going -b html docs docs/_build/html``, five ways:

(a) cold, (b) again with nothing changed, (c) after appending a comment to one
gallery script, (d) after appending a comment to ``src/d2lopt/rates.py``; and
(e) compares the pool step's wall time in the cold build (the examples and the
notebook pages, run side by side by ``docs/_ext/d2lopt_gallery_pool.py``) with the
serial sum of the per-example times sphinx-gallery records (``<example>.cost.json``)
and the per-notebook times of ``docs/_build/.jupyter_cache.seconds.json``.

The copy imports d2lopt from itself (``PYTHONPATH=<copy>/src``; checked). The
examples that ran in a build are those whose ``<example>.py.md5`` was (re)written.

    python benchmarks/build.py            # full gallery; results/build.md + build.json
    python benchmarks/build.py --quick    # a few examples only; results/build-quick.*

Targets: (b) < 10 % of (a); pool wall < 65 % of the serial sum; (c) reruns
only the touched example. Not part of the test suite (no timing assertions there).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
EXCLUDED_NAMES = {".git", ".nox", "__pycache__", ".pytest_cache", ".ruff_cache", "node_modules"}
EXCLUDED_PATHS = {"docs/_build", "docs/auto_examples", "docs/gen_modules", "docs/jupyter_execute"}
QUICK_PATTERN = r"/(04_ill_conditioning|06_saddle_points)/plot_"
GALLERY_END = re.compile(
    r"computation time summary|^(reading sources|updating environment|building \[|loading pickled)"
)


def copy_tree(dest: Path) -> None:
    """Copy the working tree to *dest*, without build outputs, caches and git."""

    def ignore(folder: str, names: list[str]) -> set[str]:
        rel = Path(folder).resolve().relative_to(ROOT)
        return {
            n
            for n in names
            if n in EXCLUDED_NAMES or (rel / n).as_posix() in EXCLUDED_PATHS
        }

    shutil.copytree(ROOT, dest, ignore=ignore, symlinks=True)


def md5_stamps(gallery_out: Path) -> dict[str, int]:
    return {
        p.relative_to(gallery_out).as_posix(): p.stat().st_mtime_ns
        for p in gallery_out.rglob("*.py.md5")
    }


def build(copy: Path, env: dict[str, str], extra: list[str], log_path: Path) -> dict:
    """Run sphinx-build once; time it, the gallery step, and which examples ran."""
    gallery_out = copy / "docs" / "auto_examples"
    before = md5_stamps(gallery_out) if gallery_out.exists() else {}
    cmd = [sys.executable, "-m", "sphinx", "-W", "-n", "--keep-going", "-b", "html",
           *extra, "docs", "docs/_build/html"]
    start = time.perf_counter()
    gallery_start = gallery_end = None
    with open(log_path, "w") as log:
        proc = subprocess.Popen(cmd, cwd=copy, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, bufsize=1)
        assert proc.stdout is not None
        for line in proc.stdout:
            now = time.perf_counter() - start
            log.write(f"[{now:8.2f}] {line}")
            if gallery_start is None and "generating gallery" in line:
                gallery_start = now
            elif gallery_start is not None and gallery_end is None and GALLERY_END.search(line):
                gallery_end = now
        returncode = proc.wait()
    wall = time.perf_counter() - start
    after = md5_stamps(gallery_out) if gallery_out.exists() else {}
    ran = sorted(k.removesuffix(".md5") for k, t in after.items() if before.get(k) != t)
    return {
        "command": " ".join(cmd[1:]),
        "returncode": returncode,
        "wall_s": round(wall, 2),
        "gallery_wall_s": None if gallery_start is None or gallery_end is None
        else round(gallery_end - gallery_start, 2),
        "examples_run": ran,
        "log": str(log_path),
    }


def serial_sum(gallery_out: Path, examples: list[str]) -> float:
    total = 0.0
    for rel in examples:
        cost = (gallery_out / rel).with_suffix(".cost.json")
        if cost.exists():
            total += float(json.loads(cost.read_text())["time"])
    return total


def notebook_seconds(copy: Path) -> dict[str, float]:
    """The notebook pages the pool ran, with their times (docs/_ext/pool_notebooks.py)."""
    path = copy / "docs" / "_build" / ".jupyter_cache.seconds.json"
    return json.loads(path.read_text()) if path.exists() else {}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help=f"run only the examples matching {QUICK_PATTERN!r} (pages that show "
                        "figures of the others then warn: exit 1)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch copy")
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="d2lopt-build-bench-"))
    copy = scratch / "repo"
    logs = scratch / "logs"
    logs.mkdir()
    print(f"Copying the working tree to {copy}", flush=True)
    copy_tree(copy)
    conf = copy / "docs" / "conf.py"
    ext_added = '"d2lopt_stale"' not in conf.read_text()
    if ext_added:  # only in the copy: the site config may not list it yet
        with open(conf, "a") as f:
            f.write('\nextensions.append("d2lopt_stale")\n')

    # The single-thread environment comes from `nox -s bench` (noxfile.SINGLE_THREAD).
    env = {**os.environ, "PYTHONPATH": str(copy / "src"), "PYTHONUNBUFFERED": "1"}
    imported = subprocess.run([sys.executable, "-c", "import d2lopt; print(d2lopt.__file__)"],
                              env=env, cwd=scratch, capture_output=True, text=True).stdout.strip()
    if not imported.startswith(str(copy)):
        sys.exit(f"d2lopt is imported from {imported}, not from the copy {copy}")

    extra: list[str] = []
    if args.quick:
        extra = ["-D", f"sphinx_gallery_conf.filename_pattern={QUICK_PATTERN}"]

    runs = {}
    print("(a) cold build ...", flush=True)
    runs["cold"] = build(copy, env, extra, logs / "a_cold.log")
    notebooks = notebook_seconds(copy)
    print(f"    {runs['cold']['wall_s']} s", flush=True)
    print("(b) nothing changed ...", flush=True)
    runs["no_change"] = build(copy, env, extra, logs / "b_no_change.log")

    gallery_out = copy / "docs" / "auto_examples"
    touched = sorted(runs["cold"]["examples_run"])[0]
    script = next((copy / "gallery").glob(f"*/{Path(touched).name}"))
    with open(script, "a") as f:
        f.write("# benchmark: touched\n")
    print(f"(c) touched {script.relative_to(copy)} ...", flush=True)
    runs["touch_example"] = build(copy, env, extra, logs / "c_touch_example.log")

    module = copy / "src" / "d2lopt" / "rates.py"
    with open(module, "a") as f:
        f.write("# benchmark: touched\n")
    print(f"(d) touched {module.relative_to(copy)} ...", flush=True)
    runs["touch_library"] = build(copy, env, extra, logs / "d_touch_library.log")

    cold = runs["cold"]
    serial = serial_sum(gallery_out, cold["examples_run"]) + sum(notebooks.values())
    gallery_wall = cold["gallery_wall_s"]
    targets = {
        "no-change rebuild < 10 % of cold": runs["no_change"]["wall_s"] < 0.10 * cold["wall_s"],
        "pool wall < 65 % of serial sum": gallery_wall is not None
        and gallery_wall < 0.65 * serial,
        "touching one example reruns only it": runs["touch_example"]["examples_run"]
        == [touched],
        "touching d2lopt reruns every example": sorted(runs["touch_library"]["examples_run"])
        == sorted(cold["examples_run"]),
    }
    result = {
        "mode": "quick" if args.quick else "full",
        "filename_pattern": QUICK_PATTERN if args.quick else "(conf.py)",
        "extension_added_in_copy": ext_added,
        "runs": runs,
        "touched_example": touched,
        "examples_in_cold_build": len(cold["examples_run"]),
        "notebooks_in_cold_pool": len(notebooks),
        "serial_sum_s": round(serial, 2),
        "gallery_wall_s": gallery_wall,
        "targets": targets,
        "environment": {"python": platform.python_version(), "machine": platform.machine(),
                        "cpus": os.cpu_count(), "platform": platform.platform()},
    }
    stem = "build-quick" if args.quick else "build"
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{stem}.json").write_text(json.dumps(result, indent=2) + "\n")
    (RESULTS / f"{stem}.md").write_text(render(result))
    print(render(result))
    if args.keep:
        print(f"Scratch copy and logs kept in {scratch}")
    else:
        shutil.rmtree(scratch, ignore_errors=True)


def render(r: dict) -> str:
    cold = r["runs"]["cold"]["wall_s"]
    lines = [
        f"# Docs build benchmark ({r['mode']})",
        "",
        f"`python benchmarks/build.py{' --quick' if r['mode'] == 'quick' else ''}`: "
        f"`sphinx-build -W -n --keep-going -b html` in a scratch copy, "
        f"{r['environment']['cpus']} CPUs, Python {r['environment']['python']}. "
        f"Gallery examples in the cold build: {r['examples_in_cold_build']}"
        f" (filename_pattern {r['filename_pattern']}).",
        "",
        "| build | wall (s) | % of cold | examples run | exit |",
        "|---|---:|---:|---|---:|",
    ]
    for name, run in r["runs"].items():
        ran = run["examples_run"]
        shown = ", ".join(Path(x).name for x in ran) if len(ran) <= 3 else f"{len(ran)}"
        lines.append(f"| {name} | {run['wall_s']:.1f} | {100 * run['wall_s'] / cold:.0f} % "
                     f"| {shown or 'none'} | {run['returncode']} |")
    gw = r["gallery_wall_s"]
    ratio = f"{100 * gw / r['serial_sum_s']:.0f} %" if gw and r["serial_sum_s"] else "n/a"
    lines += [
        "",
        f"Pool step (cold: {r['examples_in_cold_build']} examples and "
        f"{r.get('notebooks_in_cold_pool', 0)} notebook pages): {gw} s wall vs "
        f"{r['serial_sum_s']} s serial sum of their times ({ratio}).",
        "",
        "| target | result |",
        "|---|---|",
        *[f"| {k} | {'pass' if v else 'FAIL'} |" for k, v in r["targets"].items()],
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
