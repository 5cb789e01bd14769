"""Label spaces and the merges between them.

- ``IEMOCAP4``: the 4-class protocol of CMDM Sec. 4.1 (excited merged into happy).
- ``IEMOCAP6``: the six classes of the IEMOCAP feature pickle, in its index order
  (hap 0, sad 1, neu 2, ang 3, exc 4, fru 5).
- ``MELD7``: MELD's emotions in the index order most code uses.
- ``EASUM9``: EASUM's common emotion space (Sec. 3.3): every corpus maps into it.
- ``POLARITY``: sentiment polarity from an intensity in [-3, 3].
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

EASUM9 = ("happy", "angry", "sad", "neutral", "excited", "frustrated", "fear", "disgust", "surprise")
POLARITY = ("negative", "neutral", "positive")


@dataclass(frozen=True)
class LabelSpace:
    """A corpus' emotion classes and how each maps into EASUM's common 9 classes."""

    name: str
    classes: tuple
    common: dict  # class name -> EASUM9 name

    def __len__(self):
        return len(self.classes)

    def encode(self, names) -> np.ndarray:
        """Class names -> indices (n,) int64. Unknown names raise ValueError."""
        index = {c: i for i, c in enumerate(self.classes)}
        names = list(names)
        unknown = sorted({str(n) for n in names if n not in index})
        if unknown:
            raise ValueError(f"unknown {self.name} labels {unknown}; known: {list(self.classes)}")
        return np.array([index[n] for n in names], dtype=np.int64)

    def decode(self, indices) -> list:
        """Indices -> class names (-1 decodes to None: unlabeled)."""
        idx = _as_int_array(indices, "indices")
        bad = idx[(idx < -1) | (idx >= len(self.classes))]
        if bad.size:
            raise ValueError(f"indices {sorted(set(bad.tolist()))} outside {self.name}'s {len(self)} classes")
        return [None if i < 0 else self.classes[i] for i in idx]

    def to_common(self, indices) -> np.ndarray:
        """Indices in this space -> indices in EASUM9 (n,) int64 (-1 stays -1)."""
        unmapped = [c for c in self.classes if self.common.get(c) not in EASUM9]
        if unmapped:
            raise ValueError(f"{self.name}: classes {unmapped} have no place in the common space EASUM-9 "
                             f"{EASUM9}; map each in LabelSpace.common")
        table = np.array([EASUM9.index(self.common[c]) for c in self.classes], dtype=np.int64)
        idx = _as_int_array(indices, "indices")
        if ((idx < -1) | (idx >= len(self.classes))).any():
            raise ValueError(f"indices outside {self.name}'s {len(self)} classes")
        return np.where(idx < 0, -1, table[np.clip(idx, 0, None)])


IEMOCAP4 = LabelSpace("IEMOCAP-4", ("neutral", "happy", "angry", "sad"),
                      {"neutral": "neutral", "happy": "happy", "angry": "angry", "sad": "sad"})
IEMOCAP6 = LabelSpace("IEMOCAP-6", ("happy", "sad", "neutral", "angry", "excited", "frustrated"),
                      {c: c for c in ("happy", "sad", "neutral", "angry", "excited", "frustrated")})
MELD7 = LabelSpace("MELD-7", ("neutral", "surprise", "fear", "sadness", "joy", "disgust", "anger"),
                   {"neutral": "neutral", "surprise": "surprise", "fear": "fear", "sadness": "sad",
                    "joy": "happy", "disgust": "disgust", "anger": "angry"})
COMMON9 = LabelSpace("EASUM-9", EASUM9, {c: c for c in EASUM9})

SPACES = {s.name: s for s in (IEMOCAP4, IEMOCAP6, MELD7, COMMON9)}


def merge_iemocap4(indices6) -> np.ndarray:
    """IEMOCAP-6 indices -> IEMOCAP-4 indices; excited -> happy, frustrated -> -1.

    The 4-class protocol (5531 utterances) drops every utterance that maps to -1.
    """
    table = np.array([IEMOCAP4.classes.index(c) if c in IEMOCAP4.classes else -1
                      for c in ("happy", "sad", "neutral", "angry", "happy", "other")])
    idx = _as_int_array(indices6, "indices6")
    if ((idx < 0) | (idx >= 6)).any():
        raise ValueError("indices6 must lie in 0..5 (IEMOCAP-6: hap, sad, neu, ang, exc, fru)")
    return table[idx]


def polarity(intensity) -> np.ndarray:
    """Sentiment intensity in [-3, 3] -> polarity index (n,): 0 negative (< 0),
    1 neutral (== 0), 2 positive (> 0), the convention of EASUM Sec. 3.3 / MMSA."""
    s = _as_float_array(intensity, "intensity")
    return (np.sign(s).astype(np.int64) + 1)


def round7(intensity) -> np.ndarray:
    """MMSA's Acc7 classes: clip to [-3, 3] and round; returns values in -3..3 (n,) int64."""
    s = _as_float_array(intensity, "intensity")
    return np.round(np.clip(s, -3.0, 3.0)).astype(np.int64)


def _as_int_array(x, name) -> np.ndarray:
    arr = x.detach().cpu().numpy() if isinstance(x, torch.Tensor) else np.asarray(x)
    if arr.dtype.kind not in "iu":
        raise TypeError(f"{name} must be integers, got dtype {arr.dtype}")
    return arr.astype(np.int64).reshape(-1)


def _as_float_array(x, name) -> np.ndarray:
    arr = x.detach().cpu().numpy() if isinstance(x, torch.Tensor) else np.asarray(x, dtype=float)
    arr = arr.astype(np.float64).reshape(-1)
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} has NaN or inf values")
    return arr
