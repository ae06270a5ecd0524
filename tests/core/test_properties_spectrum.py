"""Property-based tests of d2lopt.spectrum under hostile input (issue #12).

Random symmetric matrices (dimension 1 to 12, float64 and float32 products)
against ``numpy.linalg.eigvalsh`` and the exact trace; wrong shapes, NaN
products and bad counts must raise an error naming the argument.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from d2lopt.spectrum import hutchinson_trace, lanczos, slq_density
from d2lopt.spectrum._checks import probe

torch = pytest.importorskip("torch")

FAST = settings(max_examples=40, deadline=None)

symmetric = st.integers(1, 12).flatmap(
    lambda n: arrays(np.float64, (n, n), elements=st.floats(-100.0, 100.0))
).map(lambda a: (a + a.T) / 2)


@FAST
@given(symmetric, st.sampled_from([np.float64, np.float32]))
def test_lanczos_finds_the_top_eigenvalue_of_any_symmetric_matrix(H, dtype):
    # float32 products of subnormal entries have no relative precision left
    assume(dtype is np.float64 or np.all((H == 0) | (np.abs(H) > 1e-30)))
    exact = np.linalg.eigvalsh(H)
    Hd = H.astype(dtype)
    result = lanczos(lambda v: (Hd @ v.astype(dtype)).astype(np.float64), len(H), 1, tol=1e-8,
                     bound="residual", max_iter=2000)
    theta, bound = result.eigenvalues[0], result.error_bounds[0]
    scale = max(np.abs(exact).max(), 1.0)
    rounding = (1e-10 if dtype is np.float64 else 1e-4) * scale * len(H)
    # A Ritz value is a Rayleigh quotient: never above the top eigenvalue.
    assert theta <= exact[-1] + rounding
    # The residual bound is rigorous: some eigenvalue lies within it.
    assert np.abs(exact - theta).min() <= bound + rounding
    # That eigenvalue is the top one, or the top of a cluster narrower than the Krylov
    # space has resolved: 25 and 25.0000024 among seven eigenvalues gave 25.00000002
    # with a bound of 2e-7 (no Krylov method can tell that nothing lies above).
    assert exact[-1] - theta <= rounding or exact[-1] - theta <= 1e3 * 1e-8 * scale


@FAST
@given(symmetric, st.integers(1, 20), st.integers(0, 2**32 - 1))
def test_hutchinson_is_the_mean_of_the_quadratic_forms_of_its_probes(H, n_probes, seed):
    result = hutchinson_trace(lambda v: H @ v, len(H), n_probes=n_probes, seed=seed)
    rng = np.random.default_rng(seed)
    samples = [v @ H @ v for v in (probe(rng, len(H), "rademacher") for _ in range(n_probes))]
    np.testing.assert_allclose(result.samples, samples, rtol=1e-12, atol=1e-9)
    assert result.estimate == pytest.approx(np.mean(samples), rel=1e-12, abs=1e-9)
    if n_probes == 1:
        assert math.isnan(result.stderr)
    else:
        assert result.stderr == pytest.approx(np.std(samples, ddof=1) / np.sqrt(n_probes),
                                              rel=1e-9, abs=1e-9)


@FAST
@given(arrays(np.float64, st.integers(1, 10), elements=st.floats(-50.0, 50.0)))
def test_slq_first_moment_is_the_exact_mean_eigenvalue_of_a_diagonal_matrix(d):
    result = slq_density(lambda v: d * v, len(d), n_probes=2, steps=len(d), grid=64)
    # Rademacher probes normalized to unit length: each gives exactly tr(D)/n.
    assert result.moment(1) == pytest.approx(d.mean(), rel=1e-9, abs=1e-9)


BAD_COUNTS = st.one_of(st.integers(max_value=0), st.sampled_from(
    [1.5, math.nan, math.inf, True, None, "3", [3], np.array([3, 4])]))


@pytest.mark.parametrize("name, call", [
    ("dim", lambda v: lanczos(lambda x: x, v, 1)),
    ("k", lambda v: lanczos(lambda x: x, 3, v)),
    ("n_probes", lambda v: hutchinson_trace(lambda x: x, 3, n_probes=v)),
    ("dim", lambda v: hutchinson_trace(lambda x: x, v)),
    ("steps", lambda v: slq_density(lambda x: x, 3, steps=v)),
    ("n_probes", lambda v: slq_density(lambda x: x, 3, n_probes=v)),
])
@FAST
@given(bad=BAD_COUNTS)
def test_a_count_refuses_what_is_not_a_positive_integer_by_name(name, call, bad):
    with pytest.raises((ValueError, TypeError)) as info:
        call(bad)
    assert name in str(info.value)


@FAST
@given(st.integers(1, 6), st.sampled_from(["nan", "inf", "shape", "empty"]),
       st.sampled_from(["lanczos", "hutchinson", "slq"]))
def test_a_bad_matvec_is_refused_by_name(dim, what, estimator):
    def matvec(v):
        out = v.copy()
        if what == "nan":
            out[0] = math.nan
        elif what == "inf":
            out[-1] = math.inf
        elif what == "shape":
            out = np.append(out, 1.0)
        else:
            out = np.zeros(0)
        return out

    call = {"lanczos": lambda: lanczos(matvec, dim, 1),
            "hutchinson": lambda: hutchinson_trace(matvec, dim, n_probes=2),
            "slq": lambda: slq_density(matvec, dim, n_probes=1, steps=2)}[estimator]
    with pytest.raises(ValueError) as info:
        call()
    assert "matvec" in str(info.value)


@FAST
@given(st.sampled_from([int, np.int64, np.array, lambda v: torch.tensor(v)]),
       arrays(np.float64, st.integers(2, 8), elements=st.floats(-10.0, 10.0)))
def test_counts_and_tolerances_accept_any_scalar_form(form, d):
    reference = lanczos(lambda v: d * v, len(d), 2, tol=1e-6)
    result = lanczos(lambda v: d * v, form(len(d)), form(2), tol=form(1) * 1e-6)
    np.testing.assert_array_equal(result.eigenvalues, reference.eigenvalues)
