"""EASUM's four domains in the synthetic affect world (EASUM Sec. 3.1 and 3.3, Table 1).

Same physics as :mod:`affectkit.data.world` (one affect space, one set of
sensors), four corpora:

======== ============ =================================================
domain   annotation   label space (``ds.classes``)
======== ============ =================================================
mosi     sentiment    EASUM-9, hidden: ``y`` is -1, ``sentiment`` annotated
mosei    sentiment    EASUM-9, hidden: ``y`` is -1, ``sentiment`` annotated
meld     emotion      MELD-7 (``sentiment`` NaN: EASUM uses emotions only)
iemocap  emotion      IEMOCAP-6
======== ============ =================================================

Each domain has its own class prior, speakers and a shift of the source space
(a mean offset and a per-dimension scale), so domains differ in their first and
second moments: the gap moment matching closes. ``hidden["common"]`` holds each
utterance's true EASUM-9 class, ``hidden["state"]`` its affect state.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from .. import checks
from .dataset import MultimodalDataset
from .labels import COMMON9, EASUM9, IEMOCAP6, MELD7, LabelSpace
from .world import Physics, allocate, resolve

DOMAIN_NAMES = ("mosi", "mosei", "meld", "iemocap")


def _prior(weights: dict) -> np.ndarray:
    return np.array([weights.get(c, 0.0) for c in EASUM9], dtype=float)


# Class priors over EASUM-9. MELD and IEMOCAP follow their corpora's counts
# (MELD train; IEMOCAP-6 utterances); MOSI/MOSEI opinions are mostly neutral
# or mildly positive/negative (their emotions are not annotated in EASUM).
PRIORS = {
    "mosi": _prior({"neutral": .30, "happy": .25, "excited": .10, "sad": .12, "frustrated": .10,
                    "angry": .08, "disgust": .05}),
    "mosei": _prior({"neutral": .30, "happy": .28, "excited": .06, "sad": .12, "frustrated": .06,
                     "angry": .08, "disgust": .05, "surprise": .03, "fear": .02}),
    "meld": _prior({"neutral": 4710, "happy": 1743, "surprise": 1205, "angry": 1109, "sad": 683,
                    "disgust": 271, "fear": 268}),
    "iemocap": _prior({"happy": 648, "sad": 1084, "neutral": 1708, "angry": 1103, "excited": 1041,
                       "frustrated": 1849}),
}
DOMAIN_SPACES = {"mosi": COMMON9, "mosei": COMMON9, "meld": MELD7, "iemocap": IEMOCAP6}
TASKS = {"mosi": "sentiment", "mosei": "sentiment", "meld": "emotion", "iemocap": "emotion"}


@dataclass
class Domain:
    """One corpus of the multi-domain world: ``train`` / ``val`` / ``test`` splits,
    its ``task`` ("sentiment" or "emotion") and label ``space``."""

    name: str
    index: int
    task: str
    space: LabelSpace
    train: MultimodalDataset
    val: MultimodalDataset
    test: MultimodalDataset

    @property
    def splits(self) -> dict:
        return {"train": self.train, "val": self.val, "test": self.test}


def make_domains(profile="lab", seed: int = 0, shapes=None, domain_shift: float = 1.0,
                 domain_scale: float = 0.3, **knobs) -> dict:
    """Generate the four EASUM domains of a profile.

    Args:
        profile: "smoke", "lab" or "paper" (paper: EASUM Table 1 split sizes;
            text 40 x 768, audio 157 x 64, visual 32 x 64).
        seed: every array is a deterministic function of (profile, seed, knobs).
        shapes: None (the profile's domain shapes), a profile name or a dict.
        domain_shift: std of each domain's mean offset in source space; 0 puts
            all domains on the same first moment.
        domain_scale: log-std of each domain's per-dimension scale; 0 gives them
            the same second moment up to the offset.
        **knobs: :class:`WorldKnobs` fields shared with the CMDM world.
    Returns:
        {"mosi": Domain, "mosei": Domain, "meld": Domain, "iemocap": Domain}.
    """
    prof, shapes, k = resolve(profile, seed, shapes, "domain_shapes", knobs)
    for name, v in (("domain_shift", domain_shift), ("domain_scale", domain_scale)):
        checks.number(v, name, 0)
    physics = Physics(k, int(seed))
    domains = {}
    for d, name in enumerate(DOMAIN_NAMES):
        rng = np.random.default_rng([int(seed), 4, d])
        offset = {m: domain_shift * rng.normal(size=k.source_dim) for m in shapes}
        scale = {m: np.exp(domain_scale * rng.normal(size=k.source_dim)) for m in shapes}
        space, splits = DOMAIN_SPACES[name], {}
        for s, (split, n) in enumerate(zip(("train", "val", "test"), prof.domain_sizes[name])):
            srng = np.random.default_rng([int(seed), 5, d, s])
            common = allocate(PRIORS[name], n, srng)
            x, mask, z, spk = physics.sample(srng, common, shapes, max(2, prof.speakers[s]),
                                             offset=offset, scale=scale)
            own = np.array([space.classes.index(_own_name(space, EASUM9[c])) for c in common])
            sentiment = physics.sentiment(z)
            emotion = TASKS[name] == "emotion"
            splits[split] = MultimodalDataset(
                x=x, mask=mask, classes=space.classes,
                y=own if emotion else np.full(n, -1), y_true=own,
                sentiment=np.full(n, np.nan) if emotion else sentiment,
                domain=np.full(n, d), speaker=spk + 1000 * (10 * d + s), name=f"{name}/{split}",
                hidden={"state": z.astype(np.float32), "common": common, "sentiment": sentiment})
        domains[name] = Domain(name, d, TASKS[name], space, **splits)
    return domains


def _own_name(space: LabelSpace, common_name: str) -> str:
    """The class of ``space`` that maps to the EASUM-9 class ``common_name``."""
    for c in space.classes:
        if space.common[c] == common_name:
            return c
    raise ValueError(f"{space.name} has no class for the common emotion {common_name!r}")


def feature_moments(datasets: dict, modality: str, relative: bool = False) -> pd.DataFrame:
    """Per-dimension mean and std of one modality for each named dataset.

    Sequences pool their real frames (padding excluded). Moment matching
    (EASUM Eq. 8-9) closes exactly these gaps in a learned representation.

    Args:
        relative: express each dimension against the pooled frames of all
            datasets: mean as (mean - pooled mean) / pooled std, std as std /
            pooled std, so that raw feature units do not hide the gaps.
    Returns:
        a tidy DataFrame with rows {"group", "dim", "mean", "std"}.
    """
    frames = {}
    for name, ds in datasets.items():
        if modality not in ds.x:
            raise ValueError(f"{name}: no modality {modality!r}; has {list(ds.x)}")
        v = ds.x[modality]
        frames[name] = v[ds.mask[modality]] if modality in ds.mask else v
    center, unit = 0.0, 1.0
    if relative:
        pooled = torch.cat(list(frames.values()))
        center, unit = pooled.mean(0), pooled.std(0).clamp_min(1e-8)
    rows = []
    for name, f in frames.items():
        mean, std = ((f.mean(0) - center) / unit).numpy(), (f.std(0) / unit).numpy()
        rows += [{"group": name, "dim": i, "mean": float(a), "std": float(b)}
                 for i, (a, b) in enumerate(zip(mean, std))]
    return pd.DataFrame(rows)
