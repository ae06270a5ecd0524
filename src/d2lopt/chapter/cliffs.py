"""Section 8, cliffs and exploding gradients: the settings its page, scripts and tests share.

The cliff landscapes are core (:mod:`d2lopt.landscapes.cliffs`), and so are
batched runs from many starts (:mod:`d2lopt.optim.many_starts`) and clipping
(:mod:`d2lopt.optim.clipping`).
"""
