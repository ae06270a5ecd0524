r"""
Weight-space symmetry: many minima, one function
================================================

A model is *identifiable* when enough data pins down a single parameter
vector. Neural networks are not: relabelling the hidden units of a layer, or
(for an odd activation such as tanh) flipping the signs of one unit's incoming
and outgoing weights, changes the parameters but not the function. Every
minimum of the loss therefore comes with many copies of exactly the same
value. We count the copies, check the count on a small network by brute force,
and draw the smallest case, one tanh unit, whose two equivalent minima are
joined through a saddle.
"""

# %%
# How many parameter vectors per function
# ---------------------------------------
# A hidden layer of width :math:`n` has :math:`n!` orderings of its units and,
# with tanh, :math:`2^n` sign patterns: :math:`n!\,2^n` parameter vectors that
# compute the same function (all distinct for parameters in general position).
# The widths quoted and the network checked below are fields of
# :data:`d2lopt.chapter.local_minima.SETTINGS`, printed first; to try others,
# replace the second line by e.g.
# ``settings = dataclasses.replace(local_minima.SETTINGS, check_width=4)``.
from d2lopt.chapter import local_minima

settings = local_minima.SETTINGS
print(settings)

import math

import matplotlib.pyplot as plt
import numpy as np

import d2lopt
from d2lopt import plot
from d2lopt.chapter.local_minima import symmetric_copies, tanh_mlp
from d2lopt.landscapes import tanh_unit
from d2lopt.plot.numbers import format_number
from d2lopt.symmetry import equivalent_parameterizations

plot.use_style()
d2l = d2lopt.use()

widths = np.arange(1, 21)
counts = [equivalent_parameterizations(int(n)) for n in widths]
example = settings.width
print(f"width {example}: {example}! × 2^{example} = {equivalent_parameterizations(example):,}")
two_layers = equivalent_parameterizations(list(settings.layer_widths))
layers = " and ".join(dict.fromkeys(str(n) for n in settings.layer_widths))  # "100" if equal
print(f"two hidden layers of width {layers}: 10^{format_number(math.log10(two_layers), 4)}")

# %%
# A brute-force check on a small network
# --------------------------------------
# Enumerate all :math:`n!\,2^n` relabellings and sign flips of a random
# one-hidden-layer tanh network of width :math:`n` = ``settings.check_width``:
# the outputs agree to rounding error, and no two parameter vectors coincide.
rng = np.random.default_rng(settings.check_seed)
n = settings.check_width
params = {"W1": rng.standard_normal((n, 2)), "b1": rng.standard_normal(n),
          "W2": rng.standard_normal((1, n)), "b2": rng.standard_normal(1)}
inputs = rng.standard_normal((settings.check_inputs, 2))
copies = list(symmetric_copies(params))
outputs = np.stack([tanh_mlp(c, inputs) for c in copies])
vectors = np.stack([np.concatenate([np.ravel(c[k]) for k in ("W1", "b1", "W2", "b2")])
                    for c in copies])
distinct = len({tuple(np.round(v, 12)) for v in vectors})
print(f"{len(copies)} copies, {distinct} distinct parameter vectors, "
      f"largest output difference {format_number(np.max(np.abs(outputs - outputs[0])), 2)}")

fig, ax = plt.subplots(figsize=(6.9, 4.5))
ax.semilogy(widths, [float(c) for c in counts], "o-", label=r"$n!\,2^n$ (tanh)")
ax.semilogy(widths, [float(math.factorial(int(n))) for n in widths], "s--",
            label=r"$n!$ (permutations only, e.g. ReLU)")
ax.semilogy(widths, 2.0**widths, "^:", label=r"$2^n$ (sign flips only)")
plot.annotate_point(ax, f"n = {example}: {format_number(equivalent_parameterizations(example), 4)}",
                    (example, float(equivalent_parameterizations(example))))
ax.set_xlabel("width $n$ of the hidden layer")
ax.set_ylabel("parameter vectors computing one function")
ax.set_title("Weight-space symmetry of one hidden layer: copies of every minimum",
             fontsize=11)
ax.legend(loc="upper left")
plt.show()

# %%
# The smallest case: one tanh unit
# --------------------------------
# :data:`d2lopt.landscapes.tanh_unit` fits :math:`a\tanh(bx)` to data made by
# :math:`(a^\star, b^\star)`. Because :math:`\tanh` is odd, :math:`(a, b)` and
# :math:`(-a, -b)` are the same model, so both :math:`\pm(a^\star, b^\star)`
# are global minima. Their Hessians, and the one at the origin, come from
# :func:`d2lopt.critical_point`.
labels = []
for point in tanh_unit.critical_points:
    found = d2lopt.critical_point(tanh_unit, d2l.tensor(point.location))
    where = ", ".join(format_number(v, trim=True) for v in point.location)
    eigenvalues = ", ".join(format_number(v, 4) for v in found.eigenvalues)
    print(f"{found.kind:8s} at ({where}): Hessian eigenvalues {eigenvalues}, f = "
          f"{format_number(d2l.to_numpy(tanh_unit(d2l.tensor(point.location))), 3)}")
    labels.append((f"{found.kind}\nλ = {format_number(found.eigenvalues[0], 3)}, "
                   f"{format_number(found.eigenvalues[1], 3)}",
                   point.location))

fig, ax = plt.subplots(figsize=(6.9, 5.3))
_, _, Z = plot.evaluate_grid(tanh_unit, 161)
plot.contour(ax, tanh_unit, levels=np.linspace(0.0, Z.max(), 33), num=161,
             title=r"One tanh unit $a\tanh(bx)$: two equivalent minima joined through a saddle")
ax.title.set_fontsize(11)
fig.colorbar(next(c for c in ax.collections if hasattr(c, "levels")), ax=ax,
             label="loss (mean squared error)", ticks=np.arange(0.0, Z.max(), 1.0))
for text, xy in labels:
    plot.annotate_point(ax, text, xy)
ax.set_xlabel("output weight $a$")
ax.set_ylabel("input weight $b$")
plt.show()
# sphinx_gallery_thumbnail_number = 2

# %%
# Conclusions
# -----------
# One layer of ``settings.width`` units already has the billions of equivalent
# parameter vectors printed above, and the counts multiply across layers.
# These minima are local minima of the loss only in a trivial sense: each one
# is exactly as good as the others, so they cost nothing. The picture of one
# unit shows what the symmetry forces between two copies: the segment from
# :math:`(a^\star, b^\star)` to :math:`(-a^\star, -b^\star)` passes through
# the origin, where the model is the zero function and the Hessian has one
# positive and one negative eigenvalue. Symmetry-related minima are separated
# by saddles like this one, which is one reason saddles are common in
# neural-network losses.
