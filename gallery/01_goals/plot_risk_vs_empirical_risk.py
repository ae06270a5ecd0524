"""
Risk and empirical risk have different minima
=============================================

An optimizer minimizes the loss it is given: the average over the training
set, the *empirical risk*. What we want small is the *risk*, the expected loss
on data we have not seen. The two are different functions of the parameters,
so their minimizers differ. We draw a one-dimensional caricature, the risk
:math:`f(x) = x\\cos(\\pi x)` and an empirical risk :math:`g(x) = f(x) +
0.2\\cos(5\\pi x)` whose extra wiggle stands in for the quirks of a finite
sample, find both minima on the interval of the section's settings by root
finding, and measure what minimizing the wrong function costs.
"""

# %%
# The two minima, found numerically
# ---------------------------------
# :func:`d2lopt.chapter.goals.lowest_minimum_in` brackets the sign changes of the
# derivative and refines each root with Brent's method; it keeps the interior
# minimum with the lowest value. The derivative at each minimizer is then
# checked with :func:`d2lopt.grad` in the framework chosen by
# ``D2LOPT_BACKEND``. The interval is a field of
# :data:`d2lopt.chapter.goals.SETTINGS`, printed first; to try another, replace
# the second line by e.g. ``settings = dataclasses.replace(goals.SETTINGS,
# interval=(0.4, 1.6))``.
from d2lopt.chapter import goals

settings = goals.SETTINGS
print(settings)

import matplotlib.pyplot as plt
import numpy as np

import d2lopt
from d2lopt import plot
from d2lopt.chapter.goals import lowest_minimum_in
from d2lopt.landscapes import empirical_risk, risk
from d2lopt.plot.numbers import format_number

plot.use_style()
d2l = d2lopt.use()

interval = settings.interval
x_risk, f_min = lowest_minimum_in(risk, interval)
x_emp, g_min = lowest_minimum_in(empirical_risk, interval)
for name, landscape, x_star in (("risk", risk, x_risk), ("empirical risk", empirical_risk, x_emp)):
    slope = float(d2l.to_numpy(d2lopt.grad(landscape)(d2l.tensor(x_star))))
    print(f"{name:15s} minimum at x = {format_number(x_star, 4)}, "
          f"value {format_number(landscape(x_star), 4)}, "
          f"derivative there {format_number(slope, 1)} ({d2l.backend.name})")

excess = float(risk(x_emp)) - f_min
print(f"risk at the empirical minimizer: {format_number(risk(x_emp), 4)} "
      f"(excess risk {format_number(excess, 3)} above the best possible "
      f"{format_number(f_min, 4)})")

# %%
# The figure
# ----------
# Each minimum is annotated where it was computed; the square marks the risk
# of the parameter that minimizes the empirical risk.
x = np.linspace(*interval, 501)
fig, ax = plt.subplots(figsize=(6.9, 4.6))
ax.plot(x, risk(x), label=r"risk $f(x) = x\cos(\pi x)$")
ax.plot(x, empirical_risk(x), label=r"empirical risk $g(x) = f(x) + 0.2\cos(5\pi x)$")
ax.plot([x_emp], [float(risk(x_emp))], linestyle="none", marker="s", markersize=7,
        color=plot.COLORS["bluish green"], markeredgecolor="black",
        label=f"risk at the empirical minimizer ({format_number(excess, 3, sign=True)} "
              "above its minimum)")
ax.set_xlim(*interval)
top = max(float(np.max(risk(x))), float(np.max(empirical_risk(x))))
ax.set_ylim(g_min - 0.3, top + 0.35)  # room below the minima for a label, above for the legend
ax.set_xlabel("parameter $x$")
ax.set_ylabel("loss")
ax.set_title(f"Risk and empirical risk on [{interval[0]:g}, {interval[1]:g}]: "
             "their minima differ", fontsize=11)
ax.legend(loc="upper left")
# Labels go left of the left minimum and right of the right one.
left, right = sorted([(x_emp, g_min), (x_risk, f_min)])
for (x_star, value), offset in ((left, (-60.0, -6.0)), (right, (40.0, 30.0))):
    is_emp = x_star == x_emp
    text = f"min of {'empirical risk' if is_emp else 'risk'}\nx = {x_star:.3f}"
    plot.annotate_point(ax, text, (x_star, value), offset=offset,
                        color=plot.COLORS["vermillion" if is_emp else "blue"])
fig.tight_layout()
plt.show()

# %%
# Conclusions
# -----------
# The empirical risk is lowest at a different parameter from the risk, and at
# its minimizer the risk is above its own minimum by the excess printed
# above. Driving the training loss all the way down is therefore not the goal
# in itself: past some point, a lower training loss can buy a higher risk.
# This is why deep learning watches a held-out estimate of the risk (a
# validation loss) and uses regularization and early stopping, while the
# optimizer only ever sees the empirical risk.
