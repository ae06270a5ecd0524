r"""
Filter-normalized loss surfaces of a plain and a residual network
=================================================================

.. note::
   Needs the nets extra: ``pip install ".[torch,nets]"`` (PyTorch and scikit-learn),
   from a clone of the repository (see its README).

A network has thousands of parameters, so a picture of its loss is a slice:
the loss at :math:`\theta^\star + t\,d` along one random direction :math:`d`,
or at :math:`\theta^\star + \alpha d_1 + \beta d_2` on a plane, through the
trained parameters :math:`\theta^\star`. :cite:t:`li2018visualizing` showed
that such pictures only compare across networks when each *filter* of the
direction (for a fully connected layer, the incoming weights of one unit) is
rescaled to the norm of the same filter of :math:`\theta^\star`, and that with
this normalization deep networks without skip connections have visibly sharper,
more irregular minima than the same networks with them. We repeat the
comparison on digits with an 18-layer ReLU MLP, plain and residual, and then
show why the normalization is needed.
"""

# %%
# Two deep nets, one with skip connections
# ----------------------------------------
# Both nets have an input layer, ``surface_blocks`` blocks of two layers of
# ``surface_width`` ReLU units and a linear read-out; the residual one adds each
# block's input to its output. They start from the same weights and are trained
# the same way (Adam on ``surface_train_size`` training digits). The values are
# fields of ``d2lopt.chapter.real_networks.SETTINGS``, printed first; try another
# with e.g. ``settings = dataclasses.replace(real_networks.SETTINGS, surface_blocks=4)``.
from d2lopt.chapter import real_networks

settings = real_networks.SETTINGS
print(settings)

import matplotlib.pyplot as plt
import numpy as np
import torch

from d2lopt import plot
from d2lopt.plot.numbers import format_number

torch.manual_seed(0)
torch.set_num_threads(1)
plot.use_style()

results = real_networks.filter_normalized_surfaces(settings)
for name, r in results.items():
    print(f"{name} net: training loss {format_number(r.train_nll)} nats, training error "
          f"{format_number(100 * r.train_error, 2)} %, validation error "
          f"{format_number(100 * r.val_error, 2)} %")

# %%
# Slices along two filter-normalized directions
# ---------------------------------------------
# The same two random directions (seed ``direction_seed``), filter-normalized
# for each net, on :math:`t \in [-0.5, 0.5]`: at :math:`t = \pm 0.5` every
# unit's weights have moved by half their own norm.
colors = {"plain": plot.COLORS["vermillion"], "residual": plot.COLORS["blue"]}
styles = {"plain": ("-", "-."), "residual": ("--", ":")}
fig, ax = plt.subplots(figsize=(6.9, 4.6), layout="constrained")
for name, r in results.items():
    for k, curve in enumerate(r.slices):
        ax.semilogy(r.ts, curve, color=colors[name], linestyle=styles[name][k],
                    label=f"{name}, direction {k + 1}")
ax.set_xlabel(r"step $t$ along the direction, $\theta^\star + t\,d$")
ax.set_ylabel("training loss (nats, log scale)")
ax.set_title("Loss along filter-normalized random directions\n"
             "through the trained plain and residual 18-layer nets", fontsize=11)
ax.legend(loc="lower left", fontsize=9)
plt.show()
# sphinx_gallery_thumbnail_number = 2

# %%
# The loss on a plane
# -------------------
# The 2-D slice :math:`L(\theta^\star + \alpha d_1 + \beta d_2)` on a
# ``surface_points_2d`` × ``surface_points_2d`` grid; one colour scale
# (logarithmic) for both panels.
log_Z = {name: np.log10(r.surface) for name, r in results.items()}
low = min(z.min() for z in log_Z.values())
high = max(z.max() for z in log_Z.values())
levels = np.linspace(low, high, 16)
fig, axes = plt.subplots(1, 2, figsize=(6.9, 4.0), layout="constrained", sharey=True)
for ax, (name, r) in zip(axes, results.items(), strict=True):
    filled = ax.contourf(r.grid, r.grid, log_Z[name], levels=levels, cmap="viridis")
    ax.contour(r.grid, r.grid, log_Z[name], levels=levels[::3], colors="white", linewidths=0.6,
               linestyles="solid")
    ax.plot([0], [0], marker="+", color="white", markersize=10)
    ax.set_title(f"{name} net", fontsize=11)
    ax.set_xlabel(r"$\alpha$ (direction 1)")
    ax.set_aspect("equal")
axes[0].set_ylabel(r"$\beta$ (direction 2)")
bar = fig.colorbar(filled, ax=axes, label="training loss (nats, log scale)")
ticks = np.arange(np.ceil(low), np.floor(high) + 1)
bar.set_ticks(ticks, labels=[format_number(10.0**k, trim=True) for k in ticks])
fig.suptitle("Training loss on a plane of two filter-normalized directions", fontsize=11)
plt.show()

# %%
# Why normalize: the same function, two pictures
# ----------------------------------------------
# Multiply the weights and bias of one layer of the trained plain net by
# :math:`c` = ``rescale_factor`` and the next layer's weights by :math:`1/c`:
# with a ReLU in between, the copy computes exactly the same function. Along one
# fixed Gaussian direction (scaled to the length of :math:`\theta^\star`) the two
# slices differ; along each net's own filter-normalized direction (the same
# random draw) they coincide.
inv = real_networks.scale_invariance(settings, net=results["plain"].model,
                                     data=real_networks.surface_data(settings))
fig, axes = plt.subplots(1, 2, figsize=(6.9, 3.9), layout="constrained", sharey=True)
c = format_number(settings.rescale_factor, trim=True)
for ax, rows, title in zip(axes, (inv.unnormalized, inv.normalized),
                           ("unnormalized direction", "filter-normalized direction"),
                           strict=True):
    ax.semilogy(inv.ts, rows[0], color=plot.COLORS["vermillion"], label="trained net")
    ax.semilogy(inv.ts, rows[1], color=plot.COLORS["blue"], linestyle="--",
                label=f"rescaled copy ($c$ = {c})")
    ax.set_title(title, fontsize=11)
    ax.set_xlabel("step $t$")
axes[0].set_ylabel("training loss (nats, log scale)")
axes[1].legend(loc="upper center", fontsize=9)
fig.suptitle("One function, two parameter vectors: slices along a random direction",
             fontsize=11)
plt.show()

# %%
# What the run measured
# ---------------------
rise = format_number(settings.width_rise, trim=True)
for name, r in results.items():
    lo, hi = (format_number(w) for w in (r.direction_widths.min(), r.direction_widths.max()))
    print(f"The {name} net's valley, where the loss is within {rise} nat of its minimum, is "
          f"{format_number(r.widths[0])} and {format_number(r.widths[1])} wide along the two "
          f"directions, {format_number(r.mean_width)} on average over "
          f"{settings.width_directions} filter-normalized directions (from {lo} to {hi}).")
print("The largest difference between the outputs of the net and of its rescaled copy on the "
      f"training digits is {format_number(inv.output_difference, 2)}"
      + (" (multiplying by a power of two is exact in floating point)."
         if inv.output_difference == 0 else "."))
print(f"Along the unnormalized direction the valley is {format_number(inv.unnormalized_widths[0])}"
      f" wide for the net and {format_number(inv.unnormalized_widths[1])} for the copy; along "
      f"the filter-normalized ones {format_number(inv.normalized_widths[0])} and "
      f"{format_number(inv.normalized_widths[1])}.")

# %%
# Conclusions
# -----------
# With skip connections the trained net sits in a wider, smoother valley, and
# it also reaches a lower training loss from the same start: the plain 18-layer
# net's minimum is a narrow V whose walls rise by a nat within a small step.
# This is the contrast :cite:t:`li2018visualizing` found between ResNets and
# their skip-free versions, here on a laptop-sized net. The last figure is the
# reason for the normalization: a ReLU net's function does not change when one
# layer grows by :math:`c` and the next shrinks by :math:`1/c`, yet an
# unnormalized direction sees a different width for each :math:`c`, so widths
# (and "sharpness") along such directions are not properties of the function.
# Filter normalization makes the direction grow and shrink with the weights, so
# the slice is the same for every :math:`c` (the same issue returns in
# section 13's experiment on sharp and flat minima).
