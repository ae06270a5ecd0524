"""Framework adapters and the registry that picks one from an array.

The registry follows the einops design: a framework is imported only when an
array of that framework is seen (its top-level module is already in
``sys.modules``) or when it is asked for by name. ``import d2lopt`` therefore
imports none of PyTorch, TensorFlow and JAX. Adding a backend takes its adapter
module (a :class:`~d2lopt.backends.base.Backend` subclass, as ``BACKEND``), one
entry in ``_REGISTRY``, its extra in ``pyproject.toml`` and its namespace module
``d2lopt/<name>.py``.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from typing import Any, NamedTuple

import numpy as np

from d2lopt.backends.base import Backend

__all__ = [
    "Backend", "SUPPORTED", "as_array", "backend_for", "default_backend_name", "get_backend",
    "install_hint", "installed",
]


class _Entry(NamedTuple):
    adapter: str  # the module holding the adapter, as BACKEND
    framework: str  # the framework's top-level module
    extra: str | None  # the d2lopt extra that installs it (None: always installed)
    aliases: tuple[str, ...] = ()


#: One entry per backend, in the order arrays are matched.
_REGISTRY: dict[str, _Entry] = {
    "numpy": _Entry("d2lopt.backends.numpy_backend", "numpy", None, ("np",)),
    "torch": _Entry("d2lopt.backends.torch_backend", "torch", "torch", ("pytorch",)),
    "tensorflow": _Entry("d2lopt.backends.tensorflow_backend", "tensorflow", "tensorflow",
                         ("tf",)),
    "jax": _Entry("d2lopt.backends.jax_backend", "jax", "jax"),
}
_ALIASES = {alias: name for name, entry in _REGISTRY.items() for alias in entry.aliases}

#: The names :func:`get_backend` accepts, in the order arrays are matched.
SUPPORTED: tuple[str, ...] = tuple(_REGISTRY)


def installed() -> tuple[str, ...]:
    """The backends whose framework is installed, in the order of ``d2lopt.SUPPORTED``.

    Nothing is imported: this looks the frameworks up on the path only.

    Examples
    --------
    >>> installed()[0]
    'numpy'
    """
    return tuple(name for name, entry in _REGISTRY.items()
                 if importlib.util.find_spec(entry.framework) is not None)


def install_hint(name: str) -> str:
    """The command that installs backend ``name``'s framework, from a clone of d2lopt.

    Examples
    --------
    >>> install_hint("torch")
    'pip install ".[torch]"'
    """
    extra = _REGISTRY[_canonical(name)].extra
    return 'pip install "."' if extra is None else f'pip install ".[{extra}]"'


_loaded: dict[str, Backend] = {}


def _canonical(name: str) -> str:
    if not isinstance(name, str):
        raise TypeError(
            f"a backend name must be a string, one of {', '.join(SUPPORTED)}; got {name!r}"
        )
    key = _ALIASES.get(name.lower(), name.lower())
    if key not in _REGISTRY:
        raise ValueError(
            f"unknown backend {name!r}; d2lopt supports {', '.join(SUPPORTED)} "
            f"(aliases: {', '.join(sorted(_ALIASES))})"
        )
    return key


def get_backend(name: str) -> Backend:
    """Return the adapter for the framework called ``name``.

    Parameters
    ----------
    name : str
        One of ``d2lopt.SUPPORTED`` (``"numpy"``, ``"torch"``, ``"tensorflow"``,
        ``"jax"``) or an alias (``"np"``, ``"pytorch"``, ``"tf"``).

    Raises
    ------
    ValueError
        If ``name`` is not a supported backend.
    ImportError
        If the framework is not installed; the message says what to install.

    Examples
    --------
    >>> get_backend("numpy").name
    'numpy'
    """
    key = _canonical(name)
    if key not in _loaded:
        module_name, framework = _REGISTRY[key][:2]
        try:
            importlib.import_module(framework)
        except ImportError as err:
            raise ImportError(
                f"the {key} backend needs {framework}, which is not installed; "
                f"install it with: {install_hint(key)} (in a clone of d2lopt)"
            ) from err
        module = importlib.import_module(module_name)
        _loaded[key] = module.BACKEND
    return _loaded[key]


def backend_for(x: Any) -> Backend:
    """Return the adapter of the framework ``x`` belongs to.

    Python numbers, lists and tuples count as NumPy. A framework that has not
    been imported cannot have made ``x``, so it is never imported here.

    Raises
    ------
    TypeError
        If no supported framework owns ``x``.

    Examples
    --------
    >>> import numpy as np
    >>> backend_for(np.zeros(2)).name
    'numpy'
    """
    for key, entry in _REGISTRY.items():
        framework = entry.framework
        if sys.modules.get(framework) is not None:  # None: the import is blocked
            backend = get_backend(key)
            if backend.owns(x):
                return backend
    raise TypeError(
        f"d2lopt cannot tell which framework an object of type {type(x).__module__}."
        f"{type(x).__qualname__} belongs to; pass a NumPy array (or a Python number or list), "
        f"a torch.Tensor, a tf.Tensor or a jax.Array. Supported backends: {', '.join(SUPPORTED)}."
    )


def default_backend_name() -> str:
    """The backend named by the ``D2LOPT_BACKEND`` environment variable (default ``numpy``).

    Examples
    --------
    >>> default_backend_name() in SUPPORTED
    True
    """
    return _canonical(os.environ.get("D2LOPT_BACKEND", "numpy") or "numpy")


def as_array(x: Any, name: str = "x", finite: bool = True, empty: bool = False
             ) -> tuple[Backend, Any]:
    """Find the backend of ``x`` and make ``x`` a floating-point array of its framework.

    The one coercion every public function applies to its array arguments:
    Python numbers, lists and tuples become float64 NumPy arrays, integer
    arrays become float64, floating-point arrays (and tracers) pass unchanged.

    Parameters
    ----------
    x : array_like
        A NumPy, PyTorch, TensorFlow or JAX array, or a Python number or list.
    name : str
        How error messages name the argument.
    finite : bool
        Reject NaN and infinities (derivatives, start points); ``False`` for
        functions such as losses that are evaluated wherever they are asked.
    empty : bool
        Accept an array with no entries (refused by default: a derivative, a
        start point or a critical point needs at least one coordinate).

    Returns
    -------
    backend, x
        The adapter and ``x`` as a floating-point array of its framework.

    Raises
    ------
    TypeError
        If no supported framework owns ``x``, or ``x`` is complex (d2lopt differentiates
        real functions of real arrays; pass the real and imaginary parts as two coordinates).
    ValueError
        If ``x`` is empty (unless ``empty``), or ``finite`` and ``x`` holds NaN or an infinity.

    Examples
    --------
    >>> backend, x = as_array([1, 2])
    >>> backend.name, x.dtype
    ('numpy', dtype('float64'))
    >>> as_array([])
    Traceback (most recent call last):
    ...
    ValueError: x is empty (shape (0,)); pass an array with at least one entry
    """
    if isinstance(x, complex):
        raise _complex_error(name, type(x).__name__)
    backend = backend_for(x)
    if backend.is_complex(x):
        raise _complex_error(name, f"{backend.array_type} of complex dtype")
    x = backend.tensor(x) if isinstance(x, (list, tuple, int, float)) else backend.as_float(x)
    shape = backend.shape(x)
    if not empty and 0 in shape:
        raise ValueError(f"{name} is empty (shape {shape}); pass an array with at least one entry")
    if finite and not backend.all_finite(x):
        with np.printoptions(threshold=20):
            values = repr(backend.to_numpy(x))
        raise ValueError(
            f"{name} contains NaN or infinity ({values}); derivatives are only defined at "
            "finite points: check the start point, or lower the learning rate if an "
            "optimizer diverged"
        )
    return backend, x


def _complex_error(name: str, what: str) -> TypeError:
    return TypeError(
        f"{name} must be real, got a {what}; d2lopt differentiates real functions of real "
        "arrays: pass the real and imaginary parts as separate coordinates"
    )
