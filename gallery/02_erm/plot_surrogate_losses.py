"""
The 0–1 loss and its surrogates
===============================

A classifier with labels :math:`y \\in \\{-1, +1\\}` and a real-valued score
:math:`f(x)` is right when the *margin* :math:`m = y f(x)` is positive. The
loss we care about counts mistakes, the 0–1 loss :math:`[m \\le 0]`, but it is
useless to a gradient method: it is flat on both sides of its jump, so its
derivative is zero wherever it exists. Training minimizes a *surrogate*
instead. We draw the usual ones as functions of the margin, differentiate all
of them with the framework chosen by ``D2LOPT_BACKEND``, and check that each
surrogate lies on or above the 0–1 loss everywhere.
"""

# %%
# Derivatives by automatic differentiation
# ----------------------------------------
# :func:`d2lopt.derivatives.elementwise_grad` differentiates a margin loss at every
# margin of a grid at once. Every value used is a field of :data:`d2lopt.chapter.erm.SETTINGS`,
# printed first; to try another, replace the second line by e.g.
# ``settings = dataclasses.replace(erm.SETTINGS, grid_points=501)``.
from d2lopt.chapter import erm

settings = erm.SETTINGS
print(settings)

import matplotlib.pyplot as plt
import numpy as np

import d2lopt
from d2lopt import plot
from d2lopt.chapter.erm import SURROGATES, zero_one_loss
from d2lopt.derivatives import elementwise_grad
from d2lopt.plot.numbers import format_number

plot.use_style()
d2l = d2lopt.use()

m = np.linspace(*settings.grid_limits, settings.grid_points)
margins = d2l.tensor(m)
zero_one = d2l.to_numpy(zero_one_loss(margins))
values, slopes = {}, {}
for name, loss in SURROGATES.items():
    values[name] = d2l.to_numpy(loss(margins))
    slopes[name] = d2l.to_numpy(elementwise_grad(loss)(margins))
    gap = values[name] - zero_one
    others = m[(gap == 0) & (m != 0)]  # where the bound is tight besides m = 0
    tight = ("at m = 0 only" if others.size == 0 else
             f"at m = 0 and at {others.size} grid point(s) from m = "
             f"{format_number(others.min(), trim=True)} to "
             f"{format_number(others.max(), trim=True)}")
    print(f"{name:11s}: min of surrogate − (0–1 loss) over the grid = "
          f"{format_number(gap.min())}, reached {tight}; derivative at m = 0: "
          f"{format_number(slopes[name][np.argmin(np.abs(m))], 4)} ({d2l.backend.name})")

# %%
# The figure
# ----------
# Top, the losses; bottom, their derivatives. The logistic loss is
# :math:`\log_2(1 + e^{-m})`, the negative log-likelihood of logistic
# regression divided by :math:`\log 2` so that, like the others, it passes
# through :math:`(0, 1)`.
labels = {
    "logistic": r"logistic $\log_2(1 + e^{-m})$",
    "hinge": r"hinge $\max(0, 1 - m)$",
    "squared": r"squared $(1 - m)^2$",
    "exponential": r"exponential $e^{-m}$",
}
fig, (left, right) = plt.subplots(2, 1, figsize=(6.9, 8.4))
jump = np.flatnonzero(np.diff(zero_one)) + 1  # break the line at the jump instead of joining it
left.plot(np.insert(m, jump, np.nan), np.insert(zero_one, jump, np.nan),
          color=plot.COLORS["black"], linewidth=2.5, label=r"0–1 loss $[m \leq 0]$")
right.plot(m, d2l.to_numpy(elementwise_grad(zero_one_loss)(margins)), color=plot.COLORS["black"],
           linewidth=2.5, label="0–1 loss (zero everywhere)")
for name in SURROGATES:
    left.plot(m, values[name], label=labels[name])
    right.plot(m, slopes[name], label=labels[name].split(" ")[0])
left.set(ylim=(-0.1, 4.0), ylabel="loss")
left.set_title("Surrogates lie on or above the 0–1 loss", fontsize=11)
right.set(ylim=(-4.0, 2.5), ylabel=r"derivative $\ell'(m)$ (autodiff)")
right.set_title("Only the surrogates give a gradient", fontsize=11)
for ax, corner in ((left, "upper right"), (right, "lower right")):
    ax.set_xlabel("margin $m = y\\,f(x)$")
    ax.legend(loc=corner, fontsize=9)
plot.annotate_point(left, "every loss is 1 at m = 0", (0.0, float(zero_one[np.argmin(np.abs(m))])),
                    offset=(-30.0, -40.0))
fig.suptitle("The 0–1 loss and four surrogate losses as functions of the margin,\n"
             "with their derivatives", fontsize=11)
fig.tight_layout()
plt.show()

# %%
# Conclusions
# -----------
# Every surrogate is at least the 0–1 loss at every margin, so driving a
# surrogate's average down also bounds the training error from above; all
# four touch the 0–1 loss at :math:`m = 0`, the hinge also at every
# :math:`m \ge 1` and the squared loss at :math:`m = 1`. Their derivatives
# differ in what they ask of the model. The hinge stops pushing once an example is right by
# a margin of 1; the logistic and exponential losses keep rewarding larger
# margins forever, the exponential one with a derivative that explodes on
# badly misclassified points (it is fragile to label noise); the squared loss
# *penalizes* examples that are right by more than 1, which is why it is a
# poor surrogate for classification. The 0–1 loss, flat on both sides, has
# derivative zero wherever it has one: no gradient method can learn from it
# directly.
