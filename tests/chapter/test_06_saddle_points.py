"""GOE matrices: sampling, the Monte Carlo fraction of positive definite ones, exact values."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from chapter_pages import page_glue, run_solution, settings_problems, snippet_outputs
from scipy import integrate, special

import d2lopt
from d2lopt.chapter.saddle_points import (
    QUADRATIC_SURFACES,
    SETTINGS,
    MonteCarloEstimate,
    all_positive_probability,
    goe,
    positive_definite_fraction,
)
from d2lopt.landscapes import cubic, monkey_saddle, saddle
from d2lopt.plot.numbers import MINUS, format_number, format_uncertain

#: (1 - 1/sqrt 2)/2: the GOE n = 2 probability, from the polar-coordinate argument.
P2_CLOSED = (1 - 1 / math.sqrt(2)) / 2


def test_goe_is_symmetric_with_the_documented_variances():
    h = goe(4, 200_000, rng=np.random.default_rng(1))
    assert h.shape == (200_000, 4, 4)
    np.testing.assert_array_equal(h, np.swapaxes(h, 1, 2))
    diag = h[:, np.arange(4), np.arange(4)]
    off = h[:, 0, 1:]
    assert diag.var() == pytest.approx(1.0, rel=0.01)
    assert off.var() == pytest.approx(0.5, rel=0.01)
    assert abs(h.mean()) < 0.01
    assert goe(3, rng=np.random.default_rng(0)).shape == (3, 3)


def test_n2_closed_form_by_integrating_over_the_matrix_entries():
    # [[a, c], [c, b]] is positive definite iff a, b > 0 and c^2 < ab; with
    # c ~ N(0, 1/2), P(|c| < t) = erf(t). Integrate over a, b > 0 with normal weights.
    def integrand(a: float, b: float) -> float:
        weight = math.exp(-(a * a + b * b) / 2) / (2 * math.pi)
        return weight * math.erf(math.sqrt(a * b))

    value, error = integrate.dblquad(integrand, 0, np.inf, 0, np.inf, epsabs=1e-13,
                                     epsrel=1e-12)
    assert value == pytest.approx(P2_CLOSED, abs=1e-10)
    assert all_positive_probability(2) == pytest.approx(P2_CLOSED, rel=1e-10)


def test_n3_by_integrating_the_eigenvalue_density_directly():
    # Independent of de Bruijn's formula: the ratio of integrals of the ordered
    # density (b - a)(c - a)(c - b) exp(-(a^2 + b^2 + c^2)/2) over a < b < c.
    def density(c: float, b: float, a: float) -> float:
        return (b - a) * (c - a) * (c - b) * math.exp(-(a * a + b * b + c * c) / 2)

    def ordered(lower: float) -> float:
        return integrate.tplquad(density, lower, np.inf, lambda a: a, lambda a: np.inf,
                                 lambda a, b: b, lambda a, b: np.inf,
                                 epsabs=1e-12, epsrel=1e-10)[0]

    expected = ordered(0.0) / ordered(-np.inf)
    assert all_positive_probability(3) == pytest.approx(expected, rel=1e-7)
    # and the known closed form (pi - 2 sqrt 2) / (4 pi)
    assert expected == pytest.approx((math.pi - 2 * math.sqrt(2)) / (4 * math.pi), rel=1e-7)


def test_exact_values_for_n1_and_their_decay():
    assert all_positive_probability(1) == pytest.approx(0.5, abs=1e-12)
    exact = np.array([all_positive_probability(n) for n in range(1, 9)])
    assert np.all(np.diff(exact) < 0)
    assert np.all(exact[1:] < 0.5 ** np.arange(2, 9))


def test_exact_values_agree_with_high_precision_arithmetic():
    mp = pytest.importorskip("mpmath")
    mp.mp.dps = 20

    def half(j):
        return mp.mpf(2) ** (mp.mpf(j - 1) / 2) * mp.gamma(mp.mpf(j + 1) / 2)

    def below(j, x):  # int_{-inf}^x y^j e^{-y^2/2}
        inner = half(j) * mp.gammainc(mp.mpf(j + 1) / 2, 0, x * x / 2, regularized=True)
        sign = (-1) ** j
        return sign * half(j) + inner if x >= 0 else sign * (half(j) - inner)

    def matrix(n, half_line):
        size = n + n % 2
        a = mp.matrix(size, size)
        for j in range(n):
            total = half(j) if half_line else (0 if j % 2 else 2 * half(j))
            for i in range(j):
                def f(x, i=i, j=j, total=total):
                    under = below(j, x) - (below(j, 0) if half_line else 0)
                    return x**i * mp.e ** (-x * x / 2) * (total - 2 * under)
                value = mp.quad(f, [0, mp.inf] if half_line else [-mp.inf, 0, mp.inf])
                a[i, j], a[j, i] = value, -value
            if n % 2:
                a[j, n], a[n, j] = total, -total
        return a

    for n in (4, 5):
        reference = mp.sqrt(mp.det(matrix(n, True)) / mp.det(matrix(n, False)))
        assert all_positive_probability(n) == pytest.approx(float(reference), rel=1e-9)


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5])
def test_monte_carlo_agrees_with_exact_values(n):
    est = positive_definite_fraction(n, 400_000, seed=10 + n)
    exact = all_positive_probability(n)
    if n == 1:
        assert est.probability == 0.5 and est.standard_error == 0.0
    else:
        assert abs(est.probability - exact) < 4 * est.standard_error


def test_conditioning_on_the_diagonal_is_unbiased():
    # Plain sampling and eigvalsh, with none of the function's shortcuts.
    rng = np.random.default_rng(3)
    samples = 400_000
    hits = sum(int(np.count_nonzero(np.linalg.eigvalsh(goe(3, 100_000, rng=rng))[:, 0] > 0))
               for _ in range(samples // 100_000))
    plain = hits / samples
    se = math.sqrt(plain * (1 - plain) / samples)
    est = positive_definite_fraction(3, samples, seed=4)
    assert abs(plain - est.probability) < 4 * math.hypot(se, est.standard_error)


def test_estimate_fields_and_batching():
    a = positive_definite_fraction(3, 10_000, seed=0, batch=10_000)
    assert a.n == 3 and a.samples == 10_000 and 0 < a.hits < 10_000
    assert a.probability == pytest.approx(a.hits / 10_000 / 8)
    q = a.hits / 10_000
    assert a.standard_error == pytest.approx(math.sqrt(q * (1 - q) / 10_000) / 8)


def test_upper_bound_with_no_hits_is_clopper_pearson():
    est = MonteCarloEstimate(8, 0.0, 0.0, 0, 1_000_000)
    assert est.upper_bound() == pytest.approx(0.5**8 * (1 - 0.05 ** (1 / 1_000_000)), rel=1e-9)
    some = MonteCarloEstimate(2, 0.25 * 0.5, 0.0, 50, 100)
    assert some.upper_bound(0.95) == pytest.approx(
        0.25 * special.betaincinv(51, 50, 0.95), rel=1e-9)
    with pytest.raises(ValueError, match="confidence"):
        est.upper_bound(1.5)


@pytest.mark.parametrize("bad", [0, -1, 2.5, True])
def test_bad_sizes_are_rejected(bad):
    with pytest.raises(ValueError, match="positive integer"):
        positive_definite_fraction(bad)


def test_bad_arguments_are_rejected():
    with pytest.raises(ValueError, match="samples"):
        positive_definite_fraction(2, 0)
    with pytest.raises(ValueError, match="batch"):
        positive_definite_fraction(2, 10, batch=0)
    with pytest.raises(ValueError, match="n <= 12"):
        all_positive_probability(13)


# -- the page and the gallery ------------------------------------------------------


def test_snippets_saddle_and_cubic():
    for out in snippet_outputs("06_saddle_points.md").values():
        first, second = out.splitlines()
        assert first.startswith("saddle")
        np.testing.assert_allclose([float(v) for v in re.findall(r"-?\d+\.", first)],
                                   [-2.0, 2.0])
        assert second == "degenerate"


def test_hessian_eigenvalues_and_degenerate_points(backend):
    origin = backend.tensor([0.0, 0.0])
    for (kind, f), expected in zip(QUADRATIC_SURFACES.items(),
                                   ([2.0, 2.0], [-2.0, -2.0], [-2.0, 2.0]), strict=True):
        h = backend.to_numpy(d2lopt.hessian(f)(origin))
        np.testing.assert_allclose(np.linalg.eigvalsh(h), expected)
        assert d2lopt.critical_point(f, origin).kind == kind
    assert QUADRATIC_SURFACES["saddle"] is saddle
    zero = backend.tensor(0.0)
    assert float(backend.to_numpy(d2lopt.hessian(cubic)(zero))) == 0.0
    assert float(backend.to_numpy(d2lopt.hessian(lambda x: x**4)(zero))) == 0.0
    assert d2lopt.critical_point(cubic, zero).kind == "degenerate"
    monkey = d2lopt.critical_point(monkey_saddle, origin)
    assert monkey.kind == "degenerate" and np.all(monkey.eigenvalues == 0)
    # x^3 is no extremum at 0; x^4 is a strict minimum although f''(0) = 0
    t = np.linspace(-1e-3, 1e-3, 11)
    assert np.any(t**3 < 0) and np.any(t**3 > 0)
    assert np.all(t[t != 0] ** 4 > 0)


def test_page_and_scripts_take_their_values_from_the_settings():
    assert settings_problems("06_saddle_points.md") == []


def test_glued_goe_table_agrees_with_exact_values():
    g = page_glue("06_saddle_points.md")
    assert g["sp_samples"] == str(SETTINGS.samples)
    for n in SETTINGS.sizes:
        exact = all_positive_probability(n)
        assert g[f"sp_exact_{n}"] == format_number(exact, 4)
        assert g[f"sp_coin_{n}"] == format_number(0.5**n, 3)
        est = positive_definite_fraction(n, SETTINGS.samples, seed=SETTINGS.seed_offset + n)
        assert g[f"sp_hits_{n}"] == str(est.hits)
        # the estimator: hits among samples conditioned on a positive diagonal, times 2^-n
        q = est.hits / SETTINGS.samples
        probability = q * 0.5**n
        se = math.sqrt(q * (1 - q) / SETTINGS.samples) * 0.5**n
        assert g[f"sp_mc_{n}"] == format_uncertain(probability, se)
        if n == 1:
            assert g["sp_mc_1"] == "0.500 ± 0"
        elif est.hits > 0:
            assert abs(probability - exact) < 4 * se
        assert exact < 0.5**n or n == 1
    # the page's last row: no hit at the largest size, and a bound above the exact value
    last = SETTINGS.sizes[-1]
    bound = 0.5**last * (1 - 0.05 ** (1 / SETTINGS.samples))
    assert g[f"sp_hits_{last}"] == "0" and all_positive_probability(last) < bound
    assert g[f"sp_ub_{last}"] == format_number(bound, 2)
    assert g[f"sp_ratio_{last}"] == format_number(all_positive_probability(last) * 2**last, 2)
    assert g["sp_exact2_closed"] == format_number(P2_CLOSED, 4)
    assert g["sp_cond_2"] == format_number(2 - math.sqrt(2), 4)
    log_p = [math.log(all_positive_probability(k)) for k in SETTINGS.sizes[-3:]]
    theta = -0.5 * (log_p[2] - 2 * log_p[1] + log_p[0])
    assert g["sp_theta"] == format_number(theta, 3) and abs(theta - math.log(3) / 4) < 0.005
    assert g["sp_theta_limit"] == format_number(math.log(3) / 4, 3)


def test_glued_hessian_values():
    g = page_glue("06_saddle_points.md")
    for name, (low, high) in (("min", (2, 2)), ("max", (-2, -2)), ("saddle", (-2, 2))):
        assert (g[f"sp_{name}_eig1"], g[f"sp_{name}_eig2"]) == (format_number(low),
                                                                format_number(high))
    assert g["sp_max_eig1"] == MINUS + "2"
    assert g["sp_cubic_f2"] == g["sp_quartic_f2"] == g["sp_monkey_eig"] == "0"


# Exercises ---------------------------------------------------------------------------------

EX_PAGE = "06_saddle_points.md"


def test_exercise_goe2():
    namespace, printed = run_solution(EX_PAGE, "ex-06-goe2")
    closed = (1 - 1 / math.sqrt(2)) / 2
    assert namespace["closed"] == pytest.approx(all_positive_probability(2), rel=1e-10)
    assert abs(namespace["p_mc"] - closed) < 4 * namespace["se"]
    # the cone argument: P(u > sqrt(v^2 + b^2)) for iid Gaussians, by quadrature over the angle
    cap, _ = integrate.quad(lambda t: 2 * math.pi * math.sin(t), 0, math.pi / 4)
    assert cap / (4 * math.pi) == pytest.approx(closed, rel=1e-12)
    assert format_number(closed, 4) in printed


def test_exercise_classify():
    namespace, printed = run_solution(EX_PAGE, "ex-06-classify")
    expected = {}
    for x, y in namespace["candidates"]:
        gradient = np.array([4 * x**3 - 4 * y, 4 * y**3 - 4 * x])
        eigenvalues = np.linalg.eigvalsh([[12 * x**2, -4.0], [-4.0, 12 * y**2]])
        if np.linalg.norm(gradient) > 1e-9:
            expected[(x, y)] = "not critical"
        elif eigenvalues.min() > 0:
            expected[(x, y)] = "minimum"
        else:
            assert eigenvalues.min() < 0 < eigenvalues.max()
            expected[(x, y)] = "saddle"
    assert namespace["kinds"] == expected
    x, y = SETTINGS.exercise_test_point
    assert expected[(0.0, 0.0)] == "saddle" and expected[(x, y)] == "not critical"
    norm = math.hypot(4 * x**3 - 4 * y, 4 * y**3 - 4 * x)
    assert f"gradient norm {format_number(norm, 3)}" in printed


def test_exercise_samples():
    namespace, printed = run_solution(EX_PAGE, "ex-06-samples")
    n, fewer = SETTINGS.exercise_samples_n, SETTINGS.exercise_samples
    exact = all_positive_probability(n)
    estimates = namespace["estimates"]
    assert set(estimates) == {SETTINGS.samples, fewer}
    for samples, est in estimates.items():
        q = est.probability * 2**n   # the conditional proportion actually sampled
        assert est.standard_error == pytest.approx(2**-n * math.sqrt(q * (1 - q) / samples))
        assert abs(est.probability - exact) < 4 * est.standard_error
    ratio = estimates[fewer].standard_error / estimates[SETTINGS.samples].standard_error
    assert namespace["se_ratio"] == pytest.approx(ratio)
    assert ratio == pytest.approx(math.sqrt(SETTINGS.samples / fewer), rel=0.15)
    assert format_number(ratio, 3) in printed


def test_exercise_index():
    namespace, printed = run_solution(EX_PAGE, "ex-06-index")
    # an independent sample (another seed, matrices built here), same law
    n, samples = SETTINGS.exercise_index_n, SETTINGS.exercise_index_samples
    rng = np.random.default_rng(12345)
    a = rng.standard_normal((samples, n, n))
    index = (np.linalg.eigvalsh((a + np.swapaxes(a, 1, 2)) / 2) < 0).sum(axis=1)
    assert namespace["mean"] == pytest.approx(n / 2, abs=0.05)
    assert namespace["variance"] == pytest.approx(index.var(), rel=0.1)
    assert namespace["variance"] < n / 12   # far below the binomial n / 4
    binomial_low = sum(math.comb(n, k) for k in (0, 1)) / 2**n   # P(index <= 1) for coin flips
    assert namespace["low_count"] <= 10 < binomial_low * samples
    assert f"variance {format_number(namespace['variance'], 3)}" in printed


# -- The interactive figure (three rotatable surfaces) -----------------------------------------


def test_interactive_surfaces_are_the_landscapes_values() -> None:
    from d2lopt.chapter.saddle_points import interactive_surfaces

    grids = interactive_surfaces()
    assert list(grids) == ["minimum", "saddle", "monkey saddle"]
    formulas = {"minimum": lambda x, y: x**2 + y**2, "saddle": lambda x, y: x**2 - y**2,
                "monkey saddle": lambda x, y: x**3 - 3 * x * y**2}
    line = np.linspace(-1, 1, SETTINGS.interactive_grid)
    for name, (X, Y, Z) in grids.items():
        np.testing.assert_allclose(X[0], line)
        np.testing.assert_allclose(Y[:, 0], line)
        np.testing.assert_allclose(Z, formulas[name](X, Y), atol=1e-14)


def test_interactive_frames_turn_with_the_sliders() -> None:
    import dataclasses
    import re

    import matplotlib

    matplotlib.use("agg")
    import matplotlib.pyplot as plt

    from d2lopt.chapter.saddle_points import InteractiveFrames, interactive_figure
    from d2lopt.plot.interactive import figure_svg
    from d2lopt.plot.layout import text_problems

    frames = InteractiveFrames()
    seen = set()
    for azim in SETTINGS.interactive_azimuths[::3]:
        fig = frames(azim, SETTINGS.interactive_elevations[-1])
        assert all((ax.azim, ax.elev) == (azim, SETTINGS.interactive_elevations[-1])
                   for ax in fig.axes)
        assert text_problems(fig, display_width=690) == []
        seen.add(figure_svg(fig))
    assert len(seen) == len(SETTINGS.interactive_azimuths[::3])  # each angle draws another frame
    plt.close(fig)
    small = dataclasses.replace(SETTINGS, interactive_azimuths=(-60.0, 30.0),
                                interactive_elevations=(15.0, 30.0), interactive_grid=5)
    page = interactive_figure(small)
    assert re.findall(r'data-state="([^"]*)"', page) == ["0-0", "0-1", "1-0", "1-1"]
    assert 'data-drag="azim"' in page and "−60°" in page
