"""MultimodalDataset: modality -> tensor, labels, masks, domain; and batching.

One object holds a split of any corpus, synthetic or real:

- ``x["A"]``: (n, d_a) one acoustic vector per utterance (CMDM), or (n, T_a, d_a)
  acoustic frames (EASUM);
- ``x["V"]``: (n, T_v, d_v) visual frames; ``x["L"]``: (n, T_l, d_l) words;
- ``mask[m]``: (n, T_m) bool for every sequence modality (3-D ``x[m]``), True
  on real frames/words, False on padding;
- ``y``: (n,) int64 emotion class, -1 where unlabeled; ``y_true``: (n,) the
  hidden true class (synthetic data; equals ``y`` for real corpora);
- ``sentiment``: (n,) float32 intensity in [-3, 3], NaN where not annotated;
- ``domain``: (n,) int64 domain id; ``speaker``: (n,) int64 speaker id.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import torch

from ..checks import plain

MODALITIES = ("A", "V", "L")


def _tensor(value, name, dtype):
    """``value`` (list, numpy array or tensor) as a tensor of ``dtype``; a TypeError
    naming ``name`` for text, objects, ragged lists or anything else."""
    if isinstance(value, (list, tuple)):
        try:
            value = np.asarray(value)
        except ValueError:
            raise TypeError(f"{name} is a ragged list (rows of different lengths); "
                            f"pad it to one array first") from None
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biuf":
            raise TypeError(f"{name} must be numeric, got an array of {value.dtype}")
        value = torch.from_numpy(np.ascontiguousarray(value))
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{name} must be an array, tensor or list, got {type(value).__name__}")
    if value.is_complex():
        raise TypeError(f"{name} must be real, got {value.dtype}")
    return value if dtype is None else value.to(dtype)


def all_finite(v: torch.Tensor, block: int = 2 ** 24) -> bool:
    """``torch.isfinite(v).all()``, a block of rows at a time: ``isfinite`` builds
    full-size temporaries (1.8 GB for the paper world's lexical pool), a block a few."""
    rows = max(1, block // max(1, v[0].numel())) if len(v) else 1
    return all(bool(torch.isfinite(v[i:i + rows]).all()) for i in range(0, len(v), rows))


def _integers(value, name):
    """A 1-D tensor of class indices from ints, or floats that are whole numbers;
    ValueError for NaN, fractions or another shape, naming ``name``."""
    value = _tensor(value, name, None)
    if value.ndim != 1:
        raise ValueError(f"{name} must be 1-D (n,), got shape {tuple(value.shape)}")
    if value.is_floating_point():
        if torch.isnan(value).any():
            raise ValueError(f"{name} has NaN labels; mark unlabeled samples with -1")
        frac = value[value != value.round()]
        if len(frac):
            raise ValueError(f"{name} must hold whole class indices, got {frac[0].item()!r}")
    return value.to(torch.int64)


@dataclass
class MultimodalDataset(torch.utils.data.Dataset):
    """A split of multimodal utterances; see the module docstring for shapes.

    Construction validates everything: equal lengths across modalities and
    labels, finite features, labels inside ``classes``, at least one sample.
    Indexing returns one sample as nested dicts, so ``torch.utils.data.DataLoader``
    collates it; :meth:`batches` is the fast path used by the fit loops.
    """

    x: dict
    y: torch.Tensor
    classes: tuple
    y_true: torch.Tensor | None = None
    mask: dict = field(default_factory=dict)
    sentiment: torch.Tensor | None = None
    domain: torch.Tensor | None = None
    speaker: torch.Tensor | None = None
    name: str = "split"
    hidden: dict = field(default_factory=dict)  # ground truth for analysis only (e.g. "state")

    def __post_init__(self):
        if not isinstance(self.x, dict) or not self.x:
            raise ValueError(f"{self.name}: x must be a non-empty dict modality -> array")
        unknown = [m for m in self.x if m not in MODALITIES]
        if unknown:
            raise ValueError(f"{self.name}: x has modality keys {unknown}; use 'A' (acoustic), "
                             f"'V' (visual) and 'L' (lexical)")
        self.x = {m: _tensor(v, f"{self.name}: x[{m!r}]", torch.float32) for m, v in self.x.items()}
        self.y = _integers(self.y, f"{self.name}: y")
        n = len(self.y)
        if n == 0:
            raise ValueError(f"{self.name}: empty split (0 samples)")
        for m, v in self.x.items():
            if v.ndim not in (2, 3):
                raise ValueError(f"{self.name}: x[{m!r}] must be (n, dim) or (n, time, dim), "
                                 f"got shape {tuple(v.shape)}")
            if len(v) != n:
                raise ValueError(f"{self.name}: x[{m!r}] has {len(v)} samples but y has {n}")
            if not all_finite(v):
                raise ValueError(f"{self.name}: x[{m!r}] has NaN or inf values")
        self.classes = tuple(self.classes)
        if not self.classes:
            raise ValueError(f"{self.name}: classes must not be empty")
        self.y = self._labels(self.y, "y")
        self.y_true = self.y.clone() if self.y_true is None else self._labels(self.y_true, "y_true")
        self.mask = {m: _tensor(v, f"{self.name}: mask[{m!r}]", torch.bool) for m, v in self.mask.items()}
        extra = [m for m in self.mask if m not in self.x or self.x[m].ndim != 3]
        if extra:
            raise ValueError(f"{self.name}: masks {extra} given for modalities that are not sequences")
        for m in self.x:
            if self.x[m].ndim == 3 and m not in self.mask:
                self.mask[m] = torch.ones(self.x[m].shape[:2], dtype=torch.bool)
            if m in self.mask and tuple(self.mask[m].shape) != tuple(self.x[m].shape[:2]):
                raise ValueError(f"{self.name}: mask[{m!r}] must be {tuple(self.x[m].shape[:2])}, "
                                 f"got {tuple(self.mask[m].shape)}")
        if self.sentiment is None:
            self.sentiment = torch.full((n,), float("nan"))
        self.sentiment = self._per_sample(self.sentiment, "sentiment", torch.float32)
        out = self.sentiment[(self.sentiment.abs() > 3) | torch.isinf(self.sentiment)]
        if len(out):
            raise ValueError(f"{self.name}: sentiment must lie in [-3, 3] (NaN where not annotated), "
                             f"got {out[0].item():g}")
        self.domain = self._per_sample(torch.zeros(n) if self.domain is None else self.domain,
                                       "domain", torch.int64)
        self.speaker = self._per_sample(torch.zeros(n) if self.speaker is None else self.speaker,
                                        "speaker", torch.int64)
        self.hidden = {k: self._per_sample(v, f"hidden[{k!r}]", None) for k, v in self.hidden.items()}

    def _per_sample(self, value, name, dtype):
        value = (_integers(value, f"{self.name}: {name}") if dtype == torch.int64
                 else _tensor(value, f"{self.name}: {name}", dtype))
        if dtype is not None and value.ndim != 1:
            raise ValueError(f"{self.name}: {name} must be 1-D (n,), got shape {tuple(value.shape)}")
        if value.ndim == 0 or len(value) != len(self.y):
            raise ValueError(f"{self.name}: {name} has {len(value) if value.ndim else 'no'} entries but y has {len(self.y)}")
        return value

    def _labels(self, value, name):
        value = self._per_sample(value, name, torch.int64)
        bad = value[(value < -1) | (value >= len(self.classes))]
        if len(bad):
            raise ValueError(f"{self.name}: {name} has labels {sorted(set(bad.tolist()))} outside "
                             f"-1..{len(self.classes) - 1} ({len(self.classes)} classes)")
        return value

    # -- basic protocol ---------------------------------------------------------
    def __len__(self):
        return len(self.y)

    @property
    def modalities(self) -> tuple:
        return tuple(self.x)

    @property
    def shapes(self) -> dict:
        """Feature shape per modality without the sample axis: {"A": (d,), "V": (T, d)}."""
        return {m: tuple(v.shape[1:]) for m, v in self.x.items()}

    def is_sequence(self, m: str) -> bool:
        return self.x[m].ndim == 3

    @property
    def labeled(self) -> torch.Tensor:
        """(n,) bool: True where ``y`` is a class, False where unlabeled (-1)."""
        return self.y >= 0

    def __getitem__(self, i):
        return self._batch(i)

    def _batch(self, idx):
        return {
            "x": {m: v[idx] for m, v in self.x.items()},
            "mask": {m: v[idx] for m, v in self.mask.items()},
            "y": self.y[idx],
            "sentiment": self.sentiment[idx],
            "domain": self.domain[idx],
            "index": torch.as_tensor(idx),
        }

    def __repr__(self):
        shapes = ", ".join(f"{m}{tuple(s)}" for m, s in self.shapes.items())
        return (f"MultimodalDataset({self.name!r}, n={len(self)}, {shapes}, "
                f"classes={len(self.classes)}, labeled={int(self.labeled.sum())})")

    # -- derived datasets ---------------------------------------------------------
    def subset(self, index, name=None) -> "MultimodalDataset":
        """A new dataset with the samples at ``index`` (ints or a bool mask)."""
        index = torch.as_tensor(index)
        if index.dtype == torch.bool:
            index = index.nonzero().flatten()
        return replace(
            self, name=name or self.name,
            x={m: v[index] for m, v in self.x.items()},
            mask={m: v[index] for m, v in self.mask.items()},
            y=self.y[index], y_true=self.y_true[index], sentiment=self.sentiment[index],
            domain=self.domain[index], speaker=self.speaker[index],
            hidden={k: v[index] for k, v in self.hidden.items()},
        )

    def select(self, modalities) -> "MultimodalDataset":
        """A view with only ``modalities`` (e.g. ("A", "L"))."""
        missing = [m for m in modalities if m not in self.x]
        if missing:
            raise ValueError(f"{self.name}: no modality {missing}; has {list(self.x)}")
        return replace(self, x={m: self.x[m] for m in modalities},
                       mask={m: v for m, v in self.mask.items() if m in modalities})

    def with_features(self, x: dict) -> "MultimodalDataset":
        """The same samples with new feature tensors (same modalities and lengths)."""
        return replace(self, x=x)

    def class_counts(self, true: bool = False) -> np.ndarray:
        """(n_classes,) counts of ``y`` (or of ``y_true`` with ``true=True``), ignoring -1."""
        labels = (self.y_true if true else self.y).numpy()
        return np.bincount(labels[labels >= 0], minlength=len(self.classes))

    # -- batching -------------------------------------------------------------------
    def batches(self, batch_size: int = 128, shuffle: bool = False, seed: int = 0,
                drop_last: bool = False, device=None):
        """Yield batches as dicts of tensors by slicing (no per-sample collate).

        Each batch: ``{"x": {m: (b, ...)}, "mask": {m: (b, T)}, "y": (b,),
        "sentiment": (b,), "domain": (b,), "index": (b,)}``.
        """
        batch_size, seed = plain(batch_size), plain(seed)   # np.int64(64) is a batch size too
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size <= 0:
            raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
        n = len(self)
        if shuffle:
            order = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
        else:
            order = torch.arange(n)
        stop = n - n % batch_size if drop_last else n
        for start in range(0, stop, batch_size):
            batch = self._batch(order[start:start + batch_size])
            yield batch if device is None else to_device(batch, device)

    def cycle(self, batch_size: int = 128, seed: int = 0, drop_last: bool = False, device=None):
        """Batches without end, reshuffled on every pass (pass k uses seed ``seed + 7919 k``):
        the unlabeled pool beside CMDM's labeled batches, the smaller domains beside
        EASUM's largest one."""
        passes = 0
        while True:
            yield from self.batches(batch_size, shuffle=True, seed=seed + 7919 * passes, drop_last=drop_last,
                                    device=device)
            passes += 1


def to_device(batch, device):
    """Move a (nested) batch dict to ``device``."""
    if isinstance(batch, dict):
        return {k: to_device(v, device) for k, v in batch.items()}
    return batch.to(device, non_blocking=True) if isinstance(batch, torch.Tensor) else batch


def join_batches(batches) -> tuple[dict, dict, list[int]]:
    """Several batches as one: ``x`` and ``mask`` concatenated row-wise, and each
    batch's number of rows. One forward pass over the joined batch computes what
    one pass per batch would (every model here treats rows independently), with
    a fraction of the operations: on a CPU a small model's step is bound by the
    number of operations, not their size. Undo with :func:`split_rows`.

    Args: batches: a list of batch dicts (:meth:`MultimodalDataset.batches`) with
        the same modalities and masks.
    Returns: x {m: (sum b, ...)}, mask {m: (sum b, T)}, sizes [b_1, b_2, ...].
    """
    batches = list(batches)
    keys = [(tuple(b["x"]), tuple(b["mask"])) for b in batches]
    if not batches or len(set(keys)) != 1:
        raise ValueError(f"join_batches needs batches with the same modalities and masks, got {keys}")
    x = {m: torch.cat([b["x"][m] for b in batches]) for m in batches[0]["x"]}
    mask = {m: torch.cat([b["mask"][m] for b in batches]) for m in batches[0]["mask"]}
    return x, mask, [len(b["index"]) for b in batches]


def split_rows(out, sizes) -> list:
    """A model's output for a joined batch (a tensor or a nested dict of tensors
    with rows first), cut back into one output per batch of ``sizes`` rows."""
    if isinstance(out, dict):
        parts = {k: split_rows(v, sizes) for k, v in out.items()}
        return [{k: parts[k][i] for k in out} for i in range(len(sizes))]
    if isinstance(out, torch.Tensor):
        return list(torch.split(out, list(sizes)))
    raise TypeError(f"split_rows cuts tensors and dicts of tensors, got {type(out).__name__}")
