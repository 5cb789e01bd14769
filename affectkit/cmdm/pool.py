"""Class-balanced selection of an unlabeled pool (CMDM Sec. 4.2).

The AMI meetings CMDM draws its unlabeled clips from are mostly calm: a
pretrained emotion classifier labels about 80% of them happy or neutral. The
paper balances the pool by those *predicted* classes: the classes with more
than ``per_class`` clips are sub-sampled to ``per_class``, the rarer ones
over-sampled (drawn again with replacement) up to ``per_class``; 4 x 5000 clips.

The predicted classes are only a guess: on the synthetic world the true
classes of the pool are known, so :func:`balance_report` shows how balanced the
result really is.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ..data.dataset import MultimodalDataset


def balanced_indices(pseudo_labels, n_classes: int, per_class: int, seed: int = 0) -> np.ndarray:
    """Indices into the pool, ``per_class`` for every class of ``pseudo_labels``.

    Classes with more samples are sub-sampled without replacement; classes with
    fewer keep all their samples and draw the rest again with replacement.

    Args:
        pseudo_labels: (n,) predicted class per pool sample, in [0, n_classes).
        per_class: samples per class after balancing (the paper: 5000).
    A class that is never predicted cannot be over-sampled: it is left out
    with a warning (the balanced pool is then smaller).
    """
    labels = np.asarray(pseudo_labels)
    if labels.ndim != 1 or len(labels) == 0:
        raise ValueError(f"pseudo_labels must be a non-empty 1-D array, got shape {labels.shape}")
    if labels.min() < 0 or labels.max() >= n_classes:
        raise ValueError(f"pseudo_labels must lie in [0, {n_classes}), got {labels.min()}..{labels.max()}")
    if not isinstance(per_class, (int, np.integer)) or per_class <= 0:
        raise ValueError(f"per_class must be a positive int, got {per_class!r}")
    rng = np.random.default_rng(seed)
    chosen = []
    for c in range(n_classes):
        members = np.flatnonzero(labels == c)
        if len(members) == 0:
            warnings.warn(f"no pool sample is predicted as class {c}: it cannot be over-sampled and "
                          "stays out of the balanced pool", stacklevel=2)
            continue
        if len(members) >= per_class:
            chosen.append(rng.choice(members, per_class, replace=False))
        else:
            extra = rng.choice(members, per_class - len(members), replace=True)
            chosen.append(np.concatenate([members, extra]))
    return rng.permutation(np.concatenate(chosen))


def balance_pool(pool: MultimodalDataset, pseudo_labels, per_class: int | None = None,
                 seed: int = 0) -> MultimodalDataset:
    """The pool re-sampled to ``per_class`` samples per predicted class.

    Args:
        pool: the unlabeled split (``y`` is -1; ``y_true`` is kept for analysis).
        pseudo_labels: (len(pool),) classes a pretrained classifier predicts.
        per_class: default ``len(pool) // n_classes`` (the pool keeps its size).
    """
    labels = np.asarray(pseudo_labels)
    if len(labels) != len(pool):
        raise ValueError(f"{len(labels)} pseudo labels for a pool of {len(pool)} samples")
    n_classes = len(pool.classes)
    per_class = len(pool) // n_classes if per_class is None else per_class
    idx = balanced_indices(labels, n_classes, per_class, seed)
    return pool.subset(idx, name=f"{pool.name} (balanced)")


def balance_report(pool: MultimodalDataset, balanced: MultimodalDataset, pseudo_labels, balanced_pseudo) -> pd.DataFrame:
    """Class shares before and after balancing, by predicted and by true class.

    Returns rows {"class", "pool (predicted)", "pool (true)", "balanced (predicted)",
    "balanced (true)"}: shares in [0, 1].
    """
    k = len(pool.classes)

    def share(labels):
        counts = np.bincount(np.asarray(labels), minlength=k)
        return counts / counts.sum()

    return pd.DataFrame({"class": pool.classes,
                         "pool (predicted)": share(pseudo_labels), "pool (true)": share(pool.y_true.numpy()),
                         "balanced (predicted)": share(balanced_pseudo),
                         "balanced (true)": share(balanced.y_true.numpy())})
