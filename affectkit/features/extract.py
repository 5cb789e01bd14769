"""Your own clips -> a corpus file the experiments take (``python -m affectkit extract``).

Input: a folder of clips and a CSV with one row per clip and the columns

    clip        the file name in the folder: a video with its own sound track
                (``c1.mp4``), or a stem with a sound file beside the video
                (``c1.wav`` + ``c1.mp4`` for ``c1``: the .wav is the sound), or a sound file alone
    label       its emotion class name (empty for an unlabeled clip)
    speaker     who speaks (the runners keep speakers apart only through your splits)
    transcript  what is said
    split       train, val, test or unlabeled

Per clip: IS10 functionals of the sound (A, (1582,)), coarse HOG features of
the faces of one frame in ten, 18 of them (V, (18, 324); the paper's face
encoder gives 342 values), and word vectors of the
transcript (L, (22, 384), the offline MiniLM): CMDM's features
(:mod:`affectkit.features`). Each clip's features are written to
``<out>.parts/`` as soon as they are computed, so a crash or Ctrl-C loses only
the clips in flight and a rerun skips the finished ones; clips run on every
core (``jobs``). A modality no clip has (no videos, no faces anywhere, no
transcripts) is left out of the corpus and the experiments train on the others;
a clip that lacks what the others have (no readable audio, no face, an empty
transcript, a broken file) is reported with the reason and left out. The result is one
``.npz`` (:func:`affectkit.data.corpus.save_corpus`), loaded without pickle by
:func:`affectkit.data.corpus.load_corpus`.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from .clips import MODALITIES, media_files, nonverbal, recipe, transcripts  # noqa: F401 (media_files: the API)

COLUMNS = ("clip", "label", "speaker", "transcript", "split")
SPLITS = ("train", "val", "test", "unlabeled")


def read_labels(path, for_training: bool = True) -> list:
    """The rows of the labels CSV as dicts; ValueError naming the file and line for
    a missing column, an unknown split, a duplicate clip or an empty clip name, and
    for what no classifier can learn from (a split without clips, one class in train,
    a val / test label train never shows).

    ``for_training=False`` (new clips for ``predict``): only the ``clip`` column is
    needed; the others are read when present ("" otherwise) and labels may be empty.
    Without a ``transcript`` column every transcript is empty (the corpus has no L).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no labels file at {path}")
    needed = tuple(c for c in COLUMNS if c != "transcript") if for_training else ("clip",)
    with open(path, newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in needed if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path}: missing columns {missing}; a labels file has {list(COLUMNS)}"
                             + ("" if for_training else " (for predict, only clip is needed)"))
        rows, seen = [], set()
        for row in reader:
            line = reader.line_num
            row = {c: (row.get(c) or "").strip() for c in COLUMNS}
            if not row["clip"]:
                raise ValueError(f"{path}, line {line}: empty clip name")
            if row["clip"] in seen:
                raise ValueError(f"{path}, line {line}: clip {row['clip']!r} is listed twice")
            seen.add(row["clip"])
            rows.append(row)
            if not for_training:
                continue
            if row["split"] not in SPLITS:
                raise ValueError(f"{path}, line {line}: split {row['split']!r} is not one of {list(SPLITS)}")
            if row["split"] != "unlabeled" and not row["label"]:
                raise ValueError(f"{path}, line {line}: clip {row['clip']!r} in {row['split']} has no label")
    if not rows:
        raise ValueError(f"{path}: no clips listed")
    if for_training:
        check_splits(path, rows)
    return rows


def check_splits(path, rows) -> None:
    """Refuse labels no classifier can learn from (see :func:`read_labels`)."""
    if all(r["split"] == "unlabeled" for r in rows):
        raise ValueError(f"{path}: every clip is unlabeled, nothing to train on; to label new clips with a "
                         f"trained model run `affectkit predict --model MODEL_DIR CLIPS/ --labels {path}`")
    missing_splits = [s for s in ("train", "val", "test") if not any(r["split"] == s for r in rows)]
    if missing_splits:
        raise ValueError(f"{path}: no clip in split(s) {missing_splits}; train, val and test each need one")
    train = {r["label"] for r in rows if r["split"] == "train"}
    if len(train) < 2:
        raise ValueError(f"{path}: the train clips have {len(train)} label ({sorted(train)}); a classifier needs "
                         "at least 2")
    for split in ("val", "test"):
        unseen = sorted({r["label"] for r in rows if r["split"] == split} - train)
        if unseen:
            raise ValueError(f"{path}: label(s) {unseen} appear in {split} but never in train")


def features(folder, rows: list, parts, modalities: str = "AVL", drop_absent: bool = True, jobs: int | None = None,
             progress: bool = True, max_words: int = 22, fill: dict | None = None) -> dict:
    """Every modality of every listed clip (:mod:`affectkit.features.clips`).

    A modality that no clip has (no video with a face anywhere, no transcript, no sound)
    is left out of the corpus when ``drop_absent`` (it is then named in "dropped");
    a clip that lacks a modality the others have is skipped, with the reason. A listed clip
    with no file at all is a FileNotFoundError before anything is computed. ``fill``
    ({modality: the shape of one clip's features}, for ``predict``): a clip lacking one of
    these keeps its row, with zeros and an all-False mask there, named in "filled".

    Returns {"rows": the clips kept, in order, "x": {m: (n, ...)}, "mask": {m: (n, T)},
    "modalities": the modalities kept, "skipped": {clip: reason}, "dropped": {m: reason},
    "filled": {clip: reason}, "computed", "reused"}.
    """
    modalities = "".join(m for m in MODALITIES if m in modalities)
    clips = [r["clip"] for r in rows]
    absent = [c for c in clips if media_files(Path(folder), c) == (None, None)]
    if absent:   # a typo in the CSV or a file not copied: say so before computing anything
        raise FileNotFoundError(f"{len(absent)} clip(s) listed have no file in {folder}: {absent[:10]}"
                                f"{' ...' if len(absent) > 10 else ''} (a clip is a file name, or a stem with a sound "
                                f"or video extension); fix the CSV or copy the files, then run again")
    found = nonverbal(folder, clips, parts, modalities.replace("L", ""), jobs, progress)
    why = {c: dict(w) for c, w in found["why"].items()}
    skipped = {c: w["clip"] for c, w in why.items() if "clip" in w}
    present = [r for r in rows if r["clip"] not in skipped]
    if "L" in modalities:
        for r in present:
            if not r["transcript"]:
                why.setdefault(r["clip"], {})["L"] = "empty transcript (the L features need what is said)"
    kept, dropped = [], {}
    for m in modalities:
        lacking = [r["clip"] for r in present if m in why.get(r["clip"], {})]
        if lacking and len(lacking) == len(present) and drop_absent:
            dropped[m] = f"no clip has it (e.g. {lacking[0]}: {why[lacking[0]][m]})"
        else:
            kept.append(m)
    fill, filled = fill or {}, {}
    for r in present:
        reasons = [f"{m}: {why[r['clip']][m]}" for m in kept if m in why.get(r["clip"], {}) and m not in fill]
        if reasons:
            skipped[r["clip"]] = "; ".join(reasons)
            continue
        gaps = [f"{m}: {why[r['clip']][m]}" for m in kept if m in why.get(r["clip"], {})]
        if gaps:
            filled[r["clip"]] = "; ".join(gaps)
    if not kept:
        raise ValueError(f"no modality could be extracted from any clip: {dropped or skipped}")
    rows = [r for r in present if r["clip"] not in skipped]
    if not rows:
        raise ValueError(f"no clip could be used: {skipped}")
    feats = [found["features"][r["clip"]] for r in rows]
    x, mask = {}, {}
    if "A" in kept:
        x["A"] = np.stack([f["A"] if "A" in f else np.zeros(fill["A"], np.float32) for f in feats])
    if "V" in kept:
        x["V"] = np.stack([f["V"] if "V" in f else np.zeros(fill["V"], np.float32) for f in feats])
        mask["V"] = np.stack([f["V_mask"] if "V" in f else np.zeros(fill["V"][0], bool) for f in feats])
    if "L" in kept:
        x["L"], mask["L"] = transcripts([r["transcript"] for r in rows], max_words, progress)
    return {"rows": rows, "x": x, "mask": mask, "modalities": "".join(kept), "skipped": skipped,
            "dropped": dropped, "filled": filled, "computed": found["computed"], "reused": found["reused"]}


def extract(folder, labels, out, jobs: int | None = None, progress: bool = True, keep_parts: bool = False,
            max_words: int = 22) -> dict:
    """Extract every clip listed in ``labels`` and write the corpus to ``out``.

    The corpus keeps each clip's name and its speaker's name, and how the features
    were made (:func:`~affectkit.features.clips.recipe`), so that a model trained on
    it can label new clips (``affectkit predict``).

    Returns {"corpus": the Corpus, "path": out, "skipped": {clip: reason},
    "dropped": {modality: reason} (a modality no clip has), "warnings": what is worth saying
    (a speaker in two splits), "extracted": clips computed in this run, "reused": clips found
    in the parts folder}.
    """
    from ..data.corpus import Corpus, check_learnable, save_corpus
    from ..data.dataset import MultimodalDataset

    folder, out = Path(folder), Path(out)
    if not folder.is_dir():
        raise FileNotFoundError(f"no clip folder at {folder}")
    if out.suffix != ".npz":
        raise ValueError(f"{out}: the corpus file must end in .npz")
    rows = read_labels(labels)
    parts = out.with_name(out.name + ".parts")
    got = features(folder, rows, parts, "AVL", True, jobs, progress, max_words)
    kept, skipped = got["rows"], got["skipped"]
    classes = tuple(sorted({r["label"] for r in kept if r["split"] != "unlabeled"}))
    speakers = sorted({r["speaker"] for r in kept})
    splits, ids = {}, {}
    for split in SPLITS:
        idx = [i for i, r in enumerate(kept) if r["split"] == split]
        if not idx:
            if split != "unlabeled":
                raise ValueError(f"every {split} clip was skipped ({skipped}); nothing to {split} on")
            continue
        y = [classes.index(kept[i]["label"]) if split != "unlabeled" else -1 for i in idx]
        splits[split] = MultimodalDataset(
            x={m: v[idx] for m, v in got["x"].items()}, mask={m: v[idx] for m, v in got["mask"].items()},
            y=y, classes=classes, speaker=[speakers.index(kept[i]["speaker"]) for i in idx],
            name=f"{out.stem}/{split}")
        ids[split] = tuple(kept[i]["clip"] for i in idx)
    corpus = Corpus(out.stem, **splits, clips=ids, speakers=tuple(speakers),
                    features={**recipe(max_words), "modalities": got["modalities"]})
    warnings = check_learnable(corpus)   # what skipping clips may have broken: nothing is written then
    save_corpus(corpus, out)
    if not keep_parts and not skipped:
        for p in parts.glob("*.npz"):
            p.unlink()
        parts.rmdir()
    return {"corpus": corpus, "path": out, "skipped": skipped, "dropped": got["dropped"], "warnings": warnings,
            "extracted": max(0, got["computed"] - len(skipped)),
            "reused": got["reused"]}
