"""Loading the corpora's pickles with care, and converting them once to ``.npz``.

MMSA's MOSI/MOSEI files and the IEMOCAP feature file are Python pickles.
Unpickling runs code the file names, so the kit loads a pickle only from a
path the user passes explicitly, warns every time, and offers
:func:`to_npz`: a one-time conversion to NumPy's ``.npz`` format, which the
loaders read with ``allow_pickle=False`` (arrays only, no code).
"""

from __future__ import annotations

import pickle
import warnings
from pathlib import Path

import numpy as np


class PickleWarning(UserWarning):
    """Loading a pickle: it can execute code."""


def load_pickle(path, encoding: str = "ASCII"):
    """Unpickle the file at ``path`` (a path you named; nothing is searched).

    Warns with :class:`PickleWarning`; convert once with :func:`to_npz` to avoid it.
    """
    if path is None:
        raise ValueError("pass the pickle's path explicitly: the kit never looks for pickles by itself")
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no file at {path}")
    warnings.warn(f"{path}: unpickling can execute code; load only files you trust. "
                  "Convert it once with affectkit.data.pickles.to_npz and load the .npz from then on.",
                  PickleWarning, stacklevel=3)
    with path.open("rb") as f:
        return pickle.load(f, encoding=encoding)


def flatten(tree: dict, prefix: str = "") -> dict:
    """{"train": {"audio": a}} -> {"train/audio": a}; leaves become NumPy arrays."""
    out = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten(value, f"{name}/"))
        else:
            arr = np.asarray(value)
            if arr.dtype == object:  # lists of strings, ragged things
                try:
                    arr = arr.astype(str)
                except (TypeError, ValueError):
                    raise ValueError(f"{name}: cannot store {type(value).__name__} without pickle") from None
            out[name] = arr
    return out


def unflatten(arrays) -> dict:
    tree: dict = {}
    for name in arrays:
        node = tree
        *parents, leaf = name.split("/")
        for p in parents:
            node = node.setdefault(p, {})
        node[leaf] = arrays[name]
    return tree


def to_npz(tree: dict, path) -> Path:
    """Write a nested dict of arrays as ``.npz`` (keys joined with "/"), atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.tmp.npz")
    np.savez_compressed(tmp, **flatten(tree))
    tmp.replace(path)
    return path


def load_npz(path) -> dict:
    """Read a file written by :func:`to_npz` back into the nested dict (no pickle)."""
    with np.load(Path(path), allow_pickle=False) as data:
        return unflatten({k: data[k] for k in data.files})
