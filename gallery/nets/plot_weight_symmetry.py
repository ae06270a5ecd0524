"""
Weight-space symmetry: many minima with the same loss
=====================================================

.. note::
   Needs the nets extra: ``pip install ".[nets]"`` (PyTorch and scikit-learn),
   from a clone of the repository (see its README).

Why does a neural network have so many local minima? One reason costs
nothing: relabelling the hidden units. Swapping two units of a hidden layer,
together with their incoming and outgoing weights, computes exactly the same
function, so every minimum has :math:`n!` copies per hidden layer of
:math:`n` units. For tanh units, negating a unit's incoming and outgoing
weights changes nothing either (:math:`\\tanh(-z) = -\\tanh z`), a further
factor :math:`2^n`. These copies are distinct points of parameter space with
identical loss — harmless minima, since they are all equally good.
"""

# %%
# A trained network and its copies
# --------------------------------
# Two hidden layers of 16 tanh units, trained in float64 on the training
# digits. We make 200 copies, each with every hidden layer randomly permuted
# and sign-flipped (``d2lopt.nets.random_symmetry``), and compare the
# training loss of each copy with the original's
# (``d2lopt.nets.experiments.weight_symmetry``).
import math

import matplotlib.pyplot as plt
import numpy as np
import torch

from d2lopt import plot
from d2lopt.nets.experiments import weight_symmetry
from d2lopt.nets.symmetry import count_equivalent_minima
from d2lopt.plot.numbers import format_number

torch.manual_seed(0)
torch.set_num_threads(1)
plot.use_style()

res = weight_symmetry()
diff = np.abs(res.copy_losses - res.loss)
eps = np.finfo(np.float64).eps
print(f"training loss {res.loss:.6f}; |loss(copy) - loss| over {diff.size} copies: "
      f"max {format_number(diff.max(), 3)}, median {format_number(np.median(diff), 3)} (float64"
      f" eps x loss = "
      f"{format_number(eps * res.loss, 3)})")
print(f"distance of a copy from the original: {res.distances.min():.2f} to "
      f"{res.distances.max():.2f} (|theta| = {res.parameter_norm:.2f})")
formula = " x ".join(f"{n}! 2^{n}" for n in res.widths)
print(f"equivalent parameter vectors for hidden widths {res.widths}: {formula} ="
      f" {format_number(res.count, 5)}")

# %%
# The figure
# ----------
# Left: the loss difference of each copy from the original, in units of the
# float64 round-off of the loss (machine epsilon × loss).
# Middle: the loss along the straight line from the network to one of its
# copies: the copies are separate minima with a barrier between them. Right:
# how the number of copies grows with the width of one hidden layer.
fig, (left, middle, right) = plt.subplots(3, 1, figsize=(6.9, 11.5))
units = (res.copy_losses - res.loss) / (eps * res.loss)   # in units of float64 round-off
reach = max(2, int(np.ceil(np.abs(units).max())) + 1)
counts, edges, _ = left.hist(units, bins=np.arange(-reach, reach + 1) - 0.5,
                             color=plot.COLORS["blue"], edgecolor="white",
                             label=f"{diff.size} permuted and sign-flipped copies")
left.set_xlabel(r"$(L(\theta') - L(\theta))\,/\,(\epsilon_{64}\,L(\theta))$")
left.set_ylabel("number of copies")
left.set_title("Copies: same loss up to round-off")
left.legend(loc="upper left", fontsize=9)
mode = int(np.argmax(counts))
left.set_ylim(0, 1.3 * counts.max())
plot.annotate_point(left, f"{int(counts[mode])}"
                          f" copies:\n{format_number(edges[mode] + 0.5, 2, sign=True)} ε·L",
                    (edges[mode] + 0.5, counts[mode]), offset=(-75, -70))

middle.plot(res.alphas, res.line_loss, color=plot.COLORS["vermillion"])
peak = int(np.argmax(res.line_loss))
middle.set_xlabel(r"$\alpha$ in $(1-\alpha)\,\theta + \alpha\,\theta'$")
middle.set_ylabel("training NLL")
middle.set_title("Between two copies: a barrier")
plot.annotate_point(middle, f"barrier {format_number(res.line_loss[peak])}\n"
                    f"(ends: {format_number(res.loss)})",
                    (res.alphas[peak], res.line_loss[peak]), offset=(30, -50))

widths = np.arange(1, 33)
log10_perm = [math.log10(count_equivalent_minima([n])) for n in widths]
log10_flip = [math.log10(count_equivalent_minima([n], sign_flips=True)) for n in widths]
right.plot(widths, log10_perm, label=r"$n!$ (permutations; ReLU, sigmoid)")
right.plot(widths, log10_flip, label=r"$n!\,2^n$ (and sign flips; tanh)")
right.set_xlabel("hidden units $n$ in one layer")
right.set_ylabel(r"$\log_{10}$(number of equivalent minima)")
right.set_title("Copies per hidden layer")
right.legend(loc="upper left", fontsize=9)
n0 = res.widths[0]
plot.annotate_point(right, f"n = {n0} (this network): 10^{log10_flip[n0 - 1]:.1f}",
                    (n0, log10_flip[n0 - 1]), offset=(20, -45))
fig.suptitle("Weight-space symmetry of a trained tanh MLP on digits: permuted and\n"
             "sign-flipped copies have the same loss and are separated by a barrier", fontsize=11)
fig.tight_layout()
plt.show()

# %%
# What the run measured
# ---------------------
print(f"All {diff.size} copies reproduce the training loss {res.loss:.6f} to within "
      f"{format_number(diff.max(), 2)} ({diff.max() / (eps * res.loss):.2f} x eps x loss),"
      f" although they "
      f"lie {res.distances.min():.1f} to {res.distances.max():.1f} away from it.")
print(f"On the segment to one copy the loss rises to {res.line_loss.max():.3f} at "
      f"alpha = {res.alphas[peak]:.3f}, {res.line_loss.max() / res.loss:.1f} times the loss at "
      f"either end.")
print(f"This network alone has {format_number(res.count, 4)} equivalent minima "
      f"(10^{math.log10(res.count):.1f}).")

# %%
# Conclusions
# -----------
# The symmetric copies agree in loss to within floating-point round-off — the
# printed differences are compared with machine epsilon times the loss — while
# lying as far from one another as the parameter vector is long, with a loss
# barrier between them: they are genuinely different minima, and there are
# astronomically many of them. This is the "model identifiability" argument of
# :cite:t:`goodfellow2016deep` (§8.2.2): non-identifiable models have
# many minima, but these all have the same cost, so they are no obstacle to
# optimization. The local minima that would matter are those with a *higher*
# cost than the global minimum, which symmetry says nothing about. ReLU units
# add a continuous symmetry (scale a unit's input weights by :math:`c > 0` and its
# output weights by :math:`1/c`), which makes its minima flat valleys rather
# than isolated points.
