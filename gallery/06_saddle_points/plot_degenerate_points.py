r"""
Degenerate critical points: when the second-derivative test is silent
=====================================================================

The second-derivative test classifies a critical point only when the Hessian
has no zero eigenvalue, or when its nonzero eigenvalues already have both
signs. In one dimension :math:`x^3`, :math:`x^4` and :math:`-x^4` all have
:math:`f'(0) = f''(0) = 0`, yet the first has no extremum at 0, the second a
minimum and the third a maximum: the test cannot tell them apart, and neither
can :func:`d2lopt.critical_point`, which reports ``"degenerate"``. In two
dimensions the *monkey saddle* :math:`x^3 - 3xy^2` has a vanishing gradient and
a vanishing Hessian at the origin, and three valleys leaving it instead of two.
"""

# %%
# Three functions with :math:`f'(0) = f''(0) = 0`
# -----------------------------------------------
# :data:`d2lopt.landscapes.cubic` is :math:`x^3`; the derivatives at 0 come from
# the framework chosen by ``D2LOPT_BACKEND``. The section's settings are
# printed first, although this example, which is exact, uses none of them.
from d2lopt.chapter import saddle_points

settings = saddle_points.SETTINGS
print(settings)

import matplotlib.pyplot as plt
import numpy as np

import d2lopt
from d2lopt import plot
from d2lopt.landscapes import cubic, monkey_saddle
from d2lopt.plot.numbers import format_number

plot.use_style()
d2l = d2lopt.use()

functions = {
    "$x^3$": cubic,
    "$x^4$": lambda x: x**4,
    "$-x^4$": lambda x: -(x**4),
}
zero = d2l.tensor(0.0)
for label, f in functions.items():
    point = d2lopt.critical_point(f, zero)
    second = float(d2l.to_numpy(d2lopt.hessian(f)(zero))) + 0.0
    print(f"{label.strip('$'):5s} f'(0) = {format_number(point.gradient_norm, trim=True)}, "
          f"f''(0) = {format_number(second, trim=True)}: {point.kind}")
(cubic_point,) = cubic.critical_points

# %%
# The monkey saddle
# -----------------
saddle_point = d2lopt.critical_point(monkey_saddle, d2l.tensor([0.0, 0.0]))
print(f"monkey saddle at the origin: gradient norm "
      f"{format_number(saddle_point.gradient_norm, trim=True)}, Hessian eigenvalues "
      + ", ".join(format_number(v + 0.0, trim=True) for v in saddle_point.eigenvalues)
      + f", kind: {saddle_point.kind}")
# Along the ray at angle θ the function is r³ cos 3θ: three directions down.
angles = np.linspace(0, 2 * np.pi, 7)[:-1]
on_circle = np.asarray(monkey_saddle(np.stack([np.cos(angles), np.sin(angles)])))
print("f on the unit circle at θ = 0, 60, ..., 300 degrees:",
      ", ".join(format_number(v, 4, trim=True) for v in np.round(on_circle, 12) + 0.0))

# %%
# The figure
# ----------
fig = plt.figure(figsize=(6.9, 9.0))
ax = fig.add_subplot(2, 1, 1)
x = np.linspace(-1.3, 1.3, 401)
plot.curve(ax, x, {label: np.asarray(f(x)) for label, f in functions.items()},
           title="Three functions with f'(0) = f''(0) = 0")
ax.title.set_fontsize(11)
plot.annotate_point(ax, f"{cubic_point.kind}: the test\nsays nothing at x = 0",
                    (float(cubic_point.array), float(cubic(cubic_point.array))))
ax.set_ylim(-2.2, 2.2)
ax3d = fig.add_subplot(2, 1, 2, projection="3d")
eigenvalues = ", ".join(format_number(v, trim=True) for v in saddle_point.eigenvalues + 0.0)
plot.surface(ax3d, monkey_saddle, num=61, mark=[("degenerate", tuple(saddle_point.location))],
             title=f"monkey saddle $f = x^3 - 3xy^2$\nHessian eigenvalues {eigenvalues}")
ax3d.view_init(elev=30, azim=-50)
ax3d.title.set_fontsize(11)
for axis in (ax3d.xaxis, ax3d.yaxis, ax3d.zaxis):
    axis.set_major_locator(plt.MaxNLocator(5))
fig.suptitle("Degenerate critical points: a zero Hessian eigenvalue\n"
             "leaves the test inconclusive", fontsize=11)
fig.tight_layout()
plt.show()

# %%
# Conclusions
# -----------
# At :math:`x = 0` the three curves share the same value, slope and curvature,
# so any test that looks only at first and second derivatives must give the
# same answer for all three, and the honest answer is "inconclusive". The
# fourth derivative settles :math:`\pm x^4`, the third shows that :math:`x^3`
# is increasing through 0. The folk statement "a zero gradient and a positive
# semi-definite Hessian make a minimum" is therefore false: :math:`x^3` has
# both. The monkey saddle is the two-dimensional version: the Hessian is the
# zero matrix, and along the ray at angle :math:`\theta` the function is
# :math:`r^3\cos 3\theta`, negative in three sectors, so gradient descent has
# three ways out rather than two.
