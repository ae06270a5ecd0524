"""
Momentum and Adam on an ill-conditioned quadratic
=================================================

On the quadratic :math:`f(x, y) = \\tfrac12(\\mu x^2 + L y^2)` with condition
number :math:`\\kappa = L/\\mu` (the printed ``kappa``), gradient descent must keep its step below
:math:`2/L` to stay stable in the steep direction, and then crawls along the
shallow one. Heavy-ball momentum and Adam are the two standard fixes. To
compare methods rather than learning rates, each is tuned: gradient descent
and momentum with their theoretically optimal constants, Adam on a grid. The
same bowl turned by 45° shows how much of Adam's success comes from the bowl
being aligned with the coordinate axes.
"""

# %%
# Tuned runs
# ----------
# ``d2lopt.chapter.practice.quadratic_comparison`` runs gradient descent with
# :math:`\eta = 2/(\mu+L)`, heavy ball with Polyak's
# :math:`\eta = 4/(\sqrt L+\sqrt\mu)^2`,
# :math:`\beta = ((\sqrt\kappa-1)/(\sqrt\kappa+1))^2`, and Adam with the
# learning rate and :math:`\beta_1` of a grid that reach
# :math:`f \le` ``tol`` first. Gradients come from the framework chosen by
# ``D2LOPT_BACKEND``. The condition number, start, run length, tolerance and
# grids are fields of ``d2lopt.chapter.practice.SETTINGS``, printed first; to
# try another, replace a field, e.g.
# ``settings = dataclasses.replace(practice.SETTINGS, kappa=100.0)``.
from d2lopt.chapter import practice

settings = practice.SETTINGS
print(settings)

import matplotlib.pyplot as plt
import numpy as np

import d2lopt
from d2lopt import plot
from d2lopt.landscapes import rotated_quadratic
from d2lopt.plot.numbers import format_number
from d2lopt.rates import fitted_rate, gradient_descent_rate, heavy_ball_rate

plot.use_style()
d2l = d2lopt.use()

kappa = settings.kappa
start = np.array(settings.start)
turned = rotated_quadratic(kappa)
# the same point relative to the turned bowl's axes: x = R^T (u, v)
turned_start = np.array(turned.rotation).T @ start
shared = {"steps": settings.steps, "tol": settings.tol, "lr_grid": settings.lr_grid,
          "beta_grid": settings.beta_grid}
results = {
    "axis-aligned": practice.quadratic_comparison(kappa, d2l.tensor(start), **shared),
    "turned by 45°": practice.quadratic_comparison(kappa, d2l.tensor(turned_start),
                                                   landscape=turned, **shared),
}
for name, result in results.items():
    for method, hyper in result.hyper.items():
        shown = ", ".join(f"{k} = {np.round(v, 4)}" for k, v in hyper.items())
        print(f"{name:13s} {method:16s} {shown:38s}"
              f" steps to f ≤ {format_number(result.tol, trim=True)}: "
              f"{result.steps_to_tol[method]}")

# %%
# Paths on the contour maps
# -------------------------
# The window is computed to hold every path: the optimal heavy-ball step
# exceeds :math:`2/L`, so momentum overshoots far in the steep direction first.
fig, axes = plt.subplots(2, 1, figsize=(6.9, 10.4), layout="constrained")
for ax, (name, result) in zip(axes, results.items(), strict=True):
    reach = 1.05 * max(np.abs(run.points).max() for run in result.runs.values())
    plot.contour(ax, result.landscape, trajectories=result.runs, levels=25,
                 xlim=(-reach, reach), ylim=(-reach, reach), title=f"κ = {kappa:g}, {name}")
    ax.set_aspect("equal")
    ax.legend(loc="lower left", fontsize=9)
    fig.colorbar(ax.collections[0], ax=ax, label="loss", shrink=0.9)
fig.suptitle("Paths of tuned gradient descent, heavy-ball momentum and Adam\n"
             "on an ill-conditioned quadratic", fontsize=11)
plt.show()
# sphinx_gallery_thumbnail_number = 1

# %%
# Loss curves and rates
# ---------------------
# For this two-eigenvalue quadratic, gradient descent at :math:`2/(\mu+L)`
# multiplies both coordinates by :math:`(\kappa-1)/(\kappa+1)` in size every
# step, so the loss falls exactly like :math:`r^{2t}`; tuned heavy ball has
# rate :math:`(\sqrt\kappa-1)/(\sqrt\kappa+1)`. The dashed lines are
# :math:`f(x_0)\,r^{2t}` for these two rates.
mu, L = results["axis-aligned"].landscape.eigenvalues
rates = {"gradient descent": gradient_descent_rate(mu, L), "momentum": heavy_ball_rate(mu, L)}
fig, axes = plt.subplots(2, 1, figsize=(6.9, 8.4), sharex=True, layout="constrained")
theory_styles = {"gradient descent": (0, (6, 3)), "momentum": (0, (1, 2))}
for ax, (name, result) in zip(axes, results.items(), strict=True):
    plot.loss_curves(ax, result.runs, title=f"Loss, {name}")
    t = np.arange(result.runs["momentum"].steps + 1)
    f0 = result.runs["momentum"].values[0]
    for method, r in rates.items():
        ax.plot(t, f0 * r ** (2 * t), color="gray", linestyle=theory_styles[method],
                linewidth=1.4, label=f"theory for {method}, $r = {format_number(r, 3)}$")
    ax.set_ylim(1e-16, 10 * f0)
    ax.legend(loc="upper right", fontsize=9)
axes[0].set_xlabel("")
fig.suptitle("Loss against iteration for the three tuned methods,\n"
             "with the theoretical rates $f(x_0)\\,r^{2t}$", fontsize=11)
plt.show()

fit_from, fit_to = settings.fit_window
for method, r in rates.items():
    run = results["axis-aligned"].runs[method]
    distance = np.linalg.norm(run.points, axis=1)
    print(f"{method:16s} theory r = {r:.4f}, fitted per-step factor of ||x_t||: "
          f"{fitted_rate(distance, start=fit_from, stop=fit_to):.4f}")

# %%
# Conclusions
# -----------
# Tuned heavy ball needs several times fewer steps than tuned gradient descent:
# its rate depends on :math:`\sqrt\kappa` instead of :math:`\kappa`. Its
# measured rate is slightly above :math:`(\sqrt\kappa-1)/(\sqrt\kappa+1)`
# because at the optimal constants the iteration matrix has a repeated
# eigenvalue, which adds a factor :math:`t` to the error. Adam does best on the
# axis-aligned bowl, where dividing each coordinate by its own gradient scale
# equalizes the step sizes of the steep and the flat coordinate (a scaling by
# :math:`|g_i|`, not by the curvature, so it helps without removing the
# ill-conditioning), and loses that edge once the bowl is turned: a
# per-coordinate scaling cannot follow a rotation. Gradient descent
# and momentum behave the same in both bowls up to the start point, as they
# must, being rotation invariant. Note that the optimal constants of gradient
# descent and heavy ball need :math:`\mu` and :math:`L`, which are unknown in a
# real network; there, all three are tuned on a grid.
