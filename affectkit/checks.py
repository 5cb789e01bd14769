"""Argument checks shared by the training loops, runners, data builders and losses.

Each returns the value (converted where harmless) or raises a TypeError /
ValueError whose message names the argument, so a wrong knob fails where it
is given, not deep inside torch.
"""

from __future__ import annotations

import math
import numbers

import numpy as np
import torch


def plain(value):
    """A NumPy scalar, a 0-d array or a 0-d tensor as the Python number it holds
    (``np.int64(2)`` -> 2, ``np.array(0.5)`` -> 0.5), so that a knob computed with
    NumPy or torch is accepted wherever a Python number is; anything else unchanged."""
    if isinstance(value, np.generic) or isinstance(value, (np.ndarray, torch.Tensor)) and value.ndim == 0:
        return value.item()
    return value


def count(value, name: str, minimum: int = 1) -> int:
    """An integer >= ``minimum`` (epochs, batch sizes, dimensions), returned as a
    Python int (NumPy integers and 0-d arrays are accepted). Booleans and
    fractions are refused: ``4.7`` is not silently 4, ``True`` is not 1."""
    value = plain(value)
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r} ({type(value).__name__})")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def number(value, name: str, low: float = -math.inf, high: float = math.inf, *,
           low_open: bool = False) -> float:
    """A finite real number in [low, high] (or (low, high] with ``low_open``), returned
    as a Python float (NumPy floats and 0-d arrays are accepted)."""
    value = plain(value)
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {value!r} ({type(value).__name__})")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    if value < low or (low_open and value == low) or value > high:
        bracket = "(" if low_open else "["
        raise ValueError(f"{name} must be in {bracket}{low:g}, {high:g}], got {value:g}")
    return value


def seed(value, name: str = "seed") -> int:
    """A seed: an integer in [0, 2**32). ``True`` or ``0.5`` are refused."""
    value = count(value, name, minimum=0)
    if value >= 2 ** 32:
        raise ValueError(f"{name} must be < 2**32, got {value}")
    return value


def labels_fit(ds, n_classes: int, what: str = "the model"):
    """Every label of ``ds`` (a MultimodalDataset) is below ``n_classes``."""
    top = int(ds.y.max()) if len(ds) else -1
    if top >= n_classes:
        raise ValueError(f"{ds.name} has class {top} ({len(ds.classes)} classes) but {what} has only "
                         f"{n_classes} outputs: build it with n_classes={len(ds.classes)}")


def has_labels(ds, role: str = "validation"):
    """``ds`` has at least one labeled sample (a split to select or score on)."""
    if not bool((ds.y >= 0).any()):
        raise ValueError(f"{ds.name}: the {role} split has no labeled samples (every y is -1); "
                         f"selection on it would compare scores of 0")


def as_int_array(y, name: str) -> np.ndarray:
    """A 1-D integer array from ints or whole floats; NaN and fractions refused."""
    arr = np.asarray(y)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got shape {arr.shape}")
    if arr.dtype.kind == "f":
        if np.isnan(arr).any():
            raise ValueError(f"{name} holds NaN")
        if (arr != np.round(arr)).any():
            raise ValueError(f"{name} must hold whole class indices, got {arr[arr != np.round(arr)][0]!r}")
    elif arr.dtype.kind not in "iub":
        raise TypeError(f"{name} must hold integer class indices, got an array of {arr.dtype}")
    return arr.astype(np.int64)


def check_latents(z, min_points: int = 2, name: str = "latents") -> np.ndarray:
    """(n, d) finite float64 array with at least ``min_points`` rows (a tensor is
    detached), or a TypeError / ValueError naming ``name``: NaN latents would reach
    an SVD or a projection and fail there with the library's words."""
    if isinstance(z, torch.Tensor):
        z = z.detach().cpu()
    try:
        z = np.asarray(z, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a numeric (n, d) array, got {type(z).__name__}") from None
    if z.ndim != 2:
        raise ValueError(f"{name} must be (n, d), got shape {z.shape}")
    bad = ~np.isfinite(z).all(1)
    if bad.any():
        raise ValueError(f"{name} have NaN or inf values in {int(bad.sum())} of {len(z)} rows "
                         f"(first: row {int(np.flatnonzero(bad)[0])}); a diverged model?")
    if len(z) < min_points:
        raise ValueError(f"{name}: {len(z)} points, need at least {min_points}")
    return z


def training(epochs, batch_size, lr, seed_value, eval_every: int = 1, patience=None):
    """The common knobs of every fit loop: ``epochs``, ``batch_size`` and
    ``eval_every`` >= 1, ``lr`` > 0, a valid seed, ``patience`` None or >= 1."""
    count(epochs, "epochs")
    count(batch_size, "batch_size")
    count(eval_every, "eval_every")
    number(lr, "lr", 0, low_open=True)
    seed(seed_value)
    if patience is not None:
        count(patience, "patience")


# -- tensors: the losses of both papers ------------------------------------------------

def as_tensor(x, name):
    """``x`` as a tensor (numpy and lists become float32); TypeError naming ``name``."""
    if isinstance(x, torch.Tensor):
        return x
    try:
        return torch.as_tensor(x, dtype=torch.float32)
    except (TypeError, ValueError, RuntimeError):
        raise TypeError(f"{name} must be a numeric array or tensor, got {type(x).__name__}") from None


def as_matrix(x, name):
    """``x`` as an (n, dim) floating tensor; ValueError naming ``name`` for another shape."""
    x = as_tensor(x, name)
    if x.ndim != 2:
        raise ValueError(f"{name} must be (n, dim), got shape {tuple(x.shape)}")
    if not x.is_floating_point():
        x = x.float()
    return x


class NonFiniteError(ValueError):
    """A loss's inputs hold NaN or inf."""


def nan_if_not_finite(fn, *args, **kwargs) -> torch.Tensor:
    """``fn(*args, **kwargs)``, or a NaN scalar when its inputs are not finite:
    inside a training step a diverged model's outputs are NaN, and the loop's
    finite check then names the term and the step (a direct call raises)."""
    try:
        return fn(*args, **kwargs)
    except NonFiniteError:
        return torch.tensor(float("nan"))


def finite(result: torch.Tensor, **inputs) -> torch.Tensor:
    """``result``, or a ValueError naming the input that holds NaN or inf (a loss
    of NaN would otherwise train silently on nothing)."""
    if not torch.isfinite(result).all():
        bad = [name for name, v in inputs.items() if not torch.isfinite(v).all()]
        raise NonFiniteError(f"{' and '.join(bad)} hold NaN or inf values" if bad else
                             "the loss is not finite although its inputs are: the values overflow")
    return result
