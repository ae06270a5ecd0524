r"""
Mode connectivity and permutation symmetry
==========================================

.. note::
   Needs the nets extra: ``pip install ".[torch,nets]"`` (PyTorch and scikit-learn),
   from a clone of the repository (see its README).

Two networks trained from different random starts reach about the same loss.
Are their minima separate valleys? Along the straight line between the two
parameter vectors the loss rises: a *barrier*. Yet low-loss curved paths join
such minima :cite:p:`garipov2018loss,draxler2018essentially`, and part of the
barrier is an artefact of the weight-space symmetry of section 5: the hidden
units of the two nets are in unrelated orders, and averaging unit 3 of one net
with unit 3 of the other mixes units that do different jobs.
:cite:t:`entezari2022role` conjectured that once the units are put in the best
order, the barrier mostly vanishes; :cite:t:`ainsworth2023git` found the order
by *weight matching*, a linear assignment problem per layer. We measure the
barrier before and after matching for one-hidden-layer ReLU nets on digits, as
a function of the width.
"""

# %%
# Pairs of nets per width
# -----------------------
# For each width in ``barrier_widths``, ``barrier_pairs`` pairs of nets, each
# net from its own seed and minibatch order, trained by SGD with momentum for
# ``barrier_epochs`` epochs. For each pair, the training loss and the validation
# error at ``barrier_points`` points of the segment, with B as trained and with
# B's hidden units permuted by weight matching (``d2lopt.nets.weight_matching``;
# the permuted B computes exactly B's function). The values are fields of
# ``d2lopt.chapter.real_networks.SETTINGS``, printed first; try others with e.g.
# ``settings = dataclasses.replace(real_networks.SETTINGS, barrier_pairs=4)``.
from d2lopt.chapter import real_networks

settings = real_networks.SETTINGS
print(settings)

import matplotlib.pyplot as plt
import torch

from d2lopt import plot
from d2lopt.plot.numbers import format_number

torch.manual_seed(0)
torch.set_num_threads(1)
plot.use_style()

result = real_networks.barrier_versus_width(settings)
for w, before, after in zip(result.widths, result.loss_before, result.loss_after, strict=True):
    print(f"width {w}: loss barrier {', '.join(format_number(b) for b in before)} before, "
          f"{', '.join(format_number(a) for a in after)} after matching")

# %%
# The loss on the line, before and after matching
# -----------------------------------------------
# The first pair of the narrowest and of the widest nets. The barrier is the
# largest height of the curve above the chord joining its ends.
shown = (0, len(result.widths) - 1)
colors = (plot.COLORS["vermillion"], plot.COLORS["blue"])
fig, ax = plt.subplots(figsize=(6.9, 4.4), layout="constrained")
for i, color in zip(shown, colors, strict=True):
    w = result.widths[i]
    ax.plot(result.alphas, result.curves_before[i], color=color, linestyle="-", marker="o",
            markersize=3, label=f"width {w}, as trained")
    ax.plot(result.alphas, result.curves_after[i], color=color, linestyle="--", marker="s",
            markersize=3, label=f"width {w}, after weight matching")
ax.set_xlabel(r"$\alpha$ in $(1-\alpha)\,\theta_A + \alpha\,\theta_B$")
ax.set_ylabel("training loss (nats)")
ax.set_title("Loss on the straight line between two independently trained nets", fontsize=11)
ax.set_ylim(bottom=0, top=1.3 * max(result.curves_before[i].max() for i in shown))
ax.legend(loc="upper left", ncols=2, fontsize=9)
plt.show()

# %%
# The barrier against the width
# -----------------------------
# Each dot is one pair; the lines join the means over the pairs.
fig, axes = plt.subplots(1, 2, figsize=(6.9, 3.9), layout="constrained")
panels = ((result.loss_before, result.loss_after, "training-loss barrier (nats)"),
          (100 * result.error_before, 100 * result.error_after,
           "validation-error barrier (%)"))
for ax, (before, after, label) in zip(axes, panels, strict=True):
    for values, color, style, marker, name in (
            (before, plot.COLORS["vermillion"], "-", "o", "as trained"),
            (after, plot.COLORS["blue"], "--", "s", "weight matching")):
        ax.plot(result.widths, values.mean(axis=1), color=color, linestyle=style, label=name)
        for k in range(values.shape[1]):
            ax.plot(result.widths, values[:, k], color=color, linestyle="none", marker=marker,
                    markersize=4)
    ax.set_xscale("log", base=2)
    ax.set_xticks(result.widths, [str(w) for w in result.widths])
    ax.set_xlabel("hidden width")
    ax.set_ylabel(label)
axes[0].legend(loc="upper right", fontsize=9)
fig.suptitle("Barrier between two trained nets, before and after aligning their units",
             fontsize=11)
plt.show()
# sphinx_gallery_thumbnail_number = 2

# %%
# What the run measured
# ---------------------
narrow, wide = 0, len(result.widths) - 1
for i in (narrow, wide):
    print(f"At width {result.widths[i]} the mean training-loss barrier is "
          f"{format_number(result.loss_before[i].mean())} nats as trained and "
          f"{format_number(result.loss_after[i].mean())} nats after weight matching; the "
          f"validation-error barrier {format_number(100 * result.error_before[i].mean(), 2)} % "
          f"and {format_number(100 * result.error_after[i].mean(), 2)} %.")
ratio = result.loss_before.mean(axis=1) / result.loss_after.mean(axis=1)
print(f"Matching divides the loss barrier by {format_number(ratio.min(), 2)} to "
      f"{format_number(ratio.max(), 2)} across the widths.")

# %%
# Conclusions
# -----------
# Without alignment the straight line between two solutions crosses a ridge
# whose height falls with the width but stays clearly above zero. After weight
# matching, which changes neither network's function, most of the ridge is gone
# and what remains is small at every width but the narrowest: the two solutions
# were, to a large degree, the same valley seen through two labellings of the
# hidden units. This is the permutation symmetry of section 5 at work: every
# minimum has :math:`n!` copies, and two independent runs land in different
# copies. Wider nets have more room, so more of the loss is explained by the
# order of the units :cite:p:`entezari2022role,ainsworth2023git`.
