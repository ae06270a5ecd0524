"""Tests of d2lopt.nets: each tool against an independent computation, and reduced
versions of the gallery experiments asserting the qualitative result their pages state."""

from __future__ import annotations

import itertools
import math
import subprocess
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("sklearn")

from d2lopt import nets  # noqa: E402
from d2lopt.nets import experiments  # noqa: E402
from d2lopt.rates import standard_error  # noqa: E402
from d2lopt.symmetry import relabel_hidden_units  # noqa: E402


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


@pytest.fixture(scope="module")
def digits64():
    return nets.load_digits_split(dtype=torch.float64)


def small_problem(n=12, sizes=(5, 4, 3), activation="tanh", seed=0):
    gen = torch.Generator().manual_seed(seed)
    X = torch.randn(n, sizes[0], generator=gen, dtype=torch.float64)
    y = torch.randint(0, sizes[-1], (n,), generator=gen)
    model = nets.mlp(sizes, activation, "glorot", seed=seed, dtype=torch.float64)
    return model, X, y


# -- import hygiene ---------------------------------------------------------------------------

def test_import_d2lopt_does_not_import_torch():
    code = "import sys, d2lopt; assert 'torch' not in sys.modules; d2lopt.nets; " \
           "assert 'torch' in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


# -- data and models --------------------------------------------------------------------------

def test_digits_split_is_seeded_stratified_and_standardized_on_train():
    a = nets.load_digits_split(seed=3)
    b = nets.load_digits_split(seed=3)
    assert sum(a.sizes) == 1797
    assert torch.equal(a.X_val, b.X_val) and torch.equal(a.y_test, b.y_test)
    varying = a.X_train.std(0) > 0
    assert torch.allclose(a.X_train.mean(0), torch.zeros(64), atol=1e-5)
    assert torch.allclose(a.X_train[:, varying].std(0, unbiased=False),
                          torch.ones(int(varying.sum())), atol=1e-4)
    counts = torch.bincount(a.y_train, minlength=10).double()
    assert counts.min() / counts.max() > 0.9  # stratified
    with pytest.raises(ValueError, match="train_size"):
        nets.load_digits_split(train_size=5000)


@pytest.mark.parametrize("init", ["standard", "glorot", "he"])
def test_initializations_follow_their_formulas(init):
    net = nets.mlp((200, 300, 10), "tanh", init, seed=1, dtype=torch.float64)
    W = nets.linear_layers(net)[0].weight.detach()
    fan_out, fan_in = W.shape
    if init == "standard":
        bound = 1 / math.sqrt(fan_in)
        assert W.abs().max() <= bound and W.abs().max() > 0.99 * bound
    elif init == "glorot":
        bound = math.sqrt(6 / (fan_in + fan_out))
        assert W.abs().max() <= bound and W.abs().max() > 0.99 * bound
    else:
        assert float(W.std()) == pytest.approx(math.sqrt(2 / fan_in), rel=0.02)
    assert all(float(layer.bias.detach().abs().max()) == 0 for layer in nets.linear_layers(net))
    with pytest.raises(ValueError, match="unknown init"):
        nets.mlp((2, 2), "tanh", "xavier")


def test_two_layer_linear_computes_w2_w1_x():
    net = nets.two_layer_linear(4, 2, 3)
    W1, W2 = (layer.weight for layer in nets.linear_layers(net))
    x = torch.randn(5, 4, dtype=torch.float64)
    assert torch.allclose(net(x), x @ (W2 @ W1).T)


# -- gradients --------------------------------------------------------------------------------

def test_flat_parameters_round_trip():
    model, X, y = small_problem()
    theta = nets.flat_parameters(model)
    nets.set_flat_parameters(model, 2 * theta)
    assert torch.equal(nets.flat_parameters(model), 2 * theta)
    with pytest.raises(ValueError, match="length"):
        nets.set_flat_parameters(model, theta[:-1])


def test_per_example_gradients_equal_autograd_on_each_example():
    model, X, y = small_problem()
    G = nets.per_example_gradients(model, X, y)
    for i in range(len(X)):
        model.zero_grad()
        torch.nn.functional.cross_entropy(model(X[i:i + 1]), y[i:i + 1]).backward()
        expected = torch.cat([p.grad.reshape(-1) for p in model.parameters()])
        assert torch.allclose(G[i], expected, atol=1e-12)
    assert torch.allclose(G.mean(0), nets.full_gradient(model, X, y), atol=1e-12)


def test_hessian_matches_autograd_functional_and_hvp_matches_dense():
    model, X, y = small_problem()
    theta = nets.flat_parameters(model)
    f = nets.loss_of_parameters(model)
    H = nets.hessian(model, X, y)
    H_ref = torch.autograd.functional.hessian(lambda t: f(t, X, y), theta)
    assert torch.allclose(H, H_ref, atol=1e-10)
    v = torch.randn(theta.numel(), dtype=torch.float64, generator=torch.Generator().manual_seed(2))
    assert torch.allclose(nets.hvp(model, X, y, v), H @ v, atol=1e-10)
    assert nets.curvature_along(model, X, y, v) == pytest.approx(float(v @ H @ v / (v @ v)))


# -- minibatch noise --------------------------------------------------------------------------

def test_finite_population_formula_equals_exact_enumeration():
    G = np.random.default_rng(0).standard_normal((7, 4)) * [1.0, 3.0, 0.5, 2.0]
    sigma2 = nets.total_variance(G)
    for B in range(1, 8):
        exact = nets.exact_minibatch_spread(G, B)
        assert standard_error(np.sqrt(sigma2), B, population=7) == pytest.approx(exact, abs=1e-12)


def test_monte_carlo_spread_agrees_with_exact_enumeration():
    G = np.random.default_rng(1).standard_normal((9, 3))
    B = np.array([1, 3, 5])
    measured = nets.minibatch_gradient_spread(G, B, samples=20000, seed=0)
    exact = np.array([nets.exact_minibatch_spread(G, b) for b in B])
    assert np.allclose(measured, exact, rtol=0.03)


@pytest.mark.slow
def test_minibatch_noise_slope_is_minus_one_half():
    res = experiments.minibatch_noise(hidden=8, train_size=500, samples=300)
    assert res.slope == pytest.approx(-0.5, abs=0.05)
    assert np.allclose(res.measured, res.predicted, rtol=0.15)


# -- early stopping ---------------------------------------------------------------------------

def test_early_stopping_on_synthetic_histories():
    rng = np.random.default_rng(0)
    for _ in range(200):
        values = np.round(rng.random(rng.integers(1, 30)), 1)  # ties on purpose
        patience = int(rng.integers(1, 6))
        stop = nets.early_stopping(values, patience)
        seen = values[:stop.stop_epoch + 1]
        assert stop.best_epoch == int(np.argmin(seen))  # first minimum = last improvement
        assert stop.best_value == seen.min()
        if stop.stopped:
            assert stop.stop_epoch == stop.best_epoch + patience
        else:
            assert stop.stop_epoch == len(values) - 1
            assert len(values) - 1 - stop.best_epoch < patience
    with pytest.raises(ValueError, match="patience"):
        nets.early_stopping([1.0, 2.0], 0)


@pytest.mark.slow
def test_early_stopping_run_applies_the_rule_to_its_history():
    run = experiments.early_stopping_run(hidden=(32, 32), train_size=150, epochs=12, patience=3)
    h = run.history
    assert len(h.val_error) == 13 and h.train_nll[-1] < h.train_nll[0]
    assert run.stop == nets.early_stopping(h.val_error, 3)


# -- training loop ----------------------------------------------------------------------------

@pytest.mark.slow
def test_history_matches_recomputed_gradient_and_curvature(digits64):
    data = nets.Split(digits64.X_train[:120], digits64.y_train[:120], digits64.X_val[:60],
                      digits64.y_val[:60], digits64.X_test, digits64.y_test)
    model = nets.mlp((64, 4, 10), "tanh", "glorot", dtype=torch.float64)
    h = nets.train(model, data, epochs=3, batch_size=16, lr=0.1, curvature=True, sharpness=True)
    g = nets.full_gradient(model, data.X_train, data.y_train)
    H = nets.hessian(model, data.X_train, data.y_train)
    assert h.grad_norm[-1] == pytest.approx(float(g.norm()), rel=1e-10)
    assert h.curvature[-1] == pytest.approx(float(g @ H @ g / (g @ g)), rel=1e-8)
    assert h.sharpness[-1] == pytest.approx(float(torch.linalg.eigvalsh(H)[-1]), rel=1e-3)
    nll, err = nets.evaluate(model, data.X_val, data.y_val)
    assert (h.val_nll[-1], h.val_error[-1]) == (nll, err)
    assert torch.equal(h.final_parameters, nets.flat_parameters(model))
    assert len(h.step_loss) == 3 * math.ceil(120 / 16)


# -- batched ensembles ------------------------------------------------------------------------

def test_stacked_member_equals_its_mlp_and_trains_like_torch_sgd(digits64):
    X, y = digits64.X_train[:64].float(), digits64.y_train[:64]
    stack = nets.StackedMLP((64, 8, 10), "relu", "he", seeds=[3, 4])
    for m, seed in enumerate([3, 4]):
        assert torch.allclose(stack(X)[m], nets.mlp((64, 8, 10), "relu", "he", seed=seed)(X),
                              atol=1e-6)
    result = nets.train_stacked(stack, X, y, lrs=[0.1, 0.3], batch_size=16, examples=96, seed=5)
    # the same minibatch order, replayed with torch.optim.SGD on a plain module
    gen = torch.Generator().manual_seed(5)
    order, pos, batches = torch.randperm(64, generator=gen), 0, []
    for _ in range(96 // 16):
        if pos + 16 > 64:
            order, pos = torch.randperm(64, generator=gen), 0
        batches.append(order[pos:pos + 16])
        pos += 16
    for m, (seed, lr) in enumerate([(3, 0.1), (4, 0.3)]):
        net = nets.mlp((64, 8, 10), "relu", "he", seed=seed)
        opt = torch.optim.SGD(net.parameters(), lr=lr)
        for idx in batches:
            opt.zero_grad()
            torch.nn.functional.cross_entropy(net(X[idx]), y[idx]).backward()
            opt.step()
        final = float(torch.nn.functional.cross_entropy(net(X), y).detach())
        assert result.final[m] == pytest.approx(final, rel=1e-5)
    assert result.steps == 6


@pytest.mark.slow
def test_best_learning_rate_grows_with_batch_size():
    res = experiments.batch_size_learning_rate(batch_sizes=(8, 128), lrs=0.02 * 4.0 ** np.arange(5),
                                               epochs=1, hidden=16, train_size=512)
    assert res.best_lr[1] > res.best_lr[0]


@pytest.mark.slow
def test_restart_spread_shrinks_with_width():
    res = experiments.random_restarts(widths=(3, 48), restarts=12, epochs=10, train_size=400)
    narrow, wide = res.final_losses[3], res.final_losses[48]
    assert wide.std(ddof=1) < narrow.std(ddof=1) / 2


# -- symmetry ---------------------------------------------------------------------------------

def test_permutations_and_sign_flips_leave_the_loss_unchanged():
    model, X, y = small_problem(sizes=(5, 6, 4, 3))
    gen = torch.Generator().manual_seed(0)
    loss = nets.evaluate(model, X, y)[0]
    for _ in range(20):
        twin = nets.random_symmetry(model, gen, sign_flips=True)
        assert nets.evaluate(twin, X, y)[0] == pytest.approx(loss, abs=1e-6)
    perm = nets.permute_hidden_units(model, 0, [1, 0, 2, 3, 4, 5])
    assert not torch.equal(nets.flat_parameters(perm), nets.flat_parameters(model))
    relu = nets.mlp((5, 6, 3), "relu", "he")
    with pytest.raises(ValueError, match="odd"):
        nets.flip_hidden_signs(relu, 0, torch.ones(6))
    with pytest.raises(ValueError, match="permutation"):
        nets.permute_hidden_units(model, 0, [0, 0, 1, 2, 3, 4])


def test_module_relabelling_is_the_core_index_arithmetic():
    model, _, _ = small_problem(sizes=(5, 6, 4, 3))
    perm, signs = [3, 0, 5, 1, 4, 2], [1.0, -1.0, -1.0, 1.0, 1.0, -1.0]
    twin = nets.flip_hidden_signs(nets.permute_hidden_units(model, 0, perm), 0, signs)
    first, second = nets.linear_layers(model)[:2]
    W1, b1, W2 = relabel_hidden_units(first.weight.detach().numpy(), first.bias.detach().numpy(),
                                      second.weight.detach().numpy(), perm, signs)
    new_first, new_second = nets.linear_layers(twin)[:2]
    np.testing.assert_array_equal(new_first.weight.detach().numpy(), W1)
    np.testing.assert_array_equal(new_first.bias.detach().numpy(), b1)
    np.testing.assert_array_equal(new_second.weight.detach().numpy(), W2)
    assert torch.equal(new_second.bias, second.bias)


def test_count_of_equivalent_minima_matches_brute_force_enumeration():
    model, _, _ = small_problem(sizes=(2, 3, 2))
    seen = set()
    for perm in itertools.permutations(range(3)):
        for signs in itertools.product([-1.0, 1.0], repeat=3):
            twin = nets.flip_hidden_signs(nets.permute_hidden_units(model, 0, perm), 0, signs)
            seen.add(tuple(np.round(nets.flat_parameters(twin).numpy(), 12)))
    assert len(seen) == nets.count_equivalent_minima([3], sign_flips=True)
    assert nets.count_equivalent_minima([3, 4]) == math.factorial(3) * math.factorial(4)


@pytest.mark.slow
def test_weight_symmetry_experiment_copies_have_equal_loss():
    res = experiments.weight_symmetry(hidden=(6, 5), epochs=2, copies=20, train_size=200,
                                      line_points=11)
    assert np.abs(res.copy_losses - res.loss).max() <= 1e-12
    assert res.distances.min() > 0
    assert res.line_loss[0] == pytest.approx(res.loss) and res.line_loss[-1] == pytest.approx(
        res.loss)
    assert res.count == math.factorial(6) * 2**6 * math.factorial(5) * 2**5


# -- linear network critical points -----------------------------------------------------------

def test_linear_critical_points_are_critical_with_closed_form_loss():
    res = experiments.critical_point_index(singular_values=(2.0, 1.5, 1.0, 0.5), hidden=2, n=200)
    assert len(res.points) == 1 + 4 + 6
    assert res.gradient_norm.max() < 1e-10
    assert np.allclose(res.loss, res.measured_loss, atol=1e-12)
    zero_index = [i for i, h in enumerate(res.inertia) if h.negative == 0]
    assert zero_index == [res.global_minimum]
    assert res.loss[res.global_minimum] == res.loss.min()
    full_rank = [h for p, h in zip(res.points, res.inertia, strict=True) if len(p.subset) == 2]
    assert all(h.zero == 4 for h in full_rank)  # k² directions of GL(k)


def test_global_minimum_is_where_lbfgs_converges_and_hessians_agree():
    X, Y = nets.linear_teacher(300, [2.0, 1.2, 0.7], noise=0.2, seed=1)
    points = nets.critical_points(X, Y, hidden=2)
    best = min(p.loss for p in points)
    net = nets.two_layer_linear(3, 2, 3, seed=4)
    opt = torch.optim.LBFGS(net.parameters(), max_iter=500, tolerance_grad=1e-12,
                            tolerance_change=1e-15, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = nets.half_squared_error(net(X), Y)
        loss.backward()
        return loss

    opt.step(closure)
    assert float(nets.half_squared_error(net(X), Y).detach()) == pytest.approx(best, abs=1e-8)
    p = points[5]
    nets.set_flat_parameters(net, p.parameters)
    H = nets.hessian(net, X, Y, loss="squared")
    eig = np.linalg.eigvalsh(H.numpy())
    inertia = nets.hessian_inertia(X, Y, p.W1, p.W2)
    assert np.allclose(eig, inertia.eigenvalues, atol=1e-10)


def test_repeated_eigenvalues_are_rejected():
    X = torch.eye(3, dtype=torch.float64).repeat(10, 1)
    with pytest.raises(ValueError, match="repeated"):
        nets.critical_points(X, X.clone(), hidden=1)


# -- Hessian spectrum, depth, interpolation ---------------------------------------------------

@pytest.mark.slow
def test_hessian_spectrum_exact_zeros_match_the_symmetry_count():
    res = experiments.hessian_spectrum(hidden=4, epochs=2, train_size=200)
    scale = np.abs(res.trained).max()
    exact = int(np.sum(np.abs(res.trained) <= 1e-12 * scale))
    assert exact == res.hidden + 1 + res.hidden * res.constant_inputs
    assert res.trained.size == res.n_parameters
    assert np.sum(res.initial < -1e-6 * np.abs(res.initial).max()) > 0  # negative curvature


def test_layer_gradient_norms_equal_autograd_weight_gradients():
    model, X, y = small_problem(sizes=(5, 6, 6, 3))
    g = nets.layer_gradient_norms(model, X, y)
    model.zero_grad()
    torch.nn.functional.cross_entropy(model(X), y).backward()
    expected = [float(layer.weight.grad.norm()) for layer in nets.linear_layers(model)]
    assert np.allclose(g.weight, expected)
    # the last layer's back-propagated gradient is (softmax - onehot) / n
    probs = torch.softmax(model(X), 1).detach()
    delta = (probs - torch.nn.functional.one_hot(y, 3)) / len(X)
    assert g.backprop[-1] == pytest.approx(float(delta.norm()))


@pytest.mark.slow
def test_sigmoid_gradients_shrink_with_depth_faster_than_relu_he():
    res = experiments.depth_gradients(depth=6, width=32, examples=100, seeds=2)
    ratio = {k: g.backprop[0] / g.backprop[-1] for k, g in res.items()}
    assert ratio["sigmoid, standard init"] < ratio["ReLU, He init"] / 100
    assert ratio["tanh, standard init"] < ratio["tanh, Glorot init"]


@pytest.mark.slow
def test_linear_interpolation_endpoints_and_monotone_segment():
    alphas = np.linspace(-0.5, 1.5, 21)
    res = experiments.linear_interpolation(hidden=(32, 32), epochs=4, train_size=300,
                                           alphas=alphas)
    h = res.history
    assert res.train_loss[5] == pytest.approx(h.train_nll[0], rel=1e-5)   # alpha = 0
    assert res.train_loss[15] == pytest.approx(h.train_nll[-1], rel=1e-5)  # alpha = 1
    assert nets.max_rise(res.train_loss[5:16]) == 0.0


def test_max_rise():
    assert nets.max_rise(np.array([1.0, 3.0, 0.5, 2.0])) == 2.0
    assert nets.max_rise(np.array([3.0, 2.0, 1.0])) == 0.0
