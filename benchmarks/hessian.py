"""Top Hessian eigenvalues of a trained MLP: Lanczos (d2lopt) vs power iteration (PyHessian).

Trains a 64-280-280-10 ReLU network (99,690 parameters) on scikit-learn's
digits for a few epochs, then finds the top-1 and top-5 eigenvalues of the
Hessian of its full-batch cross-entropy loss (1,797 images) two ways:

- ``d2lopt.spectrum.lanczos`` on ``d2lopt.spectrum.hessian_matvec``, at its
  default ``tol=1e-4`` with the residual bound ``|β_m e_mᵀ s_i| <= tol |θ_i|``
  and, separately, the gap bound;
- PyHessian's ``hessian(...).eigenvalues`` (power iteration with deflation).

Like for like, each method's ``tol`` (PyHessian's: the relative change between
two iterations; Lanczos's: its residual bound) is tightened tenfold from 1e-2
until its answer is within 1e-4 of the reference for every seed, and the two
are timed at those settings.

Both use the same Hessian-vector product (double backward through a
gradient computed once with ``create_graph=True``) in float32. There is no
dense reference at this size (99,690² doubles = 80 GB), so the reference is
a tight Lanczos run (``tol=1e-10``) on a float64 copy of the model; the
float32 Hessian differs from it by ~1e-7 relative, far below the 1e-4 target.

Run with ``python benchmarks/hessian.py`` (or ``nox -s bench``); it writes
``benchmarks/results/hessian.md`` and ``hessian.json``. Needs torch,
scikit-learn and ``pyhessian==0.1``.
"""

from __future__ import annotations

import argparse
import copy
import importlib.metadata
import json
import os
import platform
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import torch
from sklearn.datasets import load_digits

from d2lopt.spectrum import BOUNDS, hessian_matvec, lanczos

TARGET = 1e-4  # relative error the methods must reach
HIDDEN = 280  # 64*280 + 280 + 280*280 + 280 + 280*10 + 10 = 99,690 parameters
# Stopping tolerances tried, loosest first, for both methods (like for like: each method
# with the loosest setting of its own stopping rule that reaches the target on every seed).
TOLS = (1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7)
LANCZOS_DEFAULT_TOL = 1e-4


# -- PyHessian, with the shims it needs --------------------------------------------------------
def load_pyhessian():
    """Import PyHessian 0.1 and count its Hessian-vector products.

    Shim 1: ``pyhessian.hessian.hessian_vector_product`` is replaced, in the
    module's namespace (site-packages is not edited), by a wrapper that counts
    calls. Shim 2 is in :func:`pyhessian_top`: the model's ``.grad`` is reset
    before each ``hessian(...)`` object is built, because PyHessian calls
    ``loss.backward(create_graph=True)``, which accumulates into ``.grad``: a
    second object built on the same model would otherwise see twice the
    gradient and so twice the Hessian.
    """
    try:
        import pyhessian  # noqa: F401
    except ImportError as error:
        raise SystemExit("this benchmark needs PyHessian: pip install pyhessian==0.1") from error
    module = sys.modules["pyhessian.hessian"]  # the name pyhessian.hessian is the class
    original = module.hessian_vector_product

    def counted(grads, params, v):
        counted.calls += 1
        return original(grads, params, v)

    counted.calls = 0
    module.hessian_vector_product = counted
    return module.hessian, counted


def pyhessian_top(hessian_class, counter, model, criterion, data, k, tol, seed, max_iter):
    """PyHessian's top-k eigenvalues; returns (eigenvalues, HVPs, seconds)."""
    model.zero_grad(set_to_none=True)
    torch.manual_seed(seed)  # PyHessian draws its start vectors with torch.randn
    counter.calls = 0
    start = time.perf_counter()
    with warnings.catch_warnings():
        # "Using backward() with create_graph=True will create a reference cycle"
        warnings.simplefilter("ignore", UserWarning)
        computer = hessian_class(model, criterion, data=data, cuda=False)
        eigenvalues, _ = computer.eigenvalues(top_n=k, maxIter=max_iter, tol=tol)
    seconds = time.perf_counter() - start
    model.zero_grad(set_to_none=True)
    return np.array(eigenvalues), counter.calls, seconds


def lanczos_top(model, criterion, data, k, tol, seed, bound):
    """d2lopt's top-k eigenvalues; returns (eigenvalues, HVPs, seconds, result)."""
    start = time.perf_counter()
    operator = hessian_matvec(model, criterion, *data)
    result = lanczos(
        operator, operator.dim, k, tol=tol, bound=bound, seed=seed, return_eigenvectors=False
    )
    seconds = time.perf_counter() - start
    return result.eigenvalues, operator.n_calls, seconds, result


def lanczos_run(model, criterion, data, k, seed, bound, reference,
                tol: float = LANCZOS_DEFAULT_TOL) -> dict:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # not converged: recorded below
        values, hvps, seconds, result = lanczos_top(model, criterion, data, k, tol, seed, bound)
    run = {
        "seed": seed, "tol": tol, "hvps": hvps, "seconds": seconds,
        "error": relative_error(values, reference),
        "error_bound": float(np.max(result.error_bounds / np.abs(values))),
        "restarts": result.n_restarts, "converged": bool(result.converged),
        "eigenvalues": values.tolist(),
    }
    print(f"k={k} lanczos bound={bound} tol={tol:g}: {run}", flush=True)
    return run


def pyhessian_run(hessian_class, counter, model, criterion, data, k, tol, seed, max_iter,
                  reference) -> dict:
    values, hvps, seconds = pyhessian_top(
        hessian_class, counter, model, criterion, data, k, tol, seed, max_iter
    )
    run = {
        "seed": seed, "hvps": hvps, "seconds": seconds, "error": relative_error(values, reference),
        "hit_max_iter": bool(hvps >= k * max_iter), "eigenvalues": values.tolist(),
    }
    print(f"k={k} pyhessian tol={tol:g}: {run}", flush=True)
    return run


def relative_error(found: np.ndarray, reference: np.ndarray) -> float:
    found = np.sort(np.asarray(found, dtype=float))[::-1]
    return float(np.max(np.abs(found - reference[: len(found)]) / np.abs(reference[: len(found)])))


# -- the model ---------------------------------------------------------------------------------
def trained_mlp(epochs: int, seed: int = 0):
    digits = load_digits()
    inputs = torch.tensor(digits.data / 16.0, dtype=torch.float32)
    targets = torch.tensor(digits.target)
    torch.manual_seed(seed)
    model = torch.nn.Sequential(
        torch.nn.Linear(64, HIDDEN), torch.nn.ReLU(),
        torch.nn.Linear(HIDDEN, HIDDEN), torch.nn.ReLU(),
        torch.nn.Linear(HIDDEN, 10),
    )
    criterion = torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    generator = torch.Generator().manual_seed(seed)
    start = time.perf_counter()
    for _ in range(epochs):
        order = torch.randperm(len(targets), generator=generator)
        for first in range(0, len(targets), 128):
            batch = order[first : first + 128]
            optimizer.zero_grad()
            criterion(model(inputs[batch]), targets[batch]).backward()
            optimizer.step()
    with torch.no_grad():
        outputs = model(inputs)
        training = {
            "epochs": epochs,
            "seconds": time.perf_counter() - start,
            "loss": float(criterion(outputs, targets)),
            "accuracy": float((outputs.argmax(1) == targets).float().mean()),
        }
    model.zero_grad(set_to_none=True)
    return model, criterion, (inputs, targets), training


# -- the benchmark -------------------------------------------------------------------------------
def run(repeats: int, epochs: int, max_iter: int, ks: tuple[int, ...] = (1, 5)) -> dict:
    hessian_class, counter = load_pyhessian()
    from pyhessian.utils import hessian_vector_product  # the original, not the counted one
    model, criterion, data, training = trained_mlp(epochs)
    dim = sum(p.numel() for p in model.parameters())
    print(f"MLP with {dim} parameters; training: {training}", flush=True)

    # Reference: tight Lanczos on a float64 copy (float64 products, tol 1e-10).
    model64 = copy.deepcopy(model).double()
    data64 = (data[0].double(), data[1])
    operator64 = hessian_matvec(model64, criterion, *data64)
    start = time.perf_counter()
    top = lanczos(operator64, dim, max(ks) + 1, tol=1e-10, max_basis=80,
                  return_eigenvectors=False)
    bottom = lanczos(operator64, dim, 1, which="smallest", tol=1e-3, return_eigenvectors=False)
    reference = {
        "eigenvalues": top.eigenvalues.tolist(),
        "relative_residuals": (top.residual_norms / np.abs(top.eigenvalues)).tolist(),
        "smallest_eigenvalue": float(bottom.eigenvalues[0]),
        "n_matvec": top.n_matvec,
        "seconds": time.perf_counter() - start,
        "converged": bool(top.converged),
    }
    print(f"reference: {reference}", flush=True)
    reference["top_k_by_value_is_top_k_by_magnitude"] = bool(
        abs(reference["smallest_eigenvalue"]) < reference["eigenvalues"][max(ks) - 1]
    )
    if not reference["top_k_by_value_is_top_k_by_magnitude"]:
        print("warning: a negative eigenvalue is among the largest in magnitude; power "
              "iteration then finds it instead of a top eigenvalue", flush=True)
    reference_top = top.eigenvalues

    # The two products agree (same Hessian, float32).
    v = np.random.default_rng(0).standard_normal(dim)
    ours = hessian_matvec(model, criterion, *data)(v)
    model.zero_grad(set_to_none=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        theirs_obj = hessian_class(model, criterion, data=data, cuda=False)
        pieces = torch.split(torch.tensor(v, dtype=torch.float32), [p.numel() for p in
                                                                     theirs_obj.params])
        pieces = [piece.view_as(p) for piece, p in zip(pieces, theirs_obj.params, strict=True)]
        theirs = torch.cat([h.reshape(-1) for h in hessian_vector_product(
            theirs_obj.gradsH, theirs_obj.params, pieces)]).numpy()
    del theirs_obj
    model.zero_grad(set_to_none=True)
    hvp_agreement = float(np.linalg.norm(ours - theirs) / np.linalg.norm(theirs))

    # Phase 1, accuracy: for each k and each method, the stopping tolerance is tightened
    # tenfold from 1e-2 until every seed reaches the target (PyHessian: its `tol`, the
    # relative change between two iterations; Lanczos: `tol` of its residual rule).
    # Phase 2, timing: per seed, back to back so that other load on the machine hits all
    # alike: Lanczos at its default tol (1e-4) with each bound, Lanczos at its swept tol,
    # PyHessian at its swept tol.
    def sweep(make_run):
        runs: dict = {}
        for tol in TOLS:
            runs[f"{tol:g}"] = [make_run(tol, seed) for seed in range(repeats)]
            if max(r["error"] for r in runs[f"{tol:g}"]) <= TARGET:
                return runs, tol
        return runs, None

    results: dict = {"lanczos": {}, "pyhessian": {}, "chosen_tol": {}, "paired_ratios": {}}
    for k in ks:
        py_sweep, py_tol = sweep(lambda tol, seed, k=k: pyhessian_run(
            hessian_class, counter, model, criterion, data, k, tol, seed, max_iter,
            reference_top))
        lz_sweep, lz_tol = sweep(lambda tol, seed, k=k: lanczos_run(
            model, criterion, data, k, seed, "residual", reference_top, tol))
        settings = {f"{bound}, tol=1e-4": (bound, LANCZOS_DEFAULT_TOL) for bound in BOUNDS}
        if lz_tol is not None:
            settings["residual, swept tol"] = ("residual", lz_tol)
        timing: dict = {name: [] for name in settings}
        timing["pyhessian"] = []
        for seed in range(repeats):
            for name, (bound, tol) in settings.items():
                timing[name].append(lanczos_run(model, criterion, data, k, seed, bound,
                                                reference_top, tol))
            if py_tol is not None:
                timing["pyhessian"].append(pyhessian_run(
                    hessian_class, counter, model, criterion, data, k, py_tol, seed, max_iter,
                    reference_top))
        results["chosen_tol"][k] = {
            "pyhessian": None if py_tol is None else f"{py_tol:g}",
            "lanczos": None if lz_tol is None else f"{lz_tol:g}",
        }
        results["pyhessian"][k] = {tol: summarize(runs) for tol, runs in py_sweep.items()}
        if py_tol is not None:
            results["pyhessian"][k]["timed"] = summarize(timing["pyhessian"])
        results["lanczos"][k] = {name: summarize(timing[name]) for name in settings}
        results["lanczos"][k]["sweep"] = {tol: summarize(runs) for tol, runs in lz_sweep.items()}
        results["paired_ratios"][k] = {
            name: [ours["seconds"] / theirs["seconds"]
                   for ours, theirs in zip(timing[name], timing["pyhessian"], strict=True)]
            for name in settings
        } if py_tol is not None else None

    return {
        "model": {"layers": [64, HIDDEN, HIDDEN, 10], "activation": "ReLU", "parameters": dim,
                  "batch": int(len(data[1])), "dtype": "float32"},
        "training": training,
        "reference": reference,
        "hvp_relative_difference": hvp_agreement,
        "target_relative_error": TARGET,
        "repeats": repeats,
        "pyhessian_max_iter": max_iter,
        "results": results,
        "environment": {
            "python": platform.python_version(), "torch": torch.__version__,
            "numpy": np.__version__, "pyhessian": importlib.metadata.version("pyhessian"),
            "torch_threads": torch.get_num_threads(), "cpus": os.cpu_count(),
            "machine": platform.machine(), "date": time.strftime("%Y-%m-%d %H:%M:%S"),
        },
    }


def summarize(runs: list[dict]) -> dict:
    return {
        "median_hvps": statistics.median(r["hvps"] for r in runs),
        "median_seconds": statistics.median(r["seconds"] for r in runs),
        "median_seconds_per_hvp": statistics.median(r["seconds"] / r["hvps"] for r in runs),
        "max_error": max(r["error"] for r in runs),
        "n_runs": len(runs),
        "runs": runs,
    }


def row(k: int, method: str, setting: str, s: dict, ratio: str, paired: str) -> str:
    """One line of the results table."""
    return (f"| {k} | {method} | {setting} | {s['median_hvps']:g} | "
            f"{s['median_seconds']:.3f} | {s['median_seconds_per_hvp']:.4f} | "
            f"{s['max_error']:.1e} | {ratio} | {paired} |")


def markdown(report: dict, command: str) -> str:
    ref = report["reference"]
    env = report["environment"]
    lines = [
        "# Top Hessian eigenvalues: Lanczos vs power iteration",
        "",
        f"Model: MLP {'-'.join(map(str, report['model']['layers']))} (ReLU), "
        f"{report['model']['parameters']:,} parameters, float32, trained "
        f"{report['training']['epochs']} epochs with Adam on scikit-learn digits "
        f"(loss {report['training']['loss']:.4f}, training accuracy "
        f"{report['training']['accuracy']:.3f}); Hessian of the full-batch "
        f"({report['model']['batch']} images) cross-entropy loss.",
        "",
        "Reference (a dense Hessian is out of reach at this size): Lanczos with tol 1e-10 on a "
        f"float64 copy of the model, {ref['n_matvec']} products; top eigenvalues "
        + ", ".join(f"{x:.6f}" for x in ref["eigenvalues"][:-1])
        + f"; smallest eigenvalue about {ref['smallest_eigenvalue']:.4f}, so the largest "
        + ("are also the largest in magnitude, which power iteration finds. "
           if ref["top_k_by_value_is_top_k_by_magnitude"] else
           "are NOT all the largest in magnitude, which power iteration finds instead. ")
        + "PyHessian's and d2lopt's float32 Hessian-vector products agree to "
        + f"{report['hvp_relative_difference']:.1e} (relative).",
        "",
        f"Target: every one of the top-k eigenvalues within {TARGET:g} relative error of the "
        f"reference. {report['repeats']} seeds per setting; HVPs, times and errors are medians "
        "(errors: maxima) over seeds. Timed runs of the three methods go back to back for each "
        "seed; the last column is the median over seeds of the ratio within a seed, which is "
        "less sensitive to other load on the machine. Wall time includes building the gradient "
        f"graph; torch threads: {env['torch_threads']}. Like for like is each method with "
        "the loosest setting of its own stopping rule (tolerances 1e-2, 1e-3, ... tried in "
        "turn) that reaches the target on every seed; Lanczos is also timed at its default "
        "tol=1e-4, which needs no such tuning.",
        "",
        "| k | method | setting | HVPs | wall time, s | s per HVP | max rel. error | "
        "time / power iteration's | same, paired by seed |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    results = report["results"]
    for k, chosen in results["chosen_tol"].items():
        sweep = results["pyhessian"][k]
        lines.append(row(k, "PyHessian power iteration", "tol=1e-3 (its default)",
                         sweep["0.001"], "", ""))
        if chosen["pyhessian"] is None:
            lines.append(f"| {k} | PyHessian power iteration | no tol down to "
                         f"{TOLS[-1]:g} reached the target | | | | | | |")
            continue
        timed = sweep["timed"]
        lines.append(row(k, "PyHessian power iteration",
                         f"tol={chosen['pyhessian']} (loosest reaching the target)", timed,
                         "1", "1"))
        labels = {
            "residual, tol=1e-4": "tol=1e-4 (default), residual bound",
            "gap, tol=1e-4": "tol=1e-4 (default), gap bound",
            "residual, swept tol": f"tol={chosen['lanczos']} (loosest reaching the target), "
            "residual bound",
        }
        for name, label in labels.items():
            if name not in results["lanczos"][k]:
                continue
            s = results["lanczos"][k][name]
            paired = statistics.median(results["paired_ratios"][k][name])
            lines.append(row(k, "d2lopt Lanczos", label, s,
                             f"{s['median_seconds'] / timed['median_seconds']:.2f}",
                             f"{paired:.2f}"))
    lines += ["", "Tolerance sweeps (median HVPs / median seconds / max rel. error over seeds; "
              "stopped at the first tol reaching the target):", ""]
    for k in results["chosen_tol"]:
        for method, sweep in (("PyHessian", results["pyhessian"][k]),
                              ("Lanczos (residual bound)", results["lanczos"][k]["sweep"])):
            lines.append(f"- k={k}, {method}: " + "; ".join(
                f"tol={tol}: {s['median_hvps']:g} / {s['median_seconds']:.2f} / "
                f"{s['max_error']:.1e}"
                for tol, s in sweep.items() if tol != "timed"))
    lines += [
        "",
        "Lanczos stops when, for each wanted Ritz value, the residual norm (`bound=\"residual\"`,"
        " a rigorous bound on the distance to an eigenvalue) or min(r, r²/gap) with the gap "
        "estimated from the other Ritz values (`bound=\"gap\"`, Kato–Temple, an estimate) is "
        "at most 1e-4 times the value. PyHessian stops when two successive power-iteration "
        "estimates differ by less than `tol` (relative).",
        "",
        f"Environment: Python {env['python']}, torch {env['torch']}, NumPy {env['numpy']}, "
        f"PyHessian {env['pyhessian']}, {env['cpus']} CPUs ({env['machine']}), {env['date']}.",
        "",
        f"Produced by `{command}`.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="seeds per method (median)")
    parser.add_argument("--epochs", type=int, default=10, help="training epochs")
    parser.add_argument("--threads", type=int, default=2, help="torch.set_num_threads")
    parser.add_argument("--max-iter", type=int, default=2000,
                        help="PyHessian maxIter (per eigenvalue)")
    parser.add_argument("--ks", default="1,5", help="numbers of eigenvalues, comma-separated")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    ks = tuple(int(k) for k in args.ks.split(","))
    report = run(args.repeats, args.epochs, args.max_iter, ks)
    command = "python benchmarks/hessian.py " + " ".join(sys.argv[1:] if argv is None else argv)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "hessian.json").write_text(json.dumps(report, indent=2) + "\n")
    text = markdown(report, command.strip())
    (args.out / "hessian.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
