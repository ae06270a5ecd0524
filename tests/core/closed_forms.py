"""Hand-derived values, gradients and Hessians of the landscapes of sections 5, 8 and 11.

``SECTION_CLOSED_FORMS[name](p)`` returns ``(value, gradient, Hessian)`` at a point
``p`` in the format of ``test_derivatives.CLOSED_FORMS``, which includes them; the
``*_value`` functions broadcast over grids for ``test_landscapes``. Nothing here
calls d2lopt: the data and constants are written out again from the definitions.
"""

from __future__ import annotations

import numpy as np

#: tanh_unit: 21 inputs x_i on [-2, 2], targets y_i = a* tanh(b* x_i) with (a*, b*) = (1, 1.5).
TANH_X = np.linspace(-2.0, 2.0, 21)
TANH_Y = 1.0 * np.tanh(1.5 * TANH_X)
#: mountain: h e^{-x²/2wx² - y²/2wy²} - d e^{-((x - xb)² + y²)/2s²} + c σ(x).
MOUNTAIN = {"h": 1.5, "wx": 0.6, "wy": 1.5, "d": 2.0, "xb": 2.2, "s": 0.7, "c": 1.0}
#: recurrent_cliff: (h_T - y)², h_t = tanh(w h_{t-1} + b).
CLIFF = {"T": 50, "h0": 0.5, "y": 0.7}


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def tanh_unit_value(a, b):
    a, b = np.asarray(a)[..., None], np.asarray(b)[..., None]
    return np.mean((a * np.tanh(b * TANH_X) - TANH_Y) ** 2, axis=-1)


def _tanh_unit(p):
    # r_i = a t_i - y_i with t_i = tanh(b x_i), s_i = 1 - t_i²; ∂t_i/∂b = x_i s_i,
    # ∂s_i/∂b = -2 x_i t_i s_i.
    a, b = p
    t = np.tanh(b * TANH_X)
    s = 1 - t**2
    r = a * t - TANH_Y
    grad = [np.mean(2 * r * t), np.mean(2 * r * a * TANH_X * s)]
    ab = np.mean(2 * TANH_X * s * (a * t + r))
    bb = np.mean(2 * (a * TANH_X * s) ** 2 - 4 * r * a * TANH_X**2 * t * s)
    return tanh_unit_value(a, b), grad, [[np.mean(2 * t**2), ab], [ab, bb]]


def _mountain_terms(x, y):
    m = MOUNTAIN
    peak = m["h"] * np.exp(-(x**2) / (2 * m["wx"] ** 2) - y**2 / (2 * m["wy"] ** 2))
    basin = m["d"] * np.exp(-((x - m["xb"]) ** 2 + y**2) / (2 * m["s"] ** 2))
    return peak, basin


def mountain_value(x, y):
    peak, basin = _mountain_terms(x, y)
    return peak - basin + MOUNTAIN["c"] * _sigmoid(x)


def _mountain(p):
    # Each Gaussian e^{-q} has ∂ = -∂q e^{-q} and ∂² = (∂q ∂q - ∂²q) e^{-q};
    # σ' = σ(1 - σ), σ'' = σ(1 - σ)(1 - 2σ).
    x, y = p
    m = MOUNTAIN
    peak, basin = _mountain_terms(x, y)
    ax, ay, u, s2 = m["wx"] ** 2, m["wy"] ** 2, x - m["xb"], m["s"] ** 2
    sig = _sigmoid(x)
    d1, d2 = sig * (1 - sig), sig * (1 - sig) * (1 - 2 * sig)
    grad = [-x / ax * peak + u / s2 * basin + m["c"] * d1, -y / ay * peak + y / s2 * basin]
    xx = (x**2 / ax**2 - 1 / ax) * peak - (u**2 / s2**2 - 1 / s2) * basin + m["c"] * d2
    xy = x * y / (ax * ay) * peak - u * y / s2**2 * basin
    yy = (y**2 / ay**2 - 1 / ay) * peak - (y**2 / s2**2 - 1 / s2) * basin
    return mountain_value(x, y), grad, [[xx, xy], [xy, yy]]


def recurrent_state(w, b):
    """h_T and its first and second derivatives in (w, b), by forward recursion.

    With z_t = w h_{t-1} + b and s_t = 1 - h_t²: ∂h_t = s_t ∂z_t and
    ∂²h_t = s_t ∂²z_t - 2 h_t s_t ∂z_t ∂z_tᵀ, where ∂z_t/∂w = h_{t-1} + w ∂h_{t-1}/∂w,
    ∂z_t/∂b = 1 + w ∂h_{t-1}/∂b, ∂²z_t/∂w² = 2 ∂h_{t-1}/∂w + w ∂²h_{t-1}/∂w²,
    ∂²z_t/∂w∂b = ∂h_{t-1}/∂b + w ∂²h_{t-1}/∂w∂b and ∂²z_t/∂b² = w ∂²h_{t-1}/∂b².
    """
    h = np.full(np.shape(w), CLIFF["h0"])
    p = q = pww = pwb = pbb = np.zeros(np.shape(w))
    for _ in range(CLIFF["T"]):
        zw, zb = h + w * p, 1 + w * q
        zww, zwb, zbb = 2 * p + w * pww, q + w * pwb, w * pbb
        h = np.tanh(w * h + b)
        s = 1 - h**2
        p, q = s * zw, s * zb
        pww, pwb, pbb = (s * zww - 2 * h * s * zw**2, s * zwb - 2 * h * s * zw * zb,
                         s * zbb - 2 * h * s * zb**2)
    return h, np.array([p, q]), np.array([[pww, pwb], [pwb, pbb]])


def recurrent_cliff_value(w, b):
    return (recurrent_state(w, b)[0] - CLIFF["y"]) ** 2


def _recurrent_cliff(p):
    h, dh, d2h = recurrent_state(*p)
    r = h - CLIFF["y"]
    return r**2, 2 * r * dh, 2 * np.outer(dh, dh) + 2 * r * d2h


SECTION_CLOSED_FORMS = {
    "tanh_unit": _tanh_unit,
    "recurrent_cliff": _recurrent_cliff,
    "mountain": _mountain,
}
