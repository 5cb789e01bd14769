"""Loading the corpora's pickles with care, and converting them once to ``.npz``.

MMSA's MOSI/MOSEI files and the IEMOCAP feature file are Python pickles.
Unpickling can run any code the file names, so the kit loads a pickle only
from a path the user passes explicitly, through :class:`RestrictedUnpickler`,
which admits only what these formats hold (NumPy arrays, dtypes and scalars,
dicts, lists, tuples, strings, numbers, booleans, None) and refuses anything
else *before* building it. The full unpickler is behind ``trust_pickle=True``
(it warns). :func:`to_npz` converts a file once to NumPy's ``.npz`` format,
which the loaders read with ``allow_pickle=False`` (arrays only, no code).
"""

from __future__ import annotations

import pickle
import warnings
from pathlib import Path

import numpy as np

from ..files import atomic_write


class PickleWarning(UserWarning):
    """Loading a pickle with the full unpickler: it can execute code."""


class UnsafePickleError(pickle.UnpicklingError):
    """A pickle names something the restricted unpickler does not admit."""


# The only globals a corpus pickle needs: NumPy's array, dtype and scalar
# reconstructors (under NumPy 1 and 2 names) and the latin-1 bytes helper that
# protocol-2 pickles use for array buffers. Containers, strings, numbers,
# booleans and None have opcodes of their own and need no global.
ALLOWED = frozenset({
    ("numpy", "ndarray"), ("numpy", "dtype"),
    ("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
    ("numpy.core.multiarray", "scalar"), ("numpy._core.multiarray", "scalar"),
    ("numpy.core.numeric", "_frombuffer"), ("numpy._core.numeric", "_frombuffer"),
    ("_codecs", "encode"),
})


class RestrictedUnpickler(pickle.Unpickler):
    """An unpickler that builds only arrays and plain containers.

    ``find_class`` is where pickle looks up every class or function a file
    names, before calling it: anything outside :data:`ALLOWED` raises
    :class:`UnsafePickleError` naming it, so nothing of it runs.
    """

    source = "the pickle"

    def find_class(self, module, name):
        if (module, name) in ALLOWED:
            return super().find_class(module, name)
        raise UnsafePickleError(f"{self.source}: refuses to load {module}.{name}: a corpus pickle holds only "
                                "arrays, dicts, lists, tuples, strings and numbers. If you trust this file, "
                                "load it with trust_pickle=True (that runs whatever code it names)")


def load_pickle(path, encoding: str = "ASCII", trust_pickle: bool = False):
    """Unpickle the file at ``path`` (a path you named; nothing is searched).

    Args:
        encoding: for pickles written by Python 2 (the IEMOCAP file: "latin1").
        trust_pickle: False (default): :class:`RestrictedUnpickler`, which refuses
            anything but arrays and plain containers with :class:`UnsafePickleError`.
            True: Python's full unpickler, which runs any code the file names
            (warns with :class:`PickleWarning`); only for files you trust.
    Convert a file once with :func:`to_npz` and load the ``.npz`` from then on.
    """
    if path is None:
        raise ValueError("pass the pickle's path explicitly: the kit never looks for pickles by itself")
    if not isinstance(trust_pickle, bool):
        raise TypeError(f"trust_pickle must be True or False, got {trust_pickle!r}")
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no file at {path}")
    with path.open("rb") as f:
        if trust_pickle:
            warnings.warn(f"{path}: the full unpickler runs any code the file names (trust_pickle=True). "
                          "Convert it once with affectkit.data.pickles.to_npz and load the .npz from then on.",
                          PickleWarning, stacklevel=3)
            return pickle.load(f, encoding=encoding)
        unpickler = RestrictedUnpickler(f, encoding=encoding)
        unpickler.source = str(path)
        try:
            return unpickler.load()
        except UnsafePickleError:
            raise
        except (pickle.UnpicklingError, EOFError, ValueError, TypeError, IndexError, KeyError,
                AttributeError, UnicodeDecodeError) as err:   # not a pickle, cut short, or garbled
            raise ValueError(f"{path}: not a readable pickle ({type(err).__name__}: {err})") from None


def flatten(tree: dict, prefix: str = "") -> dict:
    """{"train": {"audio": a}} -> {"train/audio": a}; leaves become NumPy arrays.

    Leaves must be numeric or boolean arrays, or lists / arrays of strings (stored
    as a NumPy string array). Anything else (a list of dicts, ragged lists,
    objects) is a ValueError naming the key: it could not be read back without pickle.
    """
    if not isinstance(tree, dict):
        raise TypeError(f"{prefix or 'tree'}: expected a dict of arrays, got {type(tree).__name__}")
    out = {}
    for key, value in tree.items():
        if not isinstance(key, str) or not key or "/" in key:
            raise ValueError(f"{prefix}{key!r}: keys must be non-empty strings without '/'")
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten(value, f"{name}/"))
            continue
        try:
            arr = np.asarray(value)
        except ValueError:   # ragged nested lists
            raise ValueError(f"{name}: ragged lists cannot be stored without pickle; pad them to one "
                             f"array first") from None
        if arr.dtype == object:
            if not all(isinstance(v, str) for v in arr.ravel()):
                kinds = sorted({type(v).__name__ for v in arr.ravel() if not isinstance(v, str)})
                raise ValueError(f"{name}: holds {', '.join(kinds)} values, which cannot be stored "
                                 f"without pickle; store arrays, strings, or a dict of them")
            arr = arr.astype(str)
        elif arr.dtype.kind not in "biufcUS":
            raise ValueError(f"{name}: cannot store an array of {arr.dtype} without pickle")
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
    if path.suffix != ".npz":
        raise ValueError(f"{path}: the converted file must end in .npz")
    arrays = flatten(tree)   # every check before anything is written
    with atomic_write(path, suffix=".npz") as tmp:
        np.savez_compressed(tmp, **arrays)
    return path


def load_npz(path) -> dict:
    """Read a file written by :func:`to_npz` back into the nested dict (no pickle)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no file at {path}")
    try:
        with np.load(path, allow_pickle=False) as data:
            if not hasattr(data, "files"):
                raise ValueError("a single array, not an .npz archive")
            return unflatten({k: data[k] for k in data.files})
    except (ValueError, OSError, EOFError) as err:   # not a zip, cut short, or object arrays (pickle)
        raise ValueError(f"{path}: not a readable .npz of arrays ({err})") from None
