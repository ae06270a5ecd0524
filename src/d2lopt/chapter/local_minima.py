"""Section 5, local minima: the settings its page, gallery scripts and tests share.

Weight-space symmetry itself (counting and applying relabellings of hidden
units) is core, :mod:`d2lopt.symmetry`, since the experiments on real networks
use it too.
"""
