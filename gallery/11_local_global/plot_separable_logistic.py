"""
Logistic loss on separable data: a minimum at infinity
======================================================

The cross-entropy (logistic) loss of a linear classifier,
:math:`L(w) = \\frac1n\\sum_i \\log(1 + e^{-y_i x_i^\\top w})`, is positive for
every :math:`w`. If the data are linearly separable, scaling up any separating
:math:`w` drives it towards 0, so the infimum 0 is approached but never
attained and there is no minimizer. Gradient descent keeps going: the loss
decays like :math:`1/t`, the weights grow without bound like :math:`\\log t`,
and their direction slowly turns towards the maximum-margin separator
:cite:p:`soudry2018implicit`. This is the "wrong side of the mountain" in its most
common form.
"""

# %%
# Data, the max-margin direction, and a check of the gradient
# -----------------------------------------------------------
# Points in two classes, separable through the origin (seeded). The
# hard-margin SVM direction :math:`\hat w` (minimal norm with
# :math:`y_i x_i^\top \hat w \ge 1`) is found with SciPy; its norm is
# :math:`1/\gamma` for the margin :math:`\gamma`. Gradient descent runs in
# NumPy with the closed-form gradient, which we first compare with
# ``d2lopt.grad`` in the framework chosen by ``D2LOPT_BACKEND``. The number of
# points, the seed, the number of steps and the probe point are fields of
# ``d2lopt.chapter.local_global.SETTINGS``, printed first; to try another,
# replace a field, e.g.
# ``settings = dataclasses.replace(local_global.SETTINGS, logistic_steps=30_000)``.
from d2lopt.chapter import local_global

settings = local_global.SETTINGS
print(settings)

import matplotlib.pyplot as plt
import numpy as np

import d2lopt
from d2lopt import plot
from d2lopt.plot.numbers import format_number
from d2lopt.rates import log_slope

plot.use_style()
d2l = d2lopt.use()

X, y = local_global.separable_data(settings.n_points, seed=settings.seed)
w_hat = local_global.max_margin(X, y)
probe = np.array(settings.probe)
autodiff = d2l.to_numpy(
    d2lopt.grad(lambda w: local_global.logistic_risk(w, X, y))(d2l.tensor(probe)))
closed_form = local_global.logistic_gradient(probe, X, y)
print(f"backend {d2l.backend.name}: |autodiff - closed-form gradient| = "
      f"{format_number(np.max(np.abs(autodiff - closed_form)), 2)}")
print(f"max-margin direction {np.round(w_hat, 4)}, ||w_hat|| = {np.linalg.norm(w_hat):.4f}")

# %%
# Gradient descent for ``logistic_steps`` steps
# ---------------------------------------------
# The step is :math:`\eta = 1/\beta`, with :math:`\beta = \sigma_{\max}(X)^2/(4n)`
# the smoothness constant of :math:`L` (any :math:`\eta < 2/\beta` works).
steps = settings.logistic_steps
lr = 1.0 / local_global.logistic_smoothness(X)
record = np.unique(np.geomspace(1, steps, settings.records).astype(int))
t, weights, losses = local_global.logistic_gradient_descent(X, y, lr=lr, steps=steps,
                                                            record=record)
norms = np.linalg.norm(weights, axis=1)
cosine = weights @ w_hat / (norms * np.linalg.norm(w_hat))
late = t >= steps // 10
norm_slope = np.polyfit(np.log(t[late]), norms[late], 1)[0]
loss_slope = log_slope(t[late], losses[late], log_x=True)
print(f"η = {format_number(lr, 5)}; over the last decade: d||w||/d log t = "
      f"{format_number(norm_slope)} (||w_hat|| = {format_number(np.linalg.norm(w_hat), 4)}), "
      f"loss ~ t^{format_number(loss_slope)}")
print(f"final loss {format_number(losses[-1], 4)} > 0, ||w|| = {format_number(norms[-1], 4)}, "
      f"cos(w, w_hat) = {format_number(cosine[-1], 5)}")

# %%
# The figure
# ----------
fig, axes = plt.subplots(3, 1, figsize=(6.9, 12.6), height_ratios=[1.5, 1, 1],
                         layout="constrained")
ax = axes[0]
for label, sign, marker in (("class +1", 1.0, "o"), ("class −1", -1.0, "s")):
    ax.plot(*X[y == sign].T, marker=marker, linestyle="none", label=label)
limit = 1.1 * np.abs(X).max()
line = np.linspace(-limit, limit, 2)
for k in (np.searchsorted(t, 10), len(t) - 1):
    w = weights[k]
    ax.plot(line, -w[0] / w[1] * line, linewidth=1.2, label=f"GD boundary, t = {t[k]:,}")
ax.plot(line, -w_hat[0] / w_hat[1] * line, color="black", linestyle="--", linewidth=1.2,
        label="max-margin boundary")
ax.set_xlim(-limit, limit)
ax.set_ylim(-limit, limit)
ax.set_xlabel("$x_1$")
ax.set_ylabel("$x_2$")
ax.set_title("Separable data and decision boundaries")
ax.set_aspect("equal")
ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, fontsize=9)

ax = axes[1]
ax.loglog(t, losses, label="logistic loss $L(w_t)$")
ax.loglog(t[late], losses[-1] * (t[late] / t[-1]) ** -1.0, linestyle="--",
          label=r"slope $-1$ reference")
ax.set_xlabel("iteration $t$")
ax.set_ylabel("loss $L(w_t)$ (never 0)")
ax.set_title("The loss decays like 1/t")
ax.legend(loc="lower left")

ax = axes[2]
ax.semilogx(t, norms, label=r"$\|w_t\|$")
ax.semilogx(t[late], norms[-1] + np.linalg.norm(w_hat) * np.log(t[late] / t[-1]),
            linestyle="--", label=r"slope $\|\hat w\|$ (max margin)")
ax.set_xlabel("iteration $t$")
ax.set_ylabel(r"weight norm $\|w_t\|$")
ax.set_title(r"The weights grow like $\log t$")
ax.legend(loc="upper left")
fig.suptitle("Gradient descent on the logistic loss of separable data:\n"
             "the loss never reaches 0 and the weight norm grows without bound", fontsize=11)
plt.show()

# %%
# Conclusions
# -----------
# The loss keeps falling, with a slope close to :math:`-1` on the log-log plot,
# and never reaches 0; the weight norm climbs like :math:`\log t`, its slope
# approaching :math:`\|\hat w\|` from below as :math:`t` grows (the correction
# terms die out only like :math:`1/\log t`); the direction converges to the
# max-margin separator just as slowly. Optimization here has no end point:
# what we get depends on when we stop, and the "solution" is a direction, not
# a point. This is harmless for classification (the decision boundary
# converges) but matters for anything that reads the weights' size, such as
# the confidence of the predictions.
