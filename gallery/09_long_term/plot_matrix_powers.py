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
# Random symmetric :math:`n \times n` matrices whose eigenvalues fill
# :math:`[-\rho, \rho]` (symmetric matrices are normal: their eigenvectors are
# orthogonal), and a :math:`2 \times 2` upper-triangular matrix whose
# eigenvectors are far from orthogonal. The powers are computed from the
# eigendecomposition, and checked against repeated multiplication
# (``numpy.linalg.matrix_power``). The sizes, radii, matrices and powers are
# fields of ``d2lopt.chapter.long_term.SETTINGS``, printed first; to try
# another, replace a field, e.g.
# ``settings = dataclasses.replace(long_term.SETTINGS, radii=(0.5, 1.0, 1.5))``.
from d2lopt.chapter import long_term

settings = long_term.SETTINGS
print(settings)

import matplotlib.pyplot as plt
import numpy as np

from d2lopt import plot
from d2lopt.plot.numbers import format_number
from d2lopt.rates import log_slope

plot.use_style()

steps = settings.steps
t = np.arange(steps + 1)
x_sym = np.ones(settings.n) / np.sqrt(settings.n)
matrices = {
    f"symmetric, ρ = {rho:g}": (long_term.symmetric_with_radius(settings.n, rho,
                                                                seed=settings.seed), x_sym)
    for rho in settings.radii
}
non_normal = np.array(settings.non_normal)
non_normal_label = f"non-normal, ρ = {long_term.spectral_radius(non_normal):g}"
matrices[non_normal_label] = (non_normal, np.array(settings.non_normal_start))

norms = {label: long_term.power_norms(W, x, steps) for label, (W, x) in matrices.items()}
worst = max(
    np.max(np.abs(long_term.matrix_power(W, k) - np.linalg.matrix_power(W, k)))
    for W, _ in matrices.values() for k in (*settings.check_powers, steps)
)
print(f"largest |V diag(λ^t) V⁻¹ − W^t| entry over the four matrices: {format_number(worst)}")

# %%
# The figure
# ----------
# A logarithmic axis turns :math:`c\,\rho^t` into a straight line of slope
# :math:`\log\rho`. The peak of the non-normal curve is located by ``argmax``.
fig, ax = plt.subplots(figsize=(6.9, 4.4))
for label, values in norms.items():
    ax.plot(t, values, label=label, linestyle="--" if "non-normal" in label else "-")
ax.set_yscale("log")
ax.set_xlabel("power $t$ (layers or time steps)")
ax.set_ylabel(r"$\|W^t x\| \,/\, \|x\|$")
ax.set_title("Norm of $W^t x$ against $t$: spectral radius below, at and above 1, and a "
             "non-normal matrix", fontsize=10)
transient = norms[non_normal_label]
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
    rho = long_term.spectral_radius(W)
    print(f"{label:22s}  fitted slope {format_number(rate, 4, sign=True)}"
          f"   log ρ = {format_number(np.log(rho), 4, sign=True)}")

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
