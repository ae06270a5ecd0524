r"""Section 13, the landscape of real networks: five experiments of the last decade,
measured on small nets trained on digits (or synthetic data).

* :func:`filter_normalized_surfaces`: a deep plain ReLU MLP and the same net with
  skip connections, trained on digits, and the loss on 1-D and 2-D slices
  through the trained parameters along filter-normalized random directions
  (:func:`d2lopt.nets.filter_normalized_direction`, :cite:t:`li2018visualizing`);
  :func:`scale_invariance`: the slice of one net and of a rescaled copy computing
  the same function, along an unnormalized and a filter-normalized direction.
* :func:`barrier_versus_width`: pairs of one-hidden-layer MLPs trained from
  different seeds, the loss barrier on the straight line between them before and
  after weight matching (:func:`d2lopt.nets.weight_matching`), as a function of width.
* :func:`edge_of_stability`: full-batch gradient descent on a small tanh MLP on
  digits at several step sizes η, tracking the sharpness (top Hessian
  eigenvalue, :func:`d2lopt.nets.full_batch_descent`); it rises to
  about :math:`2/\eta` and hovers there (Cohen et al., 2021).
* :func:`batch_size_sharpness` and :func:`rescaled_sharpness`: the sharpness of
  minima found with small and large batches (Keskar et al., 2017), and the same
  function at arbitrarily different sharpness after the ReLU rescaling
  (Dinh et al., 2017).
* :func:`deep_linear_stages`: a two-layer linear network from small
  initialization on whitened inputs learns one singular mode at a time
  (Saxe et al., 2014); :func:`stage_time` is the closed form of the time at
  which a mode is half learned.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from d2lopt.chapter.cache import cached_experiment
from d2lopt.nets.curvature import SharpnessTrace, full_batch_descent, sharpness
from d2lopt.nets.data import linear_teacher, load_digits_split
from d2lopt.nets.directions import rescale_layer_pair
from d2lopt.nets.models import mlp
from d2lopt.nets.training import evaluate, train

__all__ = [
    "BarrierResult",
    "LinearStages",
    "SETTINGS",
    "ScaleInvariance",
    "Settings",
    "SurfaceResult",
    "barrier_versus_width",
    "batch_size_sharpness",
    "deep_linear_stages",
    "edge_of_stability",
    "edge_summary",
    "eos_data",
    "filter_normalized_surfaces",
    "mode_strength",
    "rescaled_sharpness",
    "scale_invariance",
    "stage_time",
    "surface_data",
    "valley_width",
]


@dataclass(frozen=True)
class Settings:
    r"""The values section 13's page, gallery scripts, exercises and tests share.

    Try another value with ``dataclasses.replace(SETTINGS, eos_steps=500)``.

    Attributes
    ----------
    surface_width : int
        Hidden width of the deep nets of the loss-surface experiment.
    surface_blocks : int
        Two-layer blocks of those nets (``2 * blocks + 2`` linear layers).
    surface_train_size : int
        Training digits they are trained on (and the slices evaluated on).
    surface_epochs, surface_batch_size : int
        Adam epochs and minibatch size.
    surface_lr : float
        Adam's learning rate.
    surface_seed : int
        Seed of the initialization (the same for both nets) and of the minibatch order.
    direction_seed : int
        Seed of the random directions.
    surface_span : float
        The slices cover :math:`t, \alpha, \beta \in [-\text{span}, \text{span}]`.
    surface_points_1d, surface_points_2d : int
        Points of a 1-D slice; points per axis of a 2-D slice.
    width_rise : float
        A valley's width is the length of the interval of ``t`` around 0 on which the
        loss stays within ``width_rise`` (nats) of its value at 0.
    width_directions : int
        Filter-normalized directions the mean valley width is taken over (the first
        two are those of the slices shown): single widths vary from direction to
        direction by about as much as the two nets differ.
    rescale_layer : int
        First ``nn.Linear`` of the pair rescaled by :math:`c` and :math:`1/c`.
    rescale_factor : float
        The factor :math:`c`.
    barrier_widths : tuple of int
        Hidden widths of the mode-connectivity experiment.
    barrier_pairs : int
        Independently trained pairs of nets per width.
    barrier_epochs, barrier_batch_size : int
        SGD epochs and minibatch size of each net.
    barrier_lr, barrier_momentum : float
        SGD's learning rate and heavy-ball momentum.
    barrier_points : int
        Points on the segment :math:`\alpha \in [0, 1]`.
    eos_train_size : int
        Digits training images used by the edge-of-stability runs.
    eos_input_scale : float
        Factor on the standardized pixels (smaller inputs start the net flatter).
    eos_hidden : int
        Hidden width of the tanh MLP ``64 -> hidden -> 10``.
    eos_lrs : tuple of float
        Step sizes η of full-batch gradient descent.
    eos_steps : int
        Steps of each run.
    eos_every : int
        The sharpness is measured every ``eos_every`` steps.
    eos_seed : int
        Seed of the initialization.
    sf_hidden : tuple of int
        Hidden widths of the ReLU MLP of the batch-size experiment.
    sf_batch_sizes : tuple of int
        Small and large batch size.
    sf_epochs : int
        Epochs of both runs (the same number of passes over the data).
    sf_lr : float
        Learning rate of both runs.
    sf_train_size : int
        Digits training images of the batch-size experiment.
    sf_seed : int
    sf_alphas : tuple of float
        Factors α of the rescaling ``W_1 -> α W_1``, ``W_2 -> W_2/α``.
    sl_singular_values : tuple of float
        Singular values of the linear teacher.
    sl_d_in : int
        Input dimension of the teacher.
    sl_n : int
        Examples (inputs whitened to identity covariance).
    sl_u0 : float
        Initial strength of every mode for the decoupled (aligned) start.
    sl_random_scale : float
        Standard deviation of the entries of the small random start.
    sl_lr : float
        Learning rate of gradient descent.
    sl_steps : int
        Steps of gradient descent.
    sl_seed : int
    """

    # 1. Filter-normalized surfaces
    surface_width: int = 24
    surface_blocks: int = 8
    surface_train_size: int = 500
    surface_epochs: int = 25
    surface_batch_size: int = 50
    surface_lr: float = 2e-3
    surface_seed: int = 0
    direction_seed: int = 1
    surface_span: float = 0.5
    surface_points_1d: int = 41
    surface_points_2d: int = 21
    width_rise: float = 1.0
    width_directions: int = 16
    rescale_layer: int = 1
    rescale_factor: float = 4.0

    # 2. Edge of stability
    eos_train_size: int = 300
    eos_input_scale: float = 0.5
    eos_hidden: int = 32
    eos_lrs: tuple[float, ...] = (0.5, 0.7, 1.0)
    eos_steps: int = 1000
    eos_every: int = 20
    eos_seed: int = 0

    # 3. Mode connectivity
    barrier_widths: tuple[int, ...] = (8, 16, 32, 64, 128, 256)
    barrier_pairs: int = 2
    barrier_epochs: int = 10
    barrier_batch_size: int = 64
    barrier_lr: float = 0.05
    barrier_momentum: float = 0.9
    barrier_points: int = 11

    # 4. Sharp and flat minima
    sf_hidden: tuple[int, ...] = (32,)
    sf_batch_sizes: tuple[int, int] = (16, 512)
    sf_epochs: int = 30
    sf_lr: float = 0.5
    sf_train_size: int = 512
    sf_seed: int = 0
    sf_alphas: tuple[float, ...] = (0.1, 0.3, 1.0, 3.0, 10.0)

    # 5. Plateaus and saddle-to-saddle dynamics
    sl_singular_values: tuple[float, ...] = (3.0, 2.0, 1.0, 0.5)
    sl_d_in: int = 6
    sl_n: int = 500
    sl_u0: float = 1e-3
    sl_random_scale: float = 0.02
    sl_lr: float = 0.02
    sl_steps: int = 1200
    sl_seed: int = 0


#: The settings of section 13.
SETTINGS = Settings()

NET_NAMES = ("plain", "residual")


def valley_width(ts: np.ndarray, losses: np.ndarray, rise: float) -> float:
    r"""Length of the interval around ``t = 0`` on which ``losses - losses(0) < rise``.

    The ends are located by linear interpolation between grid points; a curve
    that stays below the level up to an end of the grid gets that end.

    Examples
    --------
    >>> ts = np.linspace(-2, 2, 41)
    >>> round(valley_width(ts, ts**2, 1.0), 6)    # t² < 1 on (−1, 1)
    2.0
    """
    ts, losses = np.asarray(ts, dtype=float), np.asarray(losses, dtype=float)
    if ts.shape != losses.shape or ts.ndim != 1 or not (ts.min() <= 0 <= ts.max()):
        raise ValueError("ts and losses must be 1-D arrays of the same length, ts spanning 0")
    if not rise > 0:
        raise ValueError(f"rise must be positive, got {rise}")
    i0 = int(np.argmin(np.abs(ts)))
    excess = losses - losses[i0] - rise

    def end(step: int) -> float:
        i = i0
        while 0 <= i + step < ts.size and excess[i + step] < 0:
            i += step
        if not 0 <= i + step < ts.size:
            return float(ts[i])
        j = i + step  # excess[i] < 0 <= excess[j]
        return float(ts[i] + (ts[j] - ts[i]) * (-excess[i]) / (excess[j] - excess[i]))

    return end(1) - end(-1)


@dataclass(frozen=True)
class SurfaceResult:
    """Slices through one trained net (see :func:`filter_normalized_surfaces`).

    Attributes
    ----------
    train_nll, train_error, val_error : float
        The trained net's training loss and error and its validation error.
    ts : numpy.ndarray
        Grid of the 1-D slices (also the axes of the 2-D slice, thinned).
    slices : numpy.ndarray, shape (2, len(ts))
        Loss along the first and the second direction.
    grid : numpy.ndarray
        Axis of the 2-D slice.
    surface : numpy.ndarray, shape (len(grid), len(grid))
        Loss at ``θ + α d1 + β d2`` (rows: β).
    direction_widths : numpy.ndarray, shape (width_directions,)
        :func:`valley_width` along each of ``settings.width_directions``
        filter-normalized directions, the two of the slices first.
    model : torch.nn.Module
        The trained net.
    """

    train_nll: float
    train_error: float
    val_error: float
    ts: np.ndarray
    slices: np.ndarray
    grid: np.ndarray
    surface: np.ndarray
    direction_widths: np.ndarray
    model: Any = field(repr=False)

    @property
    def widths(self) -> tuple[float, float]:
        """:func:`valley_width` of the two 1-D slices (the first two :attr:`direction_widths`)."""
        return float(self.direction_widths[0]), float(self.direction_widths[1])

    @property
    def mean_width(self) -> float:
        """The mean of :attr:`direction_widths`."""
        return float(np.mean(self.direction_widths))


def surface_data(settings: Settings = SETTINGS) -> Any:
    """The digits the loss-surface nets are trained on (a :class:`d2lopt.nets.Split`)."""
    from d2lopt import nets

    return nets.load_digits_split(train_size=settings.surface_train_size)


def _trained_block_net(settings: Settings, skip: bool, data):
    from d2lopt import nets
    from d2lopt.nets.residual import BlockMLP

    net = BlockMLP(data.n_features, settings.surface_width, data.n_classes,
                   blocks=settings.surface_blocks, skip=skip, seed=settings.surface_seed)
    history = nets.train(net, data, epochs=settings.surface_epochs,
                         batch_size=settings.surface_batch_size, lr=settings.surface_lr,
                         optimizer="adam", seed=settings.surface_seed)
    return net, history


@cached_experiment
def filter_normalized_surfaces(settings: Settings = SETTINGS) -> dict[str, SurfaceResult]:
    """Train the plain and the residual net and slice their loss along filter-normalized directions.

    Both nets start from the same weights and are trained the same way; the two
    directions are drawn with the same seed for both.

    Returns
    -------
    dict
        ``"plain"`` and ``"residual"`` to :class:`SurfaceResult`.
    """
    from d2lopt.nets.directions import filter_normalized_direction, loss_slice, loss_surface

    if not isinstance(settings.width_directions, int) or settings.width_directions < 2:
        raise ValueError("settings.width_directions must be an int of at least 2 (the two "
                         f"directions of the slices come first); got {settings.width_directions!r}")
    data = surface_data(settings)
    X, y = data.X_train, data.y_train
    ts = np.linspace(-settings.surface_span, settings.surface_span, settings.surface_points_1d)
    grid = np.linspace(-settings.surface_span, settings.surface_span, settings.surface_points_2d)
    out = {}
    for name in NET_NAMES:
        net, h = _trained_block_net(settings, name == "residual", data)
        gen = torch.Generator().manual_seed(settings.direction_seed)
        d1, d2 = filter_normalized_direction(net, gen), filter_normalized_direction(net, gen)
        slices = np.stack([loss_slice(net, d, ts, X, y) for d in (d1, d2)])
        surface = loss_surface(net, d1, d2, grid, grid, X, y)
        more = [loss_slice(net, filter_normalized_direction(net, gen), ts, X, y)
                for _ in range(settings.width_directions - 2)]
        widths = np.array([valley_width(ts, s, settings.width_rise) for s in (*slices, *more)])
        out[name] = SurfaceResult(float(h.train_nll[-1]), float(h.train_error[-1]),
                                  float(h.val_error[-1]), ts, slices, grid, surface, widths, net)
    return out


@dataclass(frozen=True)
class ScaleInvariance:
    """Slices of one net and of its rescaled same-function copy.

    Attributes
    ----------
    ts : numpy.ndarray
    unnormalized : numpy.ndarray, shape (2, len(ts))
        Loss along one fixed Gaussian direction (scaled to the net's parameter norm),
        for the net (row 0) and the copy (row 1).
    normalized : numpy.ndarray, shape (2, len(ts))
        Loss along the filter-normalized direction of each (the same random draw).
    output_difference : float
        Largest difference between the outputs of the net and of the copy on the data.
    unnormalized_widths, normalized_widths : tuple of float
        :func:`valley_width` of each row.
    """

    ts: np.ndarray
    unnormalized: np.ndarray
    normalized: np.ndarray
    output_difference: float
    unnormalized_widths: tuple[float, float]
    normalized_widths: tuple[float, float]


def scale_invariance(settings: Settings = SETTINGS, *, net=None, data=None) -> ScaleInvariance:
    r"""Rescale a layer pair of a trained plain net by :math:`c, 1/c` and slice both versions.

    Parameters
    ----------
    settings : Settings
    net, data : optional
        A trained net and its data (by default the plain net of
        :func:`filter_normalized_surfaces`, retrained on :func:`surface_data`).
    """
    from d2lopt.nets.directions import (
        filter_normalized_direction,
        gaussian_direction,
        loss_slice,
        rescale_layer_pair,
    )
    from d2lopt.nets.gradients import flat_parameters

    if data is None:
        data = surface_data(settings)
    if net is None:
        net, _ = _trained_block_net(settings, False, data)
    X, y = data.X_train, data.y_train
    copy = rescale_layer_pair(net, settings.rescale_layer, settings.rescale_factor)
    with torch.no_grad():
        output_difference = float((copy(X) - net(X)).abs().max())
    ts = np.linspace(-settings.surface_span, settings.surface_span, settings.surface_points_1d)
    g = gaussian_direction(net, torch.Generator().manual_seed(settings.direction_seed))
    g = g * (flat_parameters(net).norm() / g.norm())
    unnormalized = np.stack([loss_slice(m, g, ts, X, y) for m in (net, copy)])
    normalized = np.stack([
        loss_slice(m, filter_normalized_direction(
            m, torch.Generator().manual_seed(settings.direction_seed)), ts, X, y)
        for m in (net, copy)])

    def widths(rows: np.ndarray) -> tuple[float, float]:
        return tuple(valley_width(ts, r, settings.width_rise) for r in rows)

    return ScaleInvariance(ts, unnormalized, normalized, output_difference,
                           widths(unnormalized), widths(normalized))


@dataclass(frozen=True)
class BarrierResult:
    """Loss and error barriers between independently trained nets, before and after matching.

    Attributes
    ----------
    widths : numpy.ndarray
    loss_before, loss_after : numpy.ndarray, shape (len(widths), pairs)
        Training-loss barrier (nats) on the straight line, without and with weight matching.
    error_before, error_after : numpy.ndarray, shape (len(widths), pairs)
        Validation-error barrier (fraction) on the same lines.
    alphas : numpy.ndarray
    curves_before, curves_after : numpy.ndarray, shape (len(widths), len(alphas))
        Training loss along the line for the first pair of each width.
    """

    widths: np.ndarray
    loss_before: np.ndarray
    loss_after: np.ndarray
    error_before: np.ndarray
    error_after: np.ndarray
    alphas: np.ndarray
    curves_before: np.ndarray
    curves_after: np.ndarray


@cached_experiment
def barrier_versus_width(settings: Settings = SETTINGS, *, widths=None, pairs=None,
                         epochs=None) -> BarrierResult:
    """Train pairs of one-hidden-layer ReLU nets per width and measure the barriers between them.

    Net ``2k`` and ``2k + 1`` of a width start from seeds ``2k`` and ``2k + 1`` and see the
    minibatches in different orders. ``widths``, ``pairs`` and ``epochs`` override the settings
    (for a smaller run).
    """
    from d2lopt import nets
    from d2lopt.nets.alignment import interpolation_barrier, weight_matching

    widths = np.asarray(settings.barrier_widths if widths is None else widths, dtype=int)
    pairs = settings.barrier_pairs if pairs is None else pairs
    epochs = settings.barrier_epochs if epochs is None else epochs
    data = nets.load_digits_split()
    X, y = data.X_train, data.y_train
    shape = (widths.size, pairs)
    lb, la, eb, ea = (np.empty(shape) for _ in range(4))
    alphas = np.linspace(0.0, 1.0, settings.barrier_points)
    curves_before, curves_after = (np.empty((widths.size, alphas.size)) for _ in range(2))
    for i, width in enumerate(widths):
        for k in range(pairs):
            a, b = (nets.mlp((data.n_features, int(width), data.n_classes), "relu", "he",
                             seed=2 * k + j) for j in (0, 1))
            for j, m in enumerate((a, b)):
                nets.train(m, data, epochs=epochs, batch_size=settings.barrier_batch_size,
                           lr=settings.barrier_lr, momentum=settings.barrier_momentum,
                           seed=2 * k + j)
            aligned = weight_matching(a, b).model
            lb[i, k], _, before = interpolation_barrier(a, b, X, y, alphas=alphas)
            la[i, k], _, after = interpolation_barrier(a, aligned, X, y, alphas=alphas)
            eb[i, k], _, _ = interpolation_barrier(a, b, data.X_val, data.y_val, alphas=alphas,
                                                   loss=nets.zero_one_error)
            ea[i, k], _, _ = interpolation_barrier(a, aligned, data.X_val, data.y_val,
                                                   alphas=alphas, loss=nets.zero_one_error)
            if k == 0:
                curves_before[i], curves_after[i] = before, after
    return BarrierResult(widths, lb, la, eb, ea, alphas, curves_before, curves_after)


# -- 2. Edge of stability ----------------------------------------------------------------------


def eos_data(settings: Settings = SETTINGS) -> tuple[torch.Tensor, torch.Tensor]:
    """The digits inputs (scaled) and one-hot targets of the edge-of-stability runs."""
    data = load_digits_split(train_size=settings.eos_train_size, seed=settings.eos_seed)
    X = settings.eos_input_scale * data.X_train
    Y = torch.nn.functional.one_hot(data.y_train, data.n_classes).to(X.dtype)
    return X, Y


def edge_of_stability(settings: Settings = SETTINGS, lrs: Sequence[float] | None = None
                      ) -> dict[float, SharpnessTrace]:
    r"""Full-batch gradient descent at each step size, from the same start.

    The network is ``mlp((64, eos_hidden, 10), "tanh", "glorot")`` trained on the
    squared error to one-hot targets (:func:`eos_data`).

    Examples
    --------
    >>> from dataclasses import replace
    >>> small = replace(SETTINGS, eos_train_size=50, eos_steps=20, eos_every=10)
    >>> traces = edge_of_stability(small, lrs=(0.5,))
    >>> traces[0.5].sharpness_steps.tolist()
    [0, 10, 20]
    """
    lrs = tuple(float(lr) for lr in (settings.eos_lrs if lrs is None else lrs))
    return _edge_of_stability(settings, lrs)  # one cache entry for lrs=None and the default


@cached_experiment
def _edge_of_stability(settings: Settings, lrs: tuple[float, ...]
                       ) -> dict[float, SharpnessTrace]:
    X, Y = eos_data(settings)
    traces = {}
    for lr in lrs:
        net = mlp((X.shape[1], settings.eos_hidden, Y.shape[1]), "tanh", "glorot",
                  seed=settings.eos_seed)
        traces[lr] = full_batch_descent(net, X, Y, lr=lr, steps=settings.eos_steps,
                                        every=settings.eos_every, loss="squared")
    return traces


def edge_summary(trace: SharpnessTrace) -> dict[str, float | int]:
    r"""Key numbers of one run: how the sharpness sits against :math:`2/\eta`, how the loss moves.

    ``"start"``: the sharpness at step 0; ``"low"`` and ``"peak"``: its minimum and
    maximum, measured at steps ``"low_step"`` and ``"peak_step"``; ``"late_ratio"``:
    the median sharpness over the second half of the run divided by :math:`2/\eta`;
    ``"increases"``: steps at which the loss went up; ``"first_loss"``, ``"half_loss"``,
    ``"last_loss"``: the loss at the start, half way and at the end.

    Examples
    --------
    >>> import numpy as np
    >>> trace = SharpnessTrace(0.5, np.array([3.0, 2.0, 2.5, 1.0]), np.array([0, 2, 3]),
    ...                        np.array([1.0, 4.0, 4.2]))
    >>> summary = edge_summary(trace)
    >>> summary["increases"], summary["late_ratio"], summary["peak"], summary["peak_step"]
    (1, 1.025, 4.2, 3)
    """
    half = len(trace.losses) // 2
    late = trace.after(int(trace.sharpness_steps[-1]) // 2)
    low, peak = int(np.argmin(trace.sharpness)), int(np.argmax(trace.sharpness))
    return {"start": float(trace.sharpness[0]),
            "low": float(trace.sharpness[low]), "low_step": int(trace.sharpness_steps[low]),
            "peak": float(trace.sharpness[peak]), "peak_step": int(trace.sharpness_steps[peak]),
            "late_ratio": float(np.median(late) / trace.threshold),
            "increases": int(np.sum(np.diff(trace.losses) > 0)),
            "first_loss": float(trace.losses[0]), "half_loss": float(trace.losses[half]),
            "last_loss": float(trace.losses[-1])}


# -- 4. Sharp and flat minima ------------------------------------------------------------------


@cached_experiment
def batch_size_sharpness(settings: Settings = SETTINGS
                         ) -> dict[int, dict[str, float | torch.nn.Module]]:
    """Train the same ReLU MLP with each batch size for the same epochs; measure each minimum.

    Returns ``batch_size -> {"sharpness", "train_loss", "val_error", "model"}``
    (sharpness of the cross-entropy on the training set).

    Examples
    --------
    >>> from dataclasses import replace
    >>> small = replace(SETTINGS, sf_train_size=64, sf_epochs=1, sf_batch_sizes=(16, 64))
    >>> sorted(batch_size_sharpness(small))
    [16, 64]
    """
    data = load_digits_split(train_size=settings.sf_train_size, seed=settings.sf_seed)
    out: dict[int, dict[str, float | torch.nn.Module]] = {}
    for batch in settings.sf_batch_sizes:
        net = mlp((data.n_features, *settings.sf_hidden, data.n_classes), "relu", "he",
                  seed=settings.sf_seed)
        train(net, data, epochs=settings.sf_epochs, batch_size=batch, lr=settings.sf_lr,
              seed=settings.sf_seed)
        train_loss, _ = evaluate(net, data.X_train, data.y_train)
        _, val_error = evaluate(net, data.X_val, data.y_val)
        out[int(batch)] = {"sharpness": sharpness(net, data.X_train, data.y_train),
                           "train_loss": train_loss, "val_error": val_error, "model": net}
    return out


def rescaled_sharpness(model: torch.nn.Module, X: torch.Tensor, y: torch.Tensor,
                       alphas: Sequence[float] = SETTINGS.sf_alphas
                       ) -> dict[float, tuple[float, float]]:
    r"""For each α: ``(max |f_α(X) − f(X)|, sharpness of f_α)`` after the ReLU rescaling.

    The rescaling is :func:`d2lopt.nets.rescale_layer_pair` of the first two layers.

    Examples
    --------
    >>> net = mlp((4, 6, 3), "relu", seed=1)
    >>> X, y = torch.randn(20, 4), torch.randint(0, 3, (20,))
    >>> result = rescaled_sharpness(net, X, y, alphas=(1.0, 10.0))
    >>> result[10.0][0] < 1e-5, result[10.0][1] > result[1.0][1]
    (True, True)
    """
    reference = model(X).detach()
    out = {}
    for alpha in alphas:
        scaled = rescale_layer_pair(model, 0, alpha)
        gap = float((scaled(X).detach() - reference).abs().max())
        out[float(alpha)] = (gap, sharpness(scaled, X, y))
    return out


# -- 5. Plateaus and saddle-to-saddle dynamics -------------------------------------------------


def stage_time(s: float, u0: float, lr: float, fraction: float = 0.5) -> float:
    r"""Steps until a mode of strength ``u0`` reaches ``fraction * s``, by gradient flow.

    For the two-layer linear network :math:`W_2 W_1` on whitened inputs with
    the loss :math:`\tfrac12\,\mathbb E\|y - W_2W_1x\|^2`, a decoupled, balanced
    mode of the input–output correlation with singular value :math:`s` has
    strength :math:`u` obeying :math:`\dot u = 2u(s - u)` in units of
    :math:`1/\eta` steps (Saxe et al., 2014), so

    .. math:: \frac{u}{s-u} = \frac{u_0}{s-u_0}\,e^{2s\eta t}, \qquad
              t_f = \frac{1}{2s\eta}\ln\frac{f\,(s-u_0)}{(1-f)\,u_0} .

    For :math:`f = 1/2` this is :math:`\ln((s-u_0)/u_0)/(2s\eta) \approx
    \ln(s/u_0)/(2s\eta)`: the plateau before a mode is learned lasts in
    proportion to :math:`1/s`.

    Examples
    --------
    >>> round(stage_time(2.0, 1e-3, 0.01), 1)   # ln(1999) / 0.04
    190.0
    """
    if not (s > 0 and 0 < u0 < s and lr > 0 and 0 < fraction < 1):
        raise ValueError(f"need s > 0, 0 < u0 < s, lr > 0 and 0 < fraction < 1, got s={s}, "
                         f"u0={u0}, lr={lr}, fraction={fraction}")
    return math.log(fraction * (s - u0) / ((1 - fraction) * u0)) / (2 * s * lr)


@dataclass(frozen=True)
class LinearStages:
    """What :func:`deep_linear_stages` measured.

    Attributes
    ----------
    singular_values : ndarray, shape (m,)
        Singular values of the input–output correlation Σ_yx (whitened inputs).
    strengths : ndarray, shape (steps + 1, m)
        :math:`u_i(t) = u_i^\\top W_2W_1 v_i`, the network's strength on each mode.
    losses : ndarray, shape (steps + 1,)
    half_times : ndarray, shape (m,)
        First step with :math:`u_i \\ge s_i/2` (``nan`` if never).
    theory : ndarray, shape (m,)
        :func:`stage_time` for each mode (``nan`` for the random start).
    """

    singular_values: np.ndarray
    strengths: np.ndarray
    losses: np.ndarray
    half_times: np.ndarray
    theory: np.ndarray


def mode_strength(W: np.ndarray, U: np.ndarray, V: np.ndarray) -> np.ndarray:
    """Diagonal of ``Uᵀ W V``: the strength of ``W`` on each singular mode ``(u_i, v_i)``."""
    return np.einsum("ji,jk,ki->i", U, W, V)


def deep_linear_stages(settings: Settings = SETTINGS, *, start: str = "aligned",
                       steps: int | None = None) -> LinearStages:
    r"""Gradient descent on :math:`W_2W_1` (hidden width = output width) from a small start.

    Inputs from :func:`~d2lopt.nets.linear_teacher` are whitened with their
    sample covariance, so :math:`\Sigma_{xx} = I` and the gradient of
    :math:`\tfrac12\,\overline{\|y - W_2W_1x\|^2}` is
    :math:`-W_2^\top(\Sigma_{yx} - W_2W_1)` for :math:`W_1` and
    :math:`-(\Sigma_{yx} - W_2W_1)W_1^\top` for :math:`W_2`.

    Parameters
    ----------
    start : {"aligned", "random"}
        ``"aligned"``: the decoupled balanced start :math:`W_1 = a_0 Q V^\top`,
        :math:`W_2 = a_0 U Q^\top` (``Q`` a random rotation, :math:`a_0^2 =` ``sl_u0``)
        for which :func:`stage_time` is the exact flow; ``"random"``: Gaussian
        entries of standard deviation ``sl_random_scale``.
    steps : int, optional
        Default ``settings.sl_steps``.

    Examples
    --------
    >>> stages = deep_linear_stages()
    >>> bool(np.all(np.diff(stages.half_times) > 0))   # the strongest mode first
    True
    """
    if start not in ("aligned", "random"):
        raise ValueError(f"start must be 'aligned' or 'random', got {start!r}")
    steps = settings.sl_steps if steps is None else steps
    X, Y = linear_teacher(settings.sl_n, list(settings.sl_singular_values),
                          d_in=settings.sl_d_in, seed=settings.sl_seed)
    X, Y = X.numpy(), Y.numpy()
    n = len(X)
    evals, evecs = np.linalg.eigh(X.T @ X / n)
    X = X @ evecs @ np.diag(evals ** -0.5) @ evecs.T
    corr = Y.T @ X / n
    U, s, Vt = np.linalg.svd(corr, full_matrices=False)
    V = Vt.T
    m = len(s)
    rng = np.random.default_rng(settings.sl_seed + 1)
    if start == "aligned":
        Q, _ = np.linalg.qr(rng.standard_normal((m, m)))
        a0 = math.sqrt(settings.sl_u0)
        W1, W2 = a0 * Q @ V.T, a0 * U @ Q.T
        theory = np.array([stage_time(si, settings.sl_u0, settings.sl_lr) for si in s])
    else:
        W1 = settings.sl_random_scale * rng.standard_normal((m, X.shape[1]))
        W2 = settings.sl_random_scale * rng.standard_normal((Y.shape[1], m))
        theory = np.full(m, np.nan)
    y_energy = float(np.einsum("ij,ij->", Y, Y)) / n
    strengths, losses = [], []
    for t in range(steps + 1):
        W = W2 @ W1
        strengths.append(mode_strength(W, U, V))
        # ½ mean ‖y − Wx‖² = ½ (tr Σ_yy − 2 tr(W Σ_xy) + tr(W Wᵀ)) with Σ_xx = I
        losses.append(0.5 * (y_energy - 2 * np.sum(W * corr) + np.sum(W * W)))
        if t == steps:
            break
        residual = corr - W
        W1, W2 = W1 + settings.sl_lr * W2.T @ residual, W2 + settings.sl_lr * residual @ W1.T
    strengths_arr = np.array(strengths)
    half = np.full(m, np.nan)
    for i in range(m):
        reached = np.nonzero(strengths_arr[:, i] >= s[i] / 2)[0]
        if reached.size:
            half[i] = reached[0]
    return LinearStages(s, strengths_arr, np.array(losses), half, theory)
