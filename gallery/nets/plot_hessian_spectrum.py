"""
The Hessian spectrum of a small network
=======================================

.. note::
   Needs the nets extra: ``pip install ".[nets]"`` (PyTorch and scikit-learn),
   from a clone of the repository (see its README).

Pictures of critical points in two dimensions suggest minima where every
curvature is positive. The Hessian of a real network's loss has as many
eigenvalues as the network has parameters, and measured spectra
:cite:p:`sagun2017empirical,ghorbani2019investigation` look different: a bulk of eigenvalues
piled up near zero, some of them negative, and a few large outliers that set
the largest stable learning rate. A network small enough to have a dense
Hessian lets us compute every eigenvalue exactly, at initialization and after
training.
"""

# %%
# The dense Hessian
# -----------------
# One hidden layer of 16 tanh units (Glorot initialization) on the 64-pixel
# digits: :math:`64\cdot16 + 16 + 16\cdot10 + 10` parameters (printed below). The
# Hessian of the mean training NLL over all the training images is formed in
# float64 with ``d2lopt.nets.hessian`` (reverse-over-reverse autodiff) and
# diagonalized with :func:`torch.linalg.eigvalsh`, before and after 20 epochs
# of SGD (``d2lopt.nets.experiments.hessian_spectrum``).
import matplotlib.pyplot as plt
import numpy as np
import torch

from d2lopt import plot
from d2lopt.nets.experiments import hessian_spectrum
from d2lopt.plot.numbers import format_number

torch.manual_seed(0)
torch.set_num_threads(1)
plot.use_style()

res = hessian_spectrum()
h = res.history
print(f"{res.n_parameters} parameters; after {h.epochs} epochs: training NLL "
      f"{h.train_nll[-1]:.4f}, validation error {h.val_error[-1]:.4f}")

tol = 1e-6


def summary(eig: np.ndarray) -> dict:
    """Counts with |λ| <= tol·max|λ| treated as zero."""
    cutoff = tol * np.abs(eig).max()
    return {"negative": int(np.sum(eig < -cutoff)), "zero": int(np.sum(np.abs(eig) <= cutoff)),
            "min": float(eig[0]), "max": float(eig[-1]),
            "negative mass": float(-eig[eig < 0].sum() / np.abs(eig).sum()),
            "top10 share": float(eig[-10:].sum() / eig[eig > 0].sum()),
            "max / median": float(eig[-1] / np.median(np.abs(eig))),
            "near zero": float(np.mean(np.abs(eig) <= 0.01 * np.abs(eig).max()))}


stats = {"initialization": summary(res.initial), "trained": summary(res.trained)}
for name, s in stats.items():
    print(f"{name:14s}: {s['negative']} negative, {s['zero']} zero, "
          f"min {format_number(s['min'], 3)}, max {format_number(s['max'], 3)}; "
          f"top 10 eigenvalues carry {s['top10 share']:.1%} of the "
          f"positive sum; max/median|λ| = {s['max / median']:.0f}")
print("ten largest after training:", np.array2string(res.trained[::-1][:10], precision=3))

# %%
# The spectra
# -----------
# Histograms of all eigenvalues on a symmetric-log count axis (top: the
# whole range; bottom: the bulk near zero).
fig, (left, right) = plt.subplots(2, 1, figsize=(6.9, 8.6), layout="constrained")
styles = {"initialization": ("blue", "-"), "trained": ("vermillion", "--")}
everything = np.concatenate([res.initial, res.trained])
bins = np.linspace(everything.min(), everything.max(), 80)
for eig, name in ((res.initial, "initialization"), (res.trained, "trained")):
    colour, linestyle = styles[name]
    left.hist(eig, bins=bins, histtype="step", linewidth=1.8, color=plot.COLORS[colour],
              linestyle=linestyle, label=name)
left.set_yscale("symlog", linthresh=1)
left.set_xlabel(r"Hessian eigenvalue $\lambda$")
left.set_ylabel("number of eigenvalues")
left.set_title("All eigenvalues")
left.legend(loc="upper right")
top = res.trained[-1]
plot.annotate_point(left, f"largest (trained): {format_number(top)}", (top, 1),
                    offset=(-190, 50))

width = 5 * np.std(res.trained)
near = np.linspace(-width, width, 81)
for eig, name in ((res.initial, "initialization"), (res.trained, "trained")):
    colour, linestyle = styles[name]
    right.hist(eig[np.abs(eig) <= width], bins=near, histtype="step", linewidth=1.8,
               color=plot.COLORS[colour], linestyle=linestyle, label=name)
right.axvline(0, color=plot.COLORS["black"], linewidth=1)
right.set_yscale("symlog", linthresh=1)
right.set_xlabel(r"Hessian eigenvalue $\lambda$")
right.set_ylabel("number of eigenvalues")
right.set_title(f"The bulk: |λ| ≤ {format_number(width)}")
right.legend(loc="upper right")
low = res.trained[0]
counts, _ = np.histogram(res.trained, bins=near)
plot.annotate_point(right, f"most negative (trained): {format_number(low)}",
                    (low, counts[max(np.searchsorted(near, low) - 1, 0)]), offset=(40, 60))
fig.suptitle(f"Hessian eigenvalues of a {res.n_parameters}-parameter tanh MLP on digits,\n"
             "at initialization and after training", fontsize=11)
plt.show()

# %%
# What the run measured
# ---------------------
t, i = stats["trained"], stats["initialization"]
print(f"At initialization {i['negative']} of {res.n_parameters} eigenvalues are negative "
      f"({i['negative'] / res.n_parameters:.1%}); after training {t['negative']} "
      f"({t['negative'] / res.n_parameters:.1%}), carrying {t['negative mass']:.1%} of the "
      "total absolute eigenvalue mass.")
print(f"After training the most negative eigenvalue is {format_number(t['min'], 3)} and the "
      "largest "
      f"{format_number(t['max'], 3)} ({t['max'] / abs(t['min']):.0f} times larger in size, "
      f"{t['max / median']:.0f} times the median |λ|); {t['near zero']:.1%} of the eigenvalues "
      f"lie within 1% of the largest |λ| of zero (at initialization {i['near zero']:.1%}).")
top = res.trained[::-1]
gap = max(top[8] / top[9], top[9] / top[10])
print(f"The 10 largest eigenvalues carry {t['top10 share']:.1%} of the sum of the positive "
      f"ones (λ1/λ10 = {top[0] / top[9]:.2f}, λ9/λ10 = {top[8] / top[9]:.2f}, λ10/λ11 = "
      f"{top[9] / top[10]:.2f}): "
      + ("they fall off smoothly, with no clear gap after the ninth or tenth."
         if gap < 1.5 else "a gap separates them from the rest."))
exact = int(np.sum(np.abs(res.trained) <= 1e-12 * np.abs(res.trained).max()))
predicted = res.hidden + 1 + res.hidden * res.constant_inputs
print(f"{exact} eigenvalues are zero to 10⁻¹² relative; symmetry predicts {predicted}: "
      f"{res.hidden + 1} because adding the same number to all the logits (through the output "
      f"bias, or the outgoing weights of any of the {res.hidden} hidden units) leaves the "
      f"softmax unchanged, and {res.hidden} for each of the {res.constant_inputs} pixels that "
      "are constant over the training images.")

# %%
# Conclusions
# -----------
# Training moves the spectrum towards zero: most eigenvalues end in a narrow
# bulk around zero (the printed fraction within 1% of the largest), with a
# long tail of positive eigenvalues far larger than the typical one. Negative
# eigenvalues remain after training, fewer and much smaller than at
# initialization. Do not read them as evidence that training sits near a
# saddle: training has not reached a critical point (the gradient is not
# zero), and small negative eigenvalues are also what one sees at a point
# that has not converged in the basin of a minimum, where the Hessian of a
# non-convex loss need not yet be positive semidefinite. A minimum and a saddle
# can only be told apart at a point where the gradient (nearly) vanishes, as in
# :ref:`sphx_glr_auto_examples_nets_plot_critical_point_index.py`. The folk
# picture of "a few large outliers, about one per class"
# :cite:p:`sagun2017empirical,papyan2019measurements` is only partly borne out
# on this small network: the
# largest eigenvalues stand far above the median, but the printed ratios show
# a smoothly decaying tail rather than a cluster separated by a gap. The
# exact zero eigenvalues come from symmetries of the model and of the data,
# not from flat minima.
