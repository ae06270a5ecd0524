r"""Section 13, the landscape of real networks: experiments measured on small nets on digits.

* :func:`filter_normalized_surfaces`: a deep plain ReLU MLP and the same net with
  skip connections, trained on digits, and the loss on 1-D and 2-D slices
  through the trained parameters along filter-normalized random directions
  (:mod:`d2lopt.nets.directions`, :cite:t:`li2018visualizing`);
  :func:`scale_invariance`: the slice of one net and of a rescaled copy computing
  the same function, along an unnormalized and a filter-normalized direction.
* :func:`barrier_versus_width`: pairs of one-hidden-layer MLPs trained from
  different seeds, the loss barrier on the straight line between them before and
  after weight matching (:mod:`d2lopt.nets.alignment`), as a function of width.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["Settings", "SETTINGS", "SurfaceResult", "ScaleInvariance", "BarrierResult",
           "filter_normalized_surfaces", "scale_invariance", "surface_data", "valley_width",
           "barrier_versus_width"]


@dataclass(frozen=True)
class Settings:
    r"""The values section 13's page, gallery scripts and tests share.

    Try another value with ``dataclasses.replace(SETTINGS, surface_blocks=4)``.

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
    rescale_layer: int = 1
    rescale_factor: float = 4.0
    # 3. Mode connectivity
    barrier_widths: tuple[int, ...] = (8, 16, 32, 64, 128, 256)
    barrier_pairs: int = 2
    barrier_epochs: int = 10
    barrier_batch_size: int = 64
    barrier_lr: float = 0.05
    barrier_momentum: float = 0.9
    barrier_points: int = 11


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
    widths : tuple of float
        :func:`valley_width` of the two 1-D slices.
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
    widths: tuple[float, float]
    model: Any = field(repr=False)


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


def filter_normalized_surfaces(settings: Settings = SETTINGS) -> dict[str, SurfaceResult]:
    """Train the plain and the residual net and slice their loss along filter-normalized directions.

    Both nets start from the same weights and are trained the same way; the two
    directions are drawn with the same seed for both.

    Returns
    -------
    dict
        ``"plain"`` and ``"residual"`` to :class:`SurfaceResult`.
    """
    import torch

    from d2lopt.nets.directions import filter_normalized_direction, loss_slice, loss_surface

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
        widths = tuple(valley_width(ts, s, settings.width_rise) for s in slices)
        out[name] = SurfaceResult(float(h.train_nll[-1]), float(h.train_error[-1]),
                                  float(h.val_error[-1]), ts, slices, grid, surface, widths,
                                  net)
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
    import torch

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
