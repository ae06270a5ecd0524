r"""
Clipping by norm keeps the direction; clipping by value turns it
================================================================

Two rules are in common use for taming a large gradient :math:`g`. Clipping by
norm rescales the whole vector, :math:`g \min(1, c/\|g\|)`, so its direction
is kept. Clipping by value clamps each component to :math:`[-c, c]`
separately: large components are cut, small ones kept, so the direction turns
towards the diagonal of the box. We clip one gradient of the recurrent-unit
loss both ways with :func:`d2lopt.optim.clip_by_norm` and
:func:`d2lopt.optim.clip_by_value` and measure the angles, then show what value
clipping does to a long random vector.
"""

# %%
# A gradient near the cliff
# -------------------------
# Just above the cliff line of :data:`d2lopt.landscapes.recurrent_cliff` (at
# the weight ``w`` of the settings) the gradient norm falls steeply with the
# distance from the line; we take the point where it equals ``target_norm``,
# found by root finding. Every value used is a field of
# ``d2lopt.chapter.cliffs.SETTINGS``, printed first; to try another, replace a
# field, e.g. ``settings = dataclasses.replace(cliffs.SETTINGS, threshold=2.0)``.
from d2lopt.chapter import cliffs

settings = cliffs.SETTINGS
print(settings)

import matplotlib.pyplot as plt
import numpy as np
from scipy.optimize import brentq

import d2lopt
from d2lopt import plot
from d2lopt.landscapes import cliff_bias, recurrent_cliff
from d2lopt.optim import clip_by_norm, clip_by_value

plot.use_style()
d2l = d2lopt.use()


def gradient_at(offset):
    point = d2l.tensor([settings.w, cliff_bias(settings.w, recurrent_cliff.h0) + offset])
    return d2lopt.grad(recurrent_cliff)(point)


target_norm, threshold = settings.target_norm, settings.threshold
log_offset = brentq(
    lambda s: np.log(np.linalg.norm(d2l.to_numpy(gradient_at(10.0**s)))) - np.log(target_norm),
    *settings.log_offset_bracket)
g = gradient_at(10.0**log_offset)
by_norm = clip_by_norm(g, threshold)
by_value = clip_by_value(g, threshold)


def numpy_array(x):
    return x if isinstance(x, np.ndarray) else d2l.to_numpy(x)


def angle(u, v):
    """Angle between two vectors (of the chosen framework, or NumPy), in degrees."""
    u, v = numpy_array(u), numpy_array(v)
    cosine = np.dot(u, v) / (np.linalg.norm(u) * np.linalg.norm(v))
    return float(np.degrees(np.arccos(np.clip(cosine, -1.0, 1.0))))


vectors = {"gradient g": g, f"clipped by norm (c = {threshold:g})": by_norm,
           f"clipped by value (c = {threshold:g})": by_value}
for name, v in vectors.items():
    v = numpy_array(v)
    print(f"{name:26s} = ({v[0]:.4f}, {v[1]:.4f}), norm {np.linalg.norm(v):.4f}, "
          f"angle to g {angle(v, g):.2f} degrees")

# %%
# A long random gradient
# ----------------------
# For a large gradient with many components of mixed sizes, clipping by value
# clamps nearly every component and leaves roughly :math:`c\,\mathrm{sign}(g)`.
# For Gaussian components the cosine with :math:`g` tends to
# :math:`\mathbb E|g_i| / \sqrt{\mathbb E g_i^2} = \sqrt{2/\pi}`.
rng = np.random.default_rng(settings.long_seed)
long_g = d2l.tensor(settings.long_scale * rng.standard_normal(settings.long_size))
print(f"{settings.long_size} Gaussian components scaled by {settings.long_scale:g}: angle after "
      "clipping by value "
      f"{angle(clip_by_value(long_g, threshold), long_g):.2f} degrees "
      f"(limit arccos(sqrt(2/pi)) = {np.degrees(np.arccos(np.sqrt(2 / np.pi))):.2f}); after "
      f"clipping by norm {angle(clip_by_norm(long_g, threshold), long_g):.2f} degrees")

# %%
# The figure
# ----------
fig, ax = plt.subplots(figsize=(6.9, 7.4), layout="constrained")
square = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1], [-1, -1]]) * threshold
ax.plot(square[:, 0], square[:, 1], color=plot.COLORS["sky blue"], linestyle="--",
        label=f"box $|g_i| \\leq {threshold:g}$")
theta = np.linspace(0, 2 * np.pi, 200)
ax.plot(threshold * np.cos(theta), threshold * np.sin(theta), color=plot.COLORS["orange"],
        linestyle=":", label=f"circle $\\|g\\| = {threshold:g}$")
colors = (plot.COLORS["black"], plot.COLORS["blue"], plot.COLORS["vermillion"])
for (name, v), color in zip(vectors.items(), colors, strict=True):
    v = numpy_array(v)
    ax.annotate("", xy=tuple(v), xytext=(0, 0),
                arrowprops={"arrowstyle": "-|>", "color": color, "lw": 2.2})
    ax.plot([], [], color=color, lw=2.2, label=f"{name}: {angle(v, g):.1f}° from g")
v = numpy_array(by_value)
plot.annotate_point(ax, f"by value: turned\n{angle(v, g):.1f}°", tuple(v),
                    color=plot.COLORS["vermillion"], offset=(30, -40))
limit = 1.15 * float(np.max(np.abs(numpy_array(g))))
ax.set_xlim(-0.3 * limit, limit)
ax.set_ylim(-0.3 * limit, limit)
ax.set_aspect("equal")
ax.set_xlabel(r"$\partial f/\partial w$")
ax.set_ylabel(r"$\partial f/\partial b$")
ax.set_title("One gradient clipped two ways:\nby norm keeps its direction, by value turns it")
fig.legend(loc="outside lower center", ncols=2, fontsize=9)
plt.show()

# %%
# Conclusions
# -----------
# The gradient near the cliff points mostly along :math:`b` (on the cliff line
# its components are in the ratio :math:`h_0 : 1`). Clipping by norm shrinks it
# onto the circle of radius :math:`c` and keeps the angle exactly 0. Clipping by
# value clamps both components to :math:`c`, giving the diagonal direction and turning the step by
# the angle printed above. In two dimensions that is a modest change; for a
# gradient with many components of very different sizes, clipping by value
# approaches :math:`c\,\mathrm{sign}(g)`, about 37° away from :math:`g` for
# Gaussian components. Clipping by norm is the rule :cite:t:`pascanu2013difficulty`
# proposed, and the one :func:`torch.nn.utils.clip_grad_norm_` implements.
