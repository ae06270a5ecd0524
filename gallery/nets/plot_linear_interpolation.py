"""
The loss on the line from initialization to solution
====================================================

.. note::
   Needs the nets extra: ``pip install ".[nets]"`` (PyTorch and scikit-learn),
   from a clone of the repository (see its README).

How hard is the landscape between where training starts and where it ends?
:cite:t:`goodfellow2015qualitatively` evaluated the loss along the straight line
:math:`\\theta(\\alpha) = (1-\\alpha)\\,\\theta_0 + \\alpha\\,\\theta_1` from the
initial parameters :math:`\\theta_0` to the trained :math:`\\theta_1`, and
found for many networks a smooth, monotonically decreasing curve: no barrier
and no local minimum on the way, even though SGD itself followed a winding
path (Deep Learning book, Fig. 8.2). We repeat the measurement on a network
trained on digits and extend the line beyond both ends.
"""

# %%
# Train, then walk the line
# -------------------------
# Two hidden layers of 64 ReLU units (He initialization), 20 epochs of plain
# SGD (learning rate 0.05, minibatches of 32) on the training digits.
# Then the training and validation NLL at 81 points
# :math:`\alpha \in [-0.5, 1.5]` (``d2lopt.nets.loss_along_line``, via
# ``d2lopt.nets.experiments.linear_interpolation``).
import matplotlib.pyplot as plt
import numpy as np
import torch

from d2lopt import plot
from d2lopt.nets.experiments import linear_interpolation
from d2lopt.nets.interpolation import max_rise
from d2lopt.plot.numbers import format_number

torch.manual_seed(0)
torch.set_num_threads(1)
plot.use_style()

res = linear_interpolation()
h = res.history
distance = float((h.final_parameters - h.initial_parameters).norm())
print(f"trained {h.epochs} epochs: training NLL {h.train_nll[0]:.3f} -> {h.train_nll[-1]:.4f}; "
      f"|theta1 - theta0| = {distance:.2f}, |theta0| = {h.initial_parameters.norm():.2f}")

# %%
# The figure
# ----------
# The shaded band is the segment between the two endpoints; outside it the
# line extrapolates. Log scale on the loss axis.
inside = (res.alphas >= 0) & (res.alphas <= 1)
fig, ax = plt.subplots(figsize=(6.9, 4.6))
ax.axvspan(0, 1, color=plot.COLORS["sky blue"], alpha=0.15,
           label=r"segment $0 \leq \alpha \leq 1$")
ax.semilogy(res.alphas, res.train_loss, label="training NLL")
ax.semilogy(res.alphas, res.val_loss, label="validation NLL")
ax.set_xlabel(r"$\alpha$ in $(1-\alpha)\,\theta_0 + \alpha\,\theta_1$")
ax.set_ylabel("mean negative log-likelihood (nats)")
ax.set_title(r"Loss along the line from the initial $\theta_0$ to the trained $\theta_1$"
             "\n(ReLU MLP on digits)", fontsize=11)
ax.legend(loc="upper right")
i0, i1 = int(np.argmin(np.abs(res.alphas))), int(np.argmin(np.abs(res.alphas - 1)))
plot.annotate_point(ax, rf"$\theta_0$: {format_number(res.train_loss[i0])}",
                    (0, res.train_loss[i0]),
                    offset=(35, -40))
plot.annotate_point(ax, rf"$\theta_1$: {format_number(res.train_loss[i1])}",
                    (1, res.train_loss[i1]),
                    offset=(-150, 0))
best_val = int(np.argmin(res.val_loss))
plot.annotate_point(ax, f"validation minimum\nα = {format_number(res.alphas[best_val])}",
                    (res.alphas[best_val], res.val_loss[best_val]), offset=(30, 45),
                    color=plot.COLORS["vermillion"])
fig.tight_layout()
plt.show()

# %%
# What the run measured
# ---------------------
rise_train = max_rise(res.train_loss[inside])
rise_val = max_rise(res.val_loss[inside])
best_train = int(np.argmin(res.train_loss))
print(f"On the segment 0 <= alpha <= 1 the largest rise of the training NLL is"
      f" {format_number(rise_train, 3)} "
      f"and of the validation NLL {format_number(rise_val, 3)} "
      + ("(both curves decrease monotonically)." if rise_train == 0 and rise_val == 0
         else "(not monotone)."))
print(f"Beyond the trained point the training NLL keeps falling to {res.train_loss[best_train]:.4f}"
      f" at alpha = {res.alphas[best_train]:.3f}, while the validation NLL is lowest at alpha = "
      f"{res.alphas[best_val]:.3f} ({res.val_loss[best_val]:.4f}, vs {res.val_loss[i1]:.4f} at "
      "alpha = 1).")

# %%
# Conclusions
# -----------
# The printed rises settle the question for this network: the loss along the
# straight segment from initialization to solution falls without a bump,
# as :cite:t:`goodfellow2015qualitatively` found. The path SGD took was not this line, so a
# monotone line does not mean optimization was easy in every respect — it
# says the obstacles a gradient method meets are not barriers between start
# and end but features of the route (curvature, noise, plateaus). Past
# :math:`\alpha = 1` the training loss keeps decreasing a little (the trained
# network is not at a minimum; scaling its weights up makes it more
# confident), while the validation loss turns up — more of the same
# direction overfits. Monotone interpolation is an empirical regularity, not
# a theorem: it can fail, for instance with large learning rates or some
# normalization layers :cite:p:`lucas2021analyzing`.
