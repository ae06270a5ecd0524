"""Draw the README's figure, docs/_static/readme-figure.png, from d2lopt.

    python tools/readme_figure.py

Left: the risk and the empirical risk, each with its lowest minimum on the
window (found by d2lopt, not typed in). Right: on the double well, gradient
descent leaves the saddle point for a minimum, while Newton's method, which
goes to whatever critical point is nearest, converges to the saddle.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from d2lopt import optim, plot
from d2lopt.landscapes import double_well, empirical_risk, risk

OUT = Path(__file__).resolve().parents[1] / "docs" / "_static" / "readme-figure.png"


def lowest_minimum(landscape, window):
    points = landscape.critical_points_in(window)
    minima = [p.array for p in points if p.kind == "minimum"]
    x = min(minima, key=lambda m: float(landscape(m)))
    return float(x), float(landscape(x))


def main() -> Path:
    plot.use_style()
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2), layout="constrained")

    window = empirical_risk.domain[0]
    x = np.linspace(*window, 400)
    plot.curve(left, x, {"risk": risk(x), "empirical risk": empirical_risk(x)},
               xlabel="$x$ (parameter)", ylabel="loss",
               title="The empirical risk has minima the risk does not have")
    for name, landscape in (("risk", risk), ("empirical risk", empirical_risk)):
        xy = lowest_minimum(landscape, window)
        plot.annotate_point(left, f"min of {name}\nx = {xy[0]:.3f}", xy)

    start = np.array([0.25, 0.6])
    runs = {
        "gradient descent": optim.gradient_descent(double_well, start, steps=60, lr=0.2),
        "Newton's method": optim.newton(double_well, start, steps=8),
    }
    plot.contour(right, double_well, trajectories=runs, levels=20, xlim=(-1.6, 1.6),
                 ylim=(-1.0, 1.0), title="Newton's method is drawn to the saddle point")
    # Labels below the points, one to each side, so that they never overlap.
    labels = {"gradient descent": ("gradient descent\nends at", (12, -60)),
              "Newton's method": ("Newton's method\nends at", (-12, -60))}
    for name, run in runs.items():
        text, offset = labels[name]
        end = run.points[-1]
        plot.annotate_point(right, f"{text} ({end[0]:.2f}, {end[1]:.2f})", tuple(end),
                            offset=offset)

    fig.suptitle("Two difficulties of optimization in deep learning")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(OUT, dpi=110)
    plt.close(fig)
    return OUT


if __name__ == "__main__":
    print(main())
