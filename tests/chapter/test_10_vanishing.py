"""Section 10 (vanishing gradients): activations, their derivatives, chains of sigmoids.

Every number docs/chapter/10_vanishing.md glues, at
:data:`d2lopt.chapter.vanishing.SETTINGS`, is recomputed here by an independent
route (math module closed forms, torch.autograd, SciPy).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from chapter_pages import (
    exercise_labels,
    page_glue,
    run_solution,
    settings_problems,
    snippet_outputs,
)
from scipy.optimize import brentq, minimize_scalar
from scipy.stats import linregress
from test_numbers import read_back

import d2lopt
from d2lopt.chapter.vanishing import (
    ACTIVATIONS,
    SETTINGS,
    relu,
    sigmoid,
    sigmoid_chain,
    sigmoid_derivative,
    tanh,
    tanh_derivative,
)
from d2lopt.derivatives import elementwise_grad
from d2lopt.plot.numbers import format_number
from d2lopt.rates import log_slope

GRID = np.linspace(-6.0, 6.0, 241)


def test_tanh_derivative_at_4_by_autodiff_on_every_backend(backend):
    value = float(backend.to_numpy(d2lopt.grad(tanh)(backend.tensor(4.0))))
    assert value == pytest.approx(1 - math.tanh(4.0) ** 2, rel=1e-12)
    # the folk value "about 0.0013" is right to that precision; the next digits are 0.00134
    assert round(value, 4) == 0.0013
    assert round(value, 5) == 0.00134


def test_sigmoid_derivative_peaks_at_quarter_at_zero(backend):
    at_zero = float(backend.to_numpy(d2lopt.grad(sigmoid)(backend.tensor(0.0))))
    assert at_zero == 0.25
    numpy = d2lopt.get_backend("numpy")
    peak = minimize_scalar(lambda z: -float(numpy.grad(sigmoid, np.asarray(z))),
                           bounds=(-3, 3), method="bounded", options={"xatol": 1e-10})
    assert -peak.fun == pytest.approx(0.25, abs=1e-15)
    assert peak.x == pytest.approx(0.0, abs=1e-6)
    s = 1 / (1 + np.exp(-GRID))
    assert np.max(s * (1 - s)) <= 0.25


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_autodiff_derivatives_match_closed_forms(backend, name):
    phi, closed_form = ACTIVATIONS[name]
    x = backend.tensor(GRID[GRID != 0])
    np.testing.assert_allclose(backend.to_numpy(elementwise_grad(phi)(x)),
                               backend.to_numpy(closed_form(x)), rtol=1e-12, atol=1e-15)


def test_activations_against_torch_reference():
    torch = pytest.importorskip("torch")
    x = torch.tensor(GRID, dtype=torch.float64, requires_grad=True)
    for name, ref in (("tanh", torch.tanh), ("sigmoid", torch.sigmoid), ("relu", torch.relu)):
        phi, derivative = ACTIVATIONS[name]
        (expected,) = torch.autograd.grad(ref(x).sum(), x)
        np.testing.assert_allclose(phi(GRID), ref(x).detach().numpy(), rtol=1e-14)
        np.testing.assert_allclose(derivative(GRID), expected.numpy(), rtol=1e-10, atol=1e-16)


def test_relu_values_and_kink():
    assert relu([-1.0, 0.0, 2.0]).tolist() == [0.0, 0.0, 2.0]
    assert float(tanh_derivative(0.0)) == 1.0
    assert float(sigmoid_derivative(0.0)) == 0.25


def product_of_local_derivatives(x: float, depth: int) -> float:
    """dz_L/dz_0 = prod σ'(z_{l-1}) for the chain z_l = σ(z_{l-1}) (weight 1), forward pass."""
    product, z = 1.0, x
    for _ in range(depth):
        s = 1 / (1 + math.exp(-z))
        product *= s * (1 - s)
        z = s
    return product


@pytest.mark.parametrize("depth", [1, 2, 5, 30])
def test_sigmoid_chain_derivative_by_autodiff_equals_chain_rule(backend, depth):
    x0 = backend.tensor(0.0)
    value = float(backend.to_numpy(d2lopt.grad(lambda x: sigmoid_chain(x, depth))(x0)))
    assert value == pytest.approx(product_of_local_derivatives(0.0, depth), rel=1e-12)
    assert value <= 0.25**depth


def test_glued_fixed_point_and_per_layer_factor():
    fixed_point = brentq(lambda z: float(sigmoid(z)) - z, 0.0, 1.0, xtol=1e-14)
    z = 0.5  # independent: iterate z <- σ(z) to convergence
    for _ in range(200):
        z = 1 / (1 + math.exp(-z))
    assert fixed_point == pytest.approx(z, abs=1e-12)
    per_layer = fixed_point * (1 - fixed_point)
    assert per_layer < 0.25
    depths = np.arange(1, SETTINGS.depth + 1)
    chain = np.array([product_of_local_derivatives(SETTINGS.chain_start, L) for L in depths])
    late = depths >= SETTINGS.fit_from
    fitted = math.exp(log_slope(depths[late], chain[late]))
    assert fitted == pytest.approx(per_layer, rel=1e-6)


def test_relu_chain_passes_gradient_unchanged(backend):
    def chain(x):
        for _ in range(30):
            x = relu(x)
        return x

    assert float(backend.to_numpy(d2lopt.grad(chain)(backend.tensor(1.0)))) == 1.0
    assert float(backend.to_numpy(d2lopt.grad(chain)(backend.tensor(-1.0)))) == 0.0


def test_errors():
    with pytest.raises(TypeError):
        elementwise_grad(3.0)
    with pytest.raises(ValueError, match="depth"):
        sigmoid_chain(0.0, -1)


def test_glued_values():
    g, x = page_glue("10_vanishing.md"), SETTINGS.slope_at
    assert g["vg_tanh4"] == format_number(1 - math.tanh(x) ** 2, 4)
    assert g["vg_tanh4_rounded"] == format_number(1 - math.tanh(x) ** 2, 3)
    assert g["vg_tanh4_closed"] == format_number(1 / math.cosh(x) ** 2, 4)
    assert g["vg_tanh4_asymptotic"] == format_number(4 * math.exp(-2 * x), 4)
    assert g["vg_tanh0"] == "1"
    assert g["vg_tanh4_shrink"] == format_number(math.cosh(x) ** 2, 3)
    assert g["vg_sigmoid_max"] == "0.25"
    assert read_back(g["vg_sigmoid_argmax"]) == pytest.approx(0.0, abs=1e-6)
    product, z, products = 1.0, SETTINGS.chain_start, []
    for _ in range(SETTINGS.depth):
        s = 1 / (1 + math.exp(-z))
        product, z = product * s * (1 - s), s
        products.append(product)
    assert g["vg_depth"] == SETTINGS.depth
    assert g["vg_chain_last"] == format_number(products[-1], 3)
    assert g["vg_bound_last"] == format_number(0.25**SETTINGS.depth, 3)
    assert g["vg_fixed_point"] == format_number(z, 6)   # z has converged to z*
    assert g["vg_per_layer"] == format_number(z * (1 - z), 6)
    assert g["vg_fitted"] == g["vg_per_layer"]  # the fit recovers the factor to six figures
    assert g["vg_relu_chain"] == "1"


def test_snippets_tanh_slope():
    outputs = snippet_outputs("10_vanishing.md")
    assert set(outputs.values()) == {f"{1 - math.tanh(SETTINGS.slope_at) ** 2:.6f}"}


def test_page_and_scripts_take_their_values_from_the_settings():
    assert settings_problems("10_vanishing.md") == []


PAGE = "10_vanishing.md"


def test_exercise_labels():
    assert exercise_labels(PAGE) == ["ex-10-quarter", "ex-10-threshold", "ex-10-weight",
                                     "ex-10-relu"]


def test_exercise_tanh_identity_and_quarter_bound_numerically():
    """The derivation ex-10-quarter: tanh x = 2σ(2x) − 1, tanh' = 4σ'(2x) ≤ 1, σ' ≤ 1/4."""
    s = 1 / (1 + np.exp(-2 * GRID))
    np.testing.assert_allclose(np.tanh(GRID), 2 * s - 1, atol=1e-15)
    np.testing.assert_allclose(1 - np.tanh(GRID) ** 2, 4 * s * (1 - s), atol=1e-15)
    assert np.max(s * (1 - s)) <= 0.25


def test_exercise_threshold_against_closed_form():
    namespace, printed = run_solution(PAGE, "ex-10-threshold")
    epsilon = SETTINGS.exercise_derivative
    expected = math.atanh(math.sqrt(1 - epsilon))
    assert namespace["threshold"] == pytest.approx(expected, abs=1e-9)
    assert 1 - math.tanh(namespace["threshold"]) ** 2 == pytest.approx(epsilon, rel=1e-8)
    tail = 0.5 * math.log(4 / epsilon)
    assert f"x = {format_number(expected, 6)}" in printed
    assert f"approximation {format_number(tail, 6)}" in printed
    # the solution's claim: the two agree to four significant figures
    assert format_number(expected, 4) == format_number(tail, 4)


def test_exercise_weight_four_against_chain_rule():
    namespace, printed = run_solution(PAGE, "ex-10-weight")
    w, product, z, products = SETTINGS.exercise_weight, 1.0, SETTINGS.chain_start, []
    for _ in range(SETTINGS.depth):      # d z_l / d z_{l-1} = w σ'(w z_{l-1})
        s = 1 / (1 + math.exp(-w * z))
        product, z = product * w * s * (1 - s), s
        products.append(product)
    np.testing.assert_allclose(namespace["chain"], products, rtol=1e-10)
    assert f"{SETTINGS.depth} layers: {format_number(products[-1], 3)}" in printed
    # z has converged to the fixed point z* = σ(4 z*); the fit recovers 4 z*(1 − z*)
    assert namespace["z_star"] == pytest.approx(z, abs=1e-12)
    assert namespace["fitted"] == pytest.approx(w * z * (1 - z), rel=1e-6)
    assert format_number(w * z * (1 - z), 4) in printed
    assert products[-1] < 0.25 ** SETTINGS.depth   # far below even the weight-1 bound


def test_exercise_relu_jacobians_against_torch():
    torch = pytest.importorskip("torch")
    namespace, printed = run_solution(PAGE, "ex-10-relu")
    n = SETTINGS.exercise_width
    for gain in SETTINGS.exercise_gains:
        rng = np.random.default_rng(SETTINGS.exercise_seed)
        h0 = torch.tensor(rng.standard_normal(n))
        weights = [torch.tensor(math.sqrt(gain / n) * rng.standard_normal((n, n)))
                   for _ in range(SETTINGS.depth)]

        def net(h, depth, weights=weights):
            for W in weights[:depth]:
                h = torch.relu(W @ h)
            return h

        for L in SETTINGS.exercise_report_depths:
            J = torch.autograd.functional.jacobian(lambda h, L=L: net(h, L), h0).numpy()
            assert namespace["norms"][gain][L - 1] == pytest.approx(np.linalg.norm(J, 2), rel=1e-9)
            assert format_number(np.linalg.norm(J, 2), 3) in printed
    small = np.array(namespace["norms"][1.0])   # LeCun's c = 1
    he = np.array(namespace["norms"][2.0])      # He's c = 2
    depths = np.arange(1, SETTINGS.depth + 1)
    # the conclusion: with v = 1/n about 1/√2 per layer; with He no shrinking with depth
    assert math.exp(linregress(depths, np.log(small)).slope) == pytest.approx(2 ** -0.5, rel=0.05)
    assert he[-1] >= he[9] > 1
