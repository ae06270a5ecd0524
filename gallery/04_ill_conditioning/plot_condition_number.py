"""
Gradient descent on quadratics of condition number 1, 10 and 100
================================================================

On :math:`f(x, y) = \\tfrac12(\\lambda_{\\min} x^2 + \\lambda_{\\max} y^2)` a
gradient step of size :math:`\\eta` multiplies each coordinate by
:math:`1 - \\eta\\lambda`. No single step suits both curvatures: it must stay
below :math:`2/\\lambda_{\\max}` for the steep coordinate not to blow up, and
is then short for the flat one. The best compromise,
:math:`\\eta = 2/(\\lambda_{\\min} + \\lambda_{\\max})`, gives both coordinates
the same factor in absolute value,

.. math::
    |1 - \\eta\\lambda_{\\min}| = |1 - \\eta\\lambda_{\\max}|
      = \\frac{\\kappa - 1}{\\kappa + 1}, \\qquad
    \\kappa = \\frac{\\lambda_{\\max}}{\\lambda_{\\min}},

with the steep coordinate changing sign at every step: the zig-zag. The loss,
a weighted sum of squared coordinates, shrinks by the square of that factor.
We run :func:`d2lopt.optim.gradient_descent` with that step for the
condition numbers of the section's settings and compare the measured rates
with the formula.
"""

# %%
# Runs with the best fixed step
# -----------------------------
# The start point is given in the framework chosen by ``D2LOPT_BACKEND``,
# which then takes the gradients. The start, the condition numbers, the number
# of steps and the loss reduction counted are fields of
# :data:`d2lopt.chapter.ill_conditioning.SETTINGS`, printed first; to try
# others, replace the second line by e.g.
# ``settings = dataclasses.replace(ill_conditioning.SETTINGS, kappas=(1.0, 4.0, 16.0))``.
from d2lopt.chapter import ill_conditioning

settings = ill_conditioning.SETTINGS
print(settings)

import matplotlib.pyplot as plt
import numpy as np

import d2lopt
from d2lopt import plot
from d2lopt.chapter.ill_conditioning import gradient_descent_loss_rate, steps_to_reduce
from d2lopt.landscapes import quadratic
from d2lopt.optim import gradient_descent
from d2lopt.plot.numbers import format_number
from d2lopt.rates import fitted_rate, gradient_descent_rate, optimal_gradient_descent_lr

plot.use_style()
d2l = d2lopt.use()

start, kappas, reduction = list(settings.start), settings.kappas, settings.reduction
as_text = format_number(reduction, 1)
runs = {}
first_below = {}  # first step with loss below the reduction times its start
for kappa in kappas:
    bowl = quadratic(kappa)
    lr = optimal_gradient_descent_lr(*bowl.eigenvalues)
    run = gradient_descent(bowl, d2l.tensor(start), steps=settings.steps, lr=lr)
    positive = run.values[run.values > 0]
    measured = fitted_rate(positive) if positive.size > 2 else 0.0
    theory = gradient_descent_loss_rate(kappa)
    target = reduction * run.values[0]
    reached = int(np.flatnonzero(run.values <= target)[0])
    runs[kappa] = (bowl, lr, run)
    first_below[kappa] = reached
    print(f"kappa = {kappa:5g}: lr = {format_number(lr, 4)}, iterate factor "
          f"{format_number(gradient_descent_rate(1.0, kappa), 4)}, loss factor measured "
          f"{format_number(measured, 6)}, theory {format_number(theory, 6)}; loss below "
          f"{as_text} of its start after {reached} steps "
          f"(theory {steps_to_reduce(reduction, theory)})")

# %%
# Paths on the contour maps
# -------------------------
# The first 40 steps of each run. With :math:`\kappa = 1` the step
# :math:`\eta = 1/\lambda` lands on the minimum at once; with larger
# :math:`\kappa` the steep coordinate flips sign at every step while both
# coordinates shrink by the same slow factor. At :math:`\kappa = 100` the 40
# iterates are drawn as points (joined, their segments would fill a wedge),
# and the last panel joins the first ``zoom_steps`` of them to show the
# zig-zag.
zoom_steps = 8
fig, axes = plt.subplots(2, 2, figsize=(6.9, 7.4), layout="constrained")
panels = [(kappa, 40, kappa < kappas[-1]) for kappa in kappas] + [(kappas[-1], zoom_steps, True)]
shares = np.linspace(0.0, 1.0, 21)  # contour levels as shares of the largest loss in the window
for ax, (kappa, steps, joined) in zip(axes.flat, panels, strict=True):
    bowl, lr, run = runs[kappa]
    shown = d2l.to_numpy(run.points[: steps + 1])
    factor = gradient_descent_rate(1.0, kappa)
    zoom = steps == zoom_steps
    window = ((-0.95, -0.75), (-0.7, 0.7)) if zoom else ((-1.0, 1.0), (-1.0, 1.0))
    corner = [max(abs(a), abs(b)) for a, b in window]
    plot.contour(ax, bowl, levels=shares * float(bowl(np.array(corner))), num=151,
                 xlim=window[0], ylim=window[1])
    if ax.get_legend() is not None:
        ax.get_legend().remove()
    if zoom:
        title = f"κ = {kappa:g}, zoomed: its first {steps} steps"
    elif factor == 0:
        title = f"κ = {kappa:g}, η = {format_number(lr, 3)}:\nthe minimum in one step"
    else:
        title = (f"κ = {kappa:g}, η = {format_number(lr, 3)}:\n"
                 f"factor {format_number(factor, 3)} per step")
    ax.set_title(title, fontsize=10)
    ax.plot(shown[:, 0], shown[:, 1], color=plot.COLORS["vermillion"],
            linestyle="-" if joined else "none", linewidth=1.2, marker="o", markersize=3.5,
            markeredgecolor="white", markeredgewidth=0.4)
    ax.plot(*shown[0], **{**plot.MARKERS["start"], "color": plot.COLORS["orange"]})
    if not zoom:
        ax.set_aspect("equal")
fig.colorbar(plt.cm.ScalarMappable(norm=plt.Normalize(0.0, 1.0), cmap="viridis"), ax=axes,
             label="loss, as a share of its largest value in the panel", shrink=0.7)
kappa_list = ", ".join(f"{k:g}" for k in kappas[:-1]) + f" and {kappas[-1]:g}"
fig.suptitle("Gradient descent with the best fixed step on quadratics of condition\n"
             f"number {kappa_list}: the larger κ, the longer the zig-zag", fontsize=11)
plt.show()
# sphinx_gallery_thumbnail_number = 1

# %%
# Loss against iteration
# ----------------------
# The measured loss relative to its start (markers) against the prediction
# :math:`((\kappa-1)/(\kappa+1))^{2t}` (lines), on a logarithmic axis. For
# :math:`\kappa = 1` the loss is exactly zero after the first step, which a
# logarithmic axis cannot show.
fig, ax = plt.subplots(figsize=(6.9, 5.0))
t = np.arange(settings.steps + 1)
for kappa in kappas:
    bowl, lr, run = runs[kappa]
    relative = run.values / run.values[0]
    shown = relative > 0
    every = 10 if kappa == kappas[-1] else 1  # markers thinned on the longest run
    (dots,) = ax.semilogy(t[shown][::every], relative[shown][::every], "o", markersize=4,
                          label=f"measured, κ = {kappa:g}")
    if kappa > 1:
        ax.semilogy(t, gradient_descent_loss_rate(kappa) ** t, color=dots.get_color(),
                    label=f"theory, κ = {kappa:g}")
ax.set_ylim(1e-12, 3.0)
ax.set_xlabel("iteration $t$")
ax.set_ylabel(r"relative loss $f(x_t)/f(x_0)$")
ax.set_title(r"Gradient descent with $\eta = 2/(\lambda_{\min} + \lambda_{\max})$:"
             "\n" r"measured loss and $((\kappa-1)/(\kappa+1))^{2t}$", fontsize=11)
ax.legend(loc="upper right", fontsize=9)
plot.annotate_point(ax, "κ = 1: exactly 0\nafter one step", (0.0, 1.0), offset=(30.0, -40.0))
power = "10" + str(round(np.log10(reduction))).translate(str.maketrans("-0123456789",
                                                                      "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))
for kappa, offset in zip(kappas[1:], ((25.0, -35.0), (-40.0, 40.0)), strict=True):
    run, step = runs[kappa][2], first_below[kappa]
    plot.annotate_point(ax, f"κ = {kappa:g}: below {power} at t = {step}",
                        (step, run.values[step] / run.values[0]), offset=offset)
fig.tight_layout()
plt.show()

# %%
# Conclusions
# -----------
# The measured per-step factors of the loss match
# :math:`((\kappa-1)/(\kappa+1))^2` to many digits: with this step size both
# eigen-coordinates shrink by exactly :math:`(\kappa-1)/(\kappa+1)` in
# absolute value, so the worst-case rate is attained from *every* start point
# (other than the minimum). Reaching a millionth of the initial loss takes
# one step at :math:`\kappa = 1`, tens of steps at :math:`\kappa = 10` and
# hundreds at :math:`\kappa = 100`: the number of steps grows roughly in
# proportion to :math:`\kappa`. With any other fixed step the two coordinates
# shrink at different rates; the worst-case factor
# :math:`\max(|1-\eta\lambda_{\min}|, |1-\eta\lambda_{\max}|)` is then an upper
# bound, reached only by the coordinate that attains it, so the observed rate
# depends on the start point.
