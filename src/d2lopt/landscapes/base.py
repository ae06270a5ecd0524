"""The :class:`Landscape` type: a function written once for every framework."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from d2lopt._checks import check_integer, check_real
from d2lopt.backends import Backend, as_array, get_backend
from d2lopt.critical import KINDS

__all__ = ["KnownPoint", "Landscape", "roots_1d", "refine_critical_point", "polished_points"]


@dataclass(frozen=True)
class KnownPoint:
    """A documented critical point of a landscape.

    Attributes
    ----------
    location : tuple of float
        Its coordinates (one per dimension).
    kind : str
        What it is: ``"minimum"``, ``"maximum"``, ``"saddle"`` or ``"degenerate"``.
    note : str
        Where the location comes from (closed form, root finding, literature).
    """

    location: tuple[float, ...]
    kind: str
    note: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {self.kind!r}")

    @property
    def array(self) -> np.ndarray:
        """The location as a NumPy array (a 0-d array for one-dimensional landscapes)."""
        a = np.asarray(self.location, dtype=float)
        return a[0] if a.size == 1 else a


class Landscape:
    """A loss surface :math:`f:\\mathbb{R}^d \\to \\mathbb{R}` that runs on any backend.

    ``f(x)`` takes an array whose first axis has length ``d`` and broadcasts over
    the remaining axes, so ``f(np.stack([X, Y]))`` evaluates a meshgrid. For
    ``d = 1`` it takes a scalar or any array and acts elementwise.

    Parameters
    ----------
    name : str
        Short name used in titles.
    dim : int
        The dimension ``d``.
    formula : str
        LaTeX for the function.
    fn : callable
        ``fn(x, ops)``, where ``ops`` is the :class:`~d2lopt.backends.Backend` of ``x``.
    domain : sequence of (low, high)
        The window worth looking at, one pair per dimension.
    critical_points : sequence of KnownPoint or callable, optional
        The documented critical points, or a function of the landscape that
        computes them (called once, on first access).
    asymptote : float, optional
        The value :math:`f` tends to along a path to infinity on which it keeps
        decreasing without attaining it (an infimum that no point reaches), if
        the landscape has one; ``None`` otherwise.

    Attributes
    ----------
    name, dim, formula, fn, domain, asymptote
        As passed (``domain`` as a tuple of float pairs).

    Examples
    --------
    >>> import numpy as np
    >>> bowl = Landscape("bowl", 2, r"x^2 + y^2", lambda x, ops: x[0] ** 2 + x[1] ** 2,
    ...                  [(-1, 1), (-1, 1)])
    >>> float(bowl(np.array([1.0, 2.0])))
    5.0
    """

    #: The value depends on ``x`` alone (no randomness, no state), so a backend may
    #: compile the landscape's derivatives (the JAX adapter does, with ``jax.jit``).
    pure = True

    def __init__(
        self,
        name: str,
        dim: int,
        formula: str,
        fn: Callable[[Any, Backend], Any],
        domain: Sequence[tuple[float, float]],
        critical_points: Sequence[KnownPoint] | Callable[[Landscape], Sequence[KnownPoint]] = (),
        *,
        asymptote: float | None = None,
    ) -> None:
        dim = check_integer(dim, "dim", minimum=1)
        if len(domain) != dim:
            raise ValueError(f"domain needs one (low, high) pair per dimension ({dim})")
        self.name = name
        self.dim = dim
        self.formula = formula
        self.fn = fn
        self.domain = tuple(_interval(pair, "domain") for pair in domain)
        self._critical_points = critical_points
        self.asymptote = None if asymptote is None else float(asymptote)

    def __call__(self, x: Any) -> Any:
        backend, x = as_array(x, finite=False)
        if self.dim > 1:
            shape = tuple(getattr(x, "shape", ()))
            if len(shape) == 0 or int(shape[0]) != self.dim:
                raise ValueError(
                    f"{self.name} takes an array whose first axis has length {self.dim} "
                    f"(one row per coordinate); got shape {shape}. For a grid, pass "
                    f"np.stack([X, Y]) rather than np.stack([X, Y], axis=-1)"
                )
        return self.fn(x, backend)

    @cached_property
    def critical_points(self) -> tuple[KnownPoint, ...]:
        """The documented critical points (computed once if they are found numerically)."""
        points = self._critical_points
        return tuple(points(self) if callable(points) else points)

    def critical_points_in(self, interval: tuple[float, float], num: int = 2001
                           ) -> tuple[KnownPoint, ...]:
        """Critical points of a 1-D landscape inside ``interval``, found by root finding.

        ``num`` (at least 2) grid points of ``interval`` are scanned for sign
        changes of the derivative, as in :func:`roots_1d`.

        Examples
        --------
        >>> from d2lopt.landscapes import empirical_risk
        >>> [p.kind for p in empirical_risk.critical_points_in((0.9, 1.3))]
        ['minimum', 'maximum']
        """
        if self.dim != 1:
            raise ValueError("critical_points_in() searches one-dimensional landscapes only")
        return roots_1d(self, num=num, interval=interval)

    def points_of_kind(self, kind: str) -> tuple[KnownPoint, ...]:
        """The documented critical points of one kind, e.g. ``"minimum"``."""
        return tuple(p for p in self.critical_points if p.kind == kind)

    @property
    def global_minimum(self) -> KnownPoint:
        """The documented minimum with the lowest value."""
        minima = self.points_of_kind("minimum")
        if not minima:
            raise ValueError(f"{self.name} documents no minimum")
        return min(minima, key=lambda p: float(self(p.array)))

    def grid(self, num: int = 201) -> tuple[np.ndarray, ...]:
        """A NumPy grid over the domain: ``(x, f(x))`` in 1-D, ``(X, Y, Z)`` in 2-D."""
        num = check_integer(num, "num", minimum=2)
        axes = [np.linspace(lo, hi, num) for lo, hi in self.domain]
        if self.dim == 1:
            return axes[0], np.asarray(self(axes[0]))
        if self.dim == 2:
            X, Y = np.meshgrid(*axes)
            return X, Y, np.asarray(self(np.stack([X, Y])))
        raise ValueError("grid() draws one- and two-dimensional landscapes only")

    def __repr__(self) -> str:
        return f"Landscape({self.name!r}, dim={self.dim}, f = {self.formula})"


def roots_1d(landscape: Landscape, num: int = 2001, interval: tuple[float, float] | None = None
             ) -> tuple[KnownPoint, ...]:
    """Critical points of a 1-D landscape inside its domain (or ``interval``), found numerically.

    The derivative (by autograd) is scanned on a grid for sign changes and each
    bracket is solved by Brent's method (:func:`scipy.optimize.brentq`). The kind
    is read off the function values on both sides, independently of the Hessian.
    """
    from scipy.optimize import brentq

    num = check_integer(num, "num", minimum=2)
    numpy = get_backend("numpy")
    lo, hi = landscape.domain[0] if interval is None else _interval(interval, "interval")

    def derivative(x: float) -> float:
        return float(numpy.grad(landscape, np.asarray(x, dtype=float)))

    xs = np.linspace(lo, hi, num)
    ds = np.array([derivative(x) for x in xs])
    points = []
    for a, b, da, db in zip(xs[:-1], xs[1:], ds[:-1], ds[1:], strict=True):
        if da == 0.0 or da * db < 0:
            root = a if da == 0.0 else brentq(derivative, a, b, xtol=1e-14, rtol=1e-15)
            h = 1e-4 * (hi - lo)
            here, left, right = (float(landscape(np.asarray(t))) for t in (root, root - h,
                                                                         root + h))
            if left > here and right > here:
                kind = "minimum"
            elif left < here and right < here:
                kind = "maximum"
            else:
                kind = "degenerate"
            points.append(KnownPoint((float(root),), kind, "root of f' by Brent's method"))
    return tuple(points)


def _interval(pair: Any, name: str) -> tuple[float, float]:
    """``pair`` as ``(low, high)``: two finite numbers with ``low < high``."""
    if not (isinstance(pair, (tuple, list, np.ndarray)) and len(pair) == 2):
        raise TypeError(f"{name} must be a pair (low, high), got {pair!r}")
    low, high = check_real(pair[0], f"{name}[0]"), check_real(pair[1], f"{name}[1]")
    if not low < high:
        raise ValueError(f"{name} must have low < high, got ({low:g}, {high:g})")
    return low, high


def refine_critical_point(landscape: Landscape, seed: Sequence[float], steps: int = 20
                          ) -> np.ndarray:
    """Polish an approximate critical point by Newton's method on the gradient."""
    numpy = get_backend("numpy")
    x = np.asarray(seed, dtype=float)
    for _ in range(steps):
        g = numpy.grad(landscape, x)
        if np.linalg.norm(g) < 1e-14:
            break
        x = x - np.linalg.solve(numpy.hessian(landscape, x), g)
    return x


def polished_points(seeds: Sequence[tuple[Sequence[float], str]], note: str
                    ) -> Callable[[Landscape], list[KnownPoint]]:
    """Critical points from approximate locations, polished by :func:`refine_critical_point`.

    Returns a function of the landscape, to pass as its ``critical_points``: the
    Newton polish runs once, on first access.

    Examples
    --------
    >>> bowl = Landscape("bowl", 2, "x^2 + y^2", lambda x, ops: x[0] ** 2 + x[1] ** 2,
    ...                  [(-1, 1), (-1, 1)], polished_points([((0.1, -0.2), "minimum")], "seed"))
    >>> bowl.critical_points[0].location
    (0.0, 0.0)
    """
    def points(landscape: Landscape) -> list[KnownPoint]:
        return [
            KnownPoint(tuple(float(c) for c in refine_critical_point(landscape, seed)), kind,
                       note)
            for seed, kind in seeds
        ]

    return points

