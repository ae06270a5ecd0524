r"""
Edge of stability: the sharpness climbs to 2/η and stays there
==============================================================

.. note::
   Needs the torch and nets extras: ``pip install ".[torch,nets]"`` (PyTorch and
   scikit-learn), from a clone of the repository (see its README).

On a quadratic with top curvature :math:`\lambda`, gradient descent with step
:math:`\eta` diverges when :math:`\lambda > 2/\eta` (section 4). On a network
the curvature is not fixed: :cite:t:`cohen2021gradient` found that full-batch gradient
descent first *raises* the sharpness (the top Hessian eigenvalue; "progressive
sharpening") until it reaches about :math:`2/\eta`, and then keeps it hovering
there while the loss goes on falling, not monotonically. We repeat this on a
small tanh network on the digits, measuring the sharpness with Lanczos on
Hessian-vector products every few steps.
"""

# %%
# Runs at three step sizes
# ------------------------
# Every value is a field of ``d2lopt.chapter.real_networks.SETTINGS``, printed
# first. :func:`d2lopt.chapter.real_networks.edge_of_stability` trains
# ``64 -> 32 -> 10`` tanh networks from the same start on the squared error to
# one-hot targets, full batch, and records the loss every step and the
# sharpness (:func:`d2lopt.nets.sharpness`) every ``eos_every`` steps.
from d2lopt.chapter import real_networks

settings = real_networks.SETTINGS
print(settings)

import matplotlib.pyplot as plt
import torch

from d2lopt import plot
from d2lopt.plot.numbers import format_number

torch.manual_seed(settings.eos_seed)
torch.set_num_threads(1)
plot.use_style()

traces = real_networks.edge_of_stability(settings, lrs=settings.eos_lrs)

# %%
# The figure
# ----------
# Top: the sharpness of each run (solid, its own colour and line style) and
# its stability limit :math:`2/\eta` (thin dotted line, same colour, labelled
# on the right). Bottom:
# the training loss on a log scale.
fig, (top, bottom) = plt.subplots(2, 1, figsize=(6.9, 7.6), sharex=True, layout="constrained")
for i, (lr, trace) in enumerate(traces.items()):
    color, style = plot.COLOR_CYCLE[i], plot.LINESTYLE_CYCLE[i]
    label = f"η = {format_number(lr, 2, trim=True)}"
    top.plot(trace.sharpness_steps, trace.sharpness, color=color, linestyle=style, label=label)
    top.axhline(trace.threshold, color=color, linestyle=":", linewidth=1.2)
    bottom.plot(trace.losses, color=color, linestyle=style, label=label)
# Each limit is labelled on the right-hand axis, clear of the curves.
limits = top.secondary_yaxis("right")
limits.set_yticks([trace.threshold for trace in traces.values()],
                  [f"2/η = {format_number(trace.threshold, 3)}" for trace in traces.values()])
for i, label in enumerate(limits.get_yticklabels()):
    label.set_color(plot.COLOR_CYCLE[i])
top.set_ylabel(r"sharpness $\lambda_{\max}$ of the Hessian")
top.set_title("After a first drop, the sharpness rises to 2/η and hovers there")
top.set_ylim(top=1.2 * max(trace.sharpness.max() for trace in traces.values()))
top.legend(loc="upper right", fontsize=9, ncols=3)
bottom.set_yscale("log")
bottom.set_xlabel("step of full-batch gradient descent")
bottom.set_ylabel("training loss (squared error)")
bottom.set_title("The loss keeps falling, with spikes")
bottom.legend(loc="upper right", fontsize=9)
fig.suptitle("Edge of stability: tanh MLP on digits, full-batch gradient descent", fontsize=11)
plt.show()
# sphinx_gallery_thumbnail_number = 1

# %%
# What the runs show
# ------------------
for lr, trace in traces.items():
    summary = real_networks.edge_summary(trace)
    print(f"η = {format_number(lr, 2, trim=True)} (2/η = {format_number(trace.threshold, 3)}):"
          f" sharpness {format_number(summary['start'], 3)} at the start, lowest"
          f" {format_number(summary['low'], 3)} at step {summary['low_step']}, highest"
          f" {format_number(summary['peak'], 3)} at step {summary['peak_step']}, median over the"
          f" second half {format_number(summary['late_ratio'], 3)} × 2/η; the loss rose in "
          f"{summary['increases']} of {settings.eos_steps} steps and still fell from "
          f"{format_number(summary['half_loss'], 3)} half way to "
          f"{format_number(summary['last_loss'], 3)} at the end.")

# %%
# These weights start sharper than :math:`2/\eta` for all three step sizes, so
# the first steps overshoot and throw the network to a flatter region, below
# its edge. From there progressive sharpening raises the curvature again, as
# Cohen et al. describe, until it meets :math:`2/\eta`.
# In every run the sharpness ends up within a few per cent of :math:`2/\eta`,
# which the quadratic theory says is the largest curvature gradient descent
# can survive: above it, the step overshoots along the top eigenvector. On a
# quadratic that would mean divergence. Here the overshoot changes the network
# so that the curvature drops back, the loss spikes briefly, and training goes
# on at the edge; the loss is no longer monotone but still decreases over
# hundreds of steps. A smaller step allows a larger sharpness: the net is
# flatter with a large step, not because the step found a flat region, but
# because it cannot stay anywhere sharper than :math:`2/\eta`.
