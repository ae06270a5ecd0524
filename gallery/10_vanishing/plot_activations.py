"""
Saturating activations and their derivatives
============================================

Back-propagation multiplies the incoming gradient by the derivative of the
activation at every unit. Where an activation *saturates* (flattens out), its
derivative is nearly zero and almost no gradient gets through. We plot tanh,
the logistic sigmoid and the rectifier (ReLU) with their derivatives, computed
by automatic differentiation in the framework chosen by ``D2LOPT_BACKEND``,
and annotate the two numbers worth remembering: :math:`\\tanh'` far in its
flat tail (at the printed ``slope_at``) and the largest value of :math:`\\sigma'`.
"""

# %%
# Derivatives by automatic differentiation
# ----------------------------------------
# :func:`d2lopt.derivatives.elementwise_grad` differentiates the sum of
# the activation over a grid, which gives every pointwise derivative at once;
# the closed forms :math:`1-\tanh^2 x`, :math:`\sigma(1-\sigma)` and
# :math:`[x > 0]` are used only as a check. The input at which
# :math:`\tanh'` is quoted and the interval searched for the peak of
# :math:`\sigma'` are fields of ``d2lopt.chapter.vanishing.SETTINGS``, printed
# first; to try another, replace a field, e.g.
# ``settings = dataclasses.replace(vanishing.SETTINGS, slope_at=2.0)``.
from d2lopt.chapter import vanishing

settings = vanishing.SETTINGS
print(settings)

import matplotlib.pyplot as plt
import numpy as np
from scipy.optimize import minimize_scalar

import d2lopt
from d2lopt import plot
from d2lopt.derivatives import elementwise_grad
from d2lopt.plot.numbers import format_number

plot.use_style()
d2l = d2lopt.use()

x = np.linspace(-6.0, 6.0, 1201)
curves = {}
for name, (phi, closed_form) in vanishing.ACTIVATIONS.items():
    values = d2l.to_numpy(phi(d2l.tensor(x)))
    derivative = d2l.to_numpy(elementwise_grad(phi)(d2l.tensor(x)))
    error = np.max(np.abs(derivative - d2l.to_numpy(closed_form(d2l.tensor(x)))))
    print(f"{name:8s} max |autodiff − closed form| = {format_number(error, 2)}")
    curves[name] = (values, derivative)

x_slope = settings.slope_at
tanh_slope_at_4 = float(d2l.to_numpy(d2lopt.grad(vanishing.tanh)(d2l.tensor(x_slope))))
peak = minimize_scalar(
    lambda z: -float(d2l.to_numpy(d2lopt.grad(vanishing.sigmoid)(d2l.tensor(z)))),
    bounds=settings.peak_bounds, method="bounded", options={"xatol": 1e-10},
)
print(f"tanh'({x_slope:g}) = {format_number(tanh_slope_at_4, 4)}; max sigmoid' = "
      f"{format_number(-peak.fun, 6)} at x = {format_number(peak.x, 2)}")

# %%
# The figure
# ----------
fig, axes = plt.subplots(3, 1, figsize=(6.9, 9.6), sharex=True, layout="constrained")
titles = {"tanh": r"$\tanh$", "sigmoid": r"sigmoid $\sigma$", "relu": "ReLU"}
for ax, (name, (values, derivative)) in zip(axes, curves.items(), strict=True):
    ax.plot(x, values, label="function")
    ax.plot(x, derivative, label="derivative (autodiff)", linestyle="--")
    ax.set_title(titles[name])
    ax.set_ylabel("value")
    ax.set_ylim(-1.2, 1.5)
axes[-1].set_xlabel("$x$")
axes[0].legend(loc="lower right")
plot.annotate_point(axes[0], f"tanh'({x_slope:g}) = {format_number(tanh_slope_at_4, 3)}",
                    (x_slope, tanh_slope_at_4))
plot.annotate_point(axes[1], f"max σ' = {-peak.fun:.4f}\nat x = {round(peak.x, 6) + 0.0:g}",
                    (peak.x, -peak.fun))
fig.suptitle("tanh, sigmoid and ReLU with their derivatives:\n"
             "the saturating ones have derivatives near zero for large |x|", fontsize=11)
plt.show()

# %%
# Conclusions
# -----------
# The derivative of tanh is at most 1 (at 0) and falls off like
# :math:`4e^{-2|x|}`: at :math:`x = 4` a unit passes back about a thousandth of
# its gradient, so a net whose pre-activations sit in the flat parts learns
# slowly no matter how large the loss. The sigmoid is worse everywhere: its
# derivative never exceeds :math:`1/4`, so even an unsaturated sigmoid unit
# divides the gradient by at least 4. The rectifier's derivative is exactly 1
# for every positive input (and 0 for negative ones): active units pass
# gradients unchanged, which is why deep ReLU nets with a suitable
# initialization keep gradients of stable size.
