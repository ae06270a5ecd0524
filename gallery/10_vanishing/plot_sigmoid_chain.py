"""
A chain of sigmoids: why the gradient shrinks like (1/4)^L
==========================================================

Stack :math:`L` sigmoid units, each feeding the next with weight :math:`w`:
:math:`z_{l} = \\sigma(w z_{l-1})`. By the chain rule

.. math::
    \\frac{\\mathrm d z_L}{\\mathrm d z_0} = \\prod_{l=1}^{L} w\\,\\sigma'(w z_{l-1}),
    \\qquad |\\sigma'| \\le \\tfrac14 ,

so with :math:`|w| \\le 1` the derivative is at most :math:`4^{-L}`. We
compute it with automatic differentiation for every depth up to the printed
``depth`` and compare with
that bound, with the rate predicted by the chain's fixed point, and with a
chain of ReLUs.
"""

# %%
# Derivatives of deep compositions
# --------------------------------
# ``d2lopt.grad`` differentiates the whole composition in the framework chosen
# by ``D2LOPT_BACKEND``. With :math:`w = 1` the activations converge to the
# fixed point :math:`z^\star = \sigma(z^\star)` (found with
# :func:`scipy.optimize.brentq`), where each layer multiplies the gradient by
# :math:`\sigma'(z^\star) = z^\star(1 - z^\star)`, a little below 1/4. The
# depths, the inputs of the chains and the depths used for the fit are fields
# of ``d2lopt.chapter.vanishing.SETTINGS``, printed first; to try another,
# replace a field, e.g. ``settings = dataclasses.replace(vanishing.SETTINGS, depth=50)``.
from d2lopt.chapter import vanishing

settings = vanishing.SETTINGS
print(settings)

import matplotlib.pyplot as plt
import numpy as np
from scipy.optimize import brentq

import d2lopt
from d2lopt import plot
from d2lopt.plot.numbers import format_number
from d2lopt.rates import log_slope

plot.use_style()
d2l = d2lopt.use()

depths = np.arange(1, settings.depth + 1)
x0 = d2l.tensor(settings.chain_start)
chain = np.array([
    float(d2l.to_numpy(d2lopt.grad(lambda x, L=L: vanishing.sigmoid_chain(x, L))(x0)))
    for L in depths
])


def relu_chain(x, depth):
    for _ in range(depth):
        x = vanishing.relu(x)
    return x


relu_slopes = np.array([
    float(d2l.to_numpy(d2lopt.grad(lambda x, L=L: relu_chain(x, L))(
        d2l.tensor(settings.relu_start))))
    for L in depths
])
fixed_point = brentq(lambda z: float(vanishing.sigmoid(z)) - z, 0.0, 1.0, xtol=1e-14)
per_layer = fixed_point * (1 - fixed_point)
late = depths >= settings.fit_from
fitted = float(np.exp(log_slope(depths[late], chain[late])))
print(f"fixed point z* = {fixed_point:.6f}, σ'(z*) = {per_layer:.6f}, "
      f"fitted per-layer factor {fitted:.6f}")
print(f"derivative through {depths[-1]} sigmoids: {format_number(chain[-1], 4)} "
      f"(bound 4^-{depths[-1]} = {format_number(0.25 ** depths[-1], 4)})")

# %%
# The figure
# ----------
fig, ax = plt.subplots(figsize=(6.9, 4.4))
ax.plot(depths, chain, marker="o", markersize=5, linestyle="none",
        label="sigmoid chain, $w = 1$ (autodiff)")
ax.plot(depths, 0.25**depths, linestyle="--", label=r"bound $(1/4)^L$")
ax.plot(depths, per_layer**depths * chain[-1] / per_layer ** depths[-1], linewidth=1.2,
        label=r"$\propto \sigma'(z^\star)^L$ (fixed-point rate)")
ax.plot(depths, relu_slopes, label=f"ReLU chain at $x = {settings.relu_start:g}$ (autodiff)")
ax.set_yscale("log")
ax.set_xlabel("depth $L$ (layers)")
ax.set_ylabel(r"$|\mathrm{d} z_L / \mathrm{d} z_0|$")
ax.set_title("Derivative of a chain of L sigmoids against depth, with the (1/4)^L bound",
             fontsize=10)
ax.legend(loc="lower left")
plot.annotate_point(ax, f"{format_number(chain[-1], 2)} after {depths[-1]} layers",
                    (depths[-1], chain[-1]))
plt.show()

# %%
# Conclusions
# -----------
# The derivative of the sigmoid chain falls by a constant factor per layer,
# slightly faster than the bound :math:`(1/4)^L`, because the activations settle
# at :math:`z^\star` rather than at 0 where :math:`\sigma'` is largest. A weight
# :math:`|w| > 4` could make up for the factor in principle, but large weights
# push the pre-activations into the flat tails where :math:`\sigma'` is far
# below :math:`1/4`. The ReLU chain passes the gradient unchanged at any depth
# while its units are active. In a real network the product also contains the
# weight matrices, so the initialization decides whether the gradient keeps its
# size: :cite:t:`he2015delving` choose the variance :math:`2/n_{\text{in}}` so that
# the expected squared gradient is preserved through ReLU layers, half of whose
# units are inactive on average.
