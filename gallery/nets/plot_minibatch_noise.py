"""
Minibatch gradient noise against batch size
===========================================

.. note::
   Needs the nets extra: ``pip install ".[nets]"`` (PyTorch and scikit-learn),
   from a clone of the repository (see its README).

A minibatch gradient is the mean of ``B`` per-example gradients, so it is an
estimate of the full-batch gradient whose error shrinks like
:math:`1/\\sqrt B`: four times the batch buys half the noise. Drawing the
minibatch *without replacement* from a finite training set of ``N`` examples
adds the finite-population correction,

.. math::
    \\sqrt{\\mathbb E\\,\\lVert \\hat g_B - \\bar g\\rVert^2}
      = \\frac{\\sigma}{\\sqrt B}\\sqrt{\\frac{N-B}{N-1}},
    \\qquad \\sigma^2 = \\frac1N\\sum_{i=1}^N \\lVert g_i - \\bar g\\rVert^2 ,

so the error vanishes at ``B = N``. We check both on a real network, at one
fixed parameter vector.
"""

# %%
# Per-example gradients
# ---------------------
# A tanh network with one hidden layer of 32 units at its (Glorot)
# initialization, in float64, on the training digits. ``torch.func``
# gives all per-example gradients at once (``vmap`` of ``grad``,
# ``d2lopt.nets.per_example_gradients``); for each batch size we draw 400
# random minibatches without replacement and measure the RMS distance of their
# mean from the full-batch gradient (``d2lopt.nets.experiments.minibatch_noise``).
import matplotlib.pyplot as plt
import numpy as np
import torch

from d2lopt import plot
from d2lopt.nets.experiments import minibatch_noise
from d2lopt.plot.numbers import format_number
from d2lopt.rates import standard_error

torch.manual_seed(0)
torch.set_num_threads(1)
plot.use_style()

res = minibatch_noise(samples=400)
print(f"N = {res.n} examples, P = {res.n_parameters} parameters; sigma = {np.sqrt(res.sigma2):.4f},"
      f" full-batch gradient norm {res.full_gradient_norm:.4f}")
for B, m, p in zip(res.batch_sizes, res.measured, res.predicted, strict=True):
    print(f"B = {B:5d}: measured {m:.4f}, formula {p:.4f}, ratio {m / p:.3f}")

# %%
# The figure
# ----------
# Log-log axes: the measured spread, the finite-population formula (drawn as
# a continuous curve up to ``B = N``, where it reaches 0) and the
# with-replacement law :math:`\sigma/\sqrt B`. The slope is fitted to the
# measured points with ``B ≤ N/16``.
grid = np.unique(np.geomspace(1, res.n - 1, 200).astype(int))
fig, ax = plt.subplots(figsize=(6.9, 6.0), layout="constrained")
ax.loglog(res.batch_sizes, res.measured, "o", label="measured (400 minibatches per size)")
ax.loglog(grid, standard_error(np.sqrt(res.sigma2), grid, population=res.n), "-",
          label=r"$\frac{\sigma}{\sqrt{B}}\sqrt{\frac{N-B}{N-1}}$ (without replacement)")
ax.loglog(grid, np.sqrt(res.sigma2 / grid), "--", color=plot.COLORS["black"], linewidth=1.2,
          label=r"$\sigma/\sqrt{B}$ (with replacement)")
ax.axhline(res.full_gradient_norm, color=plot.COLORS["bluish green"], linestyle=":",
           label=r"full-batch gradient norm $\|\bar g\|$")
ax.axvline(res.fit_max_batch, color=plot.COLORS["reddish purple"], linewidth=1, alpha=0.6,
           label=f"end of the slope fit, B = N/16 = {res.fit_max_batch}")
ax.set_xlabel("batch size $B$ (examples)")
ax.set_ylabel(r"RMS of $\|\hat g_B - \bar g\|$")
ax.set_title(f"Minibatch gradient error against batch size:\n"
             f"fitted slope {format_number(res.slope)} for B ≤ {res.fit_max_batch}", fontsize=11)
fig.legend(loc="outside lower center", ncols=2, fontsize=9)
last = len(res.batch_sizes) - 1
plot.annotate_point(ax, f"B = {res.batch_sizes[last]}: {format_number(res.measured[last])}\n"
                    f"formula {format_number(res.predicted[last])}",
                    (res.batch_sizes[last], res.measured[last]), offset=(-120, 60))
crossing = res.sigma2 / res.full_gradient_norm**2
plot.annotate_point(ax, f"noise = signal at B ≈ {crossing:.0f}",
                    (crossing, res.full_gradient_norm), offset=(25, 35))
plt.show()

# %%
# What the run measured
# ---------------------
ratio = res.measured / res.predicted
print(f"Fitted slope of log spread against log B for B <= {res.fit_max_batch}: {res.slope:.3f} "
      f"(1/sqrt(B) law: -0.5).")
print(f"Measured over formula at all {len(ratio)} batch sizes: between {ratio.min():.3f} and "
      f"{ratio.max():.3f}.")
print(f"The noise equals the full-batch gradient norm near B = sigma^2/|g|^2 = {crossing:.1f}: "
      f"smaller minibatches give gradients whose error is larger than the gradient itself.")

# %%
# Conclusions
# -----------
# The measured points follow the finite-population formula at every batch size
# (the ratios printed above), and for batches much smaller than the training
# set the slope is close to :math:`-1/2`: the error of the gradient estimate
# falls only like the square root of the work spent on it, which is why
# small minibatches give more progress per example computed. Near ``B = N``
# the spread falls faster than :math:`1/\sqrt B` because a large minibatch
# drawn without replacement is most of the training set; the with-replacement
# law overstates the error there. The crossing point ``σ²/‖ḡ‖²`` is one
# measure of the "critical batch size" beyond which larger batches help little
# :cite:p:`mccandlish2018empirical`: it depends on where in training the gradient is
# measured, since ``‖ḡ‖`` shrinks as training converges.
