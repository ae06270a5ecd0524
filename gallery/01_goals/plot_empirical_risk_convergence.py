"""
The empirical risk approaches the risk like one over root n
===========================================================

The empirical risk is an average of :math:`n` losses, so for independent
examples it is an unbiased estimate of the risk whose standard deviation
falls like :math:`1/\\sqrt n`. To see this with nothing hidden we need a model
whose risk is known exactly: predict a constant :math:`c` for a target
:math:`Y \\sim \\mathcal N(\\mu, \\sigma^2)` under the squared loss. Then

.. math::
    R(c) = \\mathbb E(Y - c)^2 = \\sigma^2 + (c - \\mu)^2, \\qquad
    \\operatorname{sd}\\bigl(\\hat R_n(c)\\bigr)
      = \\frac{\\sqrt{2\\sigma^4 + 4\\sigma^2 (c-\\mu)^2}}{\\sqrt n} .

We draw many samples of each size, measure the spread of the empirical risk,
and fit its slope on log-log axes.
"""

# %%
# Sampling the empirical risk
# ---------------------------
# For each size :math:`n` in ``settings.sizes`` we draw ``settings.repeats``
# independent samples and compute :math:`\hat R_n(c) = \frac1n \sum_i (y_i - c)^2`
# on each (:func:`d2lopt.chapter.goals.empirical_risk_convergence`). Every value
# used is a field of :data:`d2lopt.chapter.goals.SETTINGS`, printed first; to try
# another, replace the second line by e.g.
# ``settings = dataclasses.replace(goals.SETTINGS, repeats=500)``.
from d2lopt.chapter import goals

settings = goals.SETTINGS
print(settings)

import matplotlib.pyplot as plt
import numpy as np
from scipy.optimize import minimize_scalar

from d2lopt import plot
from d2lopt.chapter.goals import (
    constant_predictor_risk,
    empirical_risk_convergence,
    squared_loss_std,
)
from d2lopt.plot.numbers import format_number

plot.use_style()

mean, std, c = settings.mean, settings.std, settings.c
sizes = np.asarray(settings.sizes)
run = empirical_risk_convergence(c, mean, std, sizes, repeats=settings.repeats,
                                 seed=settings.seed)
print(f"risk R(c) = {format_number(run.risk, 4)}; "
      f"sd of one loss = {format_number(squared_loss_std(c, mean, std), 4)}")
for n, m, s, p in zip(run.sizes, run.means, run.stds, run.predicted_stds, strict=True):
    print(f"n = {n:5d}: mean {format_number(m, 4)}, sd {format_number(s, 3)} "
          f"(closed form {format_number(p, 3)})")
print(f"fitted slope of log sd against log n: {format_number(run.slope, 3)} "
      f"(theory {format_number(-0.5, 1)})")

# %%
# The figure
# ----------
# Top: a cloud of empirical risks at every size around the risk, with the
# band of one measured standard deviation. Bottom: the standard deviation on
# log-log axes, measured and in closed form; a slope of :math:`-1/2` is the
# :math:`1/\sqrt n` law.
fig, (left, right) = plt.subplots(2, 1, figsize=(6.9, 8.2))
shown = run.samples[:, :40]
jitter = np.exp(np.random.default_rng(1).uniform(-0.12, 0.12, size=shown.shape))
left.scatter(np.repeat(sizes, shown.shape[1]) * jitter.ravel(), shown.ravel(), s=5, alpha=0.35,
             color=plot.COLORS["sky blue"], label="empirical risk of one sample (40 per size)")
left.fill_between(sizes, run.means - run.stds, run.means + run.stds, alpha=0.25,
                  color=plot.COLORS["blue"],
                  label=f"mean ± one standard deviation ({settings.repeats} samples)")
left.plot(sizes, run.means, color=plot.COLORS["blue"], marker="o", markersize=4)
left.axhline(run.risk, color=plot.COLORS["black"], linestyle="--",
             label=rf"risk $R(c) = \sigma^2 + (c-\mu)^2 = {run.risk:g}$")
left.set_xscale("log", base=2)
left.set_ylim(0, float(np.quantile(shown, 0.99)))
left.set_xlabel("sample size $n$")
left.set_ylabel(r"empirical risk $\hat R_n(c)$")
left.set_title("Empirical risk around the risk", fontsize=11)
left.legend(loc="upper right", fontsize=9)

right.loglog(sizes, run.stds, "o", label=f"measured ({settings.repeats} samples per size)")
right.loglog(sizes, run.predicted_stds, "-",
             label=r"closed form $\sqrt{2\sigma^4 + 4\sigma^2(c-\mu)^2}\,/\sqrt{n}$")
right.set_xscale("log", base=2)
right.set_xlabel("sample size $n$")
right.set_ylabel(r"standard deviation of $\hat R_n(c)$")
right.set_title(f"Spread shrinks like n to the power {format_number(run.slope, 3)} (fitted)",
                fontsize=11)
right.legend(loc="lower left", fontsize=9)
middle = len(sizes) // 2
plot.annotate_point(right, f"fitted slope {format_number(run.slope, 3)}\n(theory −0.5)",
                    (sizes[middle], run.stds[middle]))
fig.suptitle(rf"Constant prediction $c = {c:g}$ for $Y \sim N({mean:g}, {std:g}^2)$, squared loss:"
             "\n" r"the empirical risk converges to the risk with spread $\propto 1/\sqrt{n}$",
             fontsize=11)
fig.tight_layout()
plt.show()
# sphinx_gallery_thumbnail_number = 1

# %%
# Minimizing the empirical risk
# -----------------------------
# The empirical risk is itself a function of :math:`c`, a parabola whose
# minimizer is the sample mean :math:`\bar y`; the risk is minimized at
# :math:`\mu`. We draw both for one sample of each size in
# ``settings.minimizer_sizes`` and check the minimizer numerically against
# :math:`\bar y`.
rng = np.random.default_rng(settings.minimizer_seed)
grid = np.linspace(mean - 2.0, mean + 2.0, 401)
fig, ax = plt.subplots(figsize=(6.9, 4.6))
ax.plot(grid, constant_predictor_risk(grid, mean, std), color=plot.COLORS["black"],
        label=r"risk $R(c)$, minimized at $c = \mu$")
minimizers = {}
for n, colour in zip(settings.minimizer_sizes, ("vermillion", "orange", "bluish green"),
                     strict=True):
    y = rng.normal(mean, std, size=n)
    empirical = ((y[:, None] - grid[None, :]) ** 2).mean(axis=0)
    best = minimize_scalar(lambda t, y=y: float(np.mean((y - t) ** 2)))
    minimizers[n] = best.x
    print(f"n = {n:3d}: empirical minimizer {format_number(best.x, 5)}, "
          f"sample mean {format_number(y.mean(), 5)}")
    ax.plot(grid, empirical, color=plot.COLORS[colour], label=rf"$\hat R_{{{n}}}(c)$")
    ax.plot([best.x], [best.fun], "o", color=plot.COLORS[colour], markeredgecolor="black")
ax.set_xlabel("constant prediction $c$")
ax.set_ylabel("loss")
ax.set_title(f"Empirical risks of {len(settings.minimizer_sizes)} samples and the risk:\n"
             "minimizers scatter around μ", fontsize=11)
ax.legend(loc="upper center")
ax.set_ylim(0, float(constant_predictor_risk(grid[0], mean, std)) * 1.15)
plot.annotate_point(ax, f"risk minimum\nc = μ = {mean:g}", (mean, std**2))
fig.tight_layout()
plt.show()

# %%
# Conclusions
# -----------
# The cloud of empirical risks is centred on the risk at every size (the
# estimate is unbiased), and its spread falls with a fitted slope within a
# few hundredths of :math:`-1/2`, on top of the closed-form line. Halving the
# error of the estimate takes four times as many examples. Two assumptions
# carry the law: the examples are independent, and the parameter :math:`c`
# is fixed *before* the sample is drawn. The minimizer of the empirical risk
# is chosen *after* seeing the sample, so its empirical risk is biased low:
# the training loss at the trained parameters is an optimistic estimate of
# their risk, which is why the risk must be estimated on data the optimizer
# never saw.
