"""Your own clips -> a corpus file the experiments take (``python -m affectkit extract``).

Input: a folder of clips and a CSV with one row per clip and the columns

    clip        the file name in the folder: a video with its own sound track
                (``c1.mp4``), or a stem with a sound file beside the video
                (``c1.wav`` + ``c1.mp4`` for ``c1``: the .wav is the sound)
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
core (``jobs``). A clip that cannot be used (no readable audio, no face, a
broken file) is reported with the reason and left out. The result is one
``.npz`` (:func:`affectkit.data.corpus.save_corpus`), loaded without pickle by
:func:`affectkit.data.corpus.load_corpus`.
"""

from __future__ import annotations

import csv
import hashlib
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import numpy as np

from ..files import atomic_write

COLUMNS = ("clip", "label", "speaker", "transcript", "split")
SPLITS = ("train", "val", "test", "unlabeled")
AUDIO = (".wav", ".flac", ".ogg", ".aiff", ".aif")
VIDEO = (".mp4", ".avi", ".mov", ".mkv", ".webm")


def read_labels(path) -> list:
    """The rows of the labels CSV as dicts; ValueError naming the file and line for
    a missing column, an unknown split, a duplicate clip or an empty clip name."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no labels file at {path}")
    with open(path, newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path}: missing columns {missing}; a labels file has {list(COLUMNS)}")
        rows, seen = [], set()
        for row in reader:
            line = reader.line_num
            row = {c: (row[c] or "").strip() for c in COLUMNS}
            if not row["clip"]:
                raise ValueError(f"{path}, line {line}: empty clip name")
            if row["split"] not in SPLITS:
                raise ValueError(f"{path}, line {line}: split {row['split']!r} is not one of {list(SPLITS)}")
            if row["split"] != "unlabeled" and not row["label"]:
                raise ValueError(f"{path}, line {line}: clip {row['clip']!r} in {row['split']} has no label")
            if row["clip"] in seen:
                raise ValueError(f"{path}, line {line}: clip {row['clip']!r} is listed twice")
            seen.add(row["clip"])
            rows.append(row)
    if not rows:
        raise ValueError(f"{path}: no clips listed")
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
    return rows


def media_files(folder: Path, clip: str) -> tuple:
    """(audio file, video file) of a clip: the named file and a sibling with the same
    stem and the other kind's extension; either may be None."""
    named = folder / clip
    candidates = [named] + [named.with_suffix(ext) for ext in AUDIO + VIDEO] + \
                 [folder / f"{clip}{ext}" for ext in AUDIO + VIDEO]
    existing = [p for p in candidates if p.is_file()]
    audio = next((p for p in existing if p.suffix.lower() in AUDIO), None)
    video = next((p for p in existing if p.suffix.lower() in VIDEO), None)
    return audio, video


def clip_features(folder: str, clip: str, part: str) -> str | None:
    """Compute A and V of one clip and write them to ``part`` (.npz); returns None,
    or the reason the clip cannot be used. Runs in a worker process."""
    from . import acoustic, visual

    audio, video = media_files(Path(folder), clip)
    if audio is None and video is None:
        return f"missing: no file named {clip} (or {Path(clip).stem} with a sound or video extension) in {folder}"
    if audio is None:   # a video with its own sound track is the whole clip
        audio = video
    if video is None:
        return "no video file (.mp4, .avi, ...) for this clip"
    try:
        a = acoustic.is10(audio)
        v, v_mask = visual.face_features(visual.face_track(video), encoder="hog-coarse")
    except (ValueError, FileNotFoundError) as err:   # NoFaceError is a ValueError
        return str(err)
    with atomic_write(part, suffix=".npz") as tmp:
        np.savez(tmp, A=a, V=v.numpy(), V_mask=v_mask.numpy())
    return None


def _part(parts: Path, folder: Path, clip: str) -> Path:
    """The clip's part file, named by the clip and its media files' sizes and times
    (a clip whose files changed is computed again)."""
    stamp = [clip] + [f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in media_files(folder, clip) if p]
    return parts / f"{hashlib.sha256(chr(0).join(stamp).encode()).hexdigest()[:24]}.npz"


def extract(folder, labels, out, jobs: int | None = None, progress: bool = True, keep_parts: bool = False,
            max_words: int = 22) -> dict:
    """Extract every clip listed in ``labels`` and write the corpus to ``out``.

    Returns {"corpus": the Corpus, "path": out, "skipped": {clip: reason},
    "extracted": clips computed in this run, "reused": clips found in the parts folder}.
    """
    from ..data.corpus import Corpus, save_corpus
    from ..data.dataset import MultimodalDataset
    from ..progress import bar as progress_bar
    from .lexical import WordEmbedder

    folder, out = Path(folder), Path(out)
    if not folder.is_dir():
        raise FileNotFoundError(f"no clip folder at {folder}")
    if out.suffix != ".npz":
        raise ValueError(f"{out}: the corpus file must end in .npz")
    rows = read_labels(labels)
    parts = out.with_name(out.name + ".parts")
    parts.mkdir(parents=True, exist_ok=True)
    for stale in parts.glob(".*.tmp*"):   # a clip in flight when an earlier run was killed
        stale.unlink()
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(rows)))
    todo = [r for r in rows if not _part(parts, folder, r["clip"]).exists()]
    skipped = {}
    bar = progress_bar(total=len(rows), initial=len(rows) - len(todo), desc="clips", disable=not progress)
    # spawned workers: a forked copy of a process that has run torch's thread pool can hang
    with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = {pool.submit(clip_features, str(folder), r["clip"], str(_part(parts, folder, r["clip"]))): r["clip"]
                   for r in todo}
        for future in as_completed(futures):
            reason = future.result()
            if reason is not None:
                skipped[futures[future]] = reason
            bar.update()
    bar.close()
    kept = [r for r in rows if r["clip"] not in skipped]
    if not kept:
        raise ValueError(f"no clip could be used: {skipped}")
    texts, mask_l = WordEmbedder(max_words=max_words, progress=progress)([r["transcript"] for r in kept])
    classes = tuple(sorted({r["label"] for r in kept if r["split"] != "unlabeled"}))
    speakers = {s: i for i, s in enumerate(sorted({r["speaker"] for r in kept}))}
    feats = []
    for r in kept:
        with np.load(_part(parts, folder, r["clip"]), allow_pickle=False) as f:
            feats.append({k: f[k] for k in f.files})
    splits = {}
    for split in SPLITS:
        idx = [i for i, r in enumerate(kept) if r["split"] == split]
        if not idx:
            if split != "unlabeled":
                raise ValueError(f"every {split} clip was skipped ({skipped}); nothing to {split} on")
            continue
        y = [classes.index(kept[i]["label"]) if split != "unlabeled" else -1 for i in idx]
        splits[split] = MultimodalDataset(
            x={"A": np.stack([feats[i]["A"] for i in idx]), "V": np.stack([feats[i]["V"] for i in idx]),
               "L": texts[idx]},
            mask={"V": np.stack([feats[i]["V_mask"] for i in idx]), "L": mask_l[idx]},
            y=y, classes=classes, speaker=[speakers[kept[i]["speaker"]] for i in idx], name=f"{out.stem}/{split}")
    corpus = Corpus(out.stem, **splits)
    save_corpus(corpus, out)
    if not keep_parts and not skipped:
        for p in parts.glob("*.npz"):
            p.unlink()
        parts.rmdir()
    return {"corpus": corpus, "path": out, "skipped": skipped, "extracted": len(todo) - len(skipped),
            "reused": len(rows) - len(todo)}
