r"""
The saddle of :math:`x^2 - y^2`, along its eigenvectors
=======================================================

A saddle point is a minimum along some directions and a maximum along others.
For :math:`f(x, y) = x^2 - y^2` those directions are the eigenvectors of the
Hessian at the critical point. We find the critical point by solving
:math:`\nabla f = 0`, compute the Hessian there with :func:`d2lopt.hessian`,
and draw on the surface the two curves through the saddle along the
eigenvectors: one curving up, one curving down.
"""

# %%
# The critical point and its Hessian
# ----------------------------------
# Found by :func:`scipy.optimize.root` on the gradient from a random start; its
# seed and the tolerance are fields of
# :data:`d2lopt.chapter.saddle_points.SETTINGS`, printed first; to try others,
# replace the second line by e.g.
# ``settings = dataclasses.replace(saddle_points.SETTINGS, saddle_root_seed=5)``.
from d2lopt.chapter import saddle_points

settings = saddle_points.SETTINGS
print(settings)

import matplotlib.pyplot as plt
import numpy as np
from scipy.optimize import root

import d2lopt
from d2lopt import plot
from d2lopt.landscapes import saddle
from d2lopt.plot.numbers import format_number

plot.use_style()
d2l = d2lopt.use()

solution = root(lambda x: d2l.to_numpy(d2lopt.grad(saddle)(d2l.tensor(x))),
                np.random.default_rng(settings.saddle_root_seed).uniform(-1, 1, size=2),
                tol=settings.root_tol)
center = solution.x
hessian = d2l.to_numpy(d2lopt.hessian(saddle)(d2l.tensor(center)))
eigenvalues, eigenvectors = np.linalg.eigh(hessian)
def as_text(vector):
    return "(" + ", ".join(format_number(float(v) + 0.0, 4, trim=True) for v in vector) + ")"


print(f"critical point {as_text(np.round(center, 12))}, Hessian rows "
      + ", ".join(as_text(row) for row in hessian))
for value, vector in zip(eigenvalues, eigenvectors.T, strict=True):
    print(f"eigenvalue {format_number(value, 4, trim=True)} along {as_text(vector)}")

# %%
# The figure
# ----------
fig = plt.figure(figsize=(6.9, 6.0))
ax = fig.add_subplot(projection="3d")
plot.surface(ax, saddle, num=61, mark=[("saddle point", tuple(center))],
             title="$f = x^2 - y^2$: up along one eigenvector of the Hessian,\n"
                   "down along the other")
ax.title.set_fontsize(11)
for axis in (ax.xaxis, ax.yaxis, ax.zaxis):
    axis.set_major_locator(plt.MaxNLocator(5))
t = np.linspace(-1.0, 1.0, 101)
colors = (plot.COLORS["vermillion"], plot.COLORS["black"])
for value, vector, color in zip(eigenvalues, eigenvectors.T, colors, strict=True):
    path = center[:, None] + t[None, :] * vector[:, None]
    heights = np.asarray(saddle(path))
    ax.plot(path[0], path[1], heights, color=color, linewidth=3, zorder=10,
            linestyle="-" if value > 0 else "--",
            label=f"eigenvalue {format_number(value, trim=True)}: "
                  f"curvature {'up' if value > 0 else 'down'}")
ax.legend(loc="upper left", fontsize=9.5)
ax.view_init(elev=28, azim=-55)
plt.show()

# %%
# Conclusions
# -----------
# The Hessian at the saddle is :math:`\mathrm{diag}(2, -2)`. Along the
# eigenvector :math:`(1, 0)` the surface is the parabola :math:`x^2`, a
# minimum; along :math:`(0, 1)` it is :math:`-y^2`, a maximum. The gradient
# :math:`(2x, -2y)` points away from the saddle along :math:`y` and towards it
# along :math:`x`, so gradient descent started on the :math:`x`-axis (the
# saddle's *stable manifold*) walks straight into it, and from anywhere else
# it leaves, slowly at first when it starts close to that axis.
