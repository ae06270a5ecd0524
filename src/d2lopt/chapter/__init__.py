"""One module per section of the chapter: its helpers and its settings.

Each module is named like its gallery folder without the number
(``gallery/07_newton`` -> :mod:`d2lopt.chapter.newton`). It holds what only
that section needs, and every value that the section's page, gallery scripts,
exercises and tests share, defined once: ``SETTINGS``, an instance of the
module's frozen dataclass ``Settings``. Gallery scripts print it and pass each
value explicitly, so a downloaded script shows every value it uses (try another
with ``dataclasses.replace(newton.SETTINGS, lr=0.05)``); pages and tests import
it.

Code used by two or more sections lives in the core (:mod:`d2lopt.backends`,
:mod:`d2lopt.optim`, :mod:`d2lopt.landscapes`...); the core never imports
from here. :mod:`d2lopt.chapter.cache` lets a docs build run an experiment once
for a section's page and its gallery scripts.

- Section 1, Two goals (optimization and generalization): :mod:`d2lopt.chapter.goals`
- Section 2, Empirical risk minimization and surrogate losses: :mod:`d2lopt.chapter.erm`
- Section 3, Minibatches: :mod:`d2lopt.chapter.minibatches`
- Section 4, Ill-conditioning: :mod:`d2lopt.chapter.ill_conditioning`
- Section 5, Local minima: :mod:`d2lopt.chapter.local_minima`
- Section 6, Critical points, saddle points and the Hessian: :mod:`d2lopt.chapter.saddle_points`
- Section 7, Newton's method and saddle points: :mod:`d2lopt.chapter.newton`
- Section 8, Cliffs and exploding gradients: :mod:`d2lopt.chapter.cliffs`
- Section 9, Long-term dependencies: :mod:`d2lopt.chapter.long_term`
- Section 10, Vanishing gradients: :mod:`d2lopt.chapter.vanishing`
- Section 11, Poor correspondence between local and global structure:
  :mod:`d2lopt.chapter.local_global`
- Section 12, What works in practice: :mod:`d2lopt.chapter.practice`
- Section 13, The landscape of real networks: :mod:`d2lopt.chapter.real_networks`
"""

SECTIONS = (
    "goals", "erm", "minibatches", "ill_conditioning", "local_minima", "saddle_points",
    "newton", "cliffs", "long_term", "vanishing", "local_global", "practice", "real_networks",
)
