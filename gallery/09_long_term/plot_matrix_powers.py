"""
Powers of a matrix: spectral radius and transient growth
========================================================

A deep linear chain (or a linear recurrent net run for :math:`t` steps)
computes :math:`W^t x`. With the eigendecomposition
:math:`W = V\\,\\mathrm{diag}(\\lambda)\\,V^{-1}` we get
:math:`W^t = V\\,\\mathrm{diag}(\\lambda^t)\\,V^{-1}`, so in the long run
:math:`\\|W^t x\\|` grows or decays like :math:`\\rho(W)^t`, where
:math:`\\rho(W) = \\max_i |\\lambda_i|` is the spectral radius. We check this for
symmetric matrices with :math:`\\rho` below, at and above 1, and show why
"eigenvalues near 1" is not the whole story: a non-normal matrix with
:math:`\\rho < 1` first *amplifies* its input by a large factor before the
decay sets in.
"""

# %%
# Four matrices
# -------------
# Three random symmetric :math:`20 \times 20` matrices whose eigenvalues fill
# :math:`[-\rho, \rho]` (symmetric matrices are normal: their eigenvectors are
# orthogonal), and a :math:`2 \times 2` upper-triangular matrix with
# eigenvalues 0.9 and 0.8 whose eigenvectors are far from orthogonal. The
# powers are computed from the eigendecomposition, and checked against
# repeated multiplication (``numpy.linalg.matrix_power``).
import matplotlib.pyplot as plt
import numpy as np

from d2lopt import plot
from d2lopt.chapter.long_term import (
    matrix_power,
    power_norms,
    spectral_radius,
    symmetric_with_radius,
)
from d2lopt.rates import log_slope

plot.use_style()

steps = 60
t = np.arange(steps + 1)
x_sym = np.ones(20) / np.sqrt(20)
matrices = {
    f"symmetric, ρ = {rho:g}": (symmetric_with_radius(20, rho, seed=0), x_sym)
    for rho in (0.9, 1.0, 1.1)
}
non_normal = np.array([[0.9, 2.0], [0.0, 0.8]])
matrices["non-normal, ρ = 0.9"] = (non_normal, np.array([0.0, 1.0]))

norms = {label: power_norms(W, x, steps) for label, (W, x) in matrices.items()}
worst = max(
    np.max(np.abs(matrix_power(W, k) - np.linalg.matrix_power(W, k)))
    for W, _ in matrices.values() for k in (1, 10, steps)
)
print(f"largest |V diag(λ^t) V^-1 - W^t| entry over the four matrices: {worst:.2e}")

# %%
# The figure
# ----------
# A logarithmic axis turns :math:`c\,\rho^t` into a straight line of slope
# :math:`\log\rho`. The peak of the non-normal curve is located by ``argmax``.
fig, ax = plt.subplots(figsize=(7, 4.4))
for label, values in norms.items():
    ax.plot(t, values, label=label, linestyle="--" if "non-normal" in label else "-")
ax.set_yscale("log")
ax.set_xlabel("power $t$ (layers or time steps)")
ax.set_ylabel(r"$\|W^t x\| \,/\, \|x\|$")
ax.set_title("Norm of $W^t x$ against $t$: spectral radius below, at and above 1, and a "
             "non-normal matrix", fontsize=10)
transient = norms["non-normal, ρ = 0.9"]
peak = int(np.argmax(transient))
ax.legend(loc="lower left")
plot.annotate_point(ax, f"transient peak {transient[peak]:.2f} at t = {peak}",
                    (peak, transient[peak]))
plt.show()

# %%
# Fitted rates
# ------------
# The slope of :math:`\log\|W^t x\|` over the second half of the run, against
# :math:`\log\rho(W)`:
for label, (W, _) in matrices.items():
    rate = log_slope(t[steps // 2:], norms[label][steps // 2:])
    print(f"{label:22s}  fitted slope {rate:+.4f}   log ρ = {np.log(spectral_radius(W)):+.4f}")

# %%
# Conclusions
# -----------
# After a few steps every curve is a straight line of slope :math:`\log\rho`:
# decay for :math:`\rho < 1`, growth for :math:`\rho > 1`, a constant for
# :math:`\rho = 1` (the component of :math:`x` along the eigenvalue-1 direction
# survives, the others die out). The non-normal matrix has the same spectral
# radius as the first symmetric one, yet multiplies its input by more than 5
# before decaying: eigenvalues describe the limit :math:`t \to \infty`, while
# at finite depth the singular values of :math:`W^t` decide. Keeping eigenvalues
# near 1 is therefore not enough to keep signals (and gradients) of moderate
# size; keeping :math:`W` close to orthogonal is.
