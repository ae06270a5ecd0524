"""First-order methods: gradient descent, momentum, Adam and perturbed gradient descent.

Each takes ``(f, x0, *, steps, ...)`` and returns a
:class:`~d2lopt.optim.Trajectory`. Derivatives come from the framework of
``x0``; the optimizer state is kept in NumPy float64.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from d2lopt._checks import check_integer
from d2lopt.optim.clipping import as_clip
from d2lopt.optim.trajectory import (
    Objective,
    Problem,
    Step,
    Trajectory,
    check_fraction,
    check_positive,
    check_steps,
    check_tol,
    run,
)

Array = Any
ClipArg = Callable[[Array], Array] | tuple[str, float] | None

__all__ = ["gradient_descent", "momentum", "adam", "perturbed_gradient_descent", "Rule", "RULES"]


def _clipper(problem: Problem, clip: ClipArg) -> Callable[[np.ndarray], np.ndarray]:
    """The gradient the update uses: ``clip`` applied in the caller's framework."""
    function = as_clip(clip)
    if function is None:
        return lambda g: g

    def clipped(g: np.ndarray) -> np.ndarray:
        out = problem.to_vector(function(problem.gradient_in_caller(g)))
        if out.shape != g.shape:
            raise ValueError(
                f"clip must return an array shaped like the gradient {problem.shape}; "
                f"got {out.size} numbers"
            )
        return out

    return clipped


# -- the update rules ----------------------------------------------------------
#
# Each method is a validation of its hyper-parameters and a stateful update
# ``step(t, x, g)``. The update is elementwise in ``x`` and ``g``, so it works
# as well on a stack of runs (the runs along the last axis) whose
# hyper-parameters are arrays with one entry per run: that is how
# :func:`d2lopt.optim.batched_runs` runs many of them in one loop.


@dataclass(frozen=True)
class Rule:
    """A first-order method as its hyper-parameters' validation and its update.

    Attributes
    ----------
    hyper : callable
        ``hyper(**keywords) -> dict``: the validated hyper-parameters (floats and
        bools), raising as the method does for a bad one.
    update : callable
        ``update(hyper) -> step``, a fresh state and ``step(t, x, g) -> x_next``;
        the values of ``hyper`` may be arrays broadcasting against ``x``.
    name : callable
        ``name(hyper) -> str``, the method's name for one run (e.g. ``"momentum"``).
    """

    hyper: Callable[..., dict[str, Any]]
    update: Callable[[dict[str, Any]], Step]
    name: Callable[[dict[str, Any]], str]


def _gradient_descent_hyper(*, lr: float) -> dict[str, Any]:
    return {"lr": check_positive("lr", lr)}


def _gradient_descent_update(h: dict[str, Any]) -> Step:
    lr = h["lr"]

    def step(t: int, x: np.ndarray, g: np.ndarray) -> np.ndarray:
        return x - lr * g

    return step


def _momentum_hyper(*, lr: float, beta: float = 0.9, dampening: float = 0.0,
                    nesterov: bool = False) -> dict[str, Any]:
    lr = check_positive("lr", lr)
    beta = check_fraction("beta", beta)
    dampening = check_fraction("dampening", dampening)
    if not isinstance(nesterov, (bool, np.bool_)):
        raise TypeError(f"nesterov must be True or False, got {nesterov!r}")
    if nesterov and (beta == 0 or dampening != 0):
        raise ValueError(
            "Nesterov momentum needs beta > 0 and dampening = 0 (as in torch.optim.SGD); "
            f"got beta={beta}, dampening={dampening}"
        )
    return {"lr": lr, "beta": beta, "dampening": dampening, "nesterov": bool(nesterov)}


def _momentum_update(h: dict[str, Any]) -> Step:
    lr, beta, dampening, nesterov = h["lr"], h["beta"], h["dampening"], h["nesterov"]
    state: dict[str, np.ndarray] = {}

    def step(t: int, x: np.ndarray, g: np.ndarray) -> np.ndarray:
        # torch.optim.SGD: no buffer when beta = 0, the buffer starts at the first gradient.
        buffer = g.copy() if t == 1 else beta * state["buffer"] + (1 - dampening) * g
        state["buffer"] = buffer
        direction = np.where(nesterov, g + beta * buffer, buffer)
        return x - lr * np.where(beta == 0, g, direction)

    return step


def _adam_hyper(*, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                eps: float = 1e-8) -> dict[str, Any]:
    lr = check_positive("lr", lr)
    if not (isinstance(betas, (tuple, list)) and len(betas) == 2):
        raise TypeError(f"betas must be a pair (beta1, beta2), got {betas!r}")
    return {"lr": lr, "beta1": check_fraction("betas[0]", betas[0]),
            "beta2": check_fraction("betas[1]", betas[1]), "eps": check_positive("eps", eps)}


def _adam_update(h: dict[str, Any]) -> Step:
    lr, beta1, beta2, eps = h["lr"], h["beta1"], h["beta2"], h["eps"]
    state: dict[str, np.ndarray] = {}

    def step(t: int, x: np.ndarray, g: np.ndarray) -> np.ndarray:
        m = state.get("m", np.zeros_like(x))
        v = state.get("v", np.zeros_like(x))
        state["m"] = m = m + (g - m) * (1 - beta1)  # torch: exp_avg.lerp_(grad, 1 - beta1)
        state["v"] = v = v * beta2 + (1 - beta2) * g * g
        step_size = lr / (1 - _power(beta1, t))
        denom = np.sqrt(v) / (1 - _power(beta2, t)) ** 0.5 + eps
        return x - step_size * (m / denom)

    return step


def _power(base: Any, t: int) -> Any:
    """``base ** t``, by Python's float power also for an array of bases (NumPy's can
    differ in the last bit, and a batch of runs should be the runs one by one)."""
    if isinstance(base, np.ndarray):
        return np.array([b**t for b in base.tolist()])
    return base**t


GRADIENT_DESCENT = Rule(_gradient_descent_hyper, _gradient_descent_update,
                        lambda h: "gradient descent")
MOMENTUM = Rule(_momentum_hyper, _momentum_update,
                lambda h: "Nesterov momentum" if h["nesterov"] else "momentum")
ADAM = Rule(_adam_hyper, _adam_update, lambda h: "Adam")


def _run_rule(rule: Rule, hyper: dict[str, Any], f: Objective, x0: Array, steps: int,
              clip: ClipArg, tol: float | None) -> Trajectory:
    problem = Problem(f, x0)
    clipped = _clipper(problem, clip)
    update = rule.update(hyper)

    def step(t: int, x: np.ndarray, g: np.ndarray) -> np.ndarray:
        return update(t, x, clipped(g))

    return run(problem, steps, step, rule.name(hyper), tol=tol)


def gradient_descent(f: Objective, x0: Array, *, steps: int, lr: float,
                     clip: ClipArg = None, tol: float | None = None) -> Trajectory:
    r"""Gradient descent :math:`x_t = x_{t-1} - \eta\, \operatorname{clip}(\nabla f(x_{t-1}))`.

    Parameters
    ----------
    f : callable
        Scalar function of one array of ``x0``'s framework.
    x0 : array_like
        Start point (NumPy array, Python number or list, ``torch.Tensor``, ``tf.Tensor``).
    steps : int
        Number of updates (the trajectory has ``steps + 1`` points).
    lr : float
        Learning rate :math:`\eta > 0`.
    clip : callable or tuple, optional
        Applied to each gradient before the update: a function ``g -> g`` such as
        ``functools.partial(clip_by_norm, max_norm=1.0)``, or ``("norm", c)`` /
        ``("value", c)``.
    tol : float, optional
        Stopping rule: end the run at the first point (the start included) where
        the gradient norm (before clipping) is at most ``tol``; the trajectory's
        ``stopped_at`` says at which step. Off by default: exactly ``steps`` steps.

    Returns
    -------
    Trajectory

    Raises
    ------
    Divergence
        If the iterate, the loss or the gradient stops being finite; it carries the
        run up to the last finite iterate (``.trajectory``).
    ValueError
        For invalid hyper-parameters or a start point with NaN.

    Examples
    --------
    >>> from d2lopt.landscapes import quadratic
    >>> run = gradient_descent(quadratic(4.0), [1.0, 1.0], steps=2, lr=0.1)
    >>> run.final.tolist()  # (1 - 0.1 λ)^2 per coordinate, λ = 1 and 4
    [0.81, 0.36]
    >>> gradient_descent(lambda x: x ** 2, 1.0, steps=10**9, lr=0.25, tol=1e-3).stopped_at
    11
    """
    steps = check_steps(steps)
    hyper = _gradient_descent_hyper(lr=lr)
    tol = check_tol(tol)
    return _run_rule(GRADIENT_DESCENT, hyper, f, x0, steps, clip, tol)


def momentum(f: Objective, x0: Array, *, steps: int, lr: float, beta: float = 0.9,
             dampening: float = 0.0, nesterov: bool = False,
             clip: ClipArg = None, tol: float | None = None) -> Trajectory:
    r"""Gradient descent with momentum, exactly as :class:`torch.optim.SGD` computes it.

    With :math:`g_t = \operatorname{clip}(\nabla f(x_{t-1}))`, the buffer is
    :math:`b_1 = g_1` and :math:`b_t = \beta b_{t-1} + (1 - \tau) g_t` (:math:`\tau`
    the dampening); the update is :math:`x_t = x_{t-1} - \eta b_t`, or
    :math:`x_t = x_{t-1} - \eta (g_t + \beta b_t)` with ``nesterov=True``. This is
    ``torch.optim.SGD(params, lr, momentum=beta, dampening=dampening,
    nesterov=nesterov)``; with ``beta=0`` it is plain gradient descent. Note the
    learning rate multiplies the whole buffer (the "heavy ball" convention of
    PyTorch, not the :math:`(1-\beta)`-averaged one).

    Parameters
    ----------
    f, x0, steps, lr, clip, tol
        As in :func:`gradient_descent`.
    beta : float
        Momentum :math:`0 \le \beta < 1`.
    dampening : float
        :math:`0 \le \tau < 1`; must be 0 with ``nesterov`` (as in PyTorch).
    nesterov : bool
        Use Nesterov's look-ahead form.

    Returns
    -------
    Trajectory

    Examples
    --------
    >>> run = momentum(lambda x: x ** 2, 1.0, steps=2, lr=0.1, beta=0.5)
    >>> run.points[:, 0].round(6).tolist()  # b1 = 2, b2 = 0.5·2 + 1.6 = 2.6
    [1.0, 0.8, 0.54]
    """
    steps = check_steps(steps)
    hyper = _momentum_hyper(lr=lr, beta=beta, dampening=dampening, nesterov=nesterov)
    tol = check_tol(tol)
    return _run_rule(MOMENTUM, hyper, f, x0, steps, clip, tol)


def adam(f: Objective, x0: Array, *, steps: int, lr: float = 1e-3,
         betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
         clip: ClipArg = None, tol: float | None = None) -> Trajectory:
    r"""Adam (Kingma & Ba, 2015), exactly as :class:`torch.optim.Adam` computes it.

    With :math:`g_t = \operatorname{clip}(\nabla f(x_{t-1}))`:

    .. math::
        m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t, \quad
        v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2, \\
        x_t = x_{t-1} - \frac{\eta}{1-\beta_1^t}\,
              \frac{m_t}{\sqrt{v_t}/\sqrt{1-\beta_2^t} + \epsilon},

    :math:`m_0 = v_0 = 0`: bias-corrected moments, with :math:`\epsilon` added to
    :math:`\sqrt{\hat v_t}` (not inside the square root), as in
    ``torch.optim.Adam(params, lr, betas, eps)``.

    Parameters
    ----------
    f, x0, steps, clip, tol
        As in :func:`gradient_descent`.
    lr : float
        Learning rate :math:`\eta > 0`.
    betas : (float, float)
        Decay rates :math:`0 \le \beta_1, \beta_2 < 1` of the two moment estimates.
    eps : float
        :math:`\epsilon > 0`.

    Returns
    -------
    Trajectory

    Examples
    --------
    >>> run = adam(lambda x: (x ** 2).sum(), [1.0, -2.0], steps=1, lr=0.1)
    >>> run.final.round(6).tolist()  # the first step moves every coordinate by ≈ lr
    [0.9, -1.9]
    """
    steps = check_steps(steps)
    hyper = _adam_hyper(lr=lr, betas=betas, eps=eps)
    tol = check_tol(tol)
    return _run_rule(ADAM, hyper, f, x0, steps, clip, tol)


def perturbed_gradient_descent(f: Objective, x0: Array, *, steps: int, lr: float,
                               radius: float = 0.1, threshold: float = 1e-3,
                               interval: int = 10, seed: int | None = 0,
                               clip: ClipArg = None) -> Trajectory:
    r"""Gradient descent that adds noise near critical points (Jin et al., 2017).

    At step :math:`t`, if :math:`\|\nabla f(x_{t-1})\| \le` ``threshold`` and at
    least ``interval`` steps have passed since the last perturbation (or none has
    happened yet), the step is :math:`x_t = x_{t-1} + \xi` with :math:`\xi` drawn
    uniformly from the ball of radius ``radius``, instead of a gradient step
    (which would be shorter than ``lr * threshold`` there). Otherwise it is a
    gradient step. The steps that were perturbations are listed in
    :attr:`Trajectory.perturbations`. Noise lets the iterate leave a strict saddle
    even when it starts exactly on the saddle's stable manifold. The rule cannot
    tell a saddle from a minimum: near a minimum it keeps perturbing every
    ``interval`` steps and gradient descent pulls the iterate back (Jin et al.
    stop the run there instead; this function always takes ``steps`` steps, and
    has no ``tol``: a small gradient is where it perturbs, not where it stops).

    Parameters
    ----------
    f, x0, steps, lr, clip
        As in :func:`gradient_descent`.
    radius : float
        Radius of the ball the perturbation is drawn from (> 0).
    threshold : float
        Gradient norm at or below which a perturbation is considered (> 0).
    interval : int
        Minimum number of steps between two perturbations (≥ 1).
    seed : int or None
        Seed of the :class:`numpy.random.Generator` drawing the noise.

    Returns
    -------
    Trajectory
        With ``perturbations`` set.

    Examples
    --------
    >>> from d2lopt.landscapes import double_well
    >>> run = perturbed_gradient_descent(double_well, [0.0, 1.0], steps=200, lr=0.1)
    >>> run.points[0].tolist(), round(float(abs(run.final[0])), 1)  # from x = 0 to a minimum
    ([0.0, 1.0], 1.0)
    """
    steps = check_steps(steps)
    lr = check_positive("lr", lr)
    radius = check_positive("radius", radius)
    threshold = check_positive("threshold", threshold)
    interval = check_integer(interval, "interval", minimum=1)
    problem = Problem(f, x0)
    clipped = _clipper(problem, clip)
    rng = np.random.default_rng(seed)
    perturbed: list[int] = []

    def uniform_ball() -> np.ndarray:
        direction = rng.standard_normal(problem.dim)
        direction /= np.linalg.norm(direction)
        return radius * rng.uniform() ** (1.0 / problem.dim) * direction

    def step(t: int, x: np.ndarray, g: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore"):  # an overflowing norm is just not small
            small = np.linalg.norm(g) <= threshold
        if small and (not perturbed or t - perturbed[-1] >= interval):
            perturbed.append(t)
            return x + uniform_ball()
        return x - lr * clipped(g)

    return run(problem, steps, step, "perturbed gradient descent", perturbed)


#: The methods :func:`d2lopt.optim.batched_runs` can run side by side, with their rules.
RULES: dict[Callable[..., Trajectory], Rule] = {
    gradient_descent: GRADIENT_DESCENT, momentum: MOMENTUM, adam: ADAM,
}
