r"""Random symmetric matrices, and how rarely all their eigenvalues are positive.

A folk argument says a critical point of a loss with :math:`n` parameters is a
minimum with probability :math:`2^{-n}`, as if the sign of each Hessian
eigenvalue were a fair, independent coin. The simplest model of a "random
Hessian" tests that: the Gaussian orthogonal ensemble (GOE), symmetric
matrices :math:`H = (A + A^\top)/2` with :math:`A` a matrix of independent
standard normal entries (so :math:`H_{ii} \sim \mathcal N(0, 1)` and
:math:`H_{ij} \sim \mathcal N(0, \tfrac12)` for :math:`i \ne j`). Its
eigenvalues have the joint density

.. math::
    p(\lambda_1, \dots, \lambda_n) \propto \prod_{i<j} |\lambda_i - \lambda_j|
    \prod_i e^{-\lambda_i^2/2},

whose factor :math:`|\lambda_i - \lambda_j|` makes eigenvalues repel: they are
not independent, and all :math:`n` of them being positive is far rarer than
:math:`2^{-n}`.

:func:`positive_definite_fraction` measures the probability by Monte Carlo;
:func:`all_positive_probability` computes it exactly (to quadrature accuracy)
from de Bruijn's Pfaffian formula for the integral of the density over
:math:`(0, \infty)^n`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from d2lopt.landscapes import Landscape, saddle

__all__ = [
    "Settings", "SETTINGS", "bowl", "cap", "QUADRATIC_SURFACES", "goe", "MonteCarloEstimate",
    "positive_definite_fraction", "all_positive_probability",
    "INTERACTIVE_SURFACES", "interactive_surfaces", "interactive_controls", "InteractiveFrames",
    "interactive_figure",
]


@dataclass(frozen=True)
class Settings:
    """The values that section 6's page, gallery scripts and tests share.

    Attributes
    ----------
    sizes : tuple of int
        The matrix sizes :math:`n` (numbers of parameters) of the GOE table.
    samples : int
        GOE matrices drawn per size by :func:`positive_definite_fraction`.
    seed_offset : int
        The draws at size :math:`n` use the seed ``seed_offset + n``.
    root_tol : float
        Tolerance of :func:`scipy.optimize.root` on the gradient when the critical
        points of the quadratic surfaces are found numerically.
    root_seed : int
        Seed of the random start of that root finding for the three quadratic surfaces.
    saddle_root_seed : int
        Seed of the random start of the root finding on the saddle :math:`x^2 - y^2` alone.
    exercise_goe2_samples : int
        Exercises: :math:`2 \\times 2` GOE matrices of the Monte Carlo check.
    exercise_test_point : tuple of float
        Exercises: the point of the quartic that is checked but is not critical.
    exercise_samples_n : int
        Exercises: matrix size :math:`n` at which fewer samples are tried.
    exercise_samples : int
        Exercises: the smaller number of samples.
    exercise_index_n : int
        Exercises: size :math:`n` of the GOE matrices whose index is sampled.
    exercise_index_samples : int
        Exercises: number of those matrices.
    interactive_azimuths : tuple of float
        The view-angle slider of the interactive figure (degrees about the vertical
        axis; dragging across the figure moves it too).
    interactive_elevations : tuple of float
        Its elevation slider (degrees above the :math:`xy` plane).
    interactive_grid : int
        Grid lines per axis of each wireframe.

    Examples
    --------
    >>> SETTINGS.sizes[-1], SETTINGS.samples
    (8, 1000000)
    """

    sizes: tuple[int, ...] = tuple(range(1, 9))
    samples: int = 1_000_000
    seed_offset: int = 0
    root_tol: float = 1e-12
    root_seed: int = 0
    saddle_root_seed: int = 1
    # Exercises
    exercise_goe2_samples: int = 200_000
    exercise_test_point: tuple[float, float] = (1.0, 0.0)
    exercise_samples_n: int = 4
    exercise_samples: int = 10_000
    exercise_index_n: int = 8
    exercise_index_samples: int = 20_000
    interactive_azimuths: tuple[float, ...] = tuple(float(a) for a in range(-180, 180, 30))
    interactive_elevations: tuple[float, ...] = (15.0, 30.0, 50.0)
    interactive_grid: int = 13


#: The settings of section 6.
SETTINGS = Settings()

#: :math:`x^2 + y^2`, a minimum at the origin (Hessian eigenvalues 2, 2).
bowl = Landscape("bowl", 2, r"x^2 + y^2", lambda x, ops: x[0] ** 2 + x[1] ** 2,
                 [(-1.0, 1.0)] * 2)
#: :math:`-x^2 - y^2`, a maximum at the origin (Hessian eigenvalues -2, -2).
cap = Landscape("cap", 2, r"-x^2 - y^2", lambda x, ops: -(x[0] ** 2) - x[1] ** 2,
                [(-1.0, 1.0)] * 2)
#: The three quadratic surfaces of the second-derivative test, by the kind of their
#: critical point at the origin.
QUADRATIC_SURFACES: dict[str, Landscape] = {"minimum": bowl, "maximum": cap, "saddle": saddle}


def _check_size(n: int) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"the matrix size n must be a positive integer, got {n!r}")
    return int(n)


def goe(n: int, size: int | None = None, *, rng: np.random.Generator | None = None
        ) -> np.ndarray:
    r"""Sample :math:`n \times n` matrices from the Gaussian orthogonal ensemble.

    :math:`H = (A + A^\top)/2` with :math:`A_{ij} \sim \mathcal N(0, 1)`
    independent: diagonal entries have variance 1, off-diagonal ones variance 1/2.

    Parameters
    ----------
    n : int
        Matrix size.
    size : int, optional
        Number of matrices; ``None`` returns one matrix.
    rng : numpy.random.Generator, optional
        The random generator (default: ``numpy.random.default_rng()``).

    Returns
    -------
    numpy.ndarray
        Shape ``(n, n)`` or ``(size, n, n)``, symmetric.

    Examples
    --------
    >>> H = goe(3, rng=np.random.default_rng(0))
    >>> H.shape, bool(np.allclose(H, H.T))
    ((3, 3), True)
    """
    n = _check_size(n)
    rng = np.random.default_rng() if rng is None else rng
    shape = (n, n) if size is None else (int(size), n, n)
    a = rng.standard_normal(shape)
    return 0.5 * (a + np.swapaxes(a, -1, -2))


@dataclass(frozen=True)
class MonteCarloEstimate:
    r"""A probability estimated by Monte Carlo, with its binomial standard error.

    Attributes
    ----------
    n : int
        Matrix size.
    probability : float
        The estimate :math:`\hat p = 2^{-n} k / S`.
    standard_error : float
        :math:`2^{-n}\sqrt{\hat q(1-\hat q)/S}` with :math:`\hat q = k/S`.
    hits : int
        :math:`k`, the number of sampled matrices that were positive definite.
    samples : int
        :math:`S`, the number of matrices sampled.
    """

    n: int
    probability: float
    standard_error: float
    hits: int
    samples: int

    def upper_bound(self, confidence: float = 0.95) -> float:
        r"""One-sided Clopper–Pearson upper confidence bound on the probability.

        With no hits it is :math:`2^{-n}\,(1 - (1 - \text{confidence})^{1/S})
        \approx 2^{-n}\, 3/S` at 95 %.

        Examples
        --------
        >>> est = MonteCarloEstimate(1, 0.0, 0.0, 0, 1000)
        >>> round(est.upper_bound() * 2 * 1000, 2)  # the "rule of three"
        2.99
        """
        if not 0 < confidence < 1:
            raise ValueError(f"confidence must lie in (0, 1), got {confidence}")
        from scipy.stats import beta

        if self.hits == self.samples:
            q = 1.0
        else:
            q = float(beta.ppf(confidence, self.hits + 1, self.samples - self.hits))
        return 0.5**self.n * q


def _count_positive_definite(n: int, m: int, rng: np.random.Generator) -> int:
    r"""Draw ``m`` GOE matrices with positive diagonal row by row; count the positive definite ones.

    Row :math:`k` is drawn only for the matrices whose leading :math:`k \times k`
    block is positive definite, and tested by one step of the bordered Cholesky
    factorization: with :math:`L L^\top` the leading block and :math:`h` the new
    column above the diagonal, :math:`z = L^{-1} h` and the new pivot is
    :math:`H_{kk} - \|z\|^2`, positive iff the leading :math:`(k+1) \times (k+1)`
    block is positive definite (Sylvester's criterion).
    """
    factor = np.sqrt(np.abs(rng.standard_normal(m)))[:, None, None]  # 1 x 1 Cholesky factors
    for k in range(1, n):
        s = factor.shape[0]
        if s == 0:
            return 0
        column = np.sqrt(0.5) * rng.standard_normal((s, k))  # H[:k, k], variance 1/2
        diagonal = np.abs(rng.standard_normal(s))            # H[k, k] given H[k, k] > 0
        z = np.empty((s, k))
        for i in range(k):  # forward substitution L z = column, for every matrix at once
            z[:, i] = (column[:, i] - np.einsum("sj,sj->s", factor[:, i, :i], z[:, :i])
                       ) / factor[:, i, i]
        pivot = diagonal - np.einsum("sj,sj->s", z, z)
        keep = pivot > 0
        grown = np.zeros((int(keep.sum()), k + 1, k + 1))
        grown[:, :k, :k] = factor[keep]
        grown[:, k, :k] = z[keep]
        grown[:, k, k] = np.sqrt(pivot[keep])
        factor = grown
    return int(factor.shape[0])


def positive_definite_fraction(n: int, samples: int = 200_000, *, seed: int = 0,
                               batch: int = 500_000) -> MonteCarloEstimate:
    r"""Monte Carlo estimate of :math:`P(\text{all eigenvalues of a GOE matrix} > 0)`.

    A positive definite matrix has a positive diagonal (:math:`H_{ii} = e_i^\top
    H e_i > 0`), and the diagonal of a GOE matrix is independent of the rest, so

    .. math::
        P(H \succ 0) = P(H_{11}, \dots, H_{nn} > 0)\; P(H \succ 0 \mid H_{ii} > 0)
        = 2^{-n}\, P(H \succ 0 \mid H_{ii} > 0).

    The function samples the conditional law (diagonal entries :math:`|\mathcal
    N(0, 1)|`, off-diagonal ones :math:`\mathcal N(0, \tfrac12)`), counts the
    positive definite matrices among ``samples`` and multiplies by :math:`2^{-n}`:
    an unbiased estimator that wastes :math:`2^n` times fewer samples than plain
    sampling. The :math:`2^{-n}` of the folk argument is exactly the first factor,
    the chance that the curvature is positive along each coordinate axis.
    Positive definiteness is tested by a Cholesky factorization grown one row
    at a time, and a matrix's next row is drawn only while its leading block is
    still positive definite, so most matrices cost a few numbers.

    Parameters
    ----------
    n : int
        Matrix size.
    samples : int
        Number of matrices :math:`S`.
    seed : int
        Seed of the :class:`numpy.random.Generator`.
    batch : int
        Matrices drawn at a time (bounds the memory used).

    Returns
    -------
    MonteCarloEstimate

    Examples
    --------
    >>> est = positive_definite_fraction(1, samples=100)
    >>> est.probability, est.standard_error  # a 1 x 1 matrix |N(0, 1)| is always positive
    (0.5, 0.0)
    >>> est = positive_definite_fraction(2, samples=100_000)
    >>> abs(est.probability - 0.14645) < 4 * est.standard_error
    True
    """
    n = _check_size(n)
    if isinstance(samples, bool) or not isinstance(samples, (int, np.integer)) or samples < 1:
        raise ValueError(f"samples must be a positive integer, got {samples!r}")
    if isinstance(batch, bool) or not isinstance(batch, (int, np.integer)) or batch < 1:
        raise ValueError(f"batch must be a positive integer, got {batch!r}")
    rng = np.random.default_rng(seed)
    hits = 0
    done = 0
    while done < samples:
        m = min(int(batch), int(samples) - done)
        hits += _count_positive_definite(n, m, rng)
        done += m
    q = hits / samples
    scale = 0.5**n
    return MonteCarloEstimate(n, scale * q, scale * math.sqrt(q * (1 - q) / samples), hits,
                              int(samples))


def _half_moment(j: int) -> float:
    """:math:`\\int_0^\\infty y^j e^{-y^2/2} dy = 2^{(j-1)/2}\\Gamma((j+1)/2)`."""
    return 2.0 ** ((j - 1) / 2) * math.gamma((j + 1) / 2)


def _partial_moment(j: int, x: float) -> float:
    """:math:`\\int_{-\\infty}^x y^j e^{-y^2/2} dy` through the incomplete gamma function."""
    from scipy.special import gammainc

    inner = _half_moment(j) * float(gammainc((j + 1) / 2, x * x / 2))  # int_0^|x|
    sign = (-1.0) ** j
    return sign * _half_moment(j) + inner if x >= 0 else sign * (_half_moment(j) - inner)


def _de_bruijn_matrix(n: int, half_line: bool) -> np.ndarray:
    r"""The antisymmetric matrix whose Pfaffian is the eigenvalue integral over :math:`J^n`.

    :math:`A_{ij} = \iint_{J^2} \operatorname{sign}(y - x)\, x^i y^j w(x) w(y)\,dx\,dy`
    with :math:`w(x) = e^{-x^2/2}`, :math:`i, j < n`; for odd :math:`n` bordered
    by :math:`\int_J x^i w(x)\,dx`. :math:`J = (0, \infty)` or :math:`\mathbb R`.
    """
    from scipy.integrate import quad

    size = n + n % 2
    a = np.zeros((size, size))
    lower = 0.0 if half_line else -np.inf

    def moment(j: int) -> float:  # int_J y^j w
        if half_line:
            return _half_moment(j)
        return 0.0 if j % 2 else 2 * _half_moment(j)

    for j in range(n):
        total = moment(j)
        for i in range(j):
            # inner(x) = int_J sign(y - x) y^j w(y) dy = total - 2 int_{lower}^x y^j w
            def integrand(x: float, i: int = i, j: int = j, total: float = total) -> float:
                below = _partial_moment(j, x) - (_partial_moment(j, 0.0) if half_line else 0.0)
                return x**i * math.exp(-x * x / 2) * (total - 2 * below)

            pieces = [(0.0, np.inf)] if half_line else [(lower, 0.0), (0.0, np.inf)]
            value = sum(quad(integrand, lo, hi, epsabs=0.0, epsrel=1e-13, limit=200)[0]
                        for lo, hi in pieces)
            a[i, j], a[j, i] = value, -value
        if n % 2:
            a[j, n], a[n, j] = moment(j), -moment(j)
    return a


def all_positive_probability(n: int) -> float:
    r"""The exact probability that an :math:`n \times n` GOE matrix is positive definite.

    With the eigenvalues ordered, :math:`\prod_{i<j}|\lambda_i - \lambda_j|` is
    the Vandermonde determinant :math:`\det[\lambda_j^{\,i}]`, and de Bruijn's
    formula turns the :math:`n`-fold integral of a determinant into the Pfaffian
    of a matrix of double integrals,
    :math:`A_{ij} = \iint_{J^2} \operatorname{sign}(y - x)\, x^i y^j
    e^{-(x^2 + y^2)/2}\,dx\,dy` (bordered by :math:`\int_J x^i e^{-x^2/2}\,dx`
    for odd :math:`n`). The probability is the ratio of
    the integral over :math:`(0, \infty)^n` to that over :math:`\mathbb R^n`,
    :math:`\operatorname{Pf}(A_{(0,\infty)}) / \operatorname{Pf}(A_{\mathbb R}) =
    \sqrt{\det A_{(0,\infty)} / \det A_{\mathbb R}}` (both Pfaffians are positive,
    being integrals of positive functions). The double integrals are computed by
    adaptive quadrature with the inner one in closed form (incomplete gamma
    functions); the result is accurate to about ten significant digits for
    :math:`n \le 10`.

    Parameters
    ----------
    n : int
        Matrix size, :math:`1 \le n \le 12` (beyond that the monomial basis
        loses too many digits).

    Returns
    -------
    float

    Examples
    --------
    >>> round(all_positive_probability(1), 12)
    0.5
    >>> round(all_positive_probability(2), 10)  # (1 - 1/sqrt(2)) / 2
    0.1464466094
    """
    n = _check_size(n)
    if n > 12:
        raise ValueError(f"all_positive_probability is accurate for n <= 12, got n = {n}; "
                         "for larger n use the large-deviation estimate exp(-n^2 ln(3)/4)")
    ratio = np.linalg.det(_de_bruijn_matrix(n, True)) / np.linalg.det(_de_bruijn_matrix(n, False))
    return float(math.sqrt(ratio))


def _interactive_surfaces() -> dict[str, Landscape]:
    from d2lopt.landscapes import monkey_saddle

    return {"minimum": bowl, "saddle": saddle, "monkey saddle": monkey_saddle}


#: The surfaces of the interactive figure: a minimum, a saddle, a monkey saddle.
INTERACTIVE_SURFACES: dict[str, Landscape] = _interactive_surfaces()


def interactive_surfaces(settings: Settings = SETTINGS) -> dict[str, tuple[np.ndarray, ...]]:
    r"""``X, Y, Z`` of each surface of :data:`INTERACTIVE_SURFACES` on its wireframe grid.

    Evaluated by the landscapes themselves (:func:`d2lopt.plot.evaluate_grid`)
    on ``settings.interactive_grid`` lines per axis over each one's domain.

    Examples
    --------
    >>> X, Y, Z = interactive_surfaces()["saddle"]
    >>> Z.shape, float(Z[0, 0])  # x^2 - y^2 at (-1, -1)
    ((13, 13), 0.0)
    """
    from d2lopt.plot import evaluate_grid

    return {name: evaluate_grid(f, settings.interactive_grid)
            for name, f in INTERACTIVE_SURFACES.items()}


def interactive_controls(settings: Settings = SETTINGS) -> list[Any]:
    """The sliders of the interactive figure: the view's azimuth, then its elevation.

    Examples
    --------
    >>> [c.name for c in interactive_controls()]
    ['azim', 'elev']
    """
    from d2lopt.plot.interactive import Control

    azims, elevs = settings.interactive_azimuths, settings.interactive_elevations
    return [
        Control("azim", "view angle (azimuth)", azims,
                tuple(f"{a:.0f}°".replace("-", "−") for a in azims),
                initial=azims.index(-60.0) if -60.0 in azims else 0),
        Control("elev", "elevation", elevs, tuple(f"{e:.0f}°" for e in elevs),
                initial=elevs.index(30.0) if 30.0 in elevs else 0),
    ]


class InteractiveFrames:
    r"""The frames of the interactive figure: three wireframe surfaces seen from one angle.

    One figure of three 3-D axes (Matplotlib's projection of the surfaces of
    :func:`interactive_surfaces`); each call turns every axes to the view angle.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("agg")
    >>> fig = InteractiveFrames()(-60.0, 30.0)
    >>> [ax.get_title() for ax in fig.axes]
    ['minimum', 'saddle', 'monkey saddle']
    """

    def __init__(self, settings: Settings = SETTINGS) -> None:
        import matplotlib.pyplot as plt

        from d2lopt.plot import COLOR_CYCLE, use_style

        use_style()
        self.fig = plt.figure(figsize=(6.9, 2.9))
        grids = interactive_surfaces(settings)
        self.axes = []
        for k, (name, (X, Y, Z)) in enumerate(grids.items()):
            ax = self.fig.add_subplot(1, 3, k + 1, projection="3d")
            ax.plot_wireframe(X, Y, Z, color=COLOR_CYCLE[k], linewidth=0.8)
            ax.plot([0.0], [0.0], [0.0], marker="o", color="black", markersize=4)
            ax.set_title(name, fontsize=11, pad=0)
            ax.set_xlabel("x", labelpad=-12)
            ax.set_ylabel("y", labelpad=-12)
            ax.set_xticks([])  # tick labels would move over the axis labels as the view turns
            ax.set_yticks([])
            ax.set_zticks([])
            self.axes.append(ax)
        self.fig.subplots_adjust(left=0.0, right=1.0, bottom=0.02, top=0.9, wspace=0.0)

    def __call__(self, azim: float, elev: float) -> Any:
        for ax in self.axes:
            ax.view_init(elev=elev, azim=azim)
        return self.fig


def interactive_figure(settings: Settings = SETTINGS) -> str:
    """The HTML of the interactive figure (three rotatable surfaces), computed now.

    See ``d2lopt.plot.interactive``; every surface value comes from its landscape.
    """
    from d2lopt.plot.interactive import interactive_html, render_states

    controls = interactive_controls(settings)
    frames = InteractiveFrames(settings)
    svgs = render_states(frames, controls)
    return interactive_html(
        svgs, controls, name="saddle-points-interactive", drag="azim",
        description=(
            "Turn the three surfaces with the view-angle slider (arrow keys) or by dragging across "
            "the figure, and tilt them with the elevation slider. Look for the minimum curving up "
            "in every direction, the saddle curving up along x and down along y, and the monkey "
            "saddle rising and falling three times around its flat centre."),
        alt=("Wireframes of x² + y² (a minimum), x² − y² (a saddle) and x³ − 3xy² (a monkey "
             "saddle), each with its critical point at the origin marked, seen from the chosen "
             "angle."))
