"""
Early stopping on a real network
================================

.. note::
   Needs the nets extra: ``pip install ".[nets]"`` (PyTorch and scikit-learn),
   from a clone of the repository (see its README).

Training minimizes a surrogate (the negative log-likelihood, NLL) on the
training set, while what we want is a low 0-1 error on new data. An
over-parameterised network drives the training NLL towards zero; the
validation curves tell us when further training stops paying off. Here we
train a ReLU network with far more parameters than training images on
scikit-learn's digits and apply the usual patience rule to the validation
error.
"""

# %%
# Training
# --------
# 300 training images (standardized 8×8 digits) and the validation split; a
# network with two hidden layers of 128 ReLU units (He initialization), SGD with
# momentum 0.9 in minibatches of 32 (``d2lopt.nets.experiments.early_stopping_run``).
#
# **The patience rule** (``d2lopt.nets.early_stopping``): after each epoch,
# an epoch *improves* if its validation error is strictly below the best so
# far. Training stops at the first epoch that ends ``patience`` epochs after the
# last improvement, and the parameters of that last improvement are kept.
import matplotlib.pyplot as plt
import numpy as np
import torch

from d2lopt import plot
from d2lopt.nets.experiments import early_stopping_run
from d2lopt.plot.numbers import format_number

torch.manual_seed(0)
torch.set_num_threads(1)
plot.use_style()

run = early_stopping_run(patience=10)
h, stop = run.history, run.stop
print(f"{run.n_parameters} parameters, {run.n_train} training images, {h.epochs} epochs")
print(f"patience {stop.patience}: stops at epoch {stop.stop_epoch}, keeps epoch "
      f"{stop.best_epoch} (validation error {stop.best_value:.4f})")

# %%
# The curves
# ----------
# Left: the training and validation NLL (log scale). Right: the validation 0-1
# error, with the epoch the rule keeps and the epoch it stops at.
nll_best = int(np.argmin(h.val_nll))
fig, (left, right) = plt.subplots(2, 1, figsize=(6.9, 8.0))
left.semilogy(h.epoch, h.train_nll, label="training NLL")
left.semilogy(h.epoch, h.val_nll, label="validation NLL")
left.set_xlabel("epoch")
left.set_ylabel("mean negative log-likelihood (nats)")
left.set_title("Surrogate loss: training keeps falling")
left.legend(loc="lower left")
plot.annotate_point(left, f"validation NLL minimum\n(epoch {nll_best})",
                    (nll_best, h.val_nll[nll_best]), offset=(30, 30))

right.plot(h.epoch, h.val_error, color=plot.COLORS["vermillion"], label="validation 0-1 error")
right.plot(h.epoch, h.train_error, color=plot.COLORS["blue"], linestyle=":",
           label="training 0-1 error")
right.axvspan(stop.best_epoch, stop.stop_epoch, color=plot.COLORS["sky blue"], alpha=0.2,
              label=f"patience window ({stop.patience} epochs)")
right.set_ylim(0, 3 * float(stop.best_value))
right.set_xlabel("epoch")
right.set_ylabel("fraction misclassified")
right.set_title("0-1 error and the early-stopping point")
right.legend(loc="upper right")
plot.annotate_point(right, f"kept: epoch {stop.best_epoch}", (stop.best_epoch, stop.best_value),
                    offset=(-40, -45), color=plot.COLORS["bluish green"])
plot.annotate_point(right, f"stop: epoch {stop.stop_epoch}",
                    (stop.stop_epoch, h.val_error[stop.stop_epoch]), offset=(25, 45))
fig.suptitle("Early stopping on digits: training and validation NLL and validation\n"
             "0-1 error of an over-parameterised ReLU MLP against epoch", fontsize=11)
fig.tight_layout()
plt.show()

# %%
# What the run measured
# ---------------------
# The sentences below are computed from the curves above.
final_err, min_err, min_err_epoch = h.val_error[-1], h.val_error.min(), int(h.val_error.argmin())
print(f"The training NLL fell from {h.train_nll[0]:.3f} to {format_number(h.train_nll[-1], 3)};"
      f" the "
      f"validation NLL reached its minimum {h.val_nll[nll_best]:.3f} at epoch {nll_best} and "
      f"ended at {h.val_nll[-1]:.3f}.")
print(f"Early stopping keeps epoch {stop.best_epoch} with validation error "
      f"{stop.best_value:.3f} after {stop.stop_epoch} of {h.epochs} epochs; training to the "
      f"end gives {final_err:.3f} (lowest {min_err:.3f}, at epoch {min_err_epoch}).")
if final_err < stop.best_value:
    print("Here the validation error did not turn back up: longer training still helped the "
          "0-1 error slightly, and early stopping traded that for "
          f"{1 - stop.stop_epoch / h.epochs:.0%} less training.")
else:
    print("Here the validation error did not improve after the kept epoch: early stopping "
          f"lost nothing and saved {1 - stop.stop_epoch / h.epochs:.0%} of the training.")

# %%
# Conclusions
# -----------
# The printed numbers compare three things: the epoch at which validation
# NLL is lowest, the epoch the patience rule keeps, and the error had we
# trained to the end. On this easy task the surrogate (NLL) overfits before
# the 0-1 error does: validation NLL turns up while validation error is flat
# or still creeping down, because a network that keeps growing its confidence
# is punished by NLL on the few images it gets wrong but not by the 0-1 loss.
# That is why the stopping criterion should watch the quantity we care about
# (here the 0-1 error), and why patience is needed: the validation error of a
# few hundred images moves in steps of one image and stalls for several
# epochs at a time.
