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
    print(f"{name:8s} f = {f.formula:10s} critical point {np.round(point.location, 12) + 0.0}, "
          f"kind: {point.kind}, Hessian eigenvalues {np.linalg.eigvalsh(hessian)}")

# %%
# The figure
# ----------
fig, axes = plt.subplots(1, 3, figsize=(12, 4.4),
                         subplot_kw={"projection": "3d", "elev": 25, "azim": -60})
for ax, (name, f) in zip(axes, surfaces.items(), strict=True):
    point = found[name]
    plot.surface(ax, f, num=41, mark=[(point.kind, tuple(point.location))],
                 title=f"{point.kind}: $f = {f.formula}$\nHessian eigenvalues "
                       + ", ".join(f"{v:+.0f}" for v in point.eigenvalues))
fig.suptitle("Three kinds of critical point, classified by the signs of the Hessian's "
             "eigenvalues", fontsize=12)
fig.tight_layout()
fig.subplots_adjust(top=0.8)
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
