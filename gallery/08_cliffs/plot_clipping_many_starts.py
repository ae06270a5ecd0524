r"""
How often the cliff throws gradient descent away, with and without clipping
===========================================================================

One run thrown off a cliff is an anecdote. Here gradient descent starts from
many random points of the window :math:`[0, 3] \times [-1.5, 1]` of the
recurrent-unit loss (:data:`d2lopt.landscapes.recurrent_cliff`), once with the
raw gradient and once with the gradient clipped by norm, with the same
learning rate and number of steps. We call a run *thrown far* when at some
step it is farther from its start than the diagonal of the window
(:math:`\sqrt{3^2 + 2.5^2} \approx 3.9`): farther than any two points of the
window are from each other, so no path that stays in the window can do it.
"""

# %%
# The runs
# --------
# :func:`d2lopt.optim.batched_gradient_descent` runs all starts at once
# (the gradient of a sum of independent losses is the stack of their
# gradients), in the framework chosen by ``D2LOPT_BACKEND``. The number of
# starts, steps, learning rate and clipping norm are fields of
# ``d2lopt.chapter.cliffs.SETTINGS``, printed first; to try another, replace a
# field, e.g. ``settings = dataclasses.replace(cliffs.SETTINGS, max_norm=10.0)``.
from d2lopt.chapter import cliffs

settings = cliffs.SETTINGS
print(settings)

import matplotlib.pyplot as plt
import numpy as np

import d2lopt
from d2lopt import plot
from d2lopt.landscapes import recurrent_cliff
from d2lopt.optim.many_starts import uniform_starts
from d2lopt.plot.numbers import format_number

plot.use_style()
d2l = d2lopt.use()

f = recurrent_cliff
count, steps, lr, max_norm = settings.count, settings.steps, settings.lr, settings.max_norm
far = cliffs.window_diagonal(f)
starts = d2l.tensor(uniform_starts(f.domain, count, seed=settings.seed))
plain, clipped = cliffs.clipping_runs(starts, steps=steps, lr=lr, max_norm=max_norm)
results = {"plain gradient descent": plain, f"clipped to norm {max_norm:g}": clipped}
for name, runs in results.items():
    thrown = runs.fraction_farther_than(far)
    se = np.sqrt(thrown * (1 - thrown) / count)
    final_loss = np.asarray(f(runs.points[-1]))
    print(f"{name:24s}: thrown farther than {far:.3f} in {thrown:.2%} of runs (± {se:.2%}); "
          f"largest distance {format_number(runs.farthest.max())}; largest step "
          f"{format_number(runs.step_lengths.max())}; final loss below "
          f"{format_number(settings.converged, trim=True)} in "
          f"{np.mean(final_loss < settings.converged):.1%}")

# %%
# The figure: how far the runs went
# ---------------------------------
# The fraction of runs whose farthest point from the start exceeds a distance
# :math:`r`, for every :math:`r`.
fig, ax = plt.subplots(figsize=(6.9, 4.6))
for name, runs in results.items():
    distances = np.sort(runs.farthest)
    beyond = 1.0 - np.arange(1, count + 1) / count
    ax.step(distances, beyond, where="post", label=name)
ax.axvline(far, color=plot.COLORS["black"], linestyle=":", linewidth=1.2,
           label=f"window diagonal {far:.2f}")
ax.set_xscale("log")
ax.set_yscale("log")
ax.set_ylim(0.5 / count, 1.5)
plot.annotate_point(ax, f"{plain.fraction_farther_than(far):.1%} of plain runs\n"
                        "thrown farther", (far, plain.fraction_farther_than(far)))
ax.set_xlabel(r"distance $r$ (largest $\|x_t - x_0\|$ over the run)")
ax.set_ylabel("fraction of runs farther than $r$")
ax.set_title(f"{count} runs of {steps} steps, lr {lr:g}: clipping removes the long tail")
ax.legend(loc="lower left")
plt.show()

# %%
# Conclusions
# -----------
# Most runs never meet the cliff and the two versions behave alike. About one
# run in seventy of plain gradient descent, though, reaches the wall (typically
# where the valley of zero loss runs into it), takes one step with a gradient
# of norm in the tens to thousands, and lands tens to thousands of units away,
# on a plateau it never leaves. With clipping by norm no run goes farther than
# the window's diagonal: each step is at most :math:`\eta c` (``lr * max_norm``),
# so a run can only drift, and the runs that meet the wall cross it in small
# steps. The threshold :math:`c` is not tuned: any value that keeps :math:`\eta c` small
# compared with the width of the features of the surface does the same job.
