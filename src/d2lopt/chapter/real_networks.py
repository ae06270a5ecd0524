r"""Section 13, the landscape of real networks: five experiments of the last decade.

This module holds land_b's three experiments (the other two are added under
their own comments in :class:`Settings`):

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
from dataclasses import dataclass

import numpy as np
import torch

from d2lopt.nets.curvature import (
    SharpnessTrace,
    full_batch_descent,
    rescale_layers,
    sharpness,
)
from d2lopt.nets.data import linear_teacher, load_digits_split
from d2lopt.nets.models import mlp
from d2lopt.nets.training import evaluate, train

__all__ = ["SETTINGS", "LinearStages", "Settings", "batch_size_sharpness", "deep_linear_stages",
           "edge_of_stability", "edge_summary", "eos_data", "mode_strength", "rescaled_sharpness",
           "stage_time"]


@dataclass(frozen=True)
class Settings:
    r"""The values section 13's page, gallery scripts, exercises and tests share.

    Try another value with ``dataclasses.replace(SETTINGS, eos_steps=500)``.

    Attributes
    ----------
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

    # 1. Filter-normalized surfaces (land_a)

    # 2. Edge of stability
    eos_train_size: int = 300
    eos_input_scale: float = 0.5
    eos_hidden: int = 32
    eos_lrs: tuple[float, ...] = (0.5, 0.7, 1.0)
    eos_steps: int = 1000
    eos_every: int = 20
    eos_seed: int = 0

    # 3. Mode connectivity (land_a)

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
    X, Y = eos_data(settings)
    traces = {}
    for lr in settings.eos_lrs if lrs is None else lrs:
        net = mlp((X.shape[1], settings.eos_hidden, Y.shape[1]), "tanh", "glorot",
                  seed=settings.eos_seed)
        traces[float(lr)] = full_batch_descent(net, X, Y, lr=lr, steps=settings.eos_steps,
                                               every=settings.eos_every, loss="squared")
    return traces


def edge_summary(trace: SharpnessTrace) -> dict[str, float]:
    r"""Key numbers of one run: how the sharpness sits against :math:`2/\eta`, how the loss moves.

    ``"start"``: the sharpness at step 0; ``"peak"``: its maximum; ``"late_ratio"``:
    the median sharpness over the second half of the run divided by :math:`2/\eta`;
    ``"increases"``: steps at which the loss went up; ``"first_loss"``, ``"half_loss"``,
    ``"last_loss"``: the loss at the start, half way and at the end.

    Examples
    --------
    >>> import numpy as np
    >>> trace = SharpnessTrace(0.5, np.array([3.0, 2.0, 2.5, 1.0]), np.array([0, 2, 3]),
    ...                        np.array([1.0, 4.0, 4.2]))
    >>> edge_summary(trace)["increases"], edge_summary(trace)["late_ratio"]
    (1, 1.025)
    """
    half = len(trace.losses) // 2
    late = trace.after(int(trace.sharpness_steps[-1]) // 2)
    return {"start": float(trace.sharpness[0]), "peak": float(trace.sharpness.max()),
            "late_ratio": float(np.median(late) / trace.threshold),
            "increases": int(np.sum(np.diff(trace.losses) > 0)),
            "first_loss": float(trace.losses[0]), "half_loss": float(trace.losses[half]),
            "last_loss": float(trace.losses[-1])}


# -- 4. Sharp and flat minima ------------------------------------------------------------------


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
    r"""For each α: ``(max |f_α(X) − f(X)|, sharpness of f_α)`` after :func:`rescale_layers`.

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
        scaled = rescale_layers(model, alpha)
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

    Inputs from :func:`~d2lopt.nets.data.linear_teacher` are whitened with their
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
