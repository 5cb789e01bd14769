"""Linear probes: how much emotion a representation carries, read by a linear classifier.

The first baseline of the kit (notebook 00): mean-pool each sequence over its
real frames, concatenate the chosen modalities, standardise on the train split,
and fit a multinomial logistic regression (scikit-learn).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:   # pandas loads only where a table is built
    import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from . import metrics
from .data.dataset import MultimodalDataset
from .data.transforms import masked_mean

STATE = "Z"  # pseudo-modality: the hidden true affect state of the synthetic world


def pooled_features(ds: MultimodalDataset, modalities) -> np.ndarray:
    """Concatenate utterance-level features of ``modalities``.

    Sequences are mean-pooled over their real frames (mask). ``"Z"`` is the hidden
    affect state (synthetic data only).

    Returns:
        (n, sum of dims) float32 array.
    """
    if isinstance(modalities, str):
        modalities = list(modalities)
    if not modalities:
        raise ValueError("modalities must name at least one of 'A', 'V', 'L' (or 'Z')")
    parts = []
    for m in modalities:
        if m == STATE:
            if "state" not in ds.hidden:
                raise ValueError(f"{ds.name}: no hidden affect state (only the synthetic world has one)")
            parts.append(ds.hidden["state"].numpy())
        elif m not in ds.x:
            raise ValueError(f"{ds.name}: no modality {m!r}; has {list(ds.x)}")
        elif ds.is_sequence(m):
            parts.append(masked_mean(ds.x[m], ds.mask[m]).numpy())
        else:
            parts.append(ds.x[m].numpy())
    return np.concatenate(parts, axis=1)


def logistic_probe(x_train, y_train, x_test, y_test, C: float = 1.0, seed: int = 0) -> dict:
    """Standardise, fit a multinomial logistic regression on (x_train, y_train),
    score on x_test. Arrays: x (n, d), y (n,). Returns {"wa", "ua"}."""
    clf = make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=2000, random_state=seed))
    clf.fit(x_train, y_train)
    pred = clf.predict(x_test)
    return {"wa": metrics.wa(y_test, pred), "ua": metrics.ua(y_test, pred)}


def linear_probe(train: MultimodalDataset, test: MultimodalDataset, modalities="AVL",
                 C: float = 1.0, seed: int = 0) -> dict:
    """Fit a linear probe on ``train`` (labeled samples) and score it on ``test``.

    Args:
        modalities: e.g. "A", "AVL", ["A", "L"], or "Z" for the true state.
        C: inverse L2 regularisation strength of the logistic regression.
    Returns:
        {"wa": accuracy, "ua": mean per-class recall} on ``test`` (true classes).
    """
    keep = train.labeled.numpy()
    if keep.sum() == 0:
        raise ValueError(f"{train.name}: no labeled samples to fit a probe on")
    return logistic_probe(pooled_features(train, modalities)[keep], train.y.numpy()[keep],
                          pooled_features(test, modalities), test.y_true.numpy(), C, seed)


def knob_sweep(knob: str, values, modalities="L", profile="lab", seed: int = 0) -> pd.DataFrame:
    """Turn one :class:`~affectkit.data.world.WorldKnobs` knob and probe each world.

    Returns:
        a tidy DataFrame with rows {knob, "modalities", "wa", "ua"} (test split).
    """
    import pandas as pd

    from .data.world import make_world

    rows = []
    for value in values:
        world = make_world(profile, seed=seed, **{knob: value})
        for mods in ([modalities] if isinstance(modalities, str) else modalities):
            rows.append({knob: value, "modalities": mods, **linear_probe(world.train, world.test, mods)})
    return pd.DataFrame(rows)
