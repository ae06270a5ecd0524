"""Framework adapters and the registry that picks one from an array.

The registry follows the einops design: a framework is imported only when an
array of that framework is seen (its top-level module is already in
``sys.modules``) or when it is asked for by name. ``import d2lopt`` therefore
imports neither PyTorch nor TensorFlow.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

from d2lopt.backends.base import Backend

__all__ = ["Backend", "SUPPORTED", "backend_for", "get_backend", "default_backend_name"]

#: Backend name -> (module holding its adapter, top-level module of the framework).
_ADAPTERS: dict[str, tuple[str, str]] = {
    "numpy": ("d2lopt.backends.numpy_backend", "numpy"),
    "torch": ("d2lopt.backends.torch_backend", "torch"),
    "tensorflow": ("d2lopt.backends.tensorflow_backend", "tensorflow"),
}
_ALIASES = {"np": "numpy", "pytorch": "torch", "tf": "tensorflow"}

#: The names :func:`get_backend` accepts, in the order arrays are matched.
SUPPORTED: tuple[str, ...] = tuple(_ADAPTERS)

_INSTALL_HINT = {
    "numpy": 'pip install d2lopt',
    "torch": 'pip install "d2lopt[torch]"',
    "tensorflow": 'pip install "d2lopt[tensorflow]"',
}

_loaded: dict[str, Backend] = {}


def _canonical(name: str) -> str:
    if not isinstance(name, str):
        raise TypeError(
            f"a backend name must be a string, one of {', '.join(SUPPORTED)}; got {name!r}"
        )
    key = _ALIASES.get(name.lower(), name.lower())
    if key not in _ADAPTERS:
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
        ``"numpy"``, ``"torch"`` or ``"tensorflow"`` (``"np"``, ``"pytorch"`` and
        ``"tf"`` are accepted too).

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
        module_name, framework = _ADAPTERS[key]
        try:
            importlib.import_module(framework)
        except ImportError as err:
            raise ImportError(
                f"the {key} backend needs {framework}, which is not installed; "
                f"install it with: {_INSTALL_HINT[key]}"
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
    for key, (_, framework) in _ADAPTERS.items():
        if sys.modules.get(framework) is not None:  # None: the import is blocked
            backend = get_backend(key)
            if backend.owns(x):
                return backend
    raise TypeError(
        f"d2lopt cannot tell which framework an object of type {type(x).__module__}."
        f"{type(x).__qualname__} belongs to; pass a NumPy array (or a Python number or list), "
        f"a torch.Tensor or a tf.Tensor. Supported backends: {', '.join(SUPPORTED)}."
    )


def default_backend_name() -> str:
    """The backend named by the ``D2LOPT_BACKEND`` environment variable (default ``numpy``).

    Examples
    --------
    >>> default_backend_name() in SUPPORTED
    True
    """
    return _canonical(os.environ.get("D2LOPT_BACKEND", "numpy") or "numpy")
