"""
Batch size and learning rate
============================

.. note::
   Needs the nets extra: ``pip install ".[nets]"`` (PyTorch and scikit-learn),
   from a clone of the repository (see its README).

A common rule of thumb says that smaller minibatches call for smaller
learning rates: their gradients are noisier, so each step should trust them
less. Read the other way, when the batch grows the best learning rate grows
with it — proportionally, says the "linear scaling rule" :cite:p:`goyal2017accurate`,
until the step meets the curvature limit that no averaging removes. We
measure the best learning rate for each batch size on a real network, with
the number of training examples fixed so that every run costs the same
gradient computations.
"""

# %%
# The grid
# --------
# A ReLU network with one hidden layer of 64 units (He initialization, the
# same initial weights in every cell) on the training digits. For each
# batch size ``B`` and learning rate we run plain SGD through three epochs'
# worth of examples (``3 · N // B`` steps for ``N`` training images, one shared
# minibatch order) and
# record the training NLL on the whole training set. The ten learning rates of
# a row train side by side as one batched model
# (``d2lopt.nets.train_stacked``, used by
# ``d2lopt.nets.experiments.batch_size_learning_rate``).
import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib import patheffects
from matplotlib.colors import LogNorm
from matplotlib.patches import Rectangle

from d2lopt import plot
from d2lopt.nets.experiments import batch_size_learning_rate
from d2lopt.plot.numbers import format_number

torch.manual_seed(0)
torch.set_num_threads(1)
plot.use_style()

res = batch_size_learning_rate()
print(f"{res.examples} examples per run; initial training NLL {res.initial_loss:.3f}")
for B, lr, row in zip(res.batch_sizes, res.best_lr, res.loss, strict=True):
    print(f"B = {B:4d}: best lr {lr:g} (loss {row.min():.4f}); "
          f"{int(np.sum(~np.isfinite(row) | (row > res.initial_loss)))} of {row.size} "
          f"learning rates diverged or ended above the initial loss")

# %%
# The heatmap
# -----------
# Colour: training NLL after the fixed budget (log scale). Runs that
# diverged or ended above the initial loss are hatched in blue. The marker in
# each row is that row's best learning rate.
failed = ~np.isfinite(res.loss) | (res.loss > res.initial_loss)
shown = np.ma.masked_array(res.loss, mask=failed)
fig, ax = plt.subplots(figsize=(6.9, 4.8))
ax.set_facecolor("white")
x_edges = np.arange(len(res.lrs) + 1) - 0.5
y_edges = np.arange(len(res.batch_sizes) + 1) - 0.5
mesh = ax.pcolormesh(x_edges, y_edges, shown, norm=LogNorm(vmin=shown.min(), vmax=res.initial_loss),
                     cmap="viridis")
for row, col in zip(*np.nonzero(failed), strict=True):
    ax.add_patch(Rectangle((col - 0.5, row - 0.5), 1, 1, fill=False, hatch="//",
                           edgecolor=plot.COLORS["sky blue"], linewidth=0))
ax.add_patch(Rectangle((0, 0), 0, 0, fill=False, hatch="//", edgecolor=plot.COLORS["sky blue"],
                       label="diverged or above the initial loss"))
fig.colorbar(mesh, ax=ax, label="training NLL after the budget (nats)")
best_col = np.argmin(np.where(failed, np.inf, res.loss), axis=1)
rows = np.arange(len(res.batch_sizes))
ax.plot(best_col, rows, "o", color=plot.COLORS["vermillion"], markeredgecolor="white",
        markersize=9, label="best learning rate of the row")
# The linear scaling rule from the smallest batch: lr ∝ B is one column per row
# on this grid (both axes double); drawn while it stays on the grid.
scaled = best_col[0] + np.log2(res.batch_sizes / res.batch_sizes[0])
on_grid = scaled <= len(res.lrs) - 1
ax.plot(scaled[on_grid], rows[on_grid], "--", color="white", linewidth=1.5,
        path_effects=[patheffects.withStroke(linewidth=3.5, foreground="black")],
        label=rf"lr $\propto$ B from B = {res.batch_sizes[0]}")
ax.set_xticks(np.arange(len(res.lrs)), [f"{lr:g}" for lr in res.lrs], rotation=45)
ax.set_yticks(np.arange(len(res.batch_sizes)), [str(b) for b in res.batch_sizes])
ax.set_xlabel("learning rate")
ax.set_ylabel("batch size $B$")
ax.grid(False)
ax.set_title(f"Training NLL after {res.examples} examples of SGD:\n"
             "the best learning rate grows with the batch size", fontsize=11)
ax.legend(loc="lower right", fontsize=9, framealpha=1.0)
top = len(res.batch_sizes) - 1
best = format_number(res.best_lr[top], trim=True)
plot.annotate_point(ax, f"B = {res.batch_sizes[top]}: best lr {best}",
                    (best_col[top], top), offset=(-110, -60), color=plot.COLORS["vermillion"])
fig.tight_layout()
plt.show()

# %%
# What the run measured
# ---------------------
ratios = res.best_lr[1:] / res.best_lr[:-1]
doubling = int(np.sum(np.isclose(ratios, 2.0)))
print("Best learning rate per batch size: "
      + ", ".join(f"B={B}: {lr:g}" for B, lr in zip(res.batch_sizes, res.best_lr, strict=True)))
print(f"Doubling the batch doubled the best learning rate in {doubling} of {len(ratios)} steps "
      f"of the grid; the best rate stops growing at lr = {res.best_lr.max():g} "
      f"(first reached at B = {res.batch_sizes[int(np.argmax(res.best_lr))]}).")
row_best = res.loss.min(axis=1)
print(f"At the best learning rate of each row the loss ranges from {row_best.min():.4f} "
      f"(B = {res.batch_sizes[int(np.argmin(row_best))]}) to {row_best.max():.4f} "
      f"(B = {res.batch_sizes[int(np.argmax(row_best))]}).")

# %%
# Conclusions
# -----------
# The grid is a factor of two per column and per row, so a best learning rate
# proportional to ``B`` moves one column right per row: the printed count says
# in how many rows that happened. The rule holds while the step is limited by
# noise and breaks where the step is limited by the curvature of the loss
# (a learning rate above about :math:`2/\lambda_{\max}` diverges whatever the
# batch): there the best learning rate stops growing, and larger batches only
# take fewer steps with the same budget, so their loss after the budget is
# worse. A fixed budget of *examples* favours small batches; a fixed budget of
# *steps* (parallel hardware) favours large ones.
