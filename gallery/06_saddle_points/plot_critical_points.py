r"""
Minimum, maximum and saddle: what the Hessian says
==================================================

At a critical point the gradient vanishes, and the second-order Taylor
expansion :math:`f(x + d) \approx f(x) + \tfrac12 d^\top H d` decides what
happens nearby. If every eigenvalue of the Hessian :math:`H` is positive the
point is a strict local minimum, if every one is negative a strict local
maximum, and if there are eigenvalues of both signs a saddle point: downhill
in some directions, uphill in others. We draw one example of each as a surface,
find its critical point by solving :math:`\nabla f = 0` numerically, and put
the Hessian's eigenvalues, computed by :func:`d2lopt.hessian`, in each panel.
"""

# %%
# Three quadratic surfaces and their critical points
# --------------------------------------------------
# The critical point of each surface is found by :func:`scipy.optimize.root`
# on the gradient from a random start, and classified by
# :func:`d2lopt.critical_point` (eigenvalues of the Hessian, in the framework
# chosen by ``D2LOPT_BACKEND``). The seed of the start and the tolerance of
# the root finding are fields of :data:`d2lopt.chapter.saddle_points.SETTINGS`,
# printed first; to try others, replace the second line by e.g.
# ``settings = dataclasses.replace(saddle_points.SETTINGS, root_seed=5)``.
from d2lopt.chapter import saddle_points

settings = saddle_points.SETTINGS
print(settings)

import matplotlib.pyplot as plt
import numpy as np
from scipy.optimize import root

import d2lopt
from d2lopt import plot
from d2lopt.plot.numbers import format_number

plot.use_style()
d2l = d2lopt.use()

surfaces = saddle_points.QUADRATIC_SURFACES  # x^2 + y^2, -x^2 - y^2 and x^2 - y^2


def gradient(f):
    return lambda x: d2l.to_numpy(d2lopt.grad(f)(d2l.tensor(x)))


rng = np.random.default_rng(settings.root_seed)
found = {}
for name, f in surfaces.items():
    solution = root(gradient(f), rng.uniform(-1, 1, size=2), tol=settings.root_tol)
    point = d2lopt.critical_point(f, d2l.tensor(solution.x))
    hessian = d2l.to_numpy(d2lopt.hessian(f)(d2l.tensor(solution.x)))
    found[name] = point
    where = ", ".join(format_number(float(v) + 0.0, 4, trim=True)
                      for v in np.round(point.location, 12))
    eigenvalues = ", ".join(format_number(v, 4, trim=True) for v in np.linalg.eigvalsh(hessian))
    print(f"{name:8s} f = {f.formula:10s} critical point ({where}), "
          f"kind: {point.kind}, Hessian eigenvalues {eigenvalues}")

# %%
# The figure
# ----------
fig, axes = plt.subplots(2, 2, figsize=(6.9, 7.2),
                         subplot_kw={"projection": "3d", "elev": 25, "azim": -60})
axes.flat[-1].remove()  # three surfaces in a 2 × 2 grid
for ax, (name, f) in zip(axes.flat, surfaces.items(), strict=False):
    point = found[name]
    plot.surface(ax, f, num=41, mark=[(point.kind, tuple(point.location))],
                 title=f"{point.kind}: $f = {f.formula}$\nHessian eigenvalues "
                       + ", ".join(format_number(v, 2, trim=True) for v in point.eigenvalues))
    ax.title.set_fontsize(10)
    for axis in (ax.xaxis, ax.yaxis, ax.zaxis):
        axis.set_major_locator(plt.MaxNLocator(3))
    if ax.get_legend() is not None:
        ax.get_legend().remove()
fig.suptitle("Three kinds of critical point, classified by the signs\n"
             "of the Hessian's eigenvalues", fontsize=11)
fig.tight_layout()
plt.show()

# %%
# Conclusions
# -----------
# All three surfaces have zero gradient at the origin; only the Hessian tells
# them apart. Eigenvalues :math:`(2, 2)`: every direction curves up, a minimum.
# :math:`(-2, -2)`: every direction curves down, a maximum. :math:`(-2, 2)`: the
# surface curves up along :math:`x` and down along :math:`y`, a saddle. The test
# is only sufficient: when some eigenvalue is zero and the others share a sign,
# the second-order terms do not decide, and higher-order terms do (see
# :ref:`sphx_glr_auto_examples_06_saddle_points_plot_degenerate_points.py`).
