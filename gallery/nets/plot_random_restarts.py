"""
Random restarts: narrow and wide networks
=========================================

.. note::
   Needs the nets extra: ``pip install ".[nets]"`` (PyTorch and scikit-learn),
   from a clone of the repository (see its README).

If bad local minima were common, training the same network from different
random initializations would end at very different losses, and restarting
many times would pay off. For large networks the folk wisdom (supported by
:cite:t:`choromanska2015loss` and by experiments like those of
:cite:t:`goodfellow2015qualitatively`) is
the opposite: the final losses of different restarts crowd into a narrow
band, and the spread shrinks as the network grows. We measure that spread for
a narrow and a wide network.
"""

# %%
# Many restarts
# -------------
# One hidden layer of ReLU units (He initialization) on the training
# digits; 40 initializations per width, each trained by plain SGD (learning
# rate 0.1, minibatches of 64, 20 epochs, the same minibatch order for all).
# The 40 networks of one width train side by side as one batched model
# (``d2lopt.nets.train_stacked``, used by
# ``d2lopt.nets.experiments.random_restarts``).
import matplotlib.pyplot as plt
import numpy as np
import torch

from d2lopt import plot
from d2lopt.nets.experiments import random_restarts

torch.manual_seed(0)
torch.set_num_threads(1)
plot.use_style()

res = random_restarts()
narrow, wide = res.widths[0], res.widths[-1]
for w in res.widths:
    f = res.final_losses[w]
    print(f"width {w:3d}: final training NLL mean {f.mean():.4f}, std {f.std(ddof=1):.4f}, "
          f"min {f.min():.4f}, max {f.max():.4f} ({f.size} restarts)")

# %%
# The histograms
# --------------
# The final training NLL of every restart, one histogram per width, on a
# shared logarithmic axis (the wide network reaches much lower losses).
fig, ax = plt.subplots(figsize=(6.9, 4.6))
all_losses = np.concatenate([res.final_losses[w] for w in res.widths])
bins = np.geomspace(all_losses.min() * 0.9, all_losses.max() * 1.1, 40)
for w, colour in zip(res.widths, ("vermillion", "blue"), strict=False):
    f = res.final_losses[w]
    ax.hist(f, bins=bins, alpha=0.75, color=plot.COLORS[colour],
            label=f"{w} hidden units: std {f.std(ddof=1):.2g}")
ax.set_xscale("log")
ax.set_xlabel("final training NLL (nats)")
ax.set_ylabel("number of restarts")
ax.set_title(f"Final loss of {res.final_losses[narrow].size} random restarts: narrow "
             f"({narrow} units) vs wide ({wide} units) networks", fontsize=11)
ax.legend(loc="upper center")
for w in (narrow, wide):
    f = res.final_losses[w]
    worst = float(f.max())
    counts, _ = np.histogram(f, bins=bins)
    height = counts[np.searchsorted(bins, worst, side="right") - 1]
    plot.annotate_point(ax, f"worst restart\n{worst:.3g}", (worst, height), offset=(20, 45))
fig.tight_layout()
plt.show()

# %%
# What the run measured
# ---------------------
f_n, f_w = res.final_losses[narrow], res.final_losses[wide]
sd_n, sd_w = f_n.std(ddof=1), f_w.std(ddof=1)
print(f"Standard deviation of the final loss: {sd_n:.4f} with {narrow} units, {sd_w:.4f} with "
      f"{wide} units ({sd_n / sd_w:.1f} times smaller for the wide network).")
print(f"Relative to the mean loss: {sd_n / f_n.mean():.3f} vs {sd_w / f_w.mean():.3f}.")
print(f"Best restart gains over the median restart: {np.median(f_n) - f_n.min():.4f} (narrow) "
      f"vs {np.median(f_w) - f_w.min():.4f} (wide).")
if sd_w < sd_n and sd_w / f_w.mean() < sd_n / f_n.mean():
    print("The spread shrinks with width both in absolute terms and relative to the mean loss.")
else:
    print("The absolute spread shrinks with width, but not relative to the mean loss: part of "
          "the shrinkage is only the smaller loss of the wide network.")

# %%
# Conclusions
# -----------
# The narrow network's restarts end at visibly different losses: with few
# units, which features an initialization happens to find matters, and the
# best of many restarts is worth having. The wide network's restarts crowd
# together — the printed standard deviations compare the two, absolutely and
# relative to the mean loss. For wide networks, then, restarting buys little;
# this is evidence that their training does not get stuck in *bad* minima, not
# that there are no minima (each restart ends at a different parameter vector,
# at least through the symmetries of the hidden units). The budget matters:
# these are losses after a fixed 20 epochs, not at convergence.
