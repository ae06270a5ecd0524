"""d2lopt.nets.curvature against dense Hessians (torch.linalg.eigvalsh) and closed forms."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from d2lopt.nets.curvature import full_batch_descent, sharpness  # noqa: E402
from d2lopt.nets.directions import rescale_layer_pair  # noqa: E402
from d2lopt.nets.gradients import hessian  # noqa: E402
from d2lopt.nets.models import mlp  # noqa: E402


def tiny(activation="tanh"):
    torch.manual_seed(0)
    net = mlp((3, 4, 2), activation, "glorot", seed=3, dtype=torch.float64)
    X = torch.randn(12, 3, dtype=torch.float64)
    Y = torch.randn(12, 2, dtype=torch.float64)
    return net, X, Y


@pytest.mark.parametrize("loss", ["squared", "cross_entropy"])
def test_sharpness_is_the_top_eigenvalue_of_the_dense_hessian(loss):
    net, X, Y = tiny()
    y = Y if loss == "squared" else Y.argmax(1)
    dense = torch.linalg.eigvalsh(hessian(net, X, y, loss))
    assert sharpness(net, X, y, loss, tol=1e-10) == pytest.approx(float(dense[-1]), rel=1e-8)


def test_quadratic_sharpness_and_gradient_descent_stability():
    # linear least squares: H = XᵀX / n, constant; GD with lr > 2/λ diverges
    X = torch.tensor([[1.0, 0.0], [0.0, 3.0]], dtype=torch.float64)
    y = torch.zeros(2, 1, dtype=torch.float64)
    net = torch.nn.Linear(2, 1, bias=False).double()
    torch.nn.init.ones_(net.weight)
    lam = float(torch.linalg.eigvalsh(X.T @ X / 2)[-1])
    assert sharpness(net, X, y, "squared") == pytest.approx(lam)
    stable = full_batch_descent(net, X, y, lr=0.99 * 2 / lam, steps=200, every=100)
    assert stable.losses[-1] < stable.losses[0]
    torch.nn.init.ones_(net.weight)
    unstable = full_batch_descent(net, X, y, lr=1.01 * 2 / lam, steps=200, every=100)
    assert unstable.losses[-1] > unstable.losses[0]
    assert unstable.sharpness.tolist() == pytest.approx([lam] * 3)
    assert unstable.threshold == pytest.approx(2 / (1.01 * 2 / lam))


def test_full_batch_descent_matches_torch_sgd():
    net, X, Y = tiny()
    ref = mlp((3, 4, 2), "tanh", "glorot", seed=3, dtype=torch.float64)
    trace = full_batch_descent(net, X, Y, lr=0.3, steps=15, every=5)
    opt = torch.optim.SGD(ref.parameters(), lr=0.3)
    losses = []
    for _ in range(15):
        opt.zero_grad()
        loss = 0.5 * (ref(X) - Y).pow(2).sum(1).mean()
        losses.append(float(loss.detach()))
        loss.backward()
        opt.step()
    assert trace.losses[:15].tolist() == pytest.approx(losses, rel=1e-12)
    for a, b in zip(net.parameters(), ref.parameters(), strict=True):
        assert torch.allclose(a, b)
    assert trace.sharpness_steps.tolist() == [0, 5, 10, 15]


@pytest.mark.parametrize("alpha", [0.1, 4.0])
def test_rescaling_keeps_the_function_and_changes_the_sharpness(alpha):
    net, X, Y = tiny("relu")
    scaled = rescale_layer_pair(net, 0, alpha)
    assert torch.allclose(scaled(X), net(X), atol=1e-12)
    before = sharpness(net, X, Y, "squared", tol=1e-9)
    after = sharpness(scaled, X, Y, "squared", tol=1e-9)
    dense = torch.linalg.eigvalsh(hessian(scaled, X, Y, "squared"))
    assert after == pytest.approx(float(dense[-1]), rel=1e-6)
    assert abs(after - before) > 0.05 * before
    assert not torch.equal(scaled[0].weight, net[0].weight)   # a copy; net is unchanged


def test_bad_input():
    net, X, Y = tiny("relu")
    with pytest.raises(ValueError, match="lr"):
        full_batch_descent(net, X, Y, lr=0.0, steps=3)
    with pytest.raises(TypeError, match="model"):
        sharpness("net", X, Y)
