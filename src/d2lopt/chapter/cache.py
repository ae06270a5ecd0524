"""Experiments computed once per docs build, shared by the gallery scripts and the pages.

A chapter page and its section's gallery scripts often run the same experiment:
the page quotes its numbers, a script draws its figure. When the environment
variable ``D2LOPT_CACHE_DIR`` names a directory (the docs build sets it), a
function decorated with :func:`cached_experiment` stores its result there with
joblib's ``Memory``, and a later call with equal arguments, in any process,
loads it instead of running again. Unset (a reader running a script or a
notebook, the tests) the decorator changes nothing.

Results are kept under a digest of every source file of the installed d2lopt
package and of the versions of NumPy and PyTorch, so an edit anywhere in
d2lopt starts a fresh cache (and the old one is deleted); joblib adds the
arguments and the function's own source. Only functions whose result depends
on nothing else (they seed their own generators, read no global state) may be
decorated.

Examples
--------
>>> calls = []
>>> @cached_experiment
... def square(x):
...     calls.append(x)
...     return x * x
>>> square(3), square(3), len(calls)  # D2LOPT_CACHE_DIR unset: plain calls
(9, 9, 2)
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["ENV", "cached_experiment", "source_digest"]

#: The environment variable naming the cache directory.
ENV = "D2LOPT_CACHE_DIR"


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "-"


@functools.cache
def source_digest(root: str | None = None) -> str:
    """A digest of the ``.py`` files under ``root`` (default: the whole d2lopt package) and
    of the NumPy and PyTorch versions.

    Examples
    --------
    >>> len(source_digest()), source_digest() == source_digest()
    (16, True)
    """
    base = Path(__file__).parents[1] if root is None else Path(root)
    digest = hashlib.sha256()
    for path in sorted(base.rglob("*.py")):
        digest.update(path.relative_to(base).as_posix().encode())
        digest.update(path.read_bytes())
    for distribution in ("numpy", "torch"):
        digest.update(f"{distribution}=={_version(distribution)}".encode())
    return digest.hexdigest()[:16]


@functools.cache
def _memory(location: str) -> Any:
    from joblib import Memory

    parent = Path(location)
    here = parent / source_digest()
    if parent.is_dir():  # results of an earlier d2lopt: never read again
        for old in parent.iterdir():
            if old.is_dir() and old != here:
                shutil.rmtree(old, ignore_errors=True)
    return Memory(here, verbose=0)


def cached_experiment(function: Callable[..., Any]) -> Callable[..., Any]:
    """Decorate an experiment so that a docs build runs it once for all its callers.

    Parameters
    ----------
    function : callable
        A deterministic function of its (hashable by joblib) arguments, whose
        result pickles.

    Returns
    -------
    callable
        ``function`` itself when ``D2LOPT_CACHE_DIR`` is unset or empty;
        otherwise the result is read from, or first written to, that directory.

    Raises
    ------
    TypeError
        If ``function`` is not callable.
    """
    if not callable(function):
        raise TypeError(f"cached_experiment decorates a function, got {type(function).__name__}")

    @functools.cache
    def memorized(location: str) -> Any:  # joblib's wrapper of function, one per directory
        return _memory(location).cache(function)

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        location = os.environ.get(ENV)
        if not location:
            return function(*args, **kwargs)
        return memorized(os.path.abspath(location))(*args, **kwargs)

    return wrapper
