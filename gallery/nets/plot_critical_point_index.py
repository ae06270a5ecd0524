"""
Loss against index at every critical point of a linear network
===============================================================

.. note::
   Needs the nets extra: ``pip install ".[nets]"`` (PyTorch and scikit-learn),
   from a clone of the repository (see its README).

:cite:t:`dauphin2014identifying` measured, for critical points found on real networks,
the *index* :math:`\\alpha` — the fraction of the Hessian's eigenvalues that
are negative — against the loss, and found them strongly related: critical
points with high loss are saddles with many descent directions, and the only
critical points with (nearly) no descent direction have a loss near the
global minimum. For a network with one hidden layer and no nonlinearity, the
two-layer linear network :math:`\\hat y = W_2W_1x` under the squared loss,
*every* critical point is known in closed form :cite:p:`baldi1989neural`, so we
can check the claim on all of them instead of a sample.
"""

# %%
# Enumerating the critical points
# -------------------------------
# Data: 500 standard normal inputs in 6 dimensions, targets from a linear
# teacher with singular values 3, 2.5, 2, 1.5, 1, 0.5 plus noise; the network
# has a hidden layer of :math:`k = 3` units (the parameter count is printed
# below). With
# :math:`\Sigma = \Sigma_{yx}\Sigma_{xx}^{-1}\Sigma_{xy}` (eigenvalues
# :math:`\lambda_1 > \dots > \lambda_6`, eigenvectors :math:`U`), each set
# :math:`I` of at most :math:`k` eigenvectors gives a critical point
# :math:`W_2 = [U_I,\ 0]`, :math:`W_1 = [U_I^\top\Sigma_{yx}\Sigma_{xx}^{-1};\ 0]`
# with loss :math:`\tfrac12(\operatorname{tr}\Sigma_{yy} - \sum_{i\in I}\lambda_i)`
# (``d2lopt.nets.critical_points``). At each we check the gradient and
# loss with autograd, and take the full Hessian with
# :func:`torch.autograd.functional.hessian` (``d2lopt.nets.hessian_inertia``).
#
# **Zero eigenvalues.** The loss only depends on :math:`W_2W_1`, which is
# unchanged by :math:`(W_1, W_2) \mapsto (C^{-1}W_1, W_2C)` for any invertible
# :math:`k\times k` matrix :math:`C`: a :math:`k^2`-dimensional family of
# equivalent points, along which the Hessian is exactly singular. Round-off
# makes those eigenvalues tiny numbers of either sign, so an eigenvalue counts
# as zero when :math:`|\lambda| \le 10^{-9}\max|\lambda|`, and the index counts
# only eigenvalues below :math:`-10^{-9}\max|\lambda|`.
import matplotlib.pyplot as plt
import numpy as np
import torch

from d2lopt import plot
from d2lopt.nets.experiments import critical_point_index
from d2lopt.plot.numbers import format_number

torch.manual_seed(0)
torch.set_num_threads(1)
plot.use_style()

res = critical_point_index()
n_params = res.inertia[0].eigenvalues.size
print(f"{len(res.points)} critical points, {n_params} parameters")
print(f"largest |closed-form loss - autograd loss|: "
      f"{format_number(np.abs(res.loss - res.measured_loss).max(), 3)}; largest gradient norm: "
      f"{format_number(res.gradient_norm.max(), 3)}")
for p, h in zip(res.points, res.inertia, strict=True):
    print(f"I = {str(p.subset):10s} loss {p.loss:8.4f}  negative {h.negative:2d}  zero {h.zero:2d}"
          f"  positive {h.positive:2d}  index {h.index:.3f}")

# %%
# The scatter
# -----------
# Loss against index, one point per critical point, coloured by the rank
# :math:`|I|` of :math:`W_2W_1`.
ranks = np.array([len(p.subset) for p in res.points])
fig, ax = plt.subplots(figsize=(6.9, 4.8))
for r, colour in zip(range(res.hidden + 1), ("black", "reddish purple", "orange", "blue"),
                     strict=False):
    mask = ranks == r
    count = int(mask.sum())
    ax.plot(res.index[mask], res.loss[mask], "o", color=plot.COLORS[colour], alpha=0.85,
            markeredgecolor="white", label=f"rank {r} ({count} point{'s' if count > 1 else ''})")
g = res.global_minimum
ax.set_xlabel(r"index $\alpha$ (fraction of negative Hessian eigenvalues)")
ax.set_ylabel(r"loss $\frac{1}{2N}\sum_i \|y_i - W_2W_1x_i\|^2$")
ax.set_title(f"All {len(res.points)} critical points of a two-layer linear network "
             f"(k = {res.hidden}): loss against index", fontsize=11)
ax.legend(loc="lower right")
plot.annotate_point(ax, f"global minimum: index {res.index[g]:.0f}\n"
                    f"({res.inertia[g].zero} zero eigenvalues)",
                    (res.index[g], res.loss[g]), offset=(40, 30),
                    color=plot.COLORS["bluish green"])
origin = next(i for i, p in enumerate(res.points) if not p.subset)
plot.annotate_point(ax, f"W = 0: index {res.index[origin]:.2f}",
                    (res.index[origin], res.loss[origin]), offset=(-140, -10))
fig.tight_layout()
plt.show()

# %%
# What the run measured
# ---------------------
zero_index = np.flatnonzero(np.array([h.negative for h in res.inertia]) == 0)
full_rank = ranks == res.hidden
zeros_full = {h.zero for h, f in zip(res.inertia, full_rank, strict=True) if f}
corr = np.corrcoef(res.index, res.loss)[0, 1]
print(f"Critical points with index 0: {[res.points[i].subset for i in zero_index]} "
      f"(the global minimum is I = {res.points[g].subset}, loss {res.loss[g]:.4f}).")
print(f"Zero eigenvalues at the full-rank critical points: {sorted(zeros_full)} "
      f"(k^2 = {res.hidden ** 2} from the GL(k) symmetry).")
print(f"Correlation between index and loss over all points: {corr:.3f}; among full-rank "
      f"points: {np.corrcoef(res.index[full_rank], res.loss[full_rank])[0, 1]:.3f}.")
second = np.sort(res.loss)[1]
print(f"The lowest saddle has loss {second:.4f}, {second - res.loss[g]:.4f} above the "
      "global minimum.")

# %%
# Conclusions
# -----------
# Exactly one critical point has index 0, and it is the global minimum: the
# linear network has no spurious local minimum, only saddles (with the zero
# eigenvalues of its symmetry, so even the minimum is a flat valley of
# equivalent points, not an isolated point). Loss and index are positively
# correlated, as :cite:t:`dauphin2014identifying` found for nonlinear networks: the printed
# correlation measures how tightly. The relation is a band, not a curve: for a
# given rank, swapping one eigenvector for a smaller one raises the loss by the
# eigenvalue gap and the index by the number of skipped eigenvalues, so points
# with the same index can differ in loss. The low-rank points (rank < k) have
# the largest indices at a given loss: a unit that is switched off adds
# descent directions.
