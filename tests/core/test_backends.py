"""The backend registry, the per-framework namespaces, error messages and import isolation."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import math
import os
import pathlib
import re
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import d2lopt
from d2lopt import backends
from d2lopt.backends import (
    SUPPORTED,
    Backend,
    as_array,
    backend_for,
    default_backend_name,
    get_backend,
    install_hint,
    installed,
)
from d2lopt.backends.base import ELEMENTWISE

OPTIONAL = tuple(name for name in SUPPORTED if name != "numpy")
#: The framework modules whose import the isolation tests watch.
HEAVY = set(OPTIONAL)  # the frameworks' top-level modules have the backends' names


def is_float64(x) -> bool:
    return "float64" in str(x.dtype)


# -- the registry -----------------------------------------------------------------------
def test_supported_backends():
    assert SUPPORTED == ("numpy", "torch", "tensorflow", "jax")
    assert d2lopt.SUPPORTED is SUPPORTED
    assert installed()[0] == "numpy"
    assert installed() == tuple(n for n in SUPPORTED if importlib.util.find_spec(n) is not None)


@pytest.mark.parametrize(("name", "hint"), [("torch", 'pip install ".[torch]"'),
                                            ("tf", 'pip install ".[tensorflow]"'),
                                            ("jax", 'pip install ".[jax]"')])
def test_install_hint_names_the_extra(name, hint):
    assert install_hint(name) == hint


@pytest.mark.parametrize(("alias", "name"), [("numpy", "numpy"), ("np", "numpy"),
                                             ("NumPy", "numpy"), ("torch", "torch"),
                                             ("pytorch", "torch"), ("tensorflow", "tensorflow"),
                                             ("TF", "tensorflow"), ("jax", "jax"),
                                             ("JAX", "jax")])
def test_get_backend_accepts_names_and_aliases(alias, name):
    if importlib.util.find_spec(name) is None:
        pytest.skip(f"{name} is not installed")
    backend = get_backend(alias)
    assert isinstance(backend, Backend)
    assert backend.name == name
    assert backend is get_backend(name)
    assert repr(backend) == f"<d2lopt backend {name!r}>"


def test_unknown_backend_name_lists_the_supported_ones():
    for call in (lambda: get_backend("mxnet"), lambda: d2lopt.use("mxnet")):
        with pytest.raises(ValueError, match="mxnet") as info:
            call()
        for name in SUPPORTED:
            assert name in str(info.value)


def test_backend_name_must_be_a_string():
    with pytest.raises(TypeError, match="must be a string"):
        get_backend(3)


def test_backend_for_recognises_each_framework(backend):
    x = backend.tensor([1.0, 2.0])
    assert backend.owns(x)
    assert backend_for(x) is backend
    assert d2lopt.backend_for is backend_for


@pytest.mark.parametrize("x", [1.0, 3, [1.0, 2.0], (1, 2), np.float64(2.0), np.zeros((2, 3))])
def test_python_numbers_lists_and_numpy_arrays_are_numpy(x):
    assert backend_for(x).name == "numpy"


class Thing:
    """An object no framework owns."""


@pytest.mark.parametrize("x", ["a string", {1.0, 2.0}, Thing(), None, {"x": 1.0}, True],
                         ids=["str", "set", "custom", "None", "dict", "bool"])
def test_unknown_array_type_names_the_supported_frameworks(x):
    with pytest.raises(TypeError, match=re.escape(type(x).__qualname__)) as info:
        backend_for(x)
    for name in SUPPORTED:
        assert name in str(info.value)
    with pytest.raises(TypeError, match="Supported backends"):
        d2lopt.grad(d2lopt.landscapes.risk)(x)


@pytest.mark.parametrize("framework", OPTIONAL)
def test_missing_framework_says_what_to_install(monkeypatch, framework):
    """Simulate an absent framework, even where it is installed: None in sys.modules blocks it."""
    monkeypatch.setitem(sys.modules, framework, None)
    monkeypatch.delitem(backends._loaded, framework, raising=False)
    hint = f'pip install ".[{framework}]"'
    with pytest.raises(ImportError, match=re.escape(hint)):
        get_backend(framework)
    with pytest.raises(ImportError, match=re.escape(hint)):
        d2lopt.use(framework)
    # Arrays of the frameworks that are there still work, and unknown objects stay TypeErrors.
    assert backend_for(np.ones(2)).name == "numpy"
    with pytest.raises(TypeError, match="Supported backends"):
        backend_for("a string")


# -- the adapters -----------------------------------------------------------------------
def test_tensor_is_float64_unless_told_otherwise(backend, framework_dtype):
    for data in ([1, 2], [[1.5, 2.0]], 3, np.arange(4), (0.5,)):
        x = backend.tensor(data)
        assert backend.owns(x) and is_float64(x)
        np.testing.assert_array_equal(backend.to_numpy(x), np.asarray(data, dtype=float))
    x32 = backend.tensor([1, 2], dtype=framework_dtype("float32"))
    assert "float32" in str(x32.dtype)
    assert is_float64(backend.tensor(x32))  # re-tensoring a framework array casts it


def test_to_numpy_copies_into_a_float_ndarray(backend):
    x = backend.tensor([[1.0, 2.0], [3.0, 4.0]])
    a = backend.to_numpy(x)
    assert type(a) is np.ndarray and a.dtype == np.float64
    a[0, 0] = 100.0
    assert backend.to_numpy(x)[0, 0] == 1.0
    assert backend.shape(x) == (2, 2)


def test_as_float_casts_integers_only(backend, framework_dtype):
    ints = backend.tensor([1, 2], dtype=framework_dtype("int64"))
    assert is_float64(backend.as_float(ints))
    x32 = backend.tensor([1, 2], dtype=framework_dtype("float32"))
    assert "float32" in str(backend.as_float(x32).dtype)


@pytest.mark.parametrize(
    ("op", "reference"),
    [("cos", np.cos), ("sin", np.sin), ("exp", np.exp), ("log", np.log), ("tanh", np.tanh),
     ("sqrt", np.sqrt), ("abs", np.abs), ("log1p", np.log1p),
     ("sigmoid", lambda a: 1 / (1 + np.exp(-a)))],
)
def test_elementwise_ops_match_numpy(backend, op, reference):
    a = np.array([[0.25, 1.5, 3.0], [0.5, 2.0, 7.0]])
    if op == "abs":
        a = a - 2.0
    result = getattr(backend, op)(backend.tensor(a))
    assert backend.owns(result)
    np.testing.assert_allclose(backend.to_numpy(result), reference(a), rtol=1e-14)


def test_stack_sum_where_and_pi(backend):
    a, b = np.array([1.0, -2.0, 3.0]), np.array([4.0, 5.0, -6.0])
    x, y = backend.tensor(a), backend.tensor(b)
    np.testing.assert_array_equal(backend.to_numpy(backend.stack([x, y])), np.stack([a, b]))
    np.testing.assert_array_equal(backend.to_numpy(backend.stack([x, y], axis=1)),
                                  np.stack([a, b], axis=1))
    m = backend.stack([x, y])
    assert float(backend.to_numpy(backend.sum(m))) == a.sum() + b.sum()
    np.testing.assert_array_equal(backend.to_numpy(backend.sum(m, axis=0)), a + b)
    np.testing.assert_array_equal(backend.to_numpy(backend.where(x > 0, x, y)),
                                  np.where(a > 0, a, b))
    assert backend.pi == math.pi


def test_derivative_through_every_op(backend):
    """A function using every op: its gradient against the hand-derived one."""

    def f(z, ops=backend):
        return ops.sum(ops.cos(z) + ops.sin(z) + ops.exp(z) + ops.log(z) + ops.tanh(z)
                       + ops.sqrt(z) + ops.abs(z) + ops.sigmoid(z) + ops.log1p(z))

    a = np.array([0.3, 1.7])
    s = 1 / (1 + np.exp(-a))
    expected = (-np.sin(a) + np.cos(a) + np.exp(a) + 1 / a + 1 - np.tanh(a) ** 2
                + 0.5 / np.sqrt(a) + 1 + s * (1 - s) + 1 / (1 + a))
    g = d2lopt.grad(f)(backend.tensor(a))
    np.testing.assert_allclose(backend.to_numpy(g), expected, rtol=1e-12)


def test_elementwise_ops_are_the_interface_table(backend):
    assert set(ELEMENTWISE) == {"cos", "sin", "exp", "log", "tanh", "sqrt", "abs", "log1p",
                                "sigmoid"}
    for op in ELEMENTWISE + ("stack", "sum", "where", "grad", "hessian", "hvp",
                             "value_and_grad", "require_scalar", "all_finite", "as_float"):
        assert getattr(Backend, op).__doc__, f"Backend.{op} has no docstring"
        assert callable(getattr(backend, op))


def test_methods_the_package_calls_are_declared_by_the_interface():
    """Every ``backend.<method>`` / ``ops.<method>`` the package calls exists on Backend."""
    package = pathlib.Path(d2lopt.__file__).parent
    called = set()
    for path in package.rglob("*.py"):
        if path.relative_to(package).parts[0] != "backends":
            called |= set(re.findall(r"\b(?:backend|ops|v_backend)\.([a-z_]+)\b",
                                     path.read_text(encoding="utf-8")))
    assert {"grad", "tensor", "to_numpy", "shape", "sum", "cos"} <= called
    assert not {m for m in called if not hasattr(Backend, m)}


def test_require_scalar_names_the_array_type_and_the_shape(backend):
    backend.require_scalar(backend.sum(backend.tensor([1.0, 2.0])))
    with pytest.raises(ValueError, match=re.escape("shape (2,)")):
        backend.require_scalar(backend.tensor([1.0, 2.0]))
    if backend.name != "numpy":  # a Python string is nobody's array; NumPy owns floats
        with pytest.raises(TypeError, match=re.escape(backend.array_type)):
            backend.require_scalar(3.0)
    with pytest.raises(TypeError, match="computed from its input"):
        backend.require_scalar("a string")


def test_as_array_coerces_and_checks(backend, framework_dtype):
    ints = backend.tensor([1, 2], dtype=framework_dtype("int64"))
    found, x = as_array(ints)
    assert found is backend and is_float64(x)
    np.testing.assert_array_equal(backend.to_numpy(x), [1.0, 2.0])
    x32 = backend.tensor([1.0], dtype=framework_dtype("float32"))
    assert as_array(x32)[1] is x32 or "float32" in str(as_array(x32)[1].dtype)
    bad = backend.tensor([1.0, np.nan])
    with pytest.raises(ValueError, match="the start point contains NaN"):
        as_array(bad, name="the start point")
    assert np.isnan(backend.to_numpy(as_array(bad, finite=False)[1])[1])


@pytest.mark.parametrize("data", [2, 2.5, [1, 2], (0.5, 1)])
def test_as_array_makes_python_data_float64_numpy(data):
    backend, x = as_array(data)
    assert backend.name == "numpy" and isinstance(x, np.ndarray) and x.dtype == np.float64
    np.testing.assert_array_equal(x, np.asarray(data, dtype=float))
    with pytest.raises(TypeError, match="Supported backends"):
        as_array("1.0")


# -- the per-framework namespaces -------------------------------------------------------
def test_namespace_is_bound_to_its_framework(backend):
    d2l = importlib.import_module(f"d2lopt.{backend.name}")
    x = d2l.tensor([1, 2])
    assert backend.owns(x) and is_float64(x)
    g = d2l.grad(d2l.landscapes.saddle)(d2l.tensor([1.0, 1.0]))
    assert backend.owns(g)
    np.testing.assert_array_equal(d2l.to_numpy(g), [2.0, -2.0])
    assert d2lopt.use(backend.name) is d2l
    assert d2l.backend is backend
    assert d2l.grad is d2lopt.grad and d2l.critical_point is d2lopt.critical_point
    assert d2l.landscapes is d2lopt.landscapes
    assert d2l.cos == backend.cos and d2l.pi == math.pi
    for name in ("tensor", "grad", "hessian", "hvp", "value_and_grad", "optim",
                 "gradient_descent", "adam"):
        assert name in d2l.__all__


@pytest.mark.parametrize(("name", "alias"), [("numpy", "np"), ("torch", "pytorch"),
                                           ("tensorflow", "tf"), ("jax", "JAX")])
def test_from_d2lopt_import_each_framework(name, alias):
    pytest.importorskip(name)
    d2l = importlib.import_module(f"d2lopt.{name}")
    x = d2l.tensor([1, 2])
    assert d2l.backend.owns(x) and is_float64(x)
    g = d2l.grad(d2l.landscapes.saddle)(x)
    assert d2l.backend.owns(g) and is_float64(g)
    np.testing.assert_array_equal(d2l.to_numpy(g), [2.0, -4.0])
    assert d2lopt.use(name) is d2l is d2lopt.use(alias) is getattr(d2lopt, name)


@pytest.mark.parametrize("name", SUPPORTED)
def test_star_import_gives_exactly_the_bound_names(name):
    pytest.importorskip(name)
    module = importlib.import_module(f"d2lopt.{name}")
    namespace: dict = {}
    exec(f"from d2lopt.{name} import *", namespace)  # noqa: S102 - the statement under test
    imported = set(namespace) - {"__builtins__"}
    assert imported == set(module.__all__)
    assert {"tensor", "to_numpy", "backend", "grad", "hessian", "hvp", "critical_point",
            "landscapes", "optim", "pi", "gradient_descent", *ELEMENTWISE, "stack", "sum",
            "where"} <= imported
    assert not {n for n in imported if n.startswith("_")} and "populate" not in imported
    assert namespace["tensor"]([1.0]).dtype == module.tensor([1.0]).dtype


def test_namespace_modules_are_the_same_two_lines():
    """Adding a framework adds a two-line module: nothing framework-specific in it."""
    package = pathlib.Path(d2lopt.__file__).parent
    for name in SUPPORTED:
        lines = (package / f"{name}.py").read_text(encoding="utf-8").splitlines()
        code = [line for line in lines[1:] if line.strip()]
        assert code == ["from d2lopt.backends.namespace import populate as _populate",
                        f'_populate(globals(), "{name}")']


def test_environment_variable_picks_the_namespace(monkeypatch, backend):
    monkeypatch.setenv("D2LOPT_BACKEND", backend.name.upper())
    assert default_backend_name() == backend.name
    assert d2lopt.use() is importlib.import_module(f"d2lopt.{backend.name}")


def test_default_namespace_is_numpy(monkeypatch):
    monkeypatch.delenv("D2LOPT_BACKEND", raising=False)
    assert d2lopt.use() is d2lopt.numpy
    monkeypatch.setenv("D2LOPT_BACKEND", "")
    assert d2lopt.use() is d2lopt.numpy
    monkeypatch.setenv("D2LOPT_BACKEND", "mxnet")
    with pytest.raises(ValueError, match="numpy, torch, tensorflow, jax"):
        d2lopt.use()


def test_unknown_attribute_of_the_package():
    with pytest.raises(AttributeError, match="no attribute 'nonexistent'"):
        _ = d2lopt.nonexistent


# -- import isolation -------------------------------------------------------------------
def run_isolated(code: str) -> list[str]:
    """Run ``code`` in a fresh interpreter; return the heavy frameworks it left imported."""
    env = {k: v for k, v in os.environ.items() if k != "D2LOPT_BACKEND"}
    probe = textwrap.dedent(code) + textwrap.dedent(f"""
        import sys
        print(sorted({{m.split(".")[0] for m in sys.modules}} & set({sorted(HEAVY)!r})))
    """)
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          env=env, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return ast.literal_eval(done.stdout.strip().splitlines()[-1])


def test_numpy_use_imports_no_other_framework():
    imported = run_isolated("""
        import numpy as np
        import d2lopt
        from d2lopt import landscapes
        x = np.array([1.0, 2.0])
        assert d2lopt.grad(landscapes.himmelblau)(x).tolist() == [-36.0, -32.0]
        d2lopt.hessian(landscapes.himmelblau)(x)
        d2lopt.hvp(landscapes.himmelblau)(x, x)
        d2lopt.value_and_grad(landscapes.risk)(0.5)
        d2lopt.critical_point(landscapes.saddle, np.zeros(2))
        for f in landscapes.ALL.values():
            f.critical_points, f.grid(11)
        landscapes.quadratic(10.0)(x)
        d2l = d2lopt.use()
        d2l.grad(d2l.landscapes.saddle)(d2l.tensor([1.0, 1.0]))
    """)
    assert imported == []


@pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="torch is not installed")
def test_torch_use_imports_no_other_framework():
    imported = run_isolated("""
        import torch
        import d2lopt
        torch.set_num_threads(1)
        d2lopt.grad(d2lopt.landscapes.himmelblau)(torch.ones(2, dtype=torch.float64))
        d2lopt.critical_point(d2lopt.landscapes.saddle, torch.zeros(2))
        d2lopt.use("torch")
    """)
    assert imported == ["torch"]


def test_tensorflow_hessian_does_not_retrace(caplog):
    """Repeated Hessians (critical_point in a loop) must not make TensorFlow warn of retracing."""
    tf = pytest.importorskip("tensorflow")
    tf_logger = tf.get_logger()
    tf_logger.addHandler(caplog.handler)
    try:
        for scale in range(1, 9):
            point = d2lopt.critical_point(d2lopt.landscapes.saddle,
                                          tf.constant([0.0, 0.0], tf.float64) * scale)
            assert point.kind == "saddle"
    finally:
        tf_logger.removeHandler(caplog.handler)
    assert not [r for r in caplog.records if "retracing" in r.getMessage()]


# -- JAX specifics ----------------------------------------------------------------------
def test_jax_computes_in_float64():
    jnp = pytest.importorskip("jax.numpy")
    backend = get_backend("jax")
    assert backend.tensor([1, 2]).dtype == jnp.float64
    tiny = backend.tensor([1.0 + 1e-12])
    assert backend.to_numpy(tiny)[0] == 1.0 + 1e-12  # float32 would round it to 1.0


def test_jax_tracers_are_jax_arrays_and_d2lopt_runs_under_jit_and_grad():
    jax = pytest.importorskip("jax")
    backend = get_backend("jax")
    saddle = d2lopt.landscapes.saddle
    seen = []

    def f(x):
        seen.append(backend_for(x))
        return saddle(x)

    x = backend.tensor([1.0, 2.0])
    np.testing.assert_array_equal(backend.to_numpy(jax.grad(f)(x)), [2.0, -4.0])
    np.testing.assert_array_equal(backend.to_numpy(jax.jit(d2lopt.grad(saddle))(x)),
                                  [2.0, -4.0])
    np.testing.assert_allclose(float(jax.jit(saddle)(x)), 1.0 - 4.0)
    assert seen and all(b is backend for b in seen)


def test_jax_hvp_is_forward_over_reverse_and_matches_the_hessian(rng):
    pytest.importorskip("jax")
    backend = get_backend("jax")
    himmelblau = d2lopt.landscapes.himmelblau
    x, v = backend.tensor(rng.normal(size=2)), backend.tensor(rng.normal(size=2))
    h = backend.to_numpy(d2lopt.hessian(himmelblau)(x))
    hv = d2lopt.hvp(himmelblau)(x, v)
    assert backend.owns(hv)
    np.testing.assert_allclose(backend.to_numpy(hv), h @ backend.to_numpy(v), rtol=1e-12)


@pytest.mark.skipif(importlib.util.find_spec("jax") is None, reason="jax is not installed")
def test_jax_use_imports_no_other_framework():
    imported = run_isolated("""
        import jax.numpy as jnp
        import d2lopt
        d2lopt.grad(d2lopt.landscapes.himmelblau)(jnp.ones(2))
        d2lopt.critical_point(d2lopt.landscapes.saddle, jnp.zeros(2))
        d2lopt.use("jax")
    """)
    assert imported == ["jax"]


def test_jax_compiles_only_functions_that_declare_themselves_pure():
    pytest.importorskip("jax")
    backend = get_backend("jax")
    x = backend.tensor([1.0, 2.0])
    state = {"scale": 1.0}

    def drifting(z):  # not pure: its value changes between calls
        return state["scale"] * backend.sum(z ** 2)

    g1 = backend.to_numpy(d2lopt.grad(drifting)(x))
    state["scale"] = 3.0
    np.testing.assert_array_equal(backend.to_numpy(d2lopt.grad(drifting)(x)), 3 * g1)

    class Kinked:
        """Declares itself pure, but branches on a value: jax.jit cannot trace it."""

        pure = True

        def __call__(self, z):
            return backend.sum(z ** 2) if z[0] > 0 else backend.sum(z ** 4)

    kinked = Kinked()
    np.testing.assert_array_equal(backend.to_numpy(d2lopt.grad(kinked)(x)), [2.0, 4.0])
    np.testing.assert_array_equal(
        backend.to_numpy(d2lopt.grad(kinked)(backend.tensor([-1.0, 2.0]))), [-4.0, 32.0])
    np.testing.assert_array_equal(backend.to_numpy(d2lopt.hessian(kinked)(x)), 2 * np.eye(2))

    # A landscape is pure: its compiled derivatives agree with the closed form.
    himmelblau = d2lopt.landscapes.himmelblau
    assert himmelblau.pure is True
    value, g = d2lopt.value_and_grad(himmelblau)(x)
    assert float(value) == (1 + 2 - 11) ** 2 + (1 + 4 - 7) ** 2
    assert backend.to_numpy(g).tolist() == [-36.0, -32.0]


# -- issue #12: input that has no real, finite, non-empty meaning is refused --------------
@pytest.mark.parametrize("data", [1j, [1.0, 2j], (0.5 + 0.5j,), np.array([1.0 + 1j])])
def test_python_and_numpy_complex_input_is_refused(data):
    with pytest.raises(TypeError, match="start must be real"):
        as_array(data, name="start")


def test_complex_arrays_of_every_framework_are_refused(backend, framework_dtype):
    z = backend.tensor(np.ones(2) + 1j, dtype=framework_dtype("complex128"))
    assert backend.is_complex(z) and not backend.is_complex(backend.tensor([1.0]))
    with pytest.raises(TypeError, match=r"x must be real, got a .* of complex dtype"):
        as_array(z)
    with pytest.raises(TypeError, match="x must be real"):
        d2lopt.grad(lambda v: (v * v).sum())(z)


@pytest.mark.parametrize("shape", [(0,), (2, 0), (0, 3)])
def test_empty_arrays_are_refused_unless_allowed(backend, shape):
    x = backend.tensor(np.zeros(shape))
    with pytest.raises(ValueError, match=re.escape(f"g is empty (shape {shape})")):
        as_array(x, name="g")
    assert backend.shape(as_array(x, empty=True)[1]) == shape
    with pytest.raises(ValueError, match="x is empty"):
        d2lopt.grad(lambda v: (v * v).sum())(x)


def test_epsilon_is_the_dtype_machine_epsilon(backend, framework_dtype):
    for kind in ("float32", "float64"):
        x = backend.tensor([1.0], dtype=framework_dtype(kind))
        assert backend.epsilon(x) == float(np.finfo(kind).eps)


def test_import_nets_without_torch_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)
    for name in [m for m in sys.modules if m == "d2lopt.nets" or m.startswith("d2lopt.nets.")]:
        monkeypatch.delitem(sys.modules, name)
    with pytest.raises(ModuleNotFoundError, match=re.escape('pip install ".[nets]"')) as info:
        importlib.import_module("d2lopt.nets")
    assert info.value.name == "torch" and "d2lopt.nets needs torch" in str(info.value)


@pytest.mark.parametrize("framework", OPTIONAL)
def test_import_of_a_namespace_without_its_framework_names_the_extra(monkeypatch, framework):
    monkeypatch.setitem(sys.modules, framework, None)
    monkeypatch.delitem(backends._loaded, framework, raising=False)
    monkeypatch.delitem(sys.modules, f"d2lopt.{framework}", raising=False)
    with pytest.raises(ImportError, match=re.escape(f'pip install ".[{framework}]"')):
        importlib.import_module(f"d2lopt.{framework}")
