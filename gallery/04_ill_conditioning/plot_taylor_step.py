"""
How far should one gradient step go?
====================================

Near a point :math:`x` with gradient :math:`g` and Hessian :math:`H`, the
second-order Taylor expansion predicts the change of the loss after a
gradient step of size :math:`\\varepsilon`:

.. math::
    f(x - \\varepsilon g) - f(x) \\approx -\\varepsilon\\, g^\\top g
        + \\tfrac12 \\varepsilon^2\\, g^\\top H g .

The first term is the gain promised by the slope; the second is the toll
charged by the curvature along the gradient. The model is lowest at
:math:`\\varepsilon^\\star = g^\\top g / g^\\top H g`, and past
:math:`2\\varepsilon^\\star` the toll exceeds the gain: the step makes the loss
*larger*. We compute both numbers by automatic differentiation on an
ill-conditioned quadratic, where the expansion is exact, and on Rosenbrock's
function, where it is only a local model.
"""

# %%
# The two terms, by automatic differentiation
# -------------------------------------------
# :func:`d2lopt.chapter.ill_conditioning.taylor_step` computes :math:`g^\top g` from the
# gradient and :math:`g^\top H g` from one Hessian-vector product, in the
# framework chosen by ``D2LOPT_BACKEND``. The true change
# :math:`f(x - \varepsilon g) - f(x)` is evaluated directly
# (:func:`d2lopt.chapter.ill_conditioning.step_changes`) and its minimizer found by a
# bounded line search (:func:`d2lopt.chapter.ill_conditioning.line_search`). The
# two points, the condition number and the tolerance of the search are fields of
# :data:`d2lopt.chapter.ill_conditioning.SETTINGS`, printed first; to try others,
# replace the second line by e.g.
# ``settings = dataclasses.replace(ill_conditioning.SETTINGS, taylor_kappa=4.0)``.
from d2lopt.chapter import ill_conditioning

settings = ill_conditioning.SETTINGS
print(settings)

import matplotlib.pyplot as plt
import numpy as np

import d2lopt
from d2lopt import plot
from d2lopt.chapter.ill_conditioning import line_search, step_changes, taylor_step
from d2lopt.landscapes import quadratic, rosenbrock
from d2lopt.plot.numbers import format_number

plot.use_style()
d2l = d2lopt.use()

cases = {
    "quadratic": (quadratic(settings.taylor_kappa), np.array(settings.taylor_point)),
    "Rosenbrock": (rosenbrock, np.array(settings.rosenbrock_point)),
}
results = {}
for name, (f, x0) in cases.items():
    step = taylor_step(f, d2l.tensor(x0))
    search = line_search(f, x0, step.break_even_step, xatol=settings.line_search_xatol)
    results[name] = (step, search)
    point = ", ".join(format_number(v, trim=True) for v in x0)
    print(f"{name:10s} at ({point}): g'g = {format_number(step.g_dot_g, 4)}, "
          f"g'Hg = {format_number(step.g_H_g, 4)}, best step {format_number(step.best_step, 4)} "
          f"(line search on the true f: {format_number(search[0], 4)}), "
          f"loss rises past {format_number(step.break_even_step, 4)} ({d2l.backend.name})")

# %%
# The figure
# ----------
# The first-order gain, the second-order toll, their sum (the Taylor model)
# and the true change, against the step size. The best step and the step
# where the change turns positive are marked where they were computed.
fig, axes = plt.subplots(2, 1, figsize=(6.9, 8.6))
for ax, (name, (f, x0)) in zip(axes, cases.items(), strict=True):
    step, search = results[name]
    eps = np.linspace(0.0, 1.3 * step.break_even_step, 301)
    ax.plot(eps, step.first_order_change(eps), ":", label=r"gain $-\varepsilon\, g^\top g$")
    ax.plot(eps, 0.5 * eps**2 * step.g_H_g, "-.",
            label=r"toll $\frac{1}{2}\varepsilon^2 g^\top H g$")
    ax.plot(eps, step.predicted_change(eps), "-", label="Taylor model (sum)")
    ax.plot(eps, step_changes(f, x0, eps), "--", color=plot.COLORS["black"],
            label=r"true $f(x - \varepsilon g) - f(x)$")
    ax.axhline(0.0, color="grey", linewidth=0.8)
    best_x, best_change = search
    deepest = min(step.best_change, best_change)
    ax.set_ylim(1.6 * deepest, -1.2 * deepest)
    ax.set_xlim(0.0, eps[-1])
    ax.set_xlabel(r"step size $\varepsilon$")
    ax.set_ylabel("change of the loss")
    ax.ticklabel_format(axis="both", style="sci", scilimits=(-3, 4), useMathText=True)
    plot.annotate_point(ax, f"best step ε* = {format_number(step.best_step)}",
                        (step.best_step, step.best_change), offset=(-15.0, -30.0),
                        color=plot.COLORS["blue"])
    plot.annotate_point(ax, f"loss rises past\n2ε* = {format_number(step.break_even_step)}",
                        (step.break_even_step, 0.0), offset=(-40.0, 30.0),
                        color=plot.COLORS["vermillion"])
    if name == "Rosenbrock":
        plot.annotate_point(ax, f"true best step {format_number(best_x)}", (best_x, best_change),
                            offset=(25.0, -30.0), color=plot.COLORS["black"])
bowl, x_bowl = cases["quadratic"]
x_banana = cases["Rosenbrock"][1]
axes[0].set_title(f"Quadratic, κ = {bowl.condition_number:g}, at ({x_bowl[0]:g}, {x_bowl[1]:g}): "
                  "the model is exact", fontsize=11)
axes[1].set_title(f"Rosenbrock at ({format_number(x_banana[0], trim=True)}, "
                  f"{format_number(x_banana[1], trim=True)}): the model is local", fontsize=11)
fig.suptitle("Change of the loss after one gradient step against the step size:\n"
             "the second-order Taylor model and the truth", fontsize=11)
handles, labels = axes[0].get_legend_handles_labels()
fig.legend(handles, labels, loc="lower center", ncol=2, fontsize=10)
fig.tight_layout(rect=(0.0, 0.09, 1.0, 1.0))
plt.show()

# %%
# Conclusions
# -----------
# On the quadratic the Taylor model and the true change are the same curve:
# a quadratic *is* its second-order expansion, so :math:`\varepsilon^\star`
# is exactly the best step along the gradient (the line search agrees to its
# tolerance). On Rosenbrock's function the model is only a local
# approximation: the true change departs from it as the step grows, and the
# true best step differs from :math:`\varepsilon^\star` by the amount printed
# above. In both cases the usable step is bounded by the curvature along the
# gradient, :math:`g^\top H g / g^\top g`, which for an ill-conditioned
# Hessian is dominated by the steepest directions; the flat directions then
# advance only by :math:`\varepsilon` times their small gradient.
