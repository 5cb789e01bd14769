"""MMSA's MOSI / MOSEI feature pickles (the format of the MMSA toolkit, thuiar/MMSA).

A file holds ``{"train", "valid", "test"}``; each split has ``text`` (BERT
features, (N, L, 768)), ``audio``, ``vision`` (N, T, d), ``regression_labels``
(N,) in [-3, 3] and, depending on the release, ``raw_text``, ``id``,
``audio_lengths``, ``vision_lengths``, ``text_bert`` (N, 3, L: ids, mask, segments).

:func:`load_mmsa` reads the pickle (warned: see :mod:`affectkit.data.pickles`)
or its ``.npz`` conversion; :func:`mmsa_dataset` turns one split into a
:class:`~affectkit.data.dataset.MultimodalDataset`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .dataset import MultimodalDataset
from .labels import EASUM9
from .pickles import load_npz, load_pickle

SPLITS = ("train", "valid", "test")
REQUIRED = ("text", "audio", "vision", "regression_labels")


def load_mmsa(path, trust_pickle: bool = False) -> dict:
    """{"train": {key: array}, "valid": ..., "test": ...}, checked; audio -inf set to 0.

    A pickle loads through the restricted unpickler (arrays and plain containers only);
    ``trust_pickle=True``: the full one, for files you trust (see :func:`~affectkit.data.pickles.load_pickle`)."""
    path = Path(path)
    data = load_npz(path) if path.suffix == ".npz" else load_pickle(path, trust_pickle=trust_pickle)
    if not isinstance(data, dict):
        raise ValueError(f"{path}: an MMSA file holds a dict of splits, found {type(data).__name__}")
    missing = [s for s in SPLITS if s not in data]
    if missing:
        raise ValueError(f"{path}: missing splits {missing}; MMSA files have {list(SPLITS)}")
    out = {}
    for split in SPLITS:
        part = data[split]
        if not isinstance(part, dict):
            raise ValueError(f"{path}: split {split!r} holds a {type(part).__name__}, not a dict of arrays")
        keys = [k for k in REQUIRED if k not in part]
        if keys:
            raise ValueError(f"{path}: split {split!r} lacks keys {keys}")
        arrays = {k: _array(v, f"{path}: split {split!r}: {k}") for k, v in part.items()}
        if any(a.ndim == 0 for a in arrays.values()):
            raise ValueError(f"{path}: split {split!r} has scalars where arrays belong: "
                             f"{[k for k, a in arrays.items() if a.ndim == 0]}")
        n = len(arrays["regression_labels"])
        wrong = {k: len(v) for k, v in arrays.items() if len(v) != n}
        if wrong:
            raise ValueError(f"{path}: split {split!r} has {n} labels but {wrong} entries elsewhere")
        for k in ("text", "audio", "vision", "regression_labels"):
            if arrays[k].dtype.kind not in "biuf":
                raise ValueError(f"{path}: split {split!r}: {k} must be numeric, found {arrays[k].dtype}")
        audio = arrays["audio"].astype(np.float32)
        audio[~np.isfinite(audio)] = 0.0  # MMSA's loaders do the same for -inf
        arrays["audio"] = audio
        arrays["regression_labels"] = _labels(arrays["regression_labels"].astype(np.float32).reshape(n),
                                              f"{path}: split {split!r}")
        out[split] = arrays
    return out


def _array(value, name: str) -> np.ndarray:
    """``value`` as one array; a ValueError naming ``name`` and the first two entries of
    different shapes when it is ragged (a list of unpadded sequences)."""
    try:
        return np.asarray(value)
    except ValueError:
        shapes = [_shape(v) for v in value]
        first = next((i for i, s in enumerate(shapes) if s != shapes[0]), None)
        which = "" if first is None else f": entry 0 has shape {shapes[0]}, entry {first} {shapes[first]}"
        raise ValueError(f"{name} is ragged{which}; MMSA files hold padded arrays, one shape for every "
                         f"utterance") from None


def _shape(entry) -> tuple | str:
    try:
        return np.asarray(entry).shape
    except ValueError:
        return "ragged itself"


def _labels(labels: np.ndarray, where: str) -> np.ndarray:
    """MMSA annotates every utterance: a NaN label is a damaged file, not an
    unannotated utterance (the NaN that :class:`MultimodalDataset` reads so)."""
    bad = np.flatnonzero(~np.isfinite(labels))
    if len(bad):
        raise ValueError(f"{where}: regression_labels holds NaN or inf in {len(bad)} of {len(labels)} rows "
                         f"(first: row {bad[0]}); every MMSA utterance has a sentiment in [-3, 3]")
    return labels


def _mask(lengths, n: int, t: int) -> np.ndarray:
    lengths = np.clip(np.asarray(lengths).astype(int).reshape(n), 0, t)
    return np.arange(t)[None, :] < lengths[:, None]


def mmsa_dataset(split: dict, name: str = "mmsa") -> MultimodalDataset:
    """One split as a dataset: L (text features), A, V sequences with masks from the
    lengths (or ``text_bert``'s attention mask for L); ``sentiment`` = the labels;
    no emotion labels (``y`` = -1, classes EASUM-9)."""
    n = len(split["regression_labels"])
    x = {"L": split["text"].astype(np.float32), "A": split["audio"], "V": split["vision"].astype(np.float32)}
    mask = {}
    if "text_bert" in split:
        mask["L"] = np.asarray(split["text_bert"])[:, 1, :].astype(bool)
    for m, key in (("A", "audio_lengths"), ("V", "vision_lengths")):
        if key in split:
            mask[m] = _mask(split[key], n, x[m].shape[1])
    return MultimodalDataset(x=x, mask=mask, classes=EASUM9, y=np.full(n, -1), sentiment=split["regression_labels"],
                             name=name)
