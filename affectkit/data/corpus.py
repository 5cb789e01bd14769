"""A corpus as every experiment runner takes it, from any source.

:class:`Corpus` holds labeled ``train`` / ``val`` / ``test`` splits (and, for
semi-supervised learning, an ``unlabeled`` pool), its ``task`` and label
``space``: the synthetic world (:class:`~affectkit.data.world.AffectWorld`)
has the same attributes, so a runner takes either. Sources:

- :func:`from_mmsa`: MOSI / MOSEI (MMSA's files; a sentiment corpus);
- :func:`from_iemocap`: the IEMOCAP feature pickle, CMDM's 4-class protocol,
  a held-out session as val + test (speaker independent);
- :func:`load_corpus`: a ``.npz`` written by :func:`save_corpus`, e.g. by
  ``python -m affectkit extract`` from a folder of the user's clips. No pickle:
  ``np.load(allow_pickle=False)``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..files import atomic_write
from .dataset import MultimodalDataset
from .labels import COMMON9, EASUM9, IEMOCAP4, LabelSpace

SPLITS = ("train", "val", "test", "unlabeled")
FORMAT = 1   # the .npz layout version written by save_corpus (clip and speaker names came later, optional)


# names a user's labels may carry for EASUM's common classes
SYNONYMS = {"joy": "happy", "happiness": "happy", "anger": "angry", "sadness": "sad", "neu": "neutral",
            "hap": "happy", "ang": "angry", "exc": "excited", "fru": "frustrated", "surprised": "surprise",
            "fearful": "fear", "disgusted": "disgust", "calm": "neutral"}


def space_for(name: str, classes) -> LabelSpace:
    """A label space for ``classes``, each mapped into EASUM-9 by its name (or a
    common synonym: joy -> happy, anger -> angry, ...). A class with no such name
    stays unmapped: an EASUM DG model then says which one to map."""
    classes = tuple(str(c) for c in classes)
    common = {}
    for c in classes:
        key = c.strip().lower()
        key = SYNONYMS.get(key, key)
        if key in EASUM9:
            common[c] = key
    return LabelSpace(name, classes, common)


@dataclass
class Corpus:
    """A corpus's splits; ``task``: "emotion" (``y`` holds classes of ``space``) or
    "sentiment" (``sentiment`` holds [-3, 3] intensities; ``y`` may be -1)."""

    name: str
    train: MultimodalDataset
    val: MultimodalDataset
    test: MultimodalDataset
    unlabeled: MultimodalDataset | None = None
    task: str = "emotion"
    space: LabelSpace | None = None
    index: int = 0   # its domain index when several corpora train one EASUM DG model
    clips: dict | None = None      # split -> clip names, in row order (a corpus of clips)
    speakers: tuple | None = None  # speaker names: ``speaker`` holds indices into it
    features: dict | None = None   # how the features were made (features.clips.recipe), to extract new clips alike

    def __post_init__(self):
        if self.task not in ("emotion", "sentiment"):
            raise ValueError(f"{self.name}: task must be 'emotion' or 'sentiment', got {self.task!r}")
        for split in ("train", "val", "test"):
            if not isinstance(getattr(self, split), MultimodalDataset):
                raise TypeError(f"{self.name}: {split} must be a MultimodalDataset, "
                                f"got {type(getattr(self, split)).__name__}")
        shapes = self.train.shapes
        for split, ds in self.splits.items():
            if ds.shapes != shapes:
                raise ValueError(f"{self.name}: the {split} split has shapes {ds.shapes}, train has {shapes}")
        if self.space is None:
            self.space = space_for(self.name, self.classes)
        for split, names in (self.clips or {}).items():
            if split in self.splits and len(names) != len(self.splits[split]):
                raise ValueError(f"{self.name}: clips[{split!r}] names {len(names)} clips for a split of "
                                 f"{len(self.splits[split])}")

    def clip_names(self, split: str) -> tuple:
        """The clip names of ``split`` (``<split>/<row>`` where the corpus has none)."""
        names = (self.clips or {}).get(split)
        return tuple(names) if names is not None else tuple(f"{split}/{i}" for i in range(len(self.splits[split])))

    def speaker_names(self, split: str) -> tuple:
        """The speaker of each row of ``split`` by name (its index as text where the corpus has no names)."""
        ids = self.splits[split].speaker.tolist()
        return tuple(self.speakers[i] if self.speakers else str(i) for i in ids)

    @property
    def classes(self) -> tuple:
        return tuple(self.train.classes)

    @property
    def splits(self) -> dict:
        return {s: getattr(self, s) for s in SPLITS if getattr(self, s, None) is not None}

    def __repr__(self):
        sizes = ", ".join(f"{s} {len(ds)}" for s, ds in self.splits.items())
        return f"Corpus({self.name!r}, {self.task}, {sizes}, shapes {self.train.shapes})"


def check_learnable(corpus: Corpus) -> list:
    """Refuse a corpus no classifier can learn from; return the warnings worth saying.

    ValueError: an empty train, val or test split; an emotion corpus whose train split
    holds fewer than 2 classes, or a val / test class that train never shows.
    Warnings (strings): a speaker in more than one split (the test then measures
    speakers the model has heard, not new ones).
    """
    for split in ("train", "val", "test"):
        if len(getattr(corpus, split)) == 0:
            raise ValueError(f"{corpus.name}: the {split} split is empty; train, val and test each need clips")
    if corpus.task == "emotion":
        def present(ds):
            return {corpus.classes[int(i)] for i in ds.y.unique().tolist() if i >= 0}
        seen = present(corpus.train)
        if len(seen) < 2:
            raise ValueError(f"{corpus.name}: the train split holds {len(seen)} class ({sorted(seen)}); "
                             "a classifier needs at least 2")
        for split in ("val", "test"):
            unseen = sorted(present(getattr(corpus, split)) - seen)
            if unseen:
                raise ValueError(f"{corpus.name}: class(es) {unseen} appear in {split} but never in train")
    warnings = []
    where = {}
    for split, ds in corpus.splits.items():
        for s in set(ds.speaker.tolist()):
            where.setdefault(s, set()).add(split)
    shared = sorted(s for s, splits in where.items() if len(splits & {"train", "val", "test"}) > 1)
    if shared:
        names = [corpus.speakers[s] if corpus.speakers and s < len(corpus.speakers) else s for s in shared[:10]]
        warnings.append(f"{corpus.name}: {len(shared)} speaker(s) appear in more than one of train / val / test "
                        f"({names}); the test scores then include speakers the model heard")
    return warnings


def from_mmsa(data, name: str = "mosi") -> Corpus:
    """MOSI / MOSEI as a sentiment corpus. ``data``: :func:`~affectkit.data.mmsa.load_mmsa`'s
    dict (its ``valid`` split becomes ``val``)."""
    from .mmsa import mmsa_dataset

    parts = {s: mmsa_dataset(data[k], f"{name}/{s}") for s, k in (("train", "train"), ("val", "valid"),
                                                                  ("test", "test"))}
    return Corpus(name, **parts, task="sentiment", space=COMMON9)


def from_iemocap(data, test_session: int = 5, seed: int = 0) -> Corpus:
    """IEMOCAP's feature pickle as CMDM's 4-class corpus (neutral, happy + excited,
    angry, sad): sessions other than ``test_session`` train; the held-out
    session's dialogues are split in half, val and test (no speaker in two splits'
    training data). ``data``: :func:`~affectkit.data.iemocap.load_iemocap`'s dict.
    Features are utterance vectors: A, V and L each (n, d)."""
    from .iemocap import four_class

    four = four_class(data)
    sessions = np.asarray(four["session"])
    if test_session not in set(sessions.tolist()):
        raise ValueError(f"test_session {test_session} is not among the file's sessions {sorted(set(sessions))}")
    held = np.flatnonzero(sessions == test_session)
    dialogues = sorted(set(np.asarray(four["dialogue"])[held].tolist()))
    order = np.random.default_rng(seed).permutation(len(dialogues))
    val_dialogues = {dialogues[i] for i in order[: len(dialogues) // 2]}
    in_val = np.array([d in val_dialogues for d in np.asarray(four["dialogue"])[held]])
    index = {"train": np.flatnonzero(sessions != test_session), "val": held[in_val], "test": held[~in_val]}
    speakers = {s: i for i, s in enumerate(sorted(set(np.asarray(four["speaker"]).tolist())))}

    def split(name):
        i = index[name]
        if len(i) == 0:
            raise ValueError(f"IEMOCAP: the {name} split is empty (test_session {test_session})")
        return MultimodalDataset(
            x={"A": four["audio"][i], "V": four["visual"][i], "L": four["text"][i]}, y=four["label"][i],
            classes=IEMOCAP4.classes, speaker=[speakers[s] for s in np.asarray(four["speaker"])[i]],
            name=f"iemocap/{name}")

    return Corpus("iemocap", split("train"), split("val"), split("test"), task="emotion", space=IEMOCAP4)


def save_corpus(corpus: Corpus, path) -> Path:
    """Write ``corpus`` as one ``.npz`` of plain arrays (atomically)."""
    path = Path(path)
    if path.suffix != ".npz":
        raise ValueError(f"{path}: a corpus file must end in .npz")
    arrays = {"format": np.array(FORMAT), "name": np.array(corpus.name), "task": np.array(corpus.task),
              "classes": np.array(corpus.classes, dtype=str)}
    for split, ds in corpus.splits.items():
        for m, x in ds.x.items():
            arrays[f"{split}/x/{m}"] = x.numpy()
            if m in ds.mask:
                arrays[f"{split}/mask/{m}"] = ds.mask[m].numpy()
        for field in ("y", "sentiment", "speaker", "domain"):
            arrays[f"{split}/{field}"] = getattr(ds, field).numpy()
        if corpus.clips and split in corpus.clips:
            arrays[f"{split}/clip"] = np.array(corpus.clips[split], dtype=str)
    if corpus.speakers:
        arrays["speakers"] = np.array(corpus.speakers, dtype=str)
    if corpus.features:
        arrays["features"] = np.array(json.dumps(corpus.features))
    with atomic_write(path, suffix=".npz") as tmp:
        np.savez_compressed(tmp, **arrays)
    return path


def load_corpus(path, name: str | None = None) -> Corpus:
    """A corpus written by :func:`save_corpus` (or ``python -m affectkit extract``)."""
    path = Path(path)
    if path.suffix.lower() in (".csv", ".tsv"):
        raise ValueError(f"{path} is a labels file, not a corpus: run `python -m affectkit extract CLIPS/ --labels "
                         f"{path} --out corpus.npz` first, then pass corpus.npz")
    if not path.is_file():
        raise FileNotFoundError(f"no corpus file at {path}")
    try:
        with np.load(path, allow_pickle=False) as f:
            arrays = {k: f[k] for k in f.files}
    except (ValueError, OSError, EOFError) as err:
        raise ValueError(f"{path}: not a readable corpus .npz ({err})") from None
    missing = [k for k in ("format", "task", "classes", "train/y", "val/y", "test/y") if k not in arrays]
    if missing:
        raise ValueError(f"{path}: not an affectkit corpus (missing {missing}); write one with save_corpus "
                         f"or python -m affectkit extract")
    if int(arrays["format"]) != FORMAT:
        raise ValueError(f"{path}: corpus format {int(arrays['format'])}; this affectkit reads {FORMAT}")
    classes = tuple(str(c) for c in arrays["classes"])
    name = name or str(arrays.get("name", path.stem))
    splits = {}
    for split in SPLITS:
        if f"{split}/y" not in arrays:
            continue
        x = {k.split("/")[2]: v for k, v in arrays.items() if k.startswith(f"{split}/x/")}
        mask = {k.split("/")[2]: v for k, v in arrays.items() if k.startswith(f"{split}/mask/")}
        splits[split] = MultimodalDataset(
            x=x, mask=mask, y=arrays[f"{split}/y"], classes=classes, sentiment=arrays.get(f"{split}/sentiment"),
            speaker=arrays.get(f"{split}/speaker"), domain=arrays.get(f"{split}/domain"), name=f"{name}/{split}")
    task = str(arrays["task"])
    space = COMMON9 if task == "sentiment" and classes == EASUM9 else None
    clips = {s: tuple(str(c) for c in arrays[f"{s}/clip"]) for s in splits if f"{s}/clip" in arrays} or None
    speakers = tuple(str(s) for s in arrays["speakers"]) if "speakers" in arrays else None
    try:
        recipe = json.loads(str(arrays["features"])) if "features" in arrays else None
    except json.JSONDecodeError:
        raise ValueError(f"{path}: its 'features' entry is not JSON") from None
    if speakers is not None:
        top = max((int(ds.speaker.max()) for ds in splits.values() if len(ds.speaker)), default=-1)
        if top >= len(speakers):
            raise ValueError(f"{path}: speaker index {top} but only {len(speakers)} speaker names")
    return Corpus(name, **splits, task=task, space=space, clips=clips, speakers=speakers, features=recipe)
