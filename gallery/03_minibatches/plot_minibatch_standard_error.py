"""
The standard error of a minibatch gradient
==========================================

The gradient of the training loss is an average over all :math:`N` examples;
a minibatch gradient averages only :math:`n` of them. How much accuracy does
that cost? If the :math:`n` examples are independent draws, the minibatch
mean has standard deviation :math:`\\sigma/\\sqrt n`, where :math:`\\sigma` is
the spread of the per-example gradients. If they are :math:`n` *distinct*
examples of the :math:`N` (as in one pass over a shuffled data set) the error
is smaller by the finite-population correction
:math:`\\sqrt{(N - n)/(N - 1)}`. We measure both on the per-example gradients
of a linear regression and compare them with the formulas.
"""

# %%
# Per-example gradients
# ---------------------
# A linear model :math:`w_1 x + w_0` with squared error on :math:`N` synthetic
# examples :math:`y = a x + b + \text{noise}\cdot z`
# (:func:`d2lopt.chapter.minibatches.linear_regression_data`), evaluated at
# weights far from the fit (early in training). :math:`N`, :math:`a`, :math:`b`,
# the noise, the weights and every other value used are fields of
# :data:`d2lopt.chapter.minibatches.SETTINGS`, printed first; to try another,
# replace the second line by e.g.
# ``settings = dataclasses.replace(minibatches.SETTINGS, repeats=500)``.
# :func:`d2lopt.chapter.minibatches.linear_regression_gradients` gives one gradient per
# example; their mean must be the full-batch gradient, which we check with
# :func:`d2lopt.grad` in the framework chosen by ``D2LOPT_BACKEND``.
from d2lopt.chapter import minibatches

settings = minibatches.SETTINGS
print(settings)

import matplotlib.pyplot as plt
import numpy as np

import d2lopt
from d2lopt import plot
from d2lopt.chapter.minibatches import (
    linear_regression_data,
    linear_regression_gradients,
    minibatch_mean_stds,
    samples_for_error_reduction,
)
from d2lopt.plot.numbers import format_number
from d2lopt.rates import log_slope, standard_error

plot.use_style()
d2l = d2lopt.use()

N = settings.examples
features, y = linear_regression_data(N, slope=settings.data_slope,
                                     intercept=settings.data_intercept, noise=settings.data_noise,
                                     seed=settings.data_seed)
w = np.array(settings.weights)
per_example = linear_regression_gradients(features, y, w)

X, Y = d2l.tensor(features), d2l.tensor(y)


def full_batch_loss(weights):
    residual = X[:, 0] * weights[0] + X[:, 1] * weights[1] - Y
    return d2l.sum(0.5 * residual**2) / N


autodiff = d2l.to_numpy(d2lopt.grad(full_batch_loss)(d2l.tensor(w)))
print("full-batch gradient (slope, intercept): "
      + ", ".join(format_number(v, 4) for v in autodiff)
      + f" by autodiff ({d2l.backend.name}), the mean of the per-example gradients")
assert np.allclose(autodiff, per_example.mean(axis=0))

slope_gradients = per_example[:, 0]  # the gradient with respect to the slope w_1
sigma = float(slope_gradients.std())  # population standard deviation (ddof=0)
print(f"sigma of the per-example gradients: {format_number(sigma, 4)}")

# %%
# Measured spread against the formulas
# -------------------------------------
# For each size of ``settings.sizes`` (up to half the data set) we draw
# ``settings.repeats`` minibatches, with replacement and without, and measure
# the standard deviation of their mean around the full-batch gradient.
sizes = np.asarray(settings.sizes)
with_replacement = minibatch_mean_stds(slope_gradients, sizes, repeats=settings.repeats,
                                       replace=True, seed=settings.seed_with_replacement)
without_replacement = minibatch_mean_stds(slope_gradients, sizes, repeats=settings.repeats,
                                          replace=False, seed=settings.seed_without_replacement)
iid = standard_error(sigma, sizes)
finite = standard_error(sigma, sizes, population=N)
slope = log_slope(sizes, with_replacement, log_x=True)
for n, a, b, c, d in zip(sizes, with_replacement, iid, without_replacement, finite, strict=True):
    print(f"n = {n:4d}: with replacement {format_number(a, 3)} (σ/√n {format_number(b, 3)}); "
          f"without {format_number(c, 3)} (corrected {format_number(d, 3)})")
factor = settings.error_factor
print(f"fitted slope (with replacement): {format_number(slope, 3)}; "
      f"{format_number(samples_for_error_reduction(factor), trim=True)} times the examples for "
      f"{factor:g} times less error")

# %%
# The figure
# ----------
fig, ax = plt.subplots(figsize=(6.9, 5.0))
ax.loglog(sizes, iid, "-", label=r"$\sigma/\sqrt{n}$ (independent draws)")
ax.loglog(sizes, finite, "--", label=r"$\frac{\sigma}{\sqrt{n}}\sqrt{\frac{N-n}{N-1}}$ "
          "(distinct examples)")
ax.loglog(sizes, with_replacement, "o", color=plot.COLORS["blue"],
          label="measured, with replacement")
ax.loglog(sizes, without_replacement, "s", color=plot.COLORS["vermillion"], markersize=5,
          label="measured, without replacement")
ax.set_xscale("log", base=2)
ax.set_ylim(without_replacement.min() / 3, iid.max() * 1.5)  # room for the labels below
ax.set_xlabel("minibatch size $n$")
ax.set_ylabel("standard deviation of the minibatch gradient")
ax.set_title(f"Minibatch gradient error against batch size (N = {N} examples):\n"
             f"fitted slope {format_number(slope, 3)}", fontsize=11)
ax.legend(loc="lower left", fontsize=9.5)
n_small = 4  # where the annotation starts on the line
n_large = n_small * int(samples_for_error_reduction(factor))
ratio = standard_error(sigma, n_small) / standard_error(sigma, n_large)
plot.annotate_point(ax, f"n = {n_small}", (n_small, standard_error(sigma, n_small)),
                    offset=(25.0, 20.0))
plot.annotate_point(ax, f"n = {n_large}: {n_large // n_small} × the examples,\n"
                        f"{ratio:.0f} × less error", (n_large, standard_error(sigma, n_large)),
                    offset=(-20.0, -30.0))
fig.tight_layout()
plt.show()

# %%
# Conclusions
# -----------
# With replacement the measured spread lies on :math:`\sigma/\sqrt n`, a line
# of slope :math:`-1/2`: going from 4 to 400 examples per step costs a
# hundred times the computation and buys ten times less error. Without
# replacement the error is smaller, and the gap grows with :math:`n/N`: at
# half the data set it is :math:`1/\sqrt 2` of the i.i.d. value, and at
# :math:`n = N` it is zero, since the "minibatch" is then the full batch.
# Both laws need the examples of one minibatch to be chosen at random; a
# data set sorted by class, read in order, gives minibatch gradients that are
# far from the full gradient no matter how large :math:`n` is.
