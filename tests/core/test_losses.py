"""The stable softplus: values against a reference, no overflow, and its derivative σ(z)."""

from __future__ import annotations

import numpy as np
import pytest

import d2lopt
from d2lopt.losses import softplus


def test_values_match_logaddexp_on_every_backend(backend, rng):
    z = np.concatenate([rng.normal(0.0, 5.0, 200), [-700.0, -40.0, -1e-300, 0.0, 40.0, 800.0]])
    values = backend.to_numpy(softplus(backend.tensor(z)))
    assert backend.owns(softplus(backend.tensor(z)))
    np.testing.assert_allclose(values, np.logaddexp(0.0, z), rtol=1e-15, atol=0)


def test_no_overflow_and_no_underflow():
    assert float(softplus(1e4)) == 1e4             # log(1 + e^z) overflows e^z here
    assert float(softplus(-40.0)) == pytest.approx(np.exp(-40.0), rel=1e-15)
    assert float(softplus(0.0)) == np.log(2.0)
    assert softplus([1.0, -1.0]).shape == (2,)


def test_derivative_is_the_sigmoid_everywhere_including_zero(backend):
    z = np.array([-30.0, -2.0, -1e-12, 0.0, 1e-12, 0.5, 30.0])
    slopes = backend.to_numpy(d2lopt.derivatives.elementwise_grad(softplus)(backend.tensor(z)))
    np.testing.assert_allclose(slopes, 1 / (1 + np.exp(-z)), rtol=1e-14, atol=0)
    assert slopes[3] == 0.5
