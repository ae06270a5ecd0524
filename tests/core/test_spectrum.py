"""Hessian spectra from products: Lanczos, stochastic Lanczos quadrature, Hutchinson.

Every estimate is checked against ``numpy.linalg.eigvalsh`` (or the exact
trace/moments) of a matrix small enough to form: symmetric matrices with
chosen spectra, and the Hessian of a few-hundred-parameter MLP's loss formed
by ``torch.autograd.functional.hessian``.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import trapezoid

from d2lopt import spectrum
from d2lopt.spectrum import (
    hessian_matvec,
    hessian_top_eigenvalues,
    hutchinson_trace,
    hvp_matvec,
    lanczos,
    lanczos_tridiagonal,
    slq_density,
)
from d2lopt.spectrum._checks import probe


# -- matrices with chosen spectra --------------------------------------------------------------
def with_spectrum(eigenvalues: np.ndarray, seed: int = 0) -> np.ndarray:
    """A dense symmetric matrix Q diag(eigenvalues) Qᵀ with a random orthogonal Q."""
    n = len(eigenvalues)
    q, _ = np.linalg.qr(np.random.default_rng(seed).standard_normal((n, n)))
    matrix = (q * eigenvalues) @ q.T
    return (matrix + matrix.T) / 2


def counted(matrix: np.ndarray):
    """``v -> matrix @ v`` that counts its calls in ``.calls``."""

    def product(v: np.ndarray) -> np.ndarray:
        product.calls += 1
        return matrix @ v

    product.calls = 0
    return product


SPECTRA = {
    "uniform": np.linspace(-1.0, 2.0, 300),
    "outliers": np.concatenate([[40.0, 25.0, 12.0, 9.0, 7.0], np.linspace(-0.5, 1.0, 295)]),
    # Top five within 0.4% of each other: power iteration converges like 0.999^t.
    "clustered": np.concatenate([[1.0, 0.999, 0.998, 0.997, 0.996], np.linspace(-0.9, 0.9, 295)]),
}


def exact_top(eigenvalues: np.ndarray, k: int, which: str) -> np.ndarray:
    if which == "largest":
        return np.sort(eigenvalues)[::-1][:k]
    if which == "smallest":
        return np.sort(eigenvalues)[:k]
    return eigenvalues[np.argsort(-np.abs(eigenvalues), kind="stable")][:k]


@pytest.mark.parametrize("name", sorted(SPECTRA))
@pytest.mark.parametrize("which", spectrum.WHICH)
@pytest.mark.parametrize("k", [1, 5])
def test_lanczos_matches_eigvalsh(name: str, which: str, k: int) -> None:
    matrix = with_spectrum(SPECTRA[name])
    exact = exact_top(np.linalg.eigvalsh(matrix), k, which)
    result = lanczos(lambda v: matrix @ v, len(matrix), k, which=which, tol=1e-9)
    assert result.converged
    np.testing.assert_allclose(result.eigenvalues, exact, rtol=1e-6)


@pytest.mark.parametrize("name", sorted(SPECTRA))
@pytest.mark.parametrize("k", [1, 5])
def test_gap_bound_stops_earlier_and_still_bounds_the_error(name: str, k: int) -> None:
    matrix = with_spectrum(SPECTRA[name], seed=5)
    exact = np.sort(np.linalg.eigvalsh(matrix))[::-1][:k]
    by_residual = lanczos(lambda v: matrix @ v, len(matrix), k, tol=1e-6, bound="residual")
    by_gap = lanczos(lambda v: matrix @ v, len(matrix), k, tol=1e-6, bound="gap")
    assert by_gap.converged and by_gap.n_matvec < by_residual.n_matvec
    errors = np.abs(by_gap.eigenvalues - exact)
    assert np.all(errors <= 1e-6 * np.abs(exact) * (1 + 1e-6))
    # (up to rounding: the bounds reach 1e-19 while θ is only known to ~eps |θ|)
    assert np.all(errors <= by_gap.error_bounds * (1 + 1e-6) + 1e-13 * np.abs(exact))


def test_residual_norms_are_the_true_residuals_and_vectors_are_orthonormal() -> None:
    matrix = with_spectrum(SPECTRA["outliers"])
    result = lanczos(lambda v: matrix @ v, len(matrix), 5, tol=1e-6, bound="residual")
    y, theta = result.eigenvectors, result.eigenvalues
    true_residuals = np.linalg.norm(matrix @ y - y * theta, axis=0)
    np.testing.assert_allclose(result.residual_norms, true_residuals, rtol=1e-4, atol=1e-12)
    assert np.all(true_residuals <= 1e-6 * np.abs(theta) * (1 + 1e-6))
    np.testing.assert_allclose(y.T @ y, np.eye(5), atol=1e-10)
    # the bound the stopping rule rests on: an eigenvalue lies within the residual of each θ
    exact = np.linalg.eigvalsh(matrix)
    distance = np.min(np.abs(exact[:, None] - theta[None, :]), axis=0)
    assert np.all(distance <= true_residuals * (1 + 1e-6) + 1e-12)


def power_iteration_error(matrix: np.ndarray, steps: int, seed: int = 0) -> float:
    """Relative error of the Rayleigh quotient after ``steps`` products."""
    v = np.random.default_rng(seed).standard_normal(len(matrix))
    for _ in range(steps):
        v = matrix @ v
        v /= np.linalg.norm(v)
    top = np.linalg.eigvalsh(matrix)[-1]
    return abs(v @ matrix @ v - top) / abs(top)


def test_lanczos_beats_power_iteration_on_a_clustered_top() -> None:
    matrix = with_spectrum(SPECTRA["clustered"], seed=3)
    top = np.linalg.eigvalsh(matrix)[-1]
    product = counted(matrix)
    result = lanczos(product, len(matrix), 1, tol=1e-8)
    assert abs(result.eigenvalues[0] - top) <= 1e-6 * top
    # power iteration with the same number of products is still far off
    assert power_iteration_error(matrix, result.n_matvec) > 1e-4


@pytest.mark.parametrize("max_basis", [12, 25, 300])
def test_restarts_bound_the_basis_without_changing_the_answer(max_basis: int) -> None:
    matrix = with_spectrum(SPECTRA["uniform"], seed=1)
    exact = np.sort(np.linalg.eigvalsh(matrix))[::-1][:5]
    product = counted(matrix)
    result = lanczos(product, len(matrix), 5, tol=1e-9, max_basis=max_basis, max_iter=3000)
    assert result.converged
    np.testing.assert_allclose(result.eigenvalues, exact, rtol=1e-6)
    assert result.basis_size <= max_basis + 1
    assert product.calls == result.n_matvec <= 3000  # the symmetry check costs no product
    assert (result.n_restarts > 0) == (max_basis < result.n_matvec)


def test_full_basis_gives_the_exact_spectrum() -> None:
    matrix = with_spectrum(np.array([3.0, -1.0, 0.5, 2.0, 7.0]))
    result = lanczos(lambda v: matrix @ v, 5, 5, tol=1e-12)
    assert result.n_matvec == 5 and result.converged
    np.testing.assert_allclose(result.eigenvalues, [7.0, 3.0, 2.0, 0.5, -1.0], rtol=1e-12)


def test_a_double_top_eigenvalue_is_found_after_the_krylov_space_closes() -> None:
    # Three distinct eigenvalues: a single Krylov space closes after 3 steps.
    diagonal = np.concatenate([[5.0, 5.0], np.ones(40), -np.ones(38)])
    result = lanczos(lambda v: diagonal * v, 80, 3, tol=1e-10)
    np.testing.assert_allclose(result.eigenvalues, [5.0, 5.0, 1.0], rtol=1e-12)


def test_stopping_at_max_iter_warns_and_reports_not_converged() -> None:
    matrix = with_spectrum(SPECTRA["clustered"])
    with pytest.warns(RuntimeWarning, match="max_iter=5"):
        result = lanczos(lambda v: matrix @ v, len(matrix), 1, tol=1e-12, max_iter=5)
    assert not result.converged and result.n_matvec == 5


def test_lanczos_tridiagonal_is_the_projection_on_the_krylov_basis() -> None:
    matrix = with_spectrum(SPECTRA["uniform"], seed=2)
    v0 = np.random.default_rng(0).standard_normal(len(matrix))
    alpha, beta = lanczos_tridiagonal(lambda v: matrix @ v, v0, 12)
    # Build the Krylov basis independently (QR of the Krylov matrix, scaled columns).
    columns = [v0 / np.linalg.norm(v0)]
    for _ in range(11):
        columns.append(matrix @ columns[-1])
        columns[-1] /= np.linalg.norm(columns[-1])
    q, r = np.linalg.qr(np.stack(columns, axis=1))
    q *= np.sign(np.diag(r))  # the same signs as Lanczos: positive off-diagonal
    projected = q.T @ matrix @ q
    np.testing.assert_allclose(alpha, np.diag(projected), atol=1e-8)
    np.testing.assert_allclose(beta, np.diag(projected, 1), atol=1e-8)


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda m: lanczos(m, 10, 11), ValueError),
        (lambda m: lanczos(m, 10, 1, which="top"), ValueError),
        (lambda m: lanczos(m, 10, 1, tol=0.0), ValueError),
        (lambda m: lanczos(m, 10, 1, bound="exact"), ValueError),
        (lambda m: lanczos(m, 0), ValueError),
        (lambda m: lanczos(m, 10, 3, max_basis=3), ValueError),
        (lambda m: lanczos(lambda v: v[:5], 10), ValueError),
        (lambda m: lanczos(lambda v: v * np.nan, 10), ValueError),
        (lambda m: lanczos("H", 10), TypeError),
        (lambda m: hutchinson_trace(m, 10, n_probes=0), ValueError),
        (lambda m: hutchinson_trace(m, 10, distribution="uniform"), ValueError),
        (lambda m: slq_density(m, 10, sigma=-1.0), ValueError),
        (lambda m: hvp_matvec(lambda x: (x**2).sum(), np.zeros((2, 2))), ValueError),
        (lambda m: hvp_matvec(m, np.zeros(3))(np.zeros(4)), ValueError),
        (lambda m: slq_density(m, 10, grid=np.array([100.0, 101.0]), sigma=0.01), ValueError),
    ],
)
def test_bad_arguments_raise_early(call, error) -> None:
    with pytest.raises(error):
        call(lambda v: 2.0 * v)


# -- Hutchinson --------------------------------------------------------------------------------
def test_hutchinson_is_exact_for_a_diagonal_matrix_with_rademacher_probes() -> None:
    diagonal = np.random.default_rng(5).standard_normal(50)
    estimate = hutchinson_trace(lambda v: diagonal * v, 50, n_probes=7)
    assert estimate.estimate == pytest.approx(diagonal.sum(), rel=1e-13)
    assert estimate.stderr == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("distribution", ["rademacher", "gaussian"])
def test_hutchinson_is_within_four_standard_errors(distribution: str) -> None:
    matrix = with_spectrum(SPECTRA["outliers"], seed=4)
    result = hutchinson_trace(
        lambda v: matrix @ v, len(matrix), n_probes=400, seed=1, distribution=distribution
    )
    assert abs(result.estimate - np.trace(matrix)) <= 4 * result.stderr
    # and the standard error is the one theory predicts for the probe distribution
    frobenius2 = np.sum(matrix**2)
    variance = 2 * (frobenius2 - np.sum(np.diag(matrix) ** 2)) if (
        distribution == "rademacher"
    ) else 2 * frobenius2
    assert result.stderr == pytest.approx(np.sqrt(variance / 400), rel=0.25)


# -- stochastic Lanczos quadrature -------------------------------------------------------------
def quadrature_tolerance(matrix: np.ndarray, n_probes: int) -> float:
    """Five standard errors of the mean of qᵀAq/... for unit Rademacher probes q = v/√n."""
    n = len(matrix)
    variance = 2 * (np.sum(matrix**2) - np.sum(np.diag(matrix) ** 2)) / n**2
    return 5 * np.sqrt(variance / n_probes)


@pytest.mark.parametrize("n_probes", [4, 30])
def test_slq_moments_match_trace_and_frobenius_norm(n_probes: int) -> None:
    matrix = with_spectrum(SPECTRA["outliers"], seed=6)
    n = len(matrix)
    result = slq_density(lambda v: matrix @ v, n, n_probes=n_probes, steps=20, seed=2)
    assert abs(result.moment(1) - np.trace(matrix) / n) <= quadrature_tolerance(matrix, n_probes)
    square = matrix @ matrix
    assert abs(result.moment(2) - np.trace(square) / n) <= quadrature_tolerance(square, n_probes)
    assert result.moment(0) == pytest.approx(1.0, abs=1e-12)


def test_slq_quadrature_is_exact_for_polynomials_of_degree_below_2m() -> None:
    matrix = with_spectrum(SPECTRA["uniform"], seed=7)
    n, steps = len(matrix), 6
    result = slq_density(lambda v: matrix @ v, n, n_probes=3, steps=steps, seed=11)
    rng = np.random.default_rng(11)  # the same probes, drawn again
    probes = [probe(rng, n, "rademacher") / np.sqrt(n) for _ in range(3)]
    for power in range(2 * steps):
        direct = np.mean([q @ np.linalg.matrix_power(matrix, power) @ q for q in probes])
        assert result.moment(power) == pytest.approx(direct, rel=1e-8, abs=1e-12)


def test_slq_density_is_normalized_and_within_the_spectral_bounds() -> None:
    eigenvalues = SPECTRA["outliers"]
    matrix = with_spectrum(eigenvalues, seed=8)
    result = slq_density(lambda v: matrix @ v, len(matrix), n_probes=8, steps=40, sigma=0.05)
    assert trapezoid(result.density, result.grid) == pytest.approx(1.0, rel=1e-12)
    assert np.all(result.density >= 0)
    np.testing.assert_allclose(result.weights.sum(axis=1), 1.0, rtol=1e-12)
    # Ritz values interlace: every node lies inside [λ_min, λ_max] ...
    assert result.nodes.min() >= eigenvalues.min() - 1e-9
    assert result.nodes.max() <= eigenvalues.max() + 1e-9
    # ... and the extreme ones converge to the edges of the spectrum
    assert result.nodes.max() == pytest.approx(eigenvalues.max(), rel=1e-8)
    assert result.nodes.min() == pytest.approx(eigenvalues.min(), rel=1e-3)


def test_slq_density_approaches_the_broadened_true_density() -> None:
    eigenvalues = np.concatenate([np.random.default_rng(9).normal(0.0, 0.3, 380), [3.0] * 20])
    matrix = with_spectrum(eigenvalues, seed=9)
    grid = np.linspace(-2.0, 4.0, 600)
    sigma = 0.15
    result = slq_density(
        lambda v: matrix @ v, 400, n_probes=30, steps=40, grid=grid, sigma=sigma, seed=3
    )
    truth = np.exp(-0.5 * ((grid[:, None] - eigenvalues[None, :]) / sigma) ** 2).sum(axis=1)
    truth /= trapezoid(truth, grid)
    l1 = np.sum(np.abs(result.density - truth)) * (grid[1] - grid[0])
    assert l1 < 0.1
    # the 5 % mass of the outlier at 3 is seen
    near_three = (grid > 2.5) & (grid < 3.5)
    mass = np.sum(result.density[near_three]) * (grid[1] - grid[0])
    assert mass == pytest.approx(0.05, abs=0.02)


# -- d2lopt.hvp of any backend ------------------------------------------------------------------
def test_hvp_matvec_spectrum_on_every_backend(backend) -> None:
    coefficients = backend.tensor(np.linspace(0.5, 2.0, 12))

    def f(x):
        return backend.sum(backend.cos(x) * coefficients) + backend.sum(x) ** 2 + backend.sum(
            x**4
        ) / 4

    x = backend.tensor(np.linspace(-1.0, 1.0, 12))
    import d2lopt

    exact = np.linalg.eigvalsh(backend.to_numpy(d2lopt.hessian(f)(x)))
    operator = hvp_matvec(f, x)
    result = lanczos(operator, operator.dim, 3, tol=1e-10)
    np.testing.assert_allclose(result.eigenvalues, exact[::-1][:3], rtol=1e-8)
    assert operator.n_calls == result.n_matvec  # the symmetry check costs no product
    trace = hutchinson_trace(operator, operator.dim, n_probes=200)
    assert abs(trace.estimate - exact.sum()) <= 4 * trace.stderr


# -- a small PyTorch MLP whose Hessian can be formed ----------------------------------------------
@pytest.fixture(scope="module")
def mlp_problem():
    """An 8-16-4 tanh MLP (212 parameters) on digits, its loss and its dense Hessian."""
    torch = pytest.importorskip("torch")
    from sklearn.datasets import load_digits

    torch.manual_seed(0)
    digits = load_digits()
    rows = np.random.default_rng(0).choice(len(digits.target), 200, replace=False)
    # 8 features: the image downsampled by averaging 2x4 blocks of pixels
    images = digits.images[rows].reshape(200, 4, 2, 2, 4).mean(axis=(2, 4)) / 16.0
    inputs = torch.tensor(images.reshape(200, 8), dtype=torch.float64)
    targets = torch.tensor(digits.target[rows] % 4)
    model = torch.nn.Sequential(
        torch.nn.Linear(8, 16), torch.nn.Tanh(), torch.nn.Linear(16, 4)
    ).double()
    loss_fn = torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.02)
    for _ in range(100):  # a few steps of training so the Hessian is not that of the init
        optimizer.zero_grad()
        loss_fn(model(inputs), targets).backward()
        optimizer.step()

    names = [name for name, _ in model.named_parameters()]
    shapes = [p.shape for p in model.parameters()]
    flat = torch.nn.utils.parameters_to_vector(model.parameters()).detach()

    def loss_of_flat(theta):
        pieces = torch.split(theta, [int(np.prod(s)) for s in shapes])
        params = {n: p.view(s) for n, p, s in zip(names, pieces, shapes, strict=True)}
        return loss_fn(torch.func.functional_call(model, params, (inputs,)), targets)

    dense = torch.autograd.functional.hessian(loss_of_flat, flat).numpy()
    return model, loss_fn, inputs, targets, dense


def test_hessian_matvec_is_the_dense_hessian_times_v(mlp_problem) -> None:
    model, loss_fn, inputs, targets, dense = mlp_problem
    operator = hessian_matvec(model, loss_fn, inputs, targets)
    assert operator.dim == len(dense) == 212
    v = np.random.default_rng(0).standard_normal(operator.dim)
    np.testing.assert_allclose(operator(v), dense @ v, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("which", ["largest", "smallest"])
def test_mlp_top_eigenvalues_match_eigvalsh(mlp_problem, which: str) -> None:
    model, loss_fn, inputs, targets, dense = mlp_problem
    exact = exact_top(np.linalg.eigvalsh(dense), 5, which)
    result = hessian_top_eigenvalues(
        model, loss_fn, (inputs, targets), k=5, which=which, tol=1e-9, atol=1e-12
    )
    assert result.converged
    np.testing.assert_allclose(result.eigenvalues, exact, rtol=1e-6, atol=1e-9)


def test_hessian_matvec_rejects_what_is_not_a_module(mlp_problem) -> None:
    model, loss_fn, inputs, targets, _ = mlp_problem
    with pytest.raises(TypeError, match="torch.nn.Module"):
        hessian_matvec(lambda x: model(x), loss_fn, inputs, targets)
    with pytest.raises(ValueError, match="scalar"):
        hessian_matvec(model, lambda out, y: out.sum(axis=1), inputs, targets)
    with pytest.raises(TypeError, match="pair"):
        hessian_top_eigenvalues(model, loss_fn, inputs)


def test_lanczos_never_forms_the_hessian(mlp_problem, monkeypatch) -> None:
    torch = pytest.importorskip("torch")
    import d2lopt

    def refuse(*args, **kwargs):
        raise AssertionError("the dense Hessian was formed")

    monkeypatch.setattr(torch.autograd.functional, "hessian", refuse)
    monkeypatch.setattr(torch.func, "hessian", refuse)
    monkeypatch.setattr(d2lopt, "hessian", refuse)
    model, loss_fn, inputs, targets, dense = mlp_problem
    operator = hessian_matvec(model, loss_fn, inputs, targets)
    result = lanczos(operator, operator.dim, 3, tol=1e-8, max_basis=30, max_iter=400)
    assert result.converged
    assert operator.n_calls == result.n_matvec <= 400  # the symmetry check costs no product
    assert result.basis_size <= 31 < operator.dim
    np.testing.assert_allclose(result.eigenvalues, np.linalg.eigvalsh(dense)[::-1][:3], rtol=1e-6)


def test_mlp_trace_and_density_moments(mlp_problem) -> None:
    model, loss_fn, inputs, targets, dense = mlp_problem
    operator = hessian_matvec(model, loss_fn, inputs, targets)
    n = operator.dim
    trace = hutchinson_trace(operator, n, n_probes=100, seed=3)
    assert abs(trace.estimate - np.trace(dense)) <= 4 * trace.stderr
    density = slq_density(operator, n, n_probes=10, steps=30, seed=4)
    assert abs(density.moment(1) - np.trace(dense) / n) <= quadrature_tolerance(dense, 10)
    square = dense @ dense
    assert abs(density.moment(2) - np.trace(square) / n) <= quadrature_tolerance(square, 10)
    exact = np.linalg.eigvalsh(dense)
    assert exact[0] - 1e-9 <= density.nodes.min() and density.nodes.max() <= exact[-1] + 1e-9
    assert density.nodes.max() == pytest.approx(exact[-1], rel=1e-6)


def test_importing_d2lopt_spectrum_does_not_import_torch() -> None:
    import subprocess
    import sys

    code = "import sys, d2lopt; d2lopt.spectrum.lanczos; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# -- hostile input (issue #12) ---------------------------------------------------

def test_one_probe_has_an_undefined_standard_error() -> None:
    H = np.array([[2.0, 1.0], [1.0, 3.0]])
    result = hutchinson_trace(lambda v: H @ v, 2, n_probes=1, seed=3)
    v = probe(np.random.default_rng(3), 2, "rademacher")
    assert result.estimate == pytest.approx(float(v @ H @ v), rel=1e-15)
    assert np.isnan(result.stderr)


def test_a_non_symmetric_matvec_is_refused_unless_the_check_is_off() -> None:
    A = np.array([[1.0, 5.0, 0.0], [0.0, 2.0, 0.0], [0.0, 0.0, 3.0]])
    for estimate in (lambda **kw: lanczos(lambda v: A @ v, 3, 1, **kw),
                     lambda **kw: spectrum.slq_density(lambda v: A @ v, 3, steps=3, **kw),
                     lambda **kw: spectrum.lanczos_tridiagonal(lambda v: A @ v, np.ones(3), 3,
                                                               **kw)):
        with pytest.raises(ValueError, match="matvec is not symmetric"):
            estimate()
        estimate(check_symmetry=False)  # the caller's responsibility then


def test_the_lanczos_symmetry_check_costs_no_product_and_changes_nothing() -> None:
    H = with_spectrum(np.linspace(-1.0, 4.0, 30), seed=2)
    product = counted(H)
    checked = lanczos(product, 30, 2, tol=1e-10)
    unchecked = lanczos(lambda v: H @ v, 30, 2, tol=1e-10, check_symmetry=False)
    assert product.calls == checked.n_matvec == unchecked.n_matvec
    np.testing.assert_array_equal(checked.eigenvalues, unchecked.eigenvalues)
    with pytest.warns(RuntimeWarning, match="max_iter=1"):  # one product: two more to check
        once = lanczos(counted(H), 30, 1, max_iter=1)
    assert once.n_matvec == 1
    product = counted(H)
    with pytest.warns(RuntimeWarning, match="max_iter=1"):
        lanczos(product, 30, 1, max_iter=1)
    assert product.calls == 3


@pytest.mark.parametrize("block_size", [1, 2])
@pytest.mark.parametrize("seed", range(10))
def test_lanczos_refuses_a_non_symmetric_matvec_from_its_own_products(seed, block_size) -> None:
    # The first two Lanczos vectors u, w give u·Hw ≠ w·Hu for a matrix that is not
    # symmetric: refused, whatever the start vector, before any result; also when the
    # iteration stops after one product (then from two extra ones).
    rng = np.random.default_rng(seed)
    S = with_spectrum(np.linspace(-1.0, 3.0, 40), seed=seed)
    A = S + 0.3 * rng.standard_normal((40, 40))  # a non-symmetric part
    for max_iter in (1, 100):
        with pytest.raises(ValueError, match="matvec is not symmetric"):
            lanczos(lambda v: A @ v, 40, 2, block_size=block_size, max_iter=max_iter,
                    seed=seed)
    lanczos(lambda v: S @ v, 40, 2, block_size=block_size, seed=seed)  # symmetric: passes


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("at", [1, 2, 6])
def test_lanczos_refuses_a_product_with_nan_or_infinity_in_one_entry(bad, at) -> None:
    H = with_spectrum(np.linspace(-1.0, 2.0, 30))
    calls = []

    def product(v):
        calls.append(1)
        out = H @ v
        if len(calls) == at:
            out[7] = bad
        return out

    with pytest.raises(ValueError, match="matvec returned NaN or infinity"):
        lanczos(product, 30, 2, tol=1e-10)
    assert len(calls) == at  # refused at once


def test_float32_products_of_a_symmetric_matrix_pass_the_check() -> None:
    H = with_spectrum(np.linspace(-1.0, 4.0, 200), seed=4).astype(np.float32)
    result = lanczos(lambda v: H @ v.astype(np.float32), 200, 1, tol=1e-4)
    assert result.eigenvalues[0] == pytest.approx(4.0, rel=1e-4)


def test_a_model_with_dropout_in_training_mode_warns(mlp_problem) -> None:
    import torch

    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Dropout(0.5),
                                torch.nn.Linear(4, 1))
    inputs, targets = torch.ones(5, 3), torch.zeros(5, 1)
    with pytest.warns(RuntimeWarning, match="training mode.*Dropout.*model.eval"):
        hessian_matvec(model, torch.nn.MSELoss(), inputs, targets)
    model.eval()
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        hessian_matvec(model, torch.nn.MSELoss(), inputs, targets)
        hessian_matvec(torch.nn.Linear(3, 1), torch.nn.MSELoss(), inputs, targets)  # no dropout


# -- the basis on the model's device ------------------------------------------------------------
def test_torch_path_agrees_with_the_numpy_path_in_float64(mlp_problem) -> None:
    model, loss_fn, inputs, targets, dense = mlp_problem
    operator = hessian_matvec(model, loss_fn, inputs, targets)
    assert operator.array_namespace is not None and operator.array_namespace.name == "torch"
    on_device = lanczos(operator, operator.dim, 5, tol=1e-6, max_basis=30)

    def host(v):  # the same product through NumPy: no array_namespace, so the NumPy path
        return operator(v)

    on_host = lanczos(host, operator.dim, 5, tol=1e-6, max_basis=30)
    assert on_device.n_matvec == on_host.n_matvec and on_device.n_restarts == on_host.n_restarts
    np.testing.assert_allclose(on_device.eigenvalues, on_host.eigenvalues, rtol=1e-10, atol=0)
    np.testing.assert_allclose(on_device.eigenvalues, np.linalg.eigvalsh(dense)[::-1][:5],
                               rtol=1e-6)
    vectors = on_device.eigenvectors.cpu().numpy()
    np.testing.assert_allclose(np.abs(np.sum(vectors * on_host.eigenvectors, axis=0)), 1.0,
                               atol=1e-8)


def test_no_long_vector_leaves_the_device(mlp_problem, monkeypatch) -> None:
    torch = pytest.importorskip("torch")
    model, loss_fn, inputs, targets, dense = mlp_problem
    operator = hessian_matvec(model, loss_fn, inputs, targets)
    seen = []
    native = operator._native

    def tracking(v):  # what the iteration hands the product, and what it gets back
        assert isinstance(v, torch.Tensor) and v.device == model[0].weight.device
        seen.append(v.dtype)
        return native(v)

    monkeypatch.setattr(operator, "_native", tracking)
    for name in ("numpy", "tolist", "__array__"):  # a host copy of a long vector fails the test
        original = getattr(torch.Tensor, name)

        def refuse(self, *args, _original=original, _name=name, **kwargs):
            if self.numel() >= operator.dim:
                raise AssertionError(f"a vector of length {self.numel()} left the device "
                                     f"through Tensor.{_name}")
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(torch.Tensor, name, refuse)
    result = lanczos(operator, operator.dim, 3, tol=1e-8)
    with pytest.raises(AssertionError, match="left the device"):  # the NumPy path copies
        lanczos(lambda v: operator(v), operator.dim, 3, tol=1e-8)
    monkeypatch.undo()
    assert seen and set(seen) == {torch.float64} and len(seen) == result.n_matvec
    assert isinstance(result.eigenvectors, torch.Tensor)
    assert result.eigenvectors.device == model[0].weight.device
    assert result.eigenvectors.shape == (operator.dim, 3)
    np.testing.assert_allclose(result.eigenvalues, np.linalg.eigvalsh(dense)[::-1][:3], rtol=1e-6)
    top = hessian_top_eigenvalues(model, loss_fn, (inputs, targets), k=3, tol=1e-8)
    assert isinstance(top.eigenvectors, torch.Tensor)
    np.testing.assert_allclose(top.eigenvalues, result.eigenvalues, rtol=1e-10)


@pytest.mark.parametrize("k", [1, 5, 20])
def test_a_float32_model_gets_a_float32_basis_and_the_asked_accuracy(mlp_problem, k) -> None:
    # The basis in the products' dtype: float32 vectors on the model's device, and still
    # tol met against eigh of the float64 Hessian, with residual norms that hold.
    torch = pytest.importorskip("torch")
    import copy

    model, loss_fn, inputs, targets, dense = mlp_problem
    operator = hessian_matvec(copy.deepcopy(model).float(), loss_fn, inputs.float(), targets)
    assert operator.array_namespace.dtype == torch.float32
    result = lanczos(operator, operator.dim, k, tol=1e-4, seed=k)
    exact = np.linalg.eigvalsh(dense)[::-1][:k]
    assert result.converged and result.eigenvalues.dtype == np.float64
    assert np.all(np.abs(result.eigenvalues - exact) <= 1e-4 * np.abs(exact))
    y = result.eigenvectors
    assert y.dtype == torch.float32 and y.device == next(model.parameters()).device
    y = y.double().numpy()
    true_residuals = np.linalg.norm(dense @ y - y * result.eigenvalues, axis=0)
    assert np.all(true_residuals <= result.residual_norms + 1e-5 * exact[0])


def test_a_half_precision_model_gets_a_float32_basis() -> None:
    torch = pytest.importorskip("torch")
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2))
    inputs = torch.randn(6, 3, generator=torch.Generator().manual_seed(0))
    operator = hessian_matvec(model.to(torch.bfloat16), torch.nn.CrossEntropyLoss(),
                              inputs.to(torch.bfloat16), torch.tensor([0, 1, 0, 1, 1, 0]))
    assert operator.array_namespace.dtype == torch.float32
    assert operator.native(torch.ones(operator.dim)).dtype == torch.float32


def test_the_torch_path_solves_the_small_problem_without_numpy_lapack(mlp_problem,
                                                                     monkeypatch) -> None:
    # NumPy's eigh runs threaded OpenBLAS from 32 rows on, whose spinning threads slow
    # the next product on PyTorch's threads: the torch path does not call it.
    model, loss_fn, inputs, targets, dense = mlp_problem
    operator = hessian_matvec(model, loss_fn, inputs, targets)
    T = with_spectrum(np.linspace(-1.0, 2.0, 50))[:40, :40]  # a strided view, as in lanczos
    values, vectors = operator.array_namespace.eigh(T)
    np.testing.assert_allclose(values, np.linalg.eigvalsh(T), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(vectors * values @ vectors.T, T, atol=1e-12)

    def refuse(*args, **kwargs):
        raise AssertionError("numpy.linalg.eigh was called")

    monkeypatch.setattr(np.linalg, "eigh", refuse)
    result = lanczos(operator, operator.dim, 20, tol=1e-6, max_basis=45)
    np.testing.assert_allclose(result.eigenvalues, np.linalg.eigvalsh(dense)[::-1][:20],
                               rtol=1e-5)


@pytest.mark.parametrize("k", [1, 5, 20])
def test_gap_rule_stops_at_the_asked_accuracy_not_far_beyond(k: int) -> None:
    # tol is the relative accuracy of the eigenvalues: 1e-4 asked is met, and bought
    # with fewer products than the residual rule, which delivers ~1e-7
    matrix = with_spectrum(np.concatenate([np.geomspace(50.0, 2.0, 40), np.linspace(-1, 1, 460)]))
    exact = np.sort(np.linalg.eigvalsh(matrix))[::-1][:k]
    by_gap = lanczos(counted(matrix), len(matrix), k, tol=1e-4)
    by_residual = lanczos(counted(matrix), len(matrix), k, tol=1e-4, bound="residual")
    errors = np.abs(by_gap.eigenvalues - exact) / exact
    assert by_gap.converged and np.all(errors <= 1e-4)
    assert by_gap.n_matvec < by_residual.n_matvec
    assert by_gap.basis_size <= min(len(matrix), max(2 * k + 20, 40)) + 1


# -- block Lanczos --------------------------------------------------------------------------------
class BlockCounted:
    """``v -> matrix @ v`` and a batched ``matmat`` on rows, counting vectors and batches."""

    def __init__(self, matrix: np.ndarray) -> None:
        self.matrix, self.vectors, self.batches = matrix, 0, 0

    def __call__(self, v: np.ndarray) -> np.ndarray:
        self.vectors += 1
        return self.matrix @ v

    def matmat(self, rows: np.ndarray) -> np.ndarray:
        self.vectors += rows.shape[0]
        self.batches += 1
        return rows @ self.matrix


@pytest.mark.parametrize("name", sorted(SPECTRA))
@pytest.mark.parametrize("block_size", [2, 4])
@pytest.mark.parametrize("k", [1, 5, 20])
def test_block_lanczos_matches_eigvalsh_and_the_single_vector_path(name, block_size, k) -> None:
    matrix = with_spectrum(SPECTRA[name], seed=3)
    exact = np.sort(np.linalg.eigvalsh(matrix))[::-1][:k]
    operator = BlockCounted(matrix)
    blocked = lanczos(operator, len(matrix), k, tol=1e-9, bound="residual",
                      block_size=block_size)
    single = lanczos(lambda v: matrix @ v, len(matrix), k, tol=1e-9, bound="residual")
    assert blocked.converged
    np.testing.assert_allclose(blocked.eigenvalues, exact, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(blocked.eigenvalues, single.eigenvalues, rtol=1e-7, atol=1e-9)
    assert operator.vectors == blocked.n_matvec and blocked.n_matvec % block_size == 0
    assert operator.batches == blocked.n_matvec // block_size  # one batched call per block
    y = blocked.eigenvectors
    true_residuals = np.linalg.norm(matrix @ y - y * blocked.eigenvalues, axis=0)
    np.testing.assert_allclose(blocked.residual_norms, true_residuals, rtol=1e-3, atol=1e-11)


def test_block_lanczos_restarts_and_finds_a_double_eigenvalue() -> None:
    spectrum_ = np.concatenate([[5.0, 5.0, 4.0], np.linspace(-1.0, 1.0, 197)])
    matrix = with_spectrum(spectrum_, seed=1)
    result = lanczos(BlockCounted(matrix), 200, 3, tol=1e-10, bound="residual", block_size=2,
                     max_basis=12)
    assert result.converged and result.n_restarts > 0 and result.basis_size <= 14
    np.testing.assert_allclose(result.eigenvalues, [5.0, 5.0, 4.0], rtol=1e-8)


def test_batched_hessian_products_are_the_single_ones(mlp_problem) -> None:
    torch = pytest.importorskip("torch")
    model, loss_fn, inputs, targets, dense = mlp_problem
    operator = hessian_matvec(model, loss_fn, inputs, targets)
    block = torch.as_tensor(np.random.default_rng(1).standard_normal((3, operator.dim)))
    batched = operator.native_block(block)
    assert operator.n_calls == 3
    np.testing.assert_allclose(batched.numpy(), block.numpy() @ dense, rtol=1e-9, atol=1e-11)
    result = hessian_top_eigenvalues(model, loss_fn, (inputs, targets), k=5, tol=1e-9,
                                     bound="residual", block_size=4)
    assert result.converged
    np.testing.assert_allclose(result.eigenvalues, np.linalg.eigvalsh(dense)[::-1][:5],
                               rtol=1e-6)
