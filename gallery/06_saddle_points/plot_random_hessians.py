r"""
Is a random critical point a minimum with probability :math:`2^{-n}`?
=====================================================================

A popular argument for why saddle points outnumber minima in high dimensions:
at a critical point each of the :math:`n` Hessian eigenvalues is positive or
negative "like a coin flip", so all are positive with probability
:math:`2^{-n}`. The conclusion (minima are rare) is right, but the reasoning is
not: eigenvalues of a random symmetric matrix are far from independent. We take
the standard model of a random Hessian, the Gaussian orthogonal ensemble
(GOE), measure by Monte Carlo how often all its eigenvalues are positive, and
compare with exact values and with :math:`2^{-n}`.
"""

# %%
# Monte Carlo and exact probabilities
# -----------------------------------
# :func:`d2lopt.chapter.saddle_points.positive_definite_fraction` draws GOE matrices
# (diagonal entries :math:`\mathcal N(0, 1)`, off-diagonal
# :math:`\mathcal N(0, \tfrac12)`) conditioned on a positive diagonal, which
# every positive definite matrix has and which happens with probability exactly
# :math:`2^{-n}`, and multiplies the fraction that is positive definite by
# :math:`2^{-n}`. :func:`d2lopt.chapter.saddle_points.all_positive_probability`
# computes the same probability exactly from the joint density of the
# eigenvalues. The sizes, the number of samples and their seeds are fields of
# :data:`d2lopt.chapter.saddle_points.SETTINGS`, printed first; to try others,
# replace the second line by e.g.
# ``settings = dataclasses.replace(saddle_points.SETTINGS, samples=100_000)``.
from d2lopt.chapter import saddle_points

settings = saddle_points.SETTINGS
print(settings)

import math

import matplotlib.pyplot as plt
import numpy as np

from d2lopt import plot
from d2lopt.chapter.saddle_points import all_positive_probability, positive_definite_fraction
from d2lopt.plot.numbers import format_number, format_uncertain

plot.use_style()

sizes = np.asarray(settings.sizes)
samples = settings.samples
estimates = [positive_definite_fraction(int(n), samples, seed=settings.seed_offset + int(n))
             for n in sizes]
exact = np.array([all_positive_probability(int(n)) for n in sizes])
coin = 0.5**sizes

print(f"{'n':>2} {'Monte Carlo ± std. error':>26} {'hits':>7} {'exact':>14} "
      f"{'2^−n':>8} {'exact/2^−n':>14}")
for est, p, c in zip(estimates, exact, coin, strict=True):
    print(f"{est.n:>2} {format_uncertain(est.probability, est.standard_error):>26} "
          f"{est.hits:7d} {format_number(p, 4):>14} {format_number(c, 3):>8} "
          f"{format_number(p / c, 3):>14}")

# The exact values fall like exp(-θ n²): the second difference of log P is -2θ.
log_p = np.log(exact)
theta = -0.5 * (log_p[-1] - 2 * log_p[-2] + log_p[-3])
print(f"θ from n = {sizes[-3]}, {sizes[-2]}, {sizes[-1]}: {format_number(theta, 3)} "
      f"(large-deviation limit ln(3)/4 = {format_number(math.log(3) / 4, 3)})")

# %%
# The figure
# ----------
fig, ax = plt.subplots(figsize=(6.9, 5.6), layout="constrained")
ax.semilogy(sizes, coin, "^:", label=r"coin-flip heuristic $2^{-n}$")
ax.semilogy(sizes, exact, "-", color=plot.COLORS["black"], label="exact (de Bruijn's formula)")
seen = np.array([e.hits > 0 for e in estimates])
ax.errorbar(sizes[seen], [e.probability for e, s in zip(estimates, seen, strict=True) if s],
            yerr=[2 * e.standard_error for e, s in zip(estimates, seen, strict=True) if s],
            fmt="o", capsize=4, color=plot.COLORS["vermillion"],
            label=f"Monte Carlo, {format_number(samples, 1)} samples (± 2 s.e.)")
if not seen.all():
    ax.plot(sizes[~seen], [e.upper_bound() for e, s in zip(estimates, seen, strict=True)
                           if not s], "v", color=plot.COLORS["reddish purple"],
            label="Monte Carlo: no hit, 95 % upper bound")
last = len(sizes) - 1
plot.annotate_point(ax, f"n = {sizes[last]}: exact {format_number(exact[last], 2)}\n"
                        f"against 2⁻ⁿ = {format_number(coin[last], 2)}",
                    (sizes[last], exact[last]), offset=(-25.0, 175.0))
ax.set_xlabel("matrix size $n$ (number of parameters)")
ax.set_ylabel("P(all eigenvalues > 0)")
ax.set_title("GOE matrices: all eigenvalues positive far less often than $2^{-n}$",
             fontsize=11)
ax.legend(loc="lower left", fontsize=9.5)
plt.show()

# %%
# Conclusions
# -----------
# For :math:`n = 1` the heuristic is exact (a single eigenvalue is symmetric
# about 0); from :math:`n = 2` on the data fall below :math:`2^{-n}`, and the
# gap widens fast: at the largest size the probability is about
# :math:`10^{-9}` against :math:`2^{-n} \approx 4 \times 10^{-3}` (the last row
# printed above). The reason is *eigenvalue
# repulsion*: the joint density of GOE eigenvalues contains
# :math:`\prod_{i<j}|\lambda_i - \lambda_j|`, which penalizes eigenvalues
# crowding together, and squeezing all :math:`n` of them onto the positive
# half-line is such a crowding. Large-deviation theory
# (:cite:t:`dean2006large`) gives :math:`P \approx e^{-\theta n^2}` with
# :math:`\theta = \ln 3/4`,
# and the exact values already show this curvature on the log axis. So minima
# are rarer than the coin-flip argument says, not more common. Real loss
# Hessians are not GOE matrices, though: their eigenvalues depend on the loss
# value (critical points with low loss tend to have fewer negative
# eigenvalues), so the model shows what independence-based counting gets wrong
# rather than the exact odds for a network.
