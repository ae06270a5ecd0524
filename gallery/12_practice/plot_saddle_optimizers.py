"""
Momentum and Adam near a saddle point
=====================================

The double well :math:`f(x, y) = \\tfrac14x^4 - \\tfrac12x^2 + \\tfrac12y^2` has
a saddle at the origin (Hessian :math:`\\mathrm{diag}(-1, 1)`) between two
minima at :math:`(\\pm1, 0)`. Started a hair's breadth from the saddle's
stable manifold :math:`x = 0`, a method must first notice the tiny downhill
component and then converge into a minimum. We tune gradient descent,
heavy-ball momentum and Adam on a grid and compare how fast they leave the
saddle and how fast they finish.
"""

# %%
# Tuned runs from next to the saddle
# ----------------------------------
# ``d2lopt.chapter.practice.saddle_comparison`` tries every learning rate of
# the grid ``lr_grid`` (and every momentum of ``beta_grid`` for momentum and
# Adam's :math:`\beta_1`) and keeps the combination that gets
# :math:`f - f^\star \le` ``tol`` (and stays there) first. "Escape" is the
# first step with :math:`|x_t| \ge` ``escape_threshold``, half way to a
# minimum. These and the start are fields of
# ``d2lopt.chapter.practice.SETTINGS``, printed first; to try another, replace
# a field, e.g. ``settings = dataclasses.replace(practice.SETTINGS, saddle_steps=300)``.
from d2lopt.chapter import practice

settings = practice.SETTINGS
print(settings)

import matplotlib.pyplot as plt
import numpy as np

import d2lopt
from d2lopt import optim, plot
from d2lopt.plot.numbers import format_number
from d2lopt.rates import escape_growth_factor

plot.use_style()
d2l = d2lopt.use()


def escape_step(run):
    return practice.escape_step(run, settings.escape_threshold)


result = practice.saddle_comparison(
    d2l.tensor(list(settings.saddle_start)), steps=settings.saddle_steps, tol=settings.tol,
    lr_grid=settings.lr_grid, beta_grid=settings.beta_grid)
methods = {"gradient descent": optim.gradient_descent, "momentum": optim.momentum,
           "Adam": optim.adam}
for name, run in result.runs.items():
    shown = ", ".join(f"{k} = {v}" for k, v in result.hyper[name].items())
    print(f"{name:16s} {shown:36s} escape at step {escape_step(run)}, "
          f"f - f* <= {format_number(result.tol, trim=True)} from step {result.steps_to_tol[name]}")

# %%
# Paths and loss curves
# ---------------------
f_star = float(result.landscape(result.landscape.global_minimum.array))
fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(6.9, 9.4), layout="constrained")
plot.contour(ax1, result.landscape, trajectories=result.runs, levels=25,
             xlim=(-1.5, 1.5), ylim=(-1.0, 1.0), title="Paths from next to the saddle")
ax1.legend(loc="lower left", fontsize=9, ncols=2)
fig.colorbar(ax1.collections[0], ax=ax1, label="loss f(x, y)")
# gradient descent lands on the minimum to machine precision: floor the gaps at 1e-16
gaps = {name: np.maximum(run.values - f_star, 1e-16) for name, run in result.runs.items()}
plot.loss_curves(ax2, gaps, ylabel="$f(x_t) - f^\\star$ (floored at $10^{-16}$)",
                 title="Suboptimality against iteration")
for name, run in result.runs.items():
    step = escape_step(run)
    ax2.plot([step], [gaps[name][step]], marker="o", color="black", markersize=4)
ax2.plot([], [], marker="o", color="black", linestyle="none", markersize=4,
         label=f"escape ($|x_t| \\geq {settings.escape_threshold:g}$)")
ax2.legend(loc="upper right", fontsize=9)
fig.suptitle("Tuned gradient descent, momentum and Adam\nleaving the saddle of the double well",
             fontsize=11)
plt.show()
# sphinx_gallery_thumbnail_number = 1

# %%
# A start ever closer to the saddle
# ---------------------------------
# With the hyper-parameters tuned above, we move the start towards the stable
# manifold and count the steps to escape. Near the saddle gradient descent
# multiplies :math:`x` by :math:`1 + \eta` per step, so it needs about
# :math:`\log(1/x_0)/\log(1+\eta)` steps; momentum grows faster per step; Adam
# divides the gradient by its own running size, so its first steps have length
# about :math:`\eta` however small the gradient is.
offsets = np.geomspace(*settings.offsets, settings.n_offsets)
fig, ax = plt.subplots(figsize=(6.9, 4.6), layout="constrained")
for name, method in methods.items():
    steps = [escape_step(method(result.landscape, d2l.tensor([x0, settings.saddle_start[1]]),
                                steps=settings.saddle_steps, **result.hyper[name]))
             for x0 in offsets]
    ax.semilogx(offsets, steps, marker="o", label=name)
    per_decade = -np.polyfit(np.log10(offsets), steps, 1)[0]
    hyper = result.hyper[name]
    if name == "Adam":
        theory = "no linear theory"
    else:
        z = escape_growth_factor(hyper["lr"], 1.0, hyper.get("beta", 0.0))
        theory = (f"theory log(10)/log(z) = {format_number(np.log(10) / np.log(z))} "
                  f"(z = {format_number(z, 4)})")
    print(f"{name:16s} {format_number(per_decade)} extra steps per decade closer; {theory}")
ax.invert_xaxis()
ax.set_xlabel("initial distance $x_0$ from the stable manifold $x = 0$")
ax.set_ylabel(f"steps to reach $|x_t| \\geq {settings.escape_threshold:g}$")
ax.set_title("Steps to escape the saddle against the start's distance from it\n"
             "(tuned hyper-parameters)", fontsize=10)
ax.legend(loc="upper left")
plt.show()

# %%
# Conclusions
# -----------
# All three leave the saddle: it is a *strict* saddle, the gradient's small
# component along :math:`x` grows geometrically, and no method gets stuck. What
# differs is how the escape time depends on the start: for gradient descent and
# momentum it grows like :math:`\log(1/x_0)`, with momentum's larger growth
# factor giving a smaller slope, while Adam's normalized steps make it nearly
# independent of :math:`x_0`. Leaving quickly is only half of the job: the run
# must then settle in the minimum, where a momentum method with a large
# :math:`\beta` oscillates and Adam's fixed-size steps can hover; the grid
# search picks small :math:`\beta` values for exactly that reason.
