"""
The wrong side of the mountain
==============================

Local descent only sees the slope under its feet. On the surface below, a
deep basin lies to the right of a mountain, and a gentle slope falls away to
the left towards an asymptote, :math:`f \\to 0` as :math:`x \\to -\\infty`,
that is never reached. Started on the left of the mountain, gradient descent
never meets a local minimum or a saddle: it simply walks away from the basin
forever, its loss creeping down towards a value well above the basin's
minimum. Nothing in the local picture (the gradient is not small, the
Hessian is not indefinite) warns that something is wrong.
"""

# %%
# The landscape and its critical points
# -------------------------------------
# ``d2lopt.landscapes.mountain`` is written with backend operations, so the
# gradients come from the framework chosen by ``D2LOPT_BACKEND``. Its critical
# points (found by root finding on the gradient and classified by the Hessian)
# are one minimum, one maximum (the summit) and two saddles (the passes). The
# starts, step size and number of steps below are fields of
# ``d2lopt.chapter.local_global.SETTINGS``, printed first; to try another,
# replace a field, e.g. ``settings = dataclasses.replace(local_global.SETTINGS, lr=0.1)``.
from d2lopt.chapter import local_global

settings = local_global.SETTINGS
print(settings)

import matplotlib.pyplot as plt
import numpy as np

import d2lopt
from d2lopt import plot
from d2lopt.landscapes.mountain import mountain
from d2lopt.plot.numbers import format_number
from d2lopt.rates import log_slope

plot.use_style()
d2l = d2lopt.use()

for point in mountain.critical_points:
    print(f"{point.kind:8s} at ({format_number(point.location[0], 3, sign=True)}"
          f", {format_number(point.location[1], 3, sign=True)}), "
          f"f = {format_number(float(mountain(point.array)), 4, sign=True)}")
basin = mountain.global_minimum.array
basin_value = float(mountain(basin))

# %%
# Gradient descent from six starts
# --------------------------------
# Three starts just left of the summit, three to its right; the same step
# :math:`\eta` (the printed ``lr``) for all, below :math:`2/\lambda_{\max}` of
# the Hessian in the basin, so the runs that reach it converge.
lr, steps = settings.lr, settings.steps
starts = [*settings.runaway_starts, *settings.basin_starts]
# The six runs side by side: one gradient per step for all of them (``batched_runs``
# returns what six calls of ``gradient_descent`` would).
batch = d2lopt.optim.batched_runs(d2lopt.optim.gradient_descent, mountain,
                                  [d2l.tensor(start) for start in starts], steps=steps, lr=lr)
runs = {}
for start, run in zip(starts, batch, strict=True):
    reached = np.linalg.norm(run.final - basin) < settings.basin_tol
    where = ", ".join(format_number(float(c), trim=True) for c in start)
    runs[f"from ({where}): {'basin' if reached else 'runs away'}"] = run

fig = plt.figure(figsize=(6.9, 11.5), layout="constrained")
ax3d = fig.add_subplot(2, 1, 1, projection="3d")
plot.surface(ax3d, mountain, num=81, xlim=(-4.0, 4.0),
             title="Summit, basin, and a slope falling to the left")
for point in mountain.critical_points:  # marked in a legend: 3-D text labels cannot be placed
    if point.kind in ("minimum", "maximum"):
        x, y = point.location
        z = float(d2l.to_numpy(mountain(d2l.tensor([x, y]))))
        style = plot.MARKERS[point.kind]
        ax3d.scatter([x], [y], [z], marker=style["marker"], s=120, color=style["color"],
                     edgecolors="black", depthshade=False, zorder=10, label=point.kind)
ax3d.legend(loc="upper left", fontsize=9)
ax3d.view_init(elev=35, azim=-100)
ax = fig.add_subplot(2, 1, 2)
plot.contour(ax, mountain, trajectories=runs, levels=30, num=161,
             title=f"Gradient descent paths (η = {lr:g}, {steps} steps)")
ax.get_legend().remove()
fig.colorbar(ax.collections[0], ax=ax, label="loss f(x, y)")
fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncols=2, fontsize=9)
fig.suptitle("The wrong side of the mountain:\nruns started left of the summit never reach "
             "the basin", fontsize=11)
plt.show()
# sphinx_gallery_thumbnail_number = 1

# %%
# Distance and loss against the iteration
# ---------------------------------------
# On the wrong side :math:`f \approx \sigma(x) \approx e^{x}`, so gradient
# descent follows :math:`x_{t+1} \approx x_t - \eta e^{x_t}`, whose solution
# :math:`e^{-x_t} \approx \eta t` gives a distance growing like :math:`\log t`
# and a loss decaying like :math:`1/(\eta t)`. The slopes below are fitted over
# the last decade of iterations.
t = np.arange(steps + 1)
late = t >= steps // 10
fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(6.9, 9.6), sharex=True, layout="constrained")
for label, run in runs.items():
    distance = np.linalg.norm(run.points - basin, axis=1)
    ax1.plot(t[1:], distance[1:], label=label)
    ax2.plot(t[1:], run.values[1:], label=label)
    if "away" in label:
        slope = np.polyfit(np.log(t[late]), distance[late], 1)[0]
        loss_slope = log_slope(t[late], run.values[late] - mountain.asymptote, log_x=True)
        print(f"{label}: d distance / d log t = {format_number(slope)}, "
              f"loss ~ t^{format_number(loss_slope)}, "
              f"t·f(x_t) = {format_number(steps * run.values[-1], 4)} "
              f"(1/η = {format_number(1 / lr, 4)})")
ax1.set_xscale("log")
ax1.set_ylabel(r"distance $\|x_t - x^\star\|$")
ax1.set_title("Distance from the minimum (log-scaled t)")
ax2.set_xscale("log")
references = [
    ax2.axhline(mountain.asymptote, color="black", linestyle="--", linewidth=1,
                label="asymptote $f \\to 0$"),
    ax2.axhline(basin_value, color="black", linestyle=":", linewidth=1,
                label=f"basin minimum {format_number(basin_value)}"),
]
ax2.set_xlabel("iteration $t$")
ax2.set_ylabel("loss $f(x_t)$")
ax2.set_title("Loss: the runaways level off at the asymptote")
ax1.legend(loc="upper left", fontsize=9)
ax2.legend(handles=references, loc="center left", fontsize=9)
fig.suptitle("Distance to the minimum and loss against the iteration\nfor the six runs",
             fontsize=11)
plt.show()

# %%
# Conclusions
# -----------
# The runs started right of the summit settle in the basin. Those started on
# its left move away for ever: the distance grows like :math:`\log t` (slope
# close to 1 against :math:`\log t`) and the loss decreases monotonically like
# :math:`1/(\eta t)` towards the asymptote 0, far above the basin's minimum. At
# no point does the run pass a critical point: there is nothing to escape from
# and no signal to act on. Only a better start (initialization) or a
# non-local move (restarts, a larger jump) helps. Loss functions of
# classifiers have exactly this shape at infinity: see the logistic loss on
# separable data.
