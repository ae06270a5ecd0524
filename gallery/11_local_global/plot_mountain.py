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
from d2lopt.rates import log_slope

plot.use_style()
d2l = d2lopt.use()

for point in mountain.critical_points:
    print(f"{point.kind:8s} at ({point.location[0]:+.3f}, {point.location[1]:+.3f}), "
          f"f = {float(mountain(point.array)):+.4f}")
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
runs = {}
for start in starts:
    run = d2lopt.optim.gradient_descent(mountain, d2l.tensor(start), steps=steps, lr=lr)
    reached = np.linalg.norm(run.final - basin) < settings.basin_tol
    runs[f"from ({start[0]:g}, {start[1]:g}): {'basin' if reached else 'runs away'}"] = run

fig = plt.figure(figsize=(13, 4.8))
ax3d = fig.add_subplot(1, 2, 1, projection="3d")
plot.surface(ax3d, mountain, num=81, xlim=(-4.0, 4.0),
             mark=[(p.kind, p.location) for p in mountain.critical_points
                   if p.kind in ("minimum", "maximum")],
             title="Summit, basin, and a slope falling to the left")
ax3d.view_init(elev=35, azim=-100)
ax = fig.add_subplot(1, 2, 2)
plot.contour(ax, mountain, trajectories=runs, levels=30, num=161,
             title=f"Gradient descent paths (η = {lr:g}, {steps} steps)")
ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=8)
fig.suptitle("The wrong side of the mountain: runs started left of the summit never reach "
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
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
for label, run in runs.items():
    distance = np.linalg.norm(run.points - basin, axis=1)
    ax1.plot(t[1:], distance[1:], label=label)
    ax2.plot(t[1:], run.values[1:], label=label)
    if "away" in label:
        slope = np.polyfit(np.log(t[late]), distance[late], 1)[0]
        loss_slope = log_slope(t[late], run.values[late] - mountain.asymptote, log_x=True)
        print(f"{label}: d distance / d log t = {slope:.3f}, loss ~ t^{loss_slope:.3f}, "
              f"t·f(x_t) = {steps * run.values[-1]:.3f} (1/η = {1 / lr:.3f})")
ax1.set_xscale("log")
ax1.set_xlabel("iteration $t$")
ax1.set_ylabel(r"distance to the basin's minimum $\|x_t - x^\star\|$")
ax1.set_title("Distance from the minimum (log-scaled t)")
ax2.set_xscale("log")
references = [
    ax2.axhline(mountain.asymptote, color="black", linestyle="--", linewidth=1,
                label="asymptote $f \\to 0$"),
    ax2.axhline(basin_value, color="black", linestyle=":", linewidth=1,
                label=f"basin minimum {basin_value:.3f}"),
]
ax2.set_xlabel("iteration $t$")
ax2.set_ylabel("loss $f(x_t)$")
ax2.set_title("Loss: the runaways level off at the asymptote")
ax1.legend(loc="upper left", fontsize=8)
ax2.legend(handles=references, loc="upper right", bbox_to_anchor=(1.0, 0.8), fontsize=8)
fig.suptitle("Distance to the minimum and loss against the iteration for the six runs",
             fontsize=11)
fig.tight_layout()
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
