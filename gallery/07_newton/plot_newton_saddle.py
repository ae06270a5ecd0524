r"""
Newton's method is attracted to saddle points
=============================================

Newton's method jumps to the critical point of the local quadratic model,
:math:`x - H^{-1}\nabla f`, without asking what kind of critical point that is.
Near a saddle the model's critical point *is* the saddle, so Newton walks into
it. We compare it with gradient descent, saddle-free Newton (which divides by
:math:`|H|`, the Hessian with its eigenvalues replaced by their absolute
values) and perturbed gradient descent (which adds a small random step when the
gradient is tiny) on the double well
:math:`f(x, y) = \tfrac14 x^4 - \tfrac12 x^2 + \tfrac12 y^2`, with minima at
:math:`(\pm 1, 0)` and a saddle at the origin. A second start lies exactly on
the saddle's stable manifold, the line :math:`x = 0`, where only noise helps.
"""

# %%
# Runs from two starts
# --------------------
# Every value the runs use is a field of ``d2lopt.chapter.newton.SETTINGS``,
# printed first; to try another, replace a field, e.g.
# ``settings = dataclasses.replace(newton.SETTINGS, lr=0.05)``.
# :func:`d2lopt.chapter.newton.escape_runs` runs the four methods with these
# settings (gradient steps at the learning rate ``lr``, full Newton steps). The
# derivatives are taken by the framework chosen by ``D2LOPT_BACKEND``.
from d2lopt.chapter import newton

settings = newton.SETTINGS
print(settings)

import matplotlib.pyplot as plt

import d2lopt
from d2lopt import plot
from d2lopt.landscapes import double_well
from d2lopt.plot.numbers import format_number

plot.use_style()
d2l = d2lopt.use()

starts = {"off the manifold": settings.start,
          "on the stable manifold x = 0": settings.on_manifold}
runs = {where: newton.escape_runs(double_well, d2l.tensor(list(start)), steps=settings.steps,
                                  lr=settings.lr, radius=settings.radius,
                                  threshold=settings.threshold, interval=settings.interval,
                                  seed=settings.seed)
        for where, start in starts.items()}
for where, by_method in runs.items():
    print(f"start {starts[where]} ({where}):")
    for method, run in by_method.items():
        point, distance = newton.nearest_critical_point(double_well, run.final)
        extra = f", perturbed at steps {list(run.perturbations)}" if run.perturbations else ""
        x, y = (format_number(float(v), 4) for v in run.final)
        print(f"  {method:27s} ends at ({x}, {y}): "
              f"{point.kind} {point.location} at distance {format_number(distance, 2)}{extra}")

# %%
# Trajectories on the contour map
# -------------------------------
# Each method has its own colour and line style. Gradient descent is drawn
# wide and underneath: perturbed gradient descent follows it exactly until its
# first perturbation, and its dotted line shows the wide one through its gaps.
# The contours are grey, with a colour bar for the loss, so that the four
# colours stand out.
from cycler import cycler

method_style = cycler(color=[plot.COLORS[c] for c in ("blue", "vermillion", "bluish green",
                                                     "reddish purple")]) + cycler(
    linestyle=["-", "--", "-.", ":"])
widths = {"gradient descent": 4.5, "perturbed gradient descent": 2.0}
fig, axes = plt.subplots(2, 1, figsize=(6.9, 8.6), sharex=True, layout="constrained")
for ax, (where, by_method) in zip(axes, runs.items(), strict=True):
    ax.set_prop_cycle(method_style)
    plot.contour(ax, double_well, trajectories=by_method, levels=25, num=161, cmap="Greys",
                 xlim=(-1.6, 1.6), ylim=(-1.2, 1.2), title=f"start {starts[where]}: {where}")
    for line in ax.get_lines():
        if line.get_label() in widths:
            line.set_linewidth(widths[line.get_label()])
    ax.legend(loc="lower left", fontsize=9, ncols=2)
axes[0].set_xlabel("")
fig.colorbar(axes[0].collections[0], ax=axes, label="loss f(x, y)", shrink=0.6)
fig.suptitle("Double well: Newton converges to the saddle;\n"
             "from x = 0 only perturbed gradient descent escapes", fontsize=11)
plt.show()
# sphinx_gallery_thumbnail_number = 1

# %%
# Loss against iteration
# ----------------------
# The same colours and line styles; gradient descent is again the wide line
# under perturbed gradient descent.
saddle_value = float(double_well(double_well.points_of_kind("saddle")[0].array))
minimum_value = float(double_well(double_well.global_minimum.array))
fig, axes = plt.subplots(2, 1, figsize=(6.9, 7.2), sharex=True, layout="constrained")
for ax, (where, by_method) in zip(axes, runs.items(), strict=True):
    ax.set_prop_cycle(method_style)
    plot.loss_curves(ax, {m: r.values for m, r in by_method.items()}, log=False,
                     title=f"start {starts[where]}")
    for line in ax.get_lines():
        if line.get_label() in widths:
            line.set_linewidth(widths[line.get_label()])
    ax.axhline(saddle_value, color=plot.COLORS["black"], linestyle=(0, (1, 3)), linewidth=1.0,
               label=f"saddle value {format_number(saddle_value, trim=True)}")
    ax.axhline(minimum_value, color=plot.COLORS["black"], linestyle=(0, (6, 3)), linewidth=1.0,
               label=f"minimum value {format_number(minimum_value, trim=True)}")
    ax.set_xscale("symlog", linthresh=10)
axes[0].legend(loc="center right", fontsize=9)
axes[1].get_legend().remove()
axes[0].set_xlabel("")
fig.suptitle("Loss against iteration: Newton stops at the saddle's value,\n"
             "the others reach the minimum", fontsize=11)
plt.show()

# %%
# Conclusions
# -----------
# From the first start Newton's method reaches the saddle in a handful of
# steps: along :math:`x` its update is :math:`x \mapsto 2x^3/(3x^2 - 1)`, which
# sends every :math:`|x| < 1/\sqrt5 \approx 0.447` to 0 cubically fast, and
# along :math:`y` it lands on 0 in one step. Gradient descent and saddle-free
# Newton go to the minimum :math:`(1, 0)`; saddle-free Newton gets there in
# a few steps because it descends the negative-curvature direction with the
# step :math:`|H|^{-1}\nabla f`. Perturbed gradient descent behaves like
# gradient descent until the gradient is small; near the minimum its
# occasional kicks keep it within the perturbation radius of the minimum.
#
# Started on :math:`x = 0`, every deterministic method stays on that line,
# because the gradient has no :math:`x` component there: gradient descent,
# Newton *and* saddle-free Newton all converge to the saddle. The saddle is
# strict (one negative eigenvalue), so the line is a set of measure zero and a
# random start avoids it with probability 1; but an iterate can come close to
# it, and then escaping takes many steps. Perturbed gradient descent adds a
# random step once the gradient falls below its threshold, lands off the line,
# and the negative curvature does the rest.
