r"""Extreme eigenvalues of a symmetric operator by the Lanczos method.

Only products :math:`v \mapsto Hv` are used, so the Hessian of a network is
never formed. Every new Lanczos vector is orthogonalized against the whole
basis (the three-term recurrence, then a classical Gram–Schmidt pass over all
vectors), so no spurious copies of converged eigenvalues appear; the basis
is bounded by ``max_basis`` vectors and the iteration restarts thickly
(Wu & Simon, 2000) from the wanted Ritz vectors when it is full.

Memory: ``(max_basis + 1) * dim`` numbers for the basis (plus the caller's
``matvec``), whatever the number of iterations; the eigenvectors returned add
``k * dim``. The basis is float64 for a NumPy ``matvec``; for an operator with
an ``array_namespace`` (a :func:`~d2lopt.spectrum.hessian_matvec` of a PyTorch
model) it lives on the model's device in that namespace's dtype, the model's:
float32 products carry rounding errors of about ``1e-7`` to ``1e-6`` of
``‖H‖``, so a float64 basis would buy no digits they have. The small projected
problem is always solved in float64.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from d2lopt._checks import check_real
from d2lopt.spectrum._arrays import NUMPY, NumpyArrays, namespace_of
from d2lopt.spectrum._checks import (
    NOT_FINITE,
    Matvec,
    check_dim,
    check_positive_int,
    check_symmetric,
    check_symmetric_pair,
    checked_matvec,
)

__all__ = ["BOUNDS", "LanczosResult", "WHICH", "lanczos", "lanczos_tridiagonal"]

#: The orders :func:`lanczos` can rank eigenvalues by.
WHICH = ("largest", "smallest", "magnitude")
#: The error bounds :func:`lanczos` can stop on.
BOUNDS = ("residual", "gap")

_EPS = np.finfo(np.float64).eps


def _rounding(xp: NumpyArrays) -> float:
    """The relative rounding level of products and basis: 1000 float64 epsilons, or ten
    epsilons of the basis dtype when that is coarser (float32: about 1.2e-6)."""
    return max(1e3 * _EPS, 10.0 * xp.eps)


@dataclass(frozen=True)
class LanczosResult:
    r"""What :func:`lanczos` found.

    Attributes
    ----------
    eigenvalues : ndarray, shape (k,)
        Ritz values in the requested order: descending for ``"largest"``,
        ascending for ``"smallest"``, descending in absolute value for
        ``"magnitude"``.
    eigenvectors : ndarray, shape (dim, k), or None
        Unit Ritz vectors, column ``i`` for ``eigenvalues[i]``.
    residual_norms : ndarray, shape (k,)
        :math:`\|H y_i - \theta_i y_i\| = \beta_m |e_m^\top s_i|`: some
        eigenvalue of ``H`` lies within this distance of ``eigenvalues[i]``.
    error_bounds : ndarray, shape (k,)
        The eigenvalue errors the stopping rule compared with ``tol``: the
        residual norms for ``bound="residual"``, :math:`\min(r_i, r_i^2/\delta_i)`
        for ``bound="gap"``.
    n_matvec : int
        Products with ``H`` the iteration used (the symmetry check uses the first two; it
        adds two more only when the iteration stops after one).
    n_restarts : int
        Thick restarts made (0 when the basis never filled).
    basis_size : int
        The most basis vectors held at once (at most ``max_basis + 1``).
    converged : bool
        Whether every residual norm met the tolerance.
    """

    eigenvalues: np.ndarray
    eigenvectors: np.ndarray | None
    residual_norms: np.ndarray
    error_bounds: np.ndarray
    n_matvec: int
    n_restarts: int
    basis_size: int
    converged: bool


def _ranking(theta: np.ndarray, which: str) -> np.ndarray:
    if which == "largest":
        return np.argsort(-theta, kind="stable")
    if which == "smallest":
        return np.argsort(theta, kind="stable")
    return np.argsort(-np.abs(theta), kind="stable")


def _error_bounds(
    theta: np.ndarray, residuals: np.ndarray, wanted: np.ndarray, bound: str
) -> np.ndarray:
    r"""Eigenvalue error bounds of the Ritz values ``theta[wanted]``.

    ``"residual"``: :math:`r_i`. ``"gap"``: :math:`\min(r_i, r_i^2/\delta_i)`
    with the gap :math:`\delta_i` estimated as the distance from
    :math:`\theta_i` to the nearest other Ritz value, less that value's residual.
    """
    bounds = residuals[wanted]
    if bound == "residual":
        return bounds
    distances = np.abs(theta[wanted, None] - theta[None, :]) - residuals[None, :]
    distances[np.arange(len(wanted)), wanted] = np.inf
    gaps = distances.min(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        refined = np.where(gaps > bounds, bounds**2 / gaps, bounds)
    return np.minimum(bounds, refined)


def _orthogonalize(
    basis: Any, w: Any, xp: NumpyArrays = NUMPY
) -> tuple[np.ndarray, Any, float]:
    """Remove from ``w`` its components along the (orthonormal) rows of ``basis``.

    The three-term recurrence first (the last two rows, where almost all of
    ``w`` lies), then one classical Gram–Schmidt pass over the whole basis,
    repeated if it cancelled much of ``w`` (the DGKS criterion). Returns the
    coefficients ``h`` (``basis @ w`` in exact arithmetic, as NumPy), the
    remainder (in the namespace ``xp`` of the basis) and its norm. A
    ``ValueError`` if ``w`` holds NaN or infinity (then so does every norm of it).
    """
    h = np.zeros(basis.shape[0])
    local = basis[-2:]
    c = xp.project(local, w)
    if not np.all(np.isfinite(c)):
        raise ValueError(NOT_FINITE)
    w = xp.subtract(w, c, local)
    h[-local.shape[0] :] += c
    before = xp.norm(w)
    if not np.isfinite(before):  # where the local rows are zero, c did not see it
        raise ValueError(NOT_FINITE)
    for _ in range(2):
        c = xp.project(basis, w)
        w = xp.subtract(w, c, basis)
        h += c
        after = xp.norm(w)
        if after > 0.7 * before:
            break
        before = after
    return h, w, after


def _fresh_direction(rng: np.random.Generator, basis: Any, xp: NumpyArrays = NUMPY) -> Any:
    """A random unit vector orthogonal to the rows of ``basis``."""
    _, w, norm = _orthogonalize(basis, xp.asarray(rng.standard_normal(basis.shape[1])), xp)
    return w / norm


def _start_vector(v0: Any, dim: int, rng: np.random.Generator,
                  xp: NumpyArrays = NUMPY) -> Any:
    if v0 is None:
        v = xp.asarray(rng.standard_normal(dim))
    else:
        v = xp.asarray(v0).reshape(-1)
        if xp.shape(v) != (dim,):
            raise ValueError(f"v0 must be a vector of length dim={dim}, got shape {xp.shape(v)}")
    norm = xp.norm(v)
    if not np.isfinite(norm) or norm == 0.0:
        raise ValueError("v0 must be a finite, non-zero vector")
    return v / norm


def lanczos(
    matvec: Matvec,
    dim: int,
    k: int = 1,
    *,
    which: str = "largest",
    tol: float = 1e-4,
    bound: str = "gap",
    atol: float | None = None,
    max_iter: int | None = None,
    max_basis: int | None = None,
    v0: np.ndarray | None = None,
    seed: int | None = 0,
    return_eigenvectors: bool = True,
    check_symmetry: bool = True,
    block_size: int = 1,
) -> LanczosResult:
    r"""The ``k`` extreme eigenvalues of a symmetric operator from its products.

    Lanczos with full reorthogonalization and thick restarts. ``tol`` is the
    relative accuracy asked of the eigenvalues, and the iteration stops as soon
    as every wanted Ritz value :math:`\theta_i` meets it. A Ritz pair
    :math:`(\theta_i, y_i)` with residual :math:`r_i = \|Hy_i - \theta_i y_i\|
    = \beta_m |e_m^\top s_i|` has some eigenvalue of ``H`` within :math:`r_i`;
    if no other eigenvalue lies within :math:`\delta_i` of :math:`\theta_i`, the
    error is even at most :math:`r_i^2/\delta_i` (Kato–Temple). By default
    (``bound="gap"``) it stops when :math:`\min(r_i, r_i^2/\delta_i) \le
    \max(\mathrm{tol}\,|\theta_i|, \mathrm{atol})` with :math:`\delta_i`
    estimated from the other Ritz values, so ``tol=1e-4`` buys about four
    digits and not the seven that :math:`r_i \le 10^{-4}|\theta_i|` would
    (``bound="residual"``, the fully rigorous and costlier rule).

    Parameters
    ----------
    matvec : callable
        ``v -> H v`` on float64 NumPy vectors of length ``dim``, ``H`` symmetric.
    dim : int
        Length of the vectors (the number of parameters).
    k : int, default 1
        How many eigenvalues.
    which : {"largest", "smallest", "magnitude"}
        ``"largest"``: largest algebraic (the top of the spectrum, what
        "the top Hessian eigenvalue" means); ``"smallest"``: smallest
        algebraic (the most negative curvature); ``"magnitude"``: largest
        absolute value (what power iteration converges to).
    tol : float, default 1e-4
        Relative tolerance on the eigenvalue error bounds.
    bound : {"gap", "residual"}, default "gap"
        ``"residual"``: stop on :math:`r_i` (a rigorous bound: some eigenvalue
        lies within :math:`r_i` of :math:`\theta_i`; like any Krylov method it
        cannot rule out one that the space has not seen yet, so of a cluster
        narrower than about :math:`100\,\mathrm{tol}\,|\theta_i|` it may
        return the lower member). ``"gap"``: stop
        on :math:`\min(r_i, r_i^2/\delta_i)`, with the gap :math:`\delta_i` to
        the rest of the spectrum estimated as the distance to the nearest
        other Ritz value less its residual. Ritz values converge about twice
        as fast as residuals, so this stops earlier, but the estimate is not
        a bound: an eigenvalue the Krylov space has not yet seen can lie
        closer. Needs at least ``k + 1`` steps.
    atol : float, optional
        Absolute floor on the error bounds, for eigenvalues near zero; default
        the rounding level times :math:`|\theta|_{\max}`: ``1000 * eps`` of
        float64, or ``10 * eps`` of the basis dtype where coarser (a float32
        basis: about ``1.2e-6``).
    max_iter : int, optional
        Most products with ``H`` (default ``max(1000, 50 k)``).
    max_basis : int, optional
        Most Lanczos vectors kept; memory is ``(max_basis + 1) * dim`` floats.
        Default ``min(dim, max(2k + 20, 40))``.
    v0 : ndarray, optional
        Start vector; by default a Gaussian vector drawn with ``seed``.
    seed : int or None, default 0
        Seed for the start vector and for fresh directions after an invariant
        subspace is found.
    return_eigenvectors : bool, default True
        Also return the Ritz vectors (``k * dim`` more floats).
    check_symmetry : bool, default True
        Check that ``matvec`` is symmetric, :math:`u^\top Hw = w^\top Hu`, on
        the first two Lanczos vectors and their products (no extra product;
        two random vectors when the iteration stops after one product): a
        ``ValueError`` if not, before anything is returned.
    block_size : int, default 1
        Block Lanczos: multiply ``block_size`` vectors at a time, in one batched
        call when ``matvec`` has one (``matvec.matmat`` on NumPy rows, or
        ``native_block`` of a :class:`~d2lopt.spectrum.HessianOperator`, which
        batches the Hessian-vector products with ``is_grads_batched``). It pays
        only where a batch of products costs less than as many single ones;
        ``n_matvec`` counts every vector. Ignored (1) when the operator is too
        small for a block beyond the basis.

    Returns
    -------
    LanczosResult
        A :class:`RuntimeWarning` is raised when ``max_iter`` products did
        not reach the tolerance; ``converged`` is then False.

    Notes
    -----
    A Krylov space grown from one vector holds one copy of each eigenvalue.
    When it closes (an invariant subspace, a "breakdown"), the iteration goes
    on from a fresh random direction orthogonal to it, and stops only after
    that new block's best Ritz value has converged or the block has closed
    too; so an exactly double eigenvalue is found, but a third exact copy may
    be missed. (In floating point the Hessian of a network has no exact
    multiplicities among its top eigenvalues.)

    Examples
    --------
    >>> import numpy as np
    >>> H = np.diag(np.arange(1.0, 101.0))
    >>> result = lanczos(lambda v: H @ v, 100, k=3, tol=1e-10)
    >>> result.eigenvalues.round(8).tolist(), result.converged
    ([100.0, 99.0, 98.0], True)
    """
    dim = check_dim(dim)
    k = check_positive_int(k, "k")
    if k > dim:
        raise ValueError(f"k={k} eigenvalues asked of a {dim}-dimensional operator; use k <= dim")
    if which not in WHICH:
        raise ValueError(f"which must be one of {WHICH}, got {which!r}")
    if bound not in BOUNDS:
        raise ValueError(f"bound must be one of {BOUNDS}, got {bound!r}")
    tol = check_real(tol, "tol", positive=True)
    if atol is not None:
        atol = check_real(atol, "atol", nonnegative=True)
    m = min(dim, max(2 * k + 20, 40)) if max_basis is None else check_positive_int(
        max_basis, "max_basis"
    )
    m = min(m, dim)
    if m <= k and m < dim:
        raise ValueError(f"max_basis must exceed k (room to restart): got {m} for k={k}")
    max_iter = max(1000, 50 * k) if max_iter is None else check_positive_int(max_iter, "max_iter")
    block_size = check_positive_int(block_size, "block_size")
    if block_size > 1 and m + block_size > dim:
        block_size = 1  # no room for a block beyond the basis: small operator, plain Lanczos
    if m < k + block_size and m < dim:
        raise ValueError(f"max_basis must be at least k + block_size: got {m} for k={k}, "
                         f"block_size={block_size}")

    xp, product, block_product = _native(matvec)
    A = checked_matvec(product, dim, xp, finite=False)  # _orthogonalize tests finiteness
    unchecked = [] if check_symmetry else None  # (vector, product) pairs for the check
    rng = np.random.default_rng(seed)
    rounding = _rounding(xp)
    b = block_size
    keep = min(m - b, k + (m - k) // 2)  # Ritz vectors kept at a restart

    V = xp.empty(m + b, dim)
    V[0] = _start_vector(v0, dim, rng, xp)
    for i in range(1, b):  # a block method starts from b orthonormal vectors
        V[i] = _fresh_direction(rng, V[:i], xp)
    T = np.zeros((m, m))
    C = np.zeros((b, b))  # the remainder of the last block is V[j:j+b].T @ C
    j = n_matvec = n_restarts = 0
    block = 0  # first basis index of the Krylov block grown since the last breakdown
    basis_size = b
    scale = 0.0
    converged = False
    while True:
        products = [A(V[j])] if b == 1 else _block_products(A, block_product, V[j : j + b], xp)
        n_matvec += b
        remainders = []
        for i, product_i in enumerate(products):
            h, w, norm = _orthogonalize(V[: j + b], product_i, xp)
            T[: j + b, j + i] = h
            T[j + i, : j + b] = h
            remainders.append((w, norm))
        if unchecked is not None:  # the symmetry check, on the first two (finite) products
            unchecked += zip(V[j : j + b], products, strict=True)
            if len(unchecked) >= 2:
                check_symmetric_pair(*unchecked[0], *unchecked[1], xp=xp)
                unchecked = None
        j += b
        basis_size = max(basis_size, min(j + b, dim))
        theta, S = xp.eigh(T[:j, :j])
        scale = max(scale, float(np.abs(theta).max()))
        if j == dim:  # the basis spans everything: the Ritz values are exact
            C[:] = 0.0
            converged = True
            break
        floor = rounding * scale if atol is None else float(atol)
        # The next block: the remainders orthonormalized (C upper triangular), a fresh
        # direction in place of one that vanished.
        C[:] = 0.0
        broke = False
        for i, (w, norm) in enumerate(remainders):
            if i:
                c = xp.project(V[j : j + i], w)
                w = xp.subtract(w, c, V[j : j + i])
                C[:i, i] = c
                norm = xp.norm(w)
            if norm <= max(rounding * scale, np.finfo(np.float64).tiny):
                # An invariant subspace: its Ritz values are exact. If it was grown from a
                # fresh direction, stop; else carry on from one, which may hold another
                # copy of a repeated wanted eigenvalue.
                broke = True
                if b == 1 and block > 0 and j >= k:
                    converged = True
                    break
                block = j
                V[j + i] = _fresh_direction(rng, V[: j + i], xp)
            else:
                C[i, i] = norm
                V[j + i] = w / norm
        if converged:
            break
        if not broke and j >= k + (bound == "gap"):
            order = _ranking(theta, which)
            # The wanted Ritz pairs, and the best one of the current block: after a
            # breakdown, the new block may still hold a copy of a wanted eigenvalue.
            active = np.sum(S[block:j] ** 2, axis=0) > 0.5
            check = np.union1d(order[:k], order[active[order]][:1])
            bounds = _error_bounds(theta, _residuals(C, S, b), check, bound)
            if np.all(bounds <= np.maximum(tol * np.abs(theta[check]), floor)):
                converged = True
                break
        if n_matvec >= max_iter:
            break
        if j + b > m:  # thick restart from the best `keep` Ritz vectors and the remainder block
            kept = _ranking(theta, which)[:keep]
            pending = xp.copy(V[j : j + b])
            V[:keep] = xp.combine(S[:, kept].T, V[:j])
            V[keep : keep + b] = pending
            T[:] = 0.0
            T[np.arange(keep), np.arange(keep)] = theta[kept]
            j, block = keep, 0
            n_restarts += 1

    if unchecked is not None and dim > 1:  # stopped after one product: two more to check
        check_symmetric(A, dim, xp)
    wanted = _ranking(theta, which)[:k]
    residuals = _residuals(C, S, b)
    errors = _error_bounds(theta, residuals, wanted, bound)
    residuals = residuals[wanted]
    vectors = xp.combine(S[:, wanted].T, V[:j]).T if return_eigenvectors else None
    if not converged:
        warnings.warn(
            f"Lanczos used max_iter={max_iter} products without reaching tol={tol} "
            f"(largest error bound {errors.max():.3g}); raise max_iter or max_basis",
            RuntimeWarning,
            stacklevel=2,
        )
    return LanczosResult(
        eigenvalues=theta[wanted].copy(),
        eigenvectors=vectors,
        residual_norms=residuals,
        error_bounds=errors,
        n_matvec=n_matvec,
        n_restarts=n_restarts,
        basis_size=basis_size,
        converged=converged,
    )


def _native(matvec: Any) -> tuple[NumpyArrays, Any, Any]:
    """The array namespace ``matvec`` asks for, its product and its batched product (or None)."""
    xp = namespace_of(matvec)
    if xp is NUMPY:
        return xp, matvec, getattr(matvec, "matmat", None)
    return xp, matvec.native, getattr(matvec, "native_block", None)


def _block_products(A: Any, block_product: Any, P: Any, xp: NumpyArrays) -> list[Any]:
    """``H`` times each row of ``P``: one batched call when the operator has one."""
    if block_product is None:
        return [A(P[i]) for i in range(P.shape[0])]
    out = xp.coerce(block_product(P))
    if xp.shape(out) != xp.shape(P):
        raise ValueError(f"the batched product returned shape {xp.shape(out)}, expected "
                         f"{xp.shape(P)}")
    if not xp.all_finite(out):
        raise ValueError(NOT_FINITE)
    return [out[i] for i in range(P.shape[0])]


def _residuals(C: np.ndarray, S: np.ndarray, b: int) -> np.ndarray:
    r"""Residual norms :math:`\|H y_i - \theta_i y_i\| = \|C\,S_{\text{last } b,\,i}\|`."""
    j = S.shape[0]
    return np.sqrt(np.sum((C @ S[j - b : j]) ** 2, axis=0))


def lanczos_tridiagonal(
    matvec: Matvec, v0: np.ndarray, steps: int, *, check_symmetry: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    r"""Run ``steps`` Lanczos steps from ``v0``; return the tridiagonal ``T``.

    With :math:`q_1 = v_0/\|v_0\|`, ``T`` is :math:`Q^\top H Q` for the
    orthonormal Krylov basis ``Q`` (full reorthogonalization, ``steps * dim``
    floats). It stops early when the Krylov space is invariant, since ``T``
    is then exact. With ``check_symmetry`` (the default) two extra products first
    check that ``matvec`` is symmetric, as in :func:`lanczos`.

    Returns
    -------
    alpha : ndarray, shape (m,)
        Diagonal of ``T``, ``m <= steps``.
    beta : ndarray, shape (m - 1,)
        Off-diagonal of ``T``.

    Examples
    --------
    >>> import numpy as np
    >>> alpha, beta = lanczos_tridiagonal(lambda v: 2 * v, np.ones(4), 3)
    >>> alpha.tolist(), beta.tolist()
    ([2.0], [])
    """
    steps = check_positive_int(steps, "steps")
    q = np.asarray(v0, dtype=np.float64).reshape(-1)
    dim = q.size
    if dim == 0 or not np.all(np.isfinite(q)):
        raise ValueError("v0 must be a non-empty vector of finite numbers")
    A = checked_matvec(matvec, dim)
    if check_symmetry:
        check_symmetric(A, dim)
    Q = NUMPY.empty(min(steps, dim), dim)
    Q[0] = _start_vector(q, dim, np.random.default_rng(0))
    alpha: list[float] = []
    beta: list[float] = []
    scale = 0.0
    for j in range(Q.shape[0]):
        h, w, norm = _orthogonalize(Q[: j + 1], A(Q[j]))
        alpha.append(float(h[j]))
        scale = max(scale, abs(alpha[-1]), beta[-1] if beta else 0.0)
        if j + 1 == Q.shape[0] or norm <= max(1e3 * _EPS * scale, np.finfo(np.float64).tiny):
            break
        beta.append(norm)
        Q[j + 1] = w / norm
    return np.array(alpha), np.array(beta)
