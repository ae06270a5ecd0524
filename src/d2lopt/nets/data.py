"""Data for the network experiments: scikit-learn's digits and synthetic generators.

Nothing is downloaded: ``load_digits`` ships with scikit-learn (1797 images of
8×8 pixels, ten classes).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

__all__ = ["Split", "load_digits_split", "linear_teacher"]


@dataclass(frozen=True)
class Split:
    """Train, validation and test tensors of one data set.

    Attributes
    ----------
    X_train, y_train, X_val, y_val, X_test, y_test : torch.Tensor
        Inputs of shape ``(n, d)``; class labels (``int64``) or targets ``(n, k)``.
    """

    X_train: torch.Tensor
    y_train: torch.Tensor
    X_val: torch.Tensor
    y_val: torch.Tensor
    X_test: torch.Tensor
    y_test: torch.Tensor

    @property
    def n_features(self) -> int:
        """Input dimension."""
        return int(self.X_train.shape[1])

    @property
    def n_classes(self) -> int:
        """Number of classes (labels ``0 .. n_classes - 1``)."""
        return int(torch.cat([self.y_train, self.y_val, self.y_test]).max()) + 1

    @property
    def sizes(self) -> tuple[int, int, int]:
        """``(n_train, n_val, n_test)``."""
        return len(self.X_train), len(self.X_val), len(self.X_test)


def load_digits_split(*, val_fraction: float = 0.2, test_fraction: float = 0.2,
                      train_size: int | None = None, seed: int = 0,
                      dtype: torch.dtype = torch.float32) -> Split:
    """scikit-learn's digits, standardized, in a fixed seeded stratified split.

    The pixels are standardized with the mean and standard deviation of the
    training part only (constant pixels keep scale 1), so no information from
    validation or test data leaks into training.

    Parameters
    ----------
    val_fraction, test_fraction : float
        Fractions of the 1797 images held out for validation and test.
    train_size : int, optional
        Keep only the first ``train_size`` training images (after shuffling);
        by default all the rest.
    seed : int
        Seed of the shuffle; the same seed always gives the same split.
    dtype : torch.dtype
        Floating type of the inputs.

    Returns
    -------
    Split

    Examples
    --------
    >>> data = load_digits_split()
    >>> data.sizes, data.n_features, data.n_classes
    ((1077, 360, 360), 64, 10)
    """
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    if not (0 < val_fraction < 1 and 0 < test_fraction < 1 and val_fraction + test_fraction < 1):
        raise ValueError("val_fraction and test_fraction must be in (0, 1) and sum to less than 1, "
                         f"got {val_fraction} and {test_fraction}")
    X, y = load_digits(return_X_y=True)
    X_rest, X_test, y_rest, y_test = train_test_split(
        X, y, test_size=test_fraction, random_state=seed, stratify=y)
    X_train, X_val, y_train, y_val = train_test_split(
        X_rest, y_rest, test_size=val_fraction / (1 - test_fraction), random_state=seed + 1,
        stratify=y_rest)
    if train_size is not None:
        if not 0 < train_size <= len(X_train):
            raise ValueError(f"train_size must be in [1, {len(X_train)}], got {train_size}")
        X_train, y_train = X_train[:train_size], y_train[:train_size]
    scaler = StandardScaler().fit(X_train)

    def inputs(a: np.ndarray) -> torch.Tensor:
        return torch.as_tensor(scaler.transform(a), dtype=dtype)

    def labels(a: np.ndarray) -> torch.Tensor:
        return torch.as_tensor(a, dtype=torch.int64)

    return Split(inputs(X_train), labels(y_train), inputs(X_val), labels(y_val),
                 inputs(X_test), labels(y_test))


def linear_teacher(n: int, singular_values: np.ndarray | list[float], *, d_in: int | None = None,
                   noise: float = 0.0, seed: int = 0, dtype: torch.dtype = torch.float64
                   ) -> tuple[torch.Tensor, torch.Tensor]:
    """Regression data ``y = A x + noise`` with a teacher of chosen singular values.

    ``x`` is standard normal in ``d_in`` dimensions; ``A = U diag(s) Vᵀ`` has
    random orthonormal ``U`` (``d_out = len(s)`` columns) and ``V``. Distinct
    singular values give ``Σ_yx Σ_xx⁻¹ Σ_xy`` distinct eigenvalues (close to
    ``s²`` for large ``n``), which a two-layer linear network needs for its
    critical points to be isolated up to its symmetries.

    Parameters
    ----------
    n : int
        Number of examples.
    singular_values : array_like, shape (d_out,)
        Singular values of the teacher ``A``.
    d_in : int, optional
        Input dimension (default ``d_out``; must be at least ``d_out``).
    noise : float
        Standard deviation of Gaussian noise added to ``y``.
    seed : int
    dtype : torch.dtype

    Returns
    -------
    X : torch.Tensor, shape (n, d_in)
    Y : torch.Tensor, shape (n, d_out)

    Examples
    --------
    >>> X, Y = linear_teacher(100, [3.0, 2.0, 1.0])
    >>> tuple(X.shape), tuple(Y.shape)
    ((100, 3), (100, 3))
    """
    s = np.asarray(singular_values, dtype=float)
    d_out = s.size
    d_in = d_out if d_in is None else d_in
    if d_in < d_out:
        raise ValueError(f"d_in must be at least len(singular_values) = {d_out}, got {d_in}")
    rng = np.random.default_rng(seed)
    U, _ = np.linalg.qr(rng.standard_normal((d_out, d_out)))
    V, _ = np.linalg.qr(rng.standard_normal((d_in, d_out)))
    A = U @ np.diag(s) @ V.T
    X = rng.standard_normal((n, d_in))
    Y = X @ A.T + noise * rng.standard_normal((n, d_out))
    return torch.as_tensor(X, dtype=dtype), torch.as_tensor(Y, dtype=dtype)
