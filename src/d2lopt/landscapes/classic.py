"""The landscapes of the chapter's first sections, each with its critical points."""

from __future__ import annotations

from typing import Any

from d2lopt.backends import Backend
from d2lopt.landscapes.base import KnownPoint, Landscape, polished_points, roots_1d

__all__ = [
    "risk", "empirical_risk", "cubic", "saddle", "monkey_saddle", "rosenbrock", "himmelblau",
    "double_well",
]


def _risk(x: Any, ops: Backend) -> Any:
    return x * ops.cos(ops.pi * x)


def _empirical_risk(x: Any, ops: Backend) -> Any:
    return _risk(x, ops) + 0.2 * ops.cos(5 * ops.pi * x)


#: The "true" risk :math:`f(x) = x\cos(\pi x)` on :math:`[-1, 2]`: a local
#: minimum near :math:`-0.3` and the global one near :math:`1.1`, found by root
#: finding on :math:`f'(x) = \cos(\pi x) - \pi x \sin(\pi x)`.
risk = Landscape("risk", 1, r"x\cos(\pi x)", _risk, [(-1.0, 2.0)], roots_1d)

#: The empirical risk :math:`g(x) = x\cos(\pi x) + 0.2\cos(5\pi x)` on
#: :math:`[0.5, 1.5]`: the risk plus a wiggle standing in for sampling noise.
empirical_risk = Landscape(
    "empirical risk", 1, r"x\cos(\pi x) + 0.2\cos(5\pi x)", _empirical_risk, [(0.5, 1.5)],
    roots_1d,
)

#: :math:`f(x) = x^3`: its only critical point, 0, has :math:`f''(0) = 0`, so the
#: second-derivative test is inconclusive; the point is neither a minimum nor a
#: maximum.
cubic = Landscape(
    "cubic", 1, r"x^3", lambda x, ops: x**3, [(-2.0, 2.0)],
    [KnownPoint((0.0,), "degenerate", "f'(0) = 0 and f''(0) = 0")],
)

#: :math:`f(x, y) = x^2 - y^2`: a saddle at the origin, Hessian
#: :math:`\mathrm{diag}(2, -2)`.
saddle = Landscape(
    "saddle", 2, r"x^2 - y^2", lambda x, ops: x[0] ** 2 - x[1] ** 2, [(-1.0, 1.0)] * 2,
    [KnownPoint((0.0, 0.0), "saddle", "Hessian diag(2, -2)")],
)

#: The monkey saddle :math:`f(x, y) = x^3 - 3xy^2`: three ways down from the origin,
#: where the Hessian vanishes (a degenerate saddle).
monkey_saddle = Landscape(
    "monkey saddle", 2, r"x^3 - 3xy^2", lambda x, ops: x[0] ** 3 - 3 * x[0] * x[1] ** 2,
    [(-1.0, 1.0)] * 2,
    [KnownPoint((0.0, 0.0), "degenerate", "gradient and Hessian both vanish")],
)


def _rosenbrock(a: float, b: float) -> Landscape:
    return Landscape(
        "Rosenbrock", 2, rf"({a:g} - x)^2 + {b:g}(y - x^2)^2",
        lambda x, ops: (a - x[0]) ** 2 + b * (x[1] - x[0] ** 2) ** 2,
        [(-2.0, 2.0), (-1.0, 3.0)],
        [KnownPoint((a, a * a), "minimum", "closed form (a, a^2)")],
    )


#: Rosenbrock's banana valley :math:`(1 - x)^2 + 100(y - x^2)^2`, minimum at
#: :math:`(1, 1)`.
rosenbrock = _rosenbrock(1.0, 100.0)

# Locations to six decimals as tabulated in the optimisation literature; they are
# polished by Newton's method on first use, and the tests check the result.
_HIMMELBLAU_SEEDS = (
    ((3.0, 2.0), "minimum"),
    ((-2.805118, 3.131312), "minimum"),
    ((-3.779310, -3.283186), "minimum"),
    ((3.584428, -1.848126), "minimum"),
    ((-0.270845, -0.923039), "maximum"),
    ((0.086677, 2.884254), "saddle"),
    ((-3.073026, -0.081353), "saddle"),
    ((3.385154, 0.073852), "saddle"),
    ((-0.127961, -1.953715), "saddle"),
)


#: Himmelblau's function :math:`(x^2 + y - 11)^2 + (x + y^2 - 7)^2`: four minima
#: of value 0, one maximum and four saddles.
himmelblau = Landscape(
    "Himmelblau", 2, r"(x^2 + y - 11)^2 + (x + y^2 - 7)^2",
    lambda x, ops: (x[0] ** 2 + x[1] - 11) ** 2 + (x[0] + x[1] ** 2 - 7) ** 2,
    [(-5.0, 5.0)] * 2,
    polished_points(_HIMMELBLAU_SEEDS, "tabulated, polished by Newton's method"),
)


#: A double well :math:`\tfrac14 x^4 - \tfrac12 x^2 + \tfrac12 y^2`: minima at
#: :math:`(\pm 1, 0)` and a saddle at the origin whose stable manifold is the line
#: :math:`x = 0`. Newton's method from near the saddle is drawn to it.
double_well = Landscape(
    "double well", 2, r"\tfrac14 x^4 - \tfrac12 x^2 + \tfrac12 y^2",
    lambda x, ops: 0.25 * x[0] ** 4 - 0.5 * x[0] ** 2 + 0.5 * x[1] ** 2,
    [(-2.0, 2.0), (-1.5, 1.5)],
    [
        KnownPoint((-1.0, 0.0), "minimum", "Hessian diag(2, 1)"),
        KnownPoint((1.0, 0.0), "minimum", "Hessian diag(2, 1)"),
        KnownPoint((0.0, 0.0), "saddle", "Hessian diag(-1, 1)"),
    ],
)
