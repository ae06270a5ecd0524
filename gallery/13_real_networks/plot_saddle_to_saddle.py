r"""
Plateaus: a deep linear network learns one mode at a time
=========================================================

.. note::
   Needs the torch and nets extras: ``pip install ".[torch,nets]"`` (PyTorch and
   scikit-learn), from a clone of the repository (see its README).

Training curves of deep networks often show plateaus followed by sudden drops.
:cite:t:`saxe2014exact` solved the simplest case exactly: a two-layer linear network
:math:`W_2W_1` on whitened inputs, started small, learns the singular modes of
the input–output correlation one after the other, strongest first. Mode
:math:`i`, with singular value :math:`s_i` and initial strength :math:`u_0`,
is half learned after :math:`t_i = \ln((s_i-u_0)/u_0)/(2 s_i \eta)` steps, so
the plateaus last in proportion to :math:`1/s_i`. Between them the weights sit
near saddle points of the loss: saddle-to-saddle dynamics.
"""

# %%
# Two starts: decoupled and random
# --------------------------------
from d2lopt.chapter import real_networks

settings = real_networks.SETTINGS
print(settings)

import matplotlib.pyplot as plt

from d2lopt import plot
from d2lopt.plot.numbers import format_number

plot.use_style()
aligned = real_networks.deep_linear_stages(settings, start="aligned")
random = real_networks.deep_linear_stages(settings, start="random")

# %%
# The figure
# ----------
# Top: the strength of each mode over time, divided by its singular value
# (solid: decoupled start; dashed: random start), with the predicted half
# times (dotted verticals). Bottom: the training loss, with a plateau before
# each drop.
fig, (top, bottom) = plt.subplots(2, 1, figsize=(6.9, 7.6), sharex=True, layout="constrained")
for i, s in enumerate(aligned.singular_values):
    color = plot.COLOR_CYCLE[i]
    top.plot(aligned.strengths[:, i] / s, color=color, linestyle="-",
             label=f"s = {format_number(s, 3)}")
    top.plot(random.strengths[:, i] / s, color=color, linestyle="--")
    top.axvline(aligned.theory[i], color=color, linestyle=":", linewidth=1.2)
top.set_ylabel("mode strength u_i / s_i")
top.set_title("Modes are learned one at a time (solid: decoupled start, dashed: random)")
top.legend(loc="lower right", fontsize=9)
bottom.plot(aligned.losses, color=plot.COLOR_CYCLE[0], linestyle="-", label="decoupled start")
bottom.plot(random.losses, color=plot.COLOR_CYCLE[1], linestyle="--", label="random start")
bottom.set_yscale("log")
bottom.set_ylim(1e-4, 2 * aligned.losses[0])
bottom.set_xlabel("step of gradient descent")
bottom.set_ylabel("training loss")
bottom.set_title("Plateaus between the stages")
bottom.legend(loc="upper right", fontsize=9)
fig.suptitle("Saddle-to-saddle dynamics of a two-layer linear network", fontsize=11)
plt.show()
# sphinx_gallery_thumbnail_number = 1

# %%
# Measured against the theory
# ---------------------------
for s, t, theory, t_random in zip(aligned.singular_values, aligned.half_times, aligned.theory,
                                  random.half_times, strict=True):
    print(f"s = {format_number(s, 3)}: half learned at step {int(t)} (theory "
          f"{format_number(theory, 3)}); from the random start at step {int(t_random)}.")
ratio = aligned.half_times / aligned.theory
print(f"Measured over predicted half time: {format_number(ratio.min(), 3)} to "
      f"{format_number(ratio.max(), 3)}.")

# %%
# The decoupled start follows the closed form to within the difference
# between gradient descent and gradient flow. The random start is not
# decoupled, yet it shows the same stages in the same order: the small random
# weights first align with the modes and then grow, strongest first. The
# plateaus of the loss are the times the weights spend near the saddle points
# where some modes are learned and the others are still zero.
