r"""
A cliff in the loss of a recurrent unit, and gradient clipping
==============================================================

:cite:t:`pascanu2013difficulty` showed the loss surface of a one-unit
recurrent network: mostly gentle, with a wall where the loss changes by a large
amount over a tiny change of the parameters. There the gradient is enormous,
and a gradient step, which is the gradient times the learning rate, can throw
the parameters far away. We build the same kind of surface with
:math:`h_t = \tanh(w h_{t-1} + b)` run for :math:`T = 50` steps from
:math:`h_0 = 0.5`, loss :math:`(h_T - 0.7)^2`, measure the gradient on the
wall, and run gradient descent with and without clipping by norm.
"""

# %%
# The surface and where its cliff is
# ----------------------------------
# :data:`d2lopt.landscapes.recurrent_cliff` is the loss as a function of
# :math:`(w, b)`. For :math:`w > 1/(1 - h_0^2)` the line
# :math:`b = \operatorname{artanh}(h_0) - w h_0` carries an unstable fixed
# point at :math:`h_0`: just above it :math:`h_t` runs up to the positive
# stable state, just below it down to the negative one. Every value the
# experiments use is a field of ``d2lopt.chapter.cliffs.SETTINGS``, printed
# first; to try another, replace a field, e.g.
# ``settings = dataclasses.replace(cliffs.SETTINGS, lr=0.1)``.
from d2lopt.chapter import cliffs

settings = cliffs.SETTINGS
print(settings)

import matplotlib.pyplot as plt
import numpy as np

import d2lopt
from d2lopt import optim, plot
from d2lopt.landscapes import cliff_bias, cliff_onset, recurrent_cliff
from d2lopt.optim.many_starts import uniform_starts
from d2lopt.plot.numbers import format_number

plot.use_style()
d2l = d2lopt.use()
f = recurrent_cliff
onset = cliff_onset(f.h0)
(w_lo, w_hi), (b_lo, b_hi) = f.domain
print(f"T = {f.steps}, h0 = {f.h0}, target = {f.target}; the cliff starts at w = {onset:.4f}")

# %%
# The gradient on the cliff
# -------------------------
# On the cliff line :math:`h_t = h_0` for every :math:`t`, and the gradient is
# of order :math:`\lambda^T` with :math:`\lambda = w(1 - h_0^2)`. Across the
# line, at the printed ``w``, the gradient norm rises by many orders of magnitude
# within a band far thinner than anything a plot can resolve.
w_cross = settings.w
b_cliff = cliff_bias(w_cross, f.h0)
on_cliff = np.linalg.norm(d2l.to_numpy(d2lopt.grad(f)(d2l.tensor([w_cross, b_cliff]))))
rate = w_cross * (1 - f.h0**2)
print(f"at w = {w_cross}: cliff at b = {format_number(b_cliff, 6)}, slope of the map λ = {rate:g}, "
      f"gradient norm on the cliff {format_number(on_cliff, 4)}")
offsets = np.geomspace(1e-12, 1.0, 241)
bs = np.concatenate([b_cliff - offsets[::-1], b_cliff + offsets])
across = np.stack([np.full_like(bs, w_cross), bs])  # one column per point
gradients = d2l.to_numpy(d2lopt.grad(lambda X: d2l.sum(f(X)))(d2l.tensor(across)))
norms = np.linalg.norm(gradients, axis=0)  # the gradient of a sum of separate terms
half = [np.linalg.norm(d2l.to_numpy(d2lopt.grad(f)(d2l.tensor([w_cross, b_cliff + s]))))
        for s in (-settings.away, settings.away)]
print(f"gradient norm {settings.away:g} below and above the cliff: {half[0]:.3f} and "
      f"{half[1]:.3f}")

# %%
# One start, with and without clipping
# ------------------------------------
# We draw starts uniformly from the window (seeded) and show the first one
# whose unclipped run makes a single step longer than the window's diagonal,
# while the run clipped to gradient norm ``max_norm`` stays within that distance.
diagonal = cliffs.window_diagonal(f)
starts = uniform_starts(f.domain, settings.search_count, seed=settings.seed)
k = cliffs.first_thrown(*cliffs.clipping_runs(starts, steps=settings.steps, lr=settings.lr,
                                              max_norm=settings.max_norm), diagonal)
start = d2l.tensor(starts[:, k])
runs = {
    "gradient descent": optim.gradient_descent(f, start, steps=settings.steps, lr=settings.lr),
    f"clipped by norm {settings.max_norm:g}": optim.gradient_descent(
        f, start, steps=settings.steps, lr=settings.lr, clip=("norm", settings.max_norm)),
}
jump = int(np.argmax(np.linalg.norm(np.diff(runs["gradient descent"].points, axis=0), axis=1)))
before, after = runs["gradient descent"].points[jump], runs["gradient descent"].points[jump + 1]


def pair(point, sig=3):
    """A point as text, with minus signs."""
    return f"({format_number(float(point[0]), sig)}, {format_number(float(point[1]), sig)})"


for name, run in runs.items():
    print(f"{name:18s} from {pair(run.points[0])} ends at {pair(run.final)}, loss "
          f"{format_number(run.values[-1])}, largest gradient norm "
          f"{format_number(run.grad_norms.max())}")
print(f"step {jump + 1}: gradient norm "
      f"{format_number(runs['gradient descent'].grad_norms[jump])} throws the "
      f"unclipped run from {pair(before)} to {pair(after)}")

# %%
# The figures
# -----------
fig = plt.figure(figsize=(6.9, 9.8))
ax3d = fig.add_subplot(2, 1, 1, projection="3d")
plot.surface(ax3d, f, num=121, title=f"loss $(h_{{{f.steps}}} - {f.target:g})^2$ over $(w, b)$")
ax3d.set_xlabel("$w$")
ax3d.set_ylabel("$b$")
ax3d.set_zlabel("loss")
ax3d.view_init(elev=35, azim=-120)
ax = fig.add_subplot(2, 1, 2)
ax.semilogy(bs - b_cliff, norms, label=rf"$\|\nabla f\|$ at $w = {w_cross:g}$")
ax.set_xscale("symlog", linthresh=1e-12)
ticks = [-1.0, -1e-4, -1e-8, 0.0, 1e-8, 1e-4, 1.0]
ax.set_xticks(ticks, [format_number(t, 1) for t in ticks])
plot.annotate_point(ax, f"on the cliff: {format_number(on_cliff, 3)}", (0.0, on_cliff),
                    offset=(40, -40))
ax.set_xlabel(r"distance $b - b_{\mathrm{cliff}}$ across the cliff (symmetric log)")
ax.set_ylabel("gradient norm")
ax.set_title("The gradient explodes on the cliff line")
fig.suptitle(f"One tanh unit run for T = {f.steps} steps:\na cliff in the loss, and the "
             "gradient on it", fontsize=11)
fig.tight_layout()
plt.show()
# sphinx_gallery_thumbnail_number = 1

fig, ax = plt.subplots(figsize=(6.9, 5.8), layout="constrained")
plot.contour(ax, f, trajectories=runs, levels=30, log_levels=True, num=161, mark_critical=False,
             title=f"Gradient descent (lr {settings.lr:g}) near the cliff:\nthrown off, or kept by "
                   "clipping")
colorbar = fig.colorbar(ax.collections[0], ax=ax, label="loss (log-spaced levels)")
colorbar.ax.yaxis.set_major_formatter(lambda value, _: format_number(value, 2))
w_line = np.linspace(onset, w_hi, 50)
ax.plot(w_line, cliff_bias(w_line, f.h0), color=plot.COLORS["black"], linestyle="--", linewidth=1.5,
        label="cliff line")
plot.annotate_point(ax, f"step {jump + 1} throws it to\n(w, b) = ({after[0]:.0f}, {after[1]:.0f})",
                    tuple(before))
ax.set_xlabel("recurrent weight $w$")
ax.set_ylabel("bias $b$")
ax.legend(loc="lower left")
plt.show()

# %%
# Conclusions
# -----------
# The loss is smooth almost everywhere, with a wall along the cliff line. On
# the line the gradient is of order :math:`\lambda^T`, here about
# :math:`10^8`, while at the offset ``away`` from it it is about :math:`0.05`. The
# unclipped run follows the valley of zero loss down to where it meets the
# cliff, takes one step with an enormous gradient, and lands dozens of units
# away on a plateau where :math:`h_T \approx 1`, the gradient is essentially
# zero, and it never comes back. With the gradient clipped to norm ``max_norm``
# the same run takes steps of at most ``lr * max_norm``, crosses the wall without being
# thrown, and settles in the valley. Clipping by norm keeps the direction of
# the gradient, which is still a descent direction, and only refuses to trust
# its size.
