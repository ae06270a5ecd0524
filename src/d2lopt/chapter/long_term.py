r"""Repeated multiplication by one matrix, and the gradients of a tanh recurrent net.

A deep linear chain computes :math:`h_t = W h_{t-1}`, so :math:`h_t = W^t h_0`.
If :math:`W = V\,\mathrm{diag}(\lambda)\,V^{-1}` then
:math:`W^t = V\,\mathrm{diag}(\lambda^t)\,V^{-1}`, and the size of :math:`W^t x`
is eventually ruled by the spectral radius :math:`\rho(W) = \max_i |\lambda_i|`
(:func:`power_norms`). A tanh recurrent net
:math:`h_t = \tanh(W h_{t-1} + U x_t)` back-propagates through the Jacobians
:math:`\partial h_t/\partial h_{t-1} = \mathrm{diag}(1 - h_t^2)\,W`
(:func:`rnn_jacobians`); :func:`rnn_final_state` is the same map written with
backend operations, so that ``d2lopt.grad`` can differentiate it on any framework.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from d2lopt.backends import backend_for

__all__ = [
    "Settings", "SETTINGS", "spectral_radius", "matrix_power", "power_norms",
    "symmetric_with_radius",
    "random_recurrent_weights", "rnn_states", "rnn_final_state", "rnn_jacobians",
    "rnn_jacobian_norms", "rnn_gradient_experiment",
]


@dataclass(frozen=True)
class Settings:
    r"""The values section 9's page, gallery scripts and tests share.

    Try another value with ``dataclasses.replace(SETTINGS, steps=100)``.

    Attributes
    ----------
    n : int
        Size of the random symmetric matrices (rows = columns).
    radii : tuple of float
        Their spectral radii.
    seed : int
        Seed of every random matrix, input and initial state.
    steps : int
        Largest power :math:`t` of :math:`W^t x`; the rates are fitted over
        :math:`t \ge` ``steps // 2``.
    non_normal : tuple of tuple of float
        The non-normal :math:`2 \times 2` matrix, row by row.
    non_normal_start : tuple of float
        The vector :math:`x` multiplied by its powers.
    check_powers : tuple of int
        Powers (besides ``steps``) at which the eigendecomposition is checked
        against repeated multiplication.
    rnn_n : int
        Units of the tanh recurrent network.
    horizon : int
        Largest horizon :math:`T` (time steps) of its gradients.
    rnn_fit_from : int
        First horizon :math:`T` of the fit of the gradient's rate.
    scales : tuple of float
        Scales of its recurrent weights (about their spectral radius).
    input_scale : float
        Standard deviation of its inputs.
    check_scale : float
        Weight scale of the small network whose Jacobian is checked by autodiff.
    check_n : int
        Its units.
    check_horizon : int
        Its horizon (time steps).
    exercise_gelfand_powers : tuple of int
        Exercises: powers :math:`t` at which :math:`\|W^t\|_2^{1/t}` of the non-normal
        matrix is compared with :math:`\rho(W)`.
    exercise_gelfand_horizon : int
        Exercises: largest power scanned for the root to stay close to :math:`\rho(W)`.
    exercise_gelfand_tolerance : float
        Exercises: relative distance to :math:`\rho(W)` that counts as close.
    exercise_scale : float
        Exercises: weight scale (one of ``scales``) of the stronger-inputs experiment.
    exercise_input_factor : float
        Exercises: factor by which its inputs are made stronger.
    exercise_radius : float
        Exercises: spectral radius (below 1) of the random recurrent matrices of the
        folk claim.
    exercise_seeds : int
        Exercises: number of those matrices (seeds ``seed``, ``seed + 1``, ...).

    """

    n: int = 20
    radii: tuple[float, ...] = (0.9, 1.0, 1.1)
    seed: int = 0
    steps: int = 60
    non_normal: tuple[tuple[float, float], tuple[float, float]] = ((0.9, 2.0), (0.0, 0.8))
    non_normal_start: tuple[float, float] = (0.0, 1.0)
    check_powers: tuple[int, ...] = (1, 10)
    rnn_n: int = 64
    horizon: int = 80
    rnn_fit_from: int = 20
    scales: tuple[float, ...] = (0.5, 1.0, 1.5, 3.0)
    input_scale: float = 0.1
    check_scale: float = 1.5
    check_n: int = 16
    check_horizon: int = 10
    # Exercises
    exercise_gelfand_powers: tuple[int, ...] = (10, 100, 1000)
    exercise_gelfand_horizon: int = 2000
    exercise_gelfand_tolerance: float = 0.01
    exercise_scale: float = 1.5
    exercise_input_factor: float = 10.0
    exercise_radius: float = 0.9
    exercise_seeds: int = 5


#: The settings of section 9.
SETTINGS = Settings()


def _square(W: Any, name: str = "W") -> np.ndarray:
    W = np.asarray(W, dtype=float)
    if W.ndim != 2 or W.shape[0] != W.shape[1]:
        raise ValueError(f"{name} must be a square matrix; got shape {W.shape}")
    return W


def spectral_radius(W: Any) -> float:
    r"""The largest modulus of an eigenvalue, :math:`\rho(W) = \max_i |\lambda_i|`.

    Examples
    --------
    >>> round(spectral_radius([[0.0, 2.0], [-2.0, 0.0]]), 12)
    2.0
    """
    return float(np.max(np.abs(np.linalg.eigvals(_square(W)))))


def _eig(W: np.ndarray, max_condition: float) -> tuple[np.ndarray, np.ndarray]:
    eigenvalues, V = np.linalg.eig(W)
    condition = np.linalg.cond(V)
    if not np.isfinite(condition) or condition > max_condition:
        raise ValueError(
            f"W is (numerically) not diagonalizable: its eigenvector matrix has condition "
            f"number {condition:.3g} > {max_condition:.3g}; use numpy.linalg.matrix_power "
            "for defective matrices"
        )
    return eigenvalues, V


def matrix_power(W: Any, t: int, *, max_condition: float = 1e10) -> np.ndarray:
    r""":math:`W^t = V\,\mathrm{diag}(\lambda^t)\,V^{-1}` from the eigendecomposition of :math:`W`.

    Parameters
    ----------
    W : array_like, shape (n, n)
        A real diagonalizable matrix.
    t : int
        A non-negative power.
    max_condition : float
        Largest condition number of :math:`V` accepted before the matrix is
        treated as defective (then the decomposition does not exist or is useless).

    Examples
    --------
    >>> np.round(matrix_power([[2.0, 1.0], [0.0, 3.0]], 3), 10)
    array([[ 8., 19.],
           [ 0., 27.]])
    """
    W = _square(W)
    if int(t) != t or t < 0:
        raise ValueError(f"t must be a non-negative integer, got {t!r}")
    eigenvalues, V = _eig(W, max_condition)
    power = (V * eigenvalues ** int(t)) @ np.linalg.inv(V)
    return np.real_if_close(power, tol=1e6).real


def power_norms(W: Any, x: Any, steps: int, *, max_condition: float = 1e10) -> np.ndarray:
    r""":math:`\|W^t x\|` for :math:`t = 0, 1, \dots, \text{steps}`, through the eigendecomposition.

    With :math:`c = V^{-1}x`, :math:`W^t x = V(\lambda^t \odot c)`: each
    eigen-component is scaled by :math:`\lambda_i^t`.

    Examples
    --------
    >>> power_norms([[0.5, 0.0], [0.0, 0.25]], [1.0, 0.0], 3).tolist()
    [1.0, 0.5, 0.25, 0.125]
    """
    W = _square(W)
    x = np.asarray(x, dtype=float)
    if x.shape != (W.shape[0],):
        raise ValueError(f"x must have shape ({W.shape[0]},); got {x.shape}")
    if int(steps) != steps or steps < 0:
        raise ValueError(f"steps must be a non-negative integer, got {steps!r}")
    eigenvalues, V = _eig(W, max_condition)
    c = np.linalg.solve(V, x.astype(complex))
    powers = eigenvalues[None, :] ** np.arange(int(steps) + 1)[:, None]
    states = (powers * c[None, :]) @ V.T
    return np.linalg.norm(states.real, axis=1)


def symmetric_with_radius(n: int, radius: float, seed: int = 0) -> np.ndarray:
    r"""A random symmetric :math:`n \times n` matrix whose spectral radius is exactly ``radius``.

    :math:`W = Q\,\mathrm{diag}(\lambda)\,Q^\top` with :math:`Q` a random
    orthogonal matrix and eigenvalues spread uniformly over
    :math:`[-\text{radius}, \text{radius}]`, endpoints included. Symmetric
    matrices are normal: :math:`\|W^t\| = \rho(W)^t` exactly.

    Examples
    --------
    >>> round(spectral_radius(symmetric_with_radius(5, 0.9)), 12)
    0.9
    """
    if n < 2:
        raise ValueError(f"n must be at least 2, got {n}")
    if not radius > 0:
        raise ValueError(f"radius must be positive, got {radius}")
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    eigenvalues = np.linspace(-radius, radius, n)
    return (Q * eigenvalues) @ Q.T


def random_recurrent_weights(n: int, scale: float, seed: int = 0) -> np.ndarray:
    r"""Gaussian weights with entries :math:`\mathcal N(0, \text{scale}^2/n)`.

    By the circular law their eigenvalues fill the disc of radius ``scale``
    (so :math:`\rho(W) \approx \text{scale}` for large :math:`n`), while the
    largest singular value is close to :math:`2\,\text{scale}`.

    Examples
    --------
    >>> random_recurrent_weights(3, 1.0).shape
    (3, 3)
    """
    if n < 1:
        raise ValueError(f"n must be positive, got {n}")
    rng = np.random.default_rng(seed)
    return scale * rng.standard_normal((n, n)) / np.sqrt(n)


def _check_rnn(W: Any, U: Any, inputs: Any, h0: Any) -> tuple[np.ndarray, ...]:
    W = _square(W)
    U = np.asarray(U, dtype=float)
    inputs = np.asarray(inputs, dtype=float)
    h0 = np.asarray(h0, dtype=float)
    n = W.shape[0]
    if U.ndim != 2 or U.shape[0] != n:
        raise ValueError(f"U must have shape ({n}, m); got {U.shape}")
    if inputs.ndim != 2 or inputs.shape[1] != U.shape[1]:
        raise ValueError(f"inputs must have shape (T, {U.shape[1]}); got {inputs.shape}")
    if h0.shape != (n,):
        raise ValueError(f"h0 must have shape ({n},); got {h0.shape}")
    return W, U, inputs, h0


def rnn_states(W: Any, U: Any, inputs: Any, h0: Any) -> np.ndarray:
    r"""The states :math:`h_0, h_1, \dots, h_T` of :math:`h_t = \tanh(W h_{t-1} + U x_t)`.

    Parameters
    ----------
    W : array_like, shape (n, n)
        Recurrent weights.
    U : array_like, shape (n, m)
        Input weights.
    inputs : array_like, shape (T, m)
        The inputs :math:`x_1, \dots, x_T`.
    h0 : array_like, shape (n,)
        The initial state.

    Returns
    -------
    numpy.ndarray, shape (T + 1, n)

    Examples
    --------
    >>> rnn_states(np.eye(2), np.eye(2), np.zeros((3, 2)), np.zeros(2)).shape
    (4, 2)
    """
    W, U, inputs, h0 = _check_rnn(W, U, inputs, h0)
    states = [h0]
    for x in inputs:
        states.append(np.tanh(W @ states[-1] + U @ x))
    return np.stack(states)


def rnn_final_state(h0: Any, W: Any, U: Any, inputs: Any) -> Any:
    r""":math:`h_T` as a function of :math:`h_0`, in the framework of ``h0`` (differentiable).

    Written with the backend's elementwise operations, so ``d2lopt.grad`` of
    any scalar function of the result works on NumPy, PyTorch and TensorFlow.

    Examples
    --------
    >>> import d2lopt
    >>> W = np.array([[0.5, 0.0], [0.0, 0.5]])
    >>> row = d2lopt.grad(lambda h: rnn_final_state(h, W, np.eye(2), np.zeros((1, 2)))[0])
    >>> row(np.zeros(2)).tolist()   # first row of diag(1 - h_1^2) W at h = 0
    [0.5, 0.0]
    """
    ops = backend_for(h0)
    Wn, Un, xs, _ = _check_rnn(W, U, inputs, np.zeros(np.shape(W)[0]))
    W_ = ops.tensor(Wn)
    drives = [ops.tensor(Un @ x) for x in xs]
    h = h0
    for drive in drives:
        h = ops.tanh(ops.sum(W_ * h[None, :], axis=1) + drive)
    return h


def rnn_jacobians(W: Any, U: Any, inputs: Any, h0: Any) -> np.ndarray:
    r""":math:`\partial h_T / \partial h_0` for :math:`T = 1, \dots, \text{len(inputs)}`.

    The chain rule gives the product of one-step Jacobians

    .. math::
        \frac{\partial h_T}{\partial h_0}
        = \prod_{t=T}^{1} \mathrm{diag}\bigl(1 - h_t^2\bigr)\, W .

    Returns
    -------
    numpy.ndarray, shape (T, n, n)
        Entry ``T - 1`` is :math:`\partial h_T/\partial h_0`.

    Examples
    --------
    >>> J = rnn_jacobians(0.5 * np.eye(2), np.eye(2), np.zeros((2, 2)), np.zeros(2))
    >>> J[-1].tolist()
    [[0.25, 0.0], [0.0, 0.25]]
    """
    W, U, inputs, h0 = _check_rnn(W, U, inputs, h0)
    states = rnn_states(W, U, inputs, h0)
    product = np.eye(W.shape[0])
    jacobians = []
    for h in states[1:]:
        product = ((1.0 - h**2)[:, None] * W) @ product
        jacobians.append(product)
    return np.stack(jacobians)


def rnn_jacobian_norms(W: Any, U: Any, inputs: Any, h0: Any) -> np.ndarray:
    r"""Spectral norms :math:`\|\partial h_T/\partial h_0\|_2` for every horizon :math:`T`.

    Examples
    --------
    >>> rnn_jacobian_norms(0.5 * np.eye(2), np.eye(2), np.zeros((3, 2)), np.zeros(2)).tolist()
    [0.5, 0.25, 0.125]
    """
    return np.linalg.norm(rnn_jacobians(W, U, inputs, h0), ord=2, axis=(1, 2))


def rnn_gradient_experiment(scale: float, *, n: int = SETTINGS.rnn_n,
                            horizon: int = SETTINGS.horizon,
                            input_scale: float = SETTINGS.input_scale, seed: int = SETTINGS.seed
                            ) -> tuple[np.ndarray, ...]:
    r"""A random tanh recurrent net and its gradient norms :math:`\|\partial h_T/\partial h_0\|_2`.

    The weights are :func:`random_recurrent_weights` ``(n, scale, seed)`` (so
    :math:`\rho(W) \approx` ``scale``), the input weights are Gaussian with
    variance :math:`1/n`, the inputs :math:`x_t` are Gaussian with standard
    deviation ``input_scale``, and :math:`h_0` is Gaussian with standard
    deviation 0.1 (all drawn from ``seed + 1``). The defaults are those of
    :data:`SETTINGS`.

    Returns
    -------
    W, U, inputs, h0, norms
        The net and :func:`rnn_jacobian_norms` for :math:`T = 1, \dots,` ``horizon``.

    Examples
    --------
    >>> *_, norms = rnn_gradient_experiment(0.5, n=8, horizon=5)
    >>> norms.shape
    (5,)
    """
    if int(horizon) != horizon or horizon < 1:
        raise ValueError(f"horizon must be a positive integer, got {horizon!r}")
    W = random_recurrent_weights(n, scale, seed)
    rng = np.random.default_rng(seed + 1)
    U = rng.standard_normal((n, n)) / np.sqrt(n)
    inputs = input_scale * rng.standard_normal((int(horizon), n))
    h0 = 0.1 * rng.standard_normal(n)
    return W, U, inputs, h0, rnn_jacobian_norms(W, U, inputs, h0)
