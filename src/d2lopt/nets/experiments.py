"""The network experiments behind the gallery's ``gallery/nets`` figures, one function each.

Every function's keyword defaults are the configuration its gallery script uses;
tests call the same functions with smaller settings (fewer epochs, examples or
samples). Each returns a small dataclass of measured arrays and numbers: the
scripts plot and print them, nothing is typed in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from d2lopt.nets.data import linear_teacher, load_digits_split
from d2lopt.nets.depth import LayerGradients, layer_gradient_norms
from d2lopt.nets.early_stopping import EarlyStop, early_stopping
from d2lopt.nets.ensemble import StackedMLP, train_stacked
from d2lopt.nets.gradients import flat_parameters, hessian, per_example_gradients
from d2lopt.nets.interpolation import loss_along_line
from d2lopt.nets.linear_critical import (
    HessianInertia,
    LinearCriticalPoint,
    critical_points,
    hessian_inertia,
    linear_network_loss,
)
from d2lopt.nets.models import SCHEMES, mlp
from d2lopt.nets.noise import minibatch_gradient_spread, total_variance
from d2lopt.nets.symmetry import count_equivalent_minima, random_symmetry
from d2lopt.nets.training import History, evaluate, train
from d2lopt.rates import log_slope, standard_error

__all__ = [
    "BatchSizeLearningRate", "CriticalPointIndex", "EarlyStopping", "HessianSpectrum",
    "LinearInterpolation", "MinibatchNoise", "RandomRestarts", "WeightSymmetry",
    "batch_size_learning_rate", "critical_point_index", "depth_gradients",
    "early_stopping_run", "gradient_norm_run", "hessian_spectrum", "linear_interpolation",
    "minibatch_noise", "random_restarts", "weight_symmetry",
]


def _n_parameters(model: torch.nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


# 1. Early stopping -------------------------------------------------------------------------

@dataclass(frozen=True)
class EarlyStopping:
    """A training history, where the patience rule stops, and the network size."""

    history: History
    stop: EarlyStop
    n_parameters: int
    n_train: int


def early_stopping_run(*, hidden: Sequence[int] = (128, 128), train_size: int | None = 300,
                       epochs: int = 60, batch_size: int = 32, lr: float = 0.01,
                       momentum: float = 0.9, patience: int = 10, seed: int = 0
                       ) -> EarlyStopping:
    """Train an over-parameterised ReLU MLP on few digits; apply patience to validation error."""
    data = load_digits_split(train_size=train_size, seed=seed)
    model = mlp((data.n_features, *hidden, data.n_classes), "relu", "he", seed=seed)
    history = train(model, data, epochs=epochs, batch_size=batch_size, lr=lr,
                    momentum=momentum, seed=seed)
    return EarlyStopping(history, early_stopping(history.val_error, patience),
                         _n_parameters(model), data.sizes[0])


# 2. Minibatch gradient noise ---------------------------------------------------------------

@dataclass(frozen=True)
class MinibatchNoise:
    """Measured and predicted RMS distance of minibatch from full-batch gradients."""

    batch_sizes: np.ndarray
    measured: np.ndarray
    predicted: np.ndarray
    sigma2: float
    n: int
    n_parameters: int
    slope: float
    fit_max_batch: int
    full_gradient_norm: float


def minibatch_noise(*, hidden: int = 32, train_size: int | None = None, samples: int = 400,
                    batch_sizes: Sequence[int] | None = None, fit_max_fraction: float = 1 / 16,
                    seed: int = 0) -> MinibatchNoise:
    """Spread of minibatch gradients at the initial parameters of a tanh MLP on digits.

    The slope is fitted to ``log measured`` against ``log B`` for ``B <= N · fit_max_fraction``.
    """
    data = load_digits_split(train_size=train_size, seed=seed, dtype=torch.float64)
    model = mlp((data.n_features, hidden, data.n_classes), "tanh", "glorot", seed=seed,
                dtype=torch.float64)
    G = per_example_gradients(model, data.X_train, data.y_train)
    n = len(G)
    if batch_sizes is None:
        batch_sizes = 2 ** np.arange(int(np.log2(n)) + 1)
    B = np.asarray(batch_sizes, dtype=int)
    measured = minibatch_gradient_spread(G, B, samples=samples, seed=seed)
    sigma2 = total_variance(G)
    fit_max = max(int(n * fit_max_fraction), 2)
    small = B <= fit_max
    if small.sum() < 2:
        raise ValueError(f"need at least two batch sizes <= {fit_max} to fit a slope")
    predicted = standard_error(np.sqrt(sigma2), B, population=n)
    return MinibatchNoise(B, measured, predicted, sigma2, n, G.shape[1],
                          log_slope(B[small], measured[small], log_x=True), fit_max,
                          float(G.mean(0).norm()))


# 3. Batch size and learning rate -----------------------------------------------------------

@dataclass(frozen=True)
class BatchSizeLearningRate:
    """Training loss after a fixed number of examples for each (batch size, learning rate).

    ``loss[i, j]`` is for ``batch_sizes[i]`` and ``lrs[j]``; diverged runs are ``inf``.
    """

    batch_sizes: np.ndarray
    lrs: np.ndarray
    loss: np.ndarray
    initial_loss: float
    examples: int

    @property
    def best_lr(self) -> np.ndarray:
        """The learning rate of lowest loss for each batch size."""
        return self.lrs[np.argmin(self.loss, axis=1)]


def batch_size_learning_rate(*, batch_sizes: Sequence[int] = (4, 8, 16, 32, 64, 128, 256),
                             lrs: Sequence[float] = tuple(0.01 * 2.0 ** np.arange(10)),
                             epochs: float = 3, hidden: int = 64, train_size: int | None = None,
                             seed: int = 0) -> BatchSizeLearningRate:
    """SGD on a one-hidden-layer ReLU MLP, same initialization for every cell of the grid."""
    data = load_digits_split(train_size=train_size, seed=seed)
    examples = int(epochs * data.sizes[0])
    sizes = (data.n_features, hidden, data.n_classes)
    rows, initial = [], None
    for B in batch_sizes:
        stack = StackedMLP(sizes, "relu", "he", seeds=[seed] * len(lrs))
        result = train_stacked(stack, data.X_train, data.y_train, lrs=lrs, batch_size=int(B),
                               examples=examples, seed=seed + 1)
        rows.append(result.final)
        initial = float(result.initial[0])
    return BatchSizeLearningRate(np.asarray(batch_sizes), np.asarray(lrs, float),
                                 np.array(rows), initial, examples)


# 4. Gradient norm and curvature during training --------------------------------------------

def gradient_norm_run(*, hidden: Sequence[int] = (64, 64), epochs: int = 20,
                      batch_size: int = 32, lr: float = 0.05, momentum: float = 0.0,
                      train_size: int | None = None, seed: int = 0) -> History:
    """Train a ReLU MLP on digits, recording ``‖g‖``, ``gᵀHg/gᵀg`` and ``λ_max`` every epoch."""
    data = load_digits_split(train_size=train_size, seed=seed)
    model = mlp((data.n_features, *hidden, data.n_classes), "relu", "he", seed=seed)
    return train(model, data, epochs=epochs, batch_size=batch_size, lr=lr, momentum=momentum,
                 curvature=True, sharpness=True, seed=seed)


# 5. Weight-space symmetry ------------------------------------------------------------------

@dataclass(frozen=True)
class WeightSymmetry:
    """Losses of a trained tanh network and of its symmetric copies.

    Attributes
    ----------
    loss : float
        Training loss of the trained network.
    copy_losses, distances : ndarray
        Loss of each randomly permuted and sign-flipped copy, and its distance
        ``‖θ' − θ‖`` from the original.
    parameter_norm : float
        ``‖θ‖``.
    widths : tuple of int
    count : int
        Number of equivalent parameter vectors (permutations × sign flips).
    alphas, line_loss : ndarray
        Loss along the segment from θ (α = 0) to the first copy (α = 1).
    """

    loss: float
    copy_losses: np.ndarray
    distances: np.ndarray
    parameter_norm: float
    widths: tuple[int, ...]
    count: int
    alphas: np.ndarray
    line_loss: np.ndarray


def weight_symmetry(*, hidden: Sequence[int] = (16, 16), epochs: int = 20, copies: int = 200,
                    batch_size: int = 32, lr: float = 0.05, train_size: int | None = None,
                    line_points: int = 41, seed: int = 0) -> WeightSymmetry:
    """Train a tanh MLP (float64), then permute and sign-flip its hidden units at random."""
    data = load_digits_split(train_size=train_size, seed=seed, dtype=torch.float64)
    model = mlp((data.n_features, *hidden, data.n_classes), "tanh", "glorot", seed=seed,
                dtype=torch.float64)
    train(model, data, epochs=epochs, batch_size=batch_size, lr=lr, seed=seed)
    X, y = data.X_train, data.y_train
    loss, _ = evaluate(model, X, y)
    theta = flat_parameters(model)
    generator = torch.Generator().manual_seed(seed)
    losses, distances, first = [], [], None
    for _ in range(copies):
        twin = random_symmetry(model, generator, sign_flips=True)
        losses.append(evaluate(twin, X, y)[0])
        theta_twin = flat_parameters(twin)
        distances.append(float((theta_twin - theta).norm()))
        first = theta_twin if first is None else first
    alphas = np.linspace(0.0, 1.0, line_points)
    line = loss_along_line(model, theta, first, alphas, X, y)
    return WeightSymmetry(loss, np.array(losses), np.array(distances), float(theta.norm()),
                          tuple(hidden), count_equivalent_minima(hidden, sign_flips=True),
                          alphas, line)


# 6. Random restarts ------------------------------------------------------------------------

@dataclass(frozen=True)
class RandomRestarts:
    """Final training losses of many initializations: ``final_losses[width]``, shape (restarts,)."""

    widths: tuple[int, ...]
    final_losses: dict[int, np.ndarray]
    epochs: float


def random_restarts(*, widths: Sequence[int] = (4, 64), restarts: int = 40, epochs: float = 20,
                    batch_size: int = 64, lr: float = 0.1, train_size: int | None = None,
                    seed: int = 0) -> RandomRestarts:
    """Train ``restarts`` one-hidden-layer ReLU MLPs of each width from different seeds."""
    data = load_digits_split(train_size=train_size, seed=seed)
    examples = int(epochs * data.sizes[0])
    finals = {}
    for width in widths:
        stack = StackedMLP((data.n_features, width, data.n_classes), "relu", "he",
                           seeds=range(seed, seed + restarts))
        finals[int(width)] = train_stacked(stack, data.X_train, data.y_train, lrs=lr,
                                           batch_size=batch_size, examples=examples,
                                           seed=seed).final
    return RandomRestarts(tuple(int(w) for w in widths), finals, epochs)


# 7. Critical points of a linear network ----------------------------------------------------

@dataclass(frozen=True)
class CriticalPointIndex:
    """Closed-form critical points of ``y = W2 W1 x`` with measured loss, gradient and index."""

    points: list[LinearCriticalPoint]
    inertia: list[HessianInertia]
    measured_loss: np.ndarray
    gradient_norm: np.ndarray
    hidden: int
    tol: float

    @property
    def loss(self) -> np.ndarray:
        """Closed-form losses."""
        return np.array([p.loss for p in self.points])

    @property
    def index(self) -> np.ndarray:
        """Fraction of negative Hessian eigenvalues at each point."""
        return np.array([h.index for h in self.inertia])

    @property
    def global_minimum(self) -> int:
        """Position (in ``points``) of ``I = {0, …, k − 1}``."""
        return next(i for i, p in enumerate(self.points)
                    if p.subset == tuple(range(self.hidden)))


def critical_point_index(*, singular_values: Sequence[float] = (3.0, 2.5, 2.0, 1.5, 1.0, 0.5),
                         hidden: int = 3, n: int = 500, noise: float = 0.3, seed: int = 0,
                         tol: float = 1e-9) -> CriticalPointIndex:
    """Enumerate, then check each critical point with autograd (loss, gradient, Hessian)."""
    X, Y = linear_teacher(n, singular_values, noise=noise, seed=seed)
    points = critical_points(X, Y, hidden)
    inertia, measured, gnorm = [], [], []
    for p in points:
        W1, W2 = p.W1.clone().requires_grad_(), p.W2.clone().requires_grad_()
        loss = linear_network_loss(W1, W2, X, Y)
        g1, g2 = torch.autograd.grad(loss, (W1, W2))
        measured.append(float(loss.detach()))
        gnorm.append(float(torch.cat([g1.reshape(-1), g2.reshape(-1)]).norm()))
        inertia.append(hessian_inertia(X, Y, p.W1, p.W2, tol=tol))
    return CriticalPointIndex(points, inertia, np.array(measured), np.array(gnorm), hidden, tol)


# 8. Hessian spectrum -----------------------------------------------------------------------

@dataclass(frozen=True)
class HessianSpectrum:
    """Eigenvalues (ascending) of the dense training-loss Hessian before and after training.

    ``constant_inputs`` counts input pixels constant over the training set (their
    first-layer weights never affect the loss: ``hidden`` zero eigenvalues each).
    """

    initial: np.ndarray
    trained: np.ndarray
    n_parameters: int
    hidden: int
    constant_inputs: int
    history: History


def hessian_spectrum(*, hidden: int = 16, epochs: int = 20, batch_size: int = 32,
                     lr: float = 0.05, train_size: int | None = None, seed: int = 0
                     ) -> HessianSpectrum:
    """A one-hidden-layer tanh MLP (float64) on digits: dense Hessian at init and trained."""
    data = load_digits_split(train_size=train_size, seed=seed, dtype=torch.float64)
    model = mlp((data.n_features, hidden, data.n_classes), "tanh", "glorot", seed=seed,
                dtype=torch.float64)
    X, y = data.X_train, data.y_train
    initial = torch.linalg.eigvalsh(hessian(model, X, y)).numpy()
    history = train(model, data, epochs=epochs, batch_size=batch_size, lr=lr, seed=seed)
    trained = torch.linalg.eigvalsh(hessian(model, X, y)).numpy()
    constant = int(torch.sum(X.std(dim=0) == 0))
    return HessianSpectrum(initial, trained, _n_parameters(model), hidden, constant, history)


# 9. Gradients through depth ----------------------------------------------------------------

def depth_gradients(*, depth: int = 10, width: int = 100, examples: int = 500, seeds: int = 5,
                    schemes: dict[str, tuple[str, str]] | None = None
                    ) -> dict[str, LayerGradients]:
    """Per-layer gradient norms at initialization, averaged over ``seeds`` initializations.

    ``depth`` counts the linear layers (``depth - 1`` hidden layers of ``width`` units).
    """
    if depth < 2:
        raise ValueError(f"depth counts linear layers and must be >= 2, got {depth}")
    data = load_digits_split()
    X, y = data.X_train[:examples], data.y_train[:examples]
    sizes = (data.n_features, *([width] * (depth - 1)), data.n_classes)
    out = {}
    for label, (activation, init) in (schemes or SCHEMES).items():
        runs = [layer_gradient_norms(mlp(sizes, activation, init, seed=s), X, y)
                for s in range(seeds)]
        out[label] = LayerGradients(np.mean([r.weight for r in runs], axis=0),
                                    np.mean([r.backprop for r in runs], axis=0))
    return out


# 10. Linear interpolation ------------------------------------------------------------------

@dataclass(frozen=True)
class LinearInterpolation:
    """Training and validation loss along ``(1 − α) θ0 + α θ1``."""

    alphas: np.ndarray
    train_loss: np.ndarray
    val_loss: np.ndarray
    history: History


def linear_interpolation(*, hidden: Sequence[int] = (64, 64), epochs: int = 20,
                         batch_size: int = 32, lr: float = 0.05, momentum: float = 0.0,
                         train_size: int | None = None, alphas: np.ndarray | None = None,
                         seed: int = 0) -> LinearInterpolation:
    """Train a ReLU MLP on digits, then evaluate the line through its initial and final θ."""
    data = load_digits_split(train_size=train_size, seed=seed)
    model = mlp((data.n_features, *hidden, data.n_classes), "relu", "he", seed=seed)
    history = train(model, data, epochs=epochs, batch_size=batch_size, lr=lr,
                    momentum=momentum, seed=seed)
    alphas = np.linspace(-0.5, 1.5, 81) if alphas is None else np.asarray(alphas, float)
    theta0, theta1 = history.initial_parameters, history.final_parameters
    return LinearInterpolation(
        alphas, loss_along_line(model, theta0, theta1, alphas, data.X_train, data.y_train),
        loss_along_line(model, theta0, theta1, alphas, data.X_val, data.y_val), history)
