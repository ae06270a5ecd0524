r"""
A local and a global minimum of :math:`x\cos(\pi x)`
====================================================

A minimum is *local* when no nearby point is lower and *global* when no point
at all is. Gradient descent only ever sees the neighbourhood of its iterate, so
which of the two it finds is decided by where it starts. We locate the critical
points of :math:`f(x) = x\cos(\pi x)` on :math:`[-1, 2]` by root finding on
:math:`f'` (not by eye), annotate them at the computed coordinates, and then
run gradient descent from a row of start points to see the two basins of
attraction.
"""

# %%
# Critical points by root finding
# -------------------------------
# :data:`d2lopt.landscapes.risk` finds the sign changes of
# :math:`f'(x) = \cos(\pi x) - \pi x \sin(\pi x)` on a grid and solves each by
# Brent's method; the kind of each point is read off the function values on
# both sides (:func:`d2lopt.chapter.local_minima.risk_extrema` sorts the two
# minima by value). The starts, steps and learning rate of gradient descent
# below are fields of :data:`d2lopt.chapter.local_minima.SETTINGS`, printed
# first; to try others, replace the second line by e.g.
# ``settings = dataclasses.replace(local_minima.SETTINGS, lr=0.2)``.
from d2lopt.chapter import local_minima

settings = local_minima.SETTINGS
print(settings)

import matplotlib.pyplot as plt
import numpy as np

import d2lopt
from d2lopt import optim, plot
from d2lopt.landscapes import risk
from d2lopt.plot.numbers import format_number

plot.use_style()
d2l = d2lopt.use()

for point in risk.critical_points:
    x = float(point.array)
    print(f"{point.kind:8s} x = {format_number(x, 6)}   f(x) = {format_number(risk(x), 6)}")
local_min, global_min, maximum = local_minima.risk_extrema()

# %%
# The figure: the two minima where they were computed
# ---------------------------------------------------
x, fx = risk.grid(601)
fig, ax = plt.subplots(figsize=(6.9, 4.5))
plot.curve(
    ax, x, {r"$f(x) = x\cos(\pi x)$": fx},
    points=[
        (f"local minimum\nx = {format_number(local_min.array, 4)}", (float(local_min.array),
                                                             float(risk(local_min.array)))),
        (f"global minimum\nx = {format_number(global_min.array, 4)}", (float(global_min.array),
                                                               float(risk(global_min.array)))),
    ],
    title=r"$x\cos(\pi x)$ on $[-1, 2]$: a local and a global minimum, found by root finding",
)
ax.title.set_fontsize(11)
plt.show()
# sphinx_gallery_thumbnail_number = 1

# %%
# Which minimum gradient descent finds
# ------------------------------------
# Gradient descent with a small step moves downhill and cannot cross a
# maximum in one dimension, so every start left of the maximum between the
# minima ends in the local one. The derivatives come from the framework
# chosen by ``D2LOPT_BACKEND``.
starts = np.linspace(*risk.domain[0], settings.starts)
finals = np.array([
    optim.gradient_descent(risk, d2l.tensor(s), steps=settings.steps, lr=settings.lr).final[0]
    for s in starts
])
in_local = np.isclose(finals, float(local_min.array), atol=settings.basin_atol)
in_global = np.isclose(finals, float(global_min.array), atol=settings.basin_atol)
print(f"{in_local.sum()} of {len(starts)} starts end in the local minimum, "
      f"{in_global.sum()} in the global one")
width = risk.domain[0][1] - risk.domain[0][0]
print(f"basin of the local minimum: [{format_number(risk.domain[0][0], trim=True)}, "
      f"{format_number(maximum.array, 4)}], "
      f"{format_number(100 * (float(maximum.array) - risk.domain[0][0]) / width, 3)} % "
      "of the interval")

fig, ax = plt.subplots(figsize=(6.9, 4.5))
ax.plot(starts[in_local], finals[in_local], "o", label="ends in the local minimum")
ax.plot(starts[in_global], finals[in_global], "s", label="ends in the global minimum")
ax.axvline(float(maximum.array), color=plot.COLORS["black"], linestyle=":", linewidth=1.2)
ax.set_ylim(-0.6, 1.6)
plot.annotate_point(ax, f"maximum x = {format_number(maximum.array, 4)}:\nthe basin boundary",
                    (float(maximum.array), 0.5 * (float(local_min.array)
                                                  + float(global_min.array))))
ax.set_xlabel("start $x_0$")
ax.set_ylabel(rf"end point $x_{{{settings.steps}}}$")
ax.set_title(f"Gradient descent (lr {settings.lr:g}, {settings.steps} steps): the end point "
             "depends on the start", fontsize=11)
ax.legend(loc="upper left")
plt.show()

# %%
# Conclusions
# -----------
# The function has a local minimum near :math:`x \approx -0.27` with value
# about :math:`-0.18`, far above the global minimum near :math:`x \approx 1.09`
# with value about :math:`-1.05`. Gradient descent goes to whichever minimum's
# basin it starts in; here the basins are split by the maximum at
# :math:`x \approx 0.27`, so a start drawn uniformly from :math:`[-1, 2]` ends
# in the worse minimum with probability about 42 %. Nothing local warns the
# optimizer: at both minima the gradient is zero and the curvature positive.
