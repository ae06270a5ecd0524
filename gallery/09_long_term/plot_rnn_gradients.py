"""
Gradients through time in a tanh recurrent network
==================================================

Back-propagation through :math:`h_t = \\tanh(W h_{t-1} + U x_t)` multiplies
one Jacobian per step,

.. math::
    \\frac{\\partial h_T}{\\partial h_0} = \\prod_{t=T}^{1}
    \\mathrm{diag}\\bigl(1 - h_t^2\\bigr)\\, W ,

so the gradient that reaches step 0 from step :math:`T` is a product of
:math:`T` matrices, like :math:`W^T` but with a diagonal factor between 0 and 1
wedged in at every step. We measure its norm against :math:`T` for random
recurrent weights of several scales (the scale is about the spectral radius)
and compare the fitted rate of growth or decay with :math:`\\log\\rho(W)`.
"""

# %%
# Products of Jacobians, checked by automatic differentiation
# -----------------------------------------------------------
# ``d2lopt.chapter.long_term.rnn_jacobian_norms`` multiplies the one-step
# Jacobians. As a check, we differentiate the same recurrence, written with
# backend operations, row by row with ``d2lopt.grad`` in the framework chosen
# by ``D2LOPT_BACKEND`` (NumPy by default). The sizes, scales and horizons are
# fields of ``d2lopt.chapter.long_term.SETTINGS``, printed first; to try
# another, replace a field, e.g.
# ``settings = dataclasses.replace(long_term.SETTINGS, scales=(0.9, 1.1))``.
from d2lopt.chapter import long_term

settings = long_term.SETTINGS
print(settings)

import matplotlib.pyplot as plt
import numpy as np

import d2lopt
from d2lopt import plot
from d2lopt.plot.numbers import format_number
from d2lopt.rates import log_slope

plot.use_style()
d2l = d2lopt.use()

W, U, inputs, h0, _ = long_term.rnn_gradient_experiment(
    settings.check_scale, n=settings.check_n, horizon=settings.check_horizon,
    input_scale=settings.input_scale, seed=settings.seed)
by_product = long_term.rnn_jacobians(W, U, inputs, h0)[-1]
rows = [
    d2l.to_numpy(d2lopt.grad(lambda h, i=i: long_term.rnn_final_state(h, W, U, inputs)[i])(
        d2l.tensor(h0)))
    for i in range(len(h0))
]
print(f"backend {d2l.backend.name}: max |autodiff - product of Jacobians| at "
      f"T = {settings.check_horizon} is "
      f"{format_number(np.max(np.abs(np.array(rows) - by_product)), 2)}")

# %%
# Gradient norms against the horizon
# ----------------------------------
# A network of ``rnn_n`` units with weak inputs (standard deviation
# ``input_scale``), for several weight scales. The fitted slope of
# :math:`\log\|\partial h_T/\partial h_0\|` uses :math:`T \ge` ``rnn_fit_from``.
scales = settings.scales
horizon = settings.horizon
T = np.arange(1, horizon + 1)
late = T >= settings.rnn_fit_from
fig, ax = plt.subplots(figsize=(6.9, 4.4))
fits = {}
low, high = np.inf, 0.0
for scale in scales:
    W, *_, norms = long_term.rnn_gradient_experiment(
        scale, n=settings.rnn_n, horizon=horizon, input_scale=settings.input_scale,
        seed=settings.seed)
    rho = long_term.spectral_radius(W)
    fits[scale] = (rho, log_slope(T[late], norms[late]))
    (line,) = ax.plot(T, norms, label=f"scale {scale:g} (ρ(W) = {rho:.2f})")
    ax.plot(T, rho**T, color=line.get_color(), linewidth=1.0, linestyle="--")
    low, high = min(low, norms.min()), max(high, norms.max())
ax.plot([], [], color="gray", linewidth=1.0, linestyle="--", label=r"$\rho(W)^T$ for comparison")
ax.set_yscale("log")
ax.set_ylim(low / 10, high * 10)
ax.axhline(1.0, color="black", linewidth=0.8, linestyle=":")
ax.set_xlabel("horizon $T$ (time steps)")
ax.set_ylabel(r"$\|\partial h_T / \partial h_0\|_2$")
ax.set_title("Gradient norm through T steps of a tanh RNN, for four weight scales",
             fontsize=10)
ax.legend(loc="lower left")
plt.show()

# %%
# Fitted rates against the spectral radius
# ----------------------------------------
for scale, (rho, rate) in fits.items():
    print(f"scale {scale:3g}: ρ(W) = {rho:.3f}"
          f", log ρ = {format_number(np.log(rho), 3, sign=True)}, "
          f"fitted slope {format_number(rate, 3, sign=True)}")

# %%
# Conclusions
# -----------
# Small weights make the gradient vanish at a rate close to :math:`\log\rho(W)`:
# with :math:`h_t` small, :math:`\mathrm{diag}(1-h_t^2) \approx I` and the
# product behaves like :math:`W^T`. Larger weights do not simply give
# :math:`\rho^T`: the tanh saturates, the factors :math:`1-h_t^2` shrink, and
# the measured rate falls well below :math:`\log\rho`. With spectral radius a
# little above 1 the gradient still vanishes; only clearly larger weights make
# it explode, and then more slowly than :math:`\rho^T`. The rigorous statements
# :cite:p:`pascanu2013difficulty` use the largest singular value
# :math:`\sigma_{\max}(W)`, not :math:`\rho`: since :math:`|\tanh'| \le 1`,
# :math:`\sigma_{\max}(W) < 1` is sufficient for vanishing gradients, and
# :math:`\sigma_{\max}(W) > 1` is necessary for exploding ones.
