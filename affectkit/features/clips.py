"""Features of a folder of clips, one worker per core, resumable: what ``extract``
(a labeled corpus) and ``predict`` (new clips for a saved model) share.

A clip is the file a labels row names: a video with its own sound track
(``c1.mp4``), or a stem with a sound file beside the video (``c1.wav`` + ``c1.mp4``),
or a sound file alone. Per clip and modality, either the features or the reason
they cannot be computed:

- A: IS10 functionals of the sound (1582,): the sound file, else the video's track;
- V: coarse HOG of the faces of one frame in ten, ``V_LENGTH`` of them (18, 324),
  and their mask; it needs a video with a face;
- L: word vectors of the transcript (22, 384) and their mask; it needs a transcript.

Each clip's A and V go to ``parts/`` as soon as they are computed (a crash or
Ctrl-C loses only the clips in flight; a rerun skips the clips already done and
retries the ones that failed).
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import numpy as np

from ..files import atomic_write

AUDIO = (".wav", ".flac", ".ogg", ".aiff", ".aif")
VIDEO = (".mp4", ".avi", ".mov", ".mkv", ".webm")
MODALITIES = ("A", "V", "L")
V_ENCODER = "hog-coarse"   # the visual encoder of a clip corpus (324 values per face)


def recipe(max_words: int = 22) -> dict:
    """How a clip's features are made: stored in the corpus file and a saved model's card,
    so that new clips are extracted the same way."""
    from .lexical import DEFAULT_MODEL
    from .visual import EVERY, LENGTH

    return {"A": "IS10 functionals (openSMILE), 1582 values", "V": {"encoder": V_ENCODER, "every": EVERY,
            "length": LENGTH}, "L": {"model": DEFAULT_MODEL, "max_words": int(max_words)}}


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


def clips_in(folder) -> list:
    """The clips of a folder without a labels file: the stems of its sound and video files
    (``c1`` for ``c1.wav`` + ``c1.mp4``), sorted."""
    return sorted({p.stem for p in Path(folder).iterdir() if p.is_file() and p.suffix.lower() in AUDIO + VIDEO})


def clip_features(folder: str, clip: str, part: str, modalities: str = "AV") -> dict:
    """Compute A and V (those in ``modalities``) of one clip and write what worked to
    ``part`` (.npz), with the reason for what did not ("why_A", "why_V").
    Returns {modality: reason} of the modalities that could not be computed, or
    {"clip": reason} when the clip has no file at all. Runs in a worker process."""
    from . import acoustic, visual

    audio, video = media_files(Path(folder), clip)
    if audio is None and video is None:
        return {"clip": f"missing: no file named {clip} (or {Path(clip).stem} with a sound or video extension) "
                        f"in {folder}"}
    arrays, why = {}, {}
    if "A" in modalities:
        try:   # a video with its own sound track is the whole clip
            arrays["A"] = acoustic.is10(audio or video)
        except (ValueError, FileNotFoundError) as err:
            why["A"] = str(err)
    if "V" in modalities:
        if video is None:
            why["V"] = "no video file (.mp4, .avi, ...) for this clip"
        else:
            try:
                v, v_mask = visual.face_features(visual.face_track(video), encoder=V_ENCODER)
                arrays["V"], arrays["V_mask"] = v.numpy(), v_mask.numpy()
            except (ValueError, FileNotFoundError) as err:   # NoFaceError is a ValueError
                why["V"] = str(err)
    with atomic_write(part, suffix=".npz") as tmp:
        np.savez(tmp, **arrays, **{f"why_{m}": np.array(r) for m, r in why.items()})
    return why


def part_path(parts: Path, folder: Path, clip: str) -> Path:
    """The clip's part file, named by the clip and its media files' sizes and times
    (a clip whose files changed is computed again)."""
    stamp = [clip] + [f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in media_files(folder, clip) if p]
    return parts / f"{hashlib.sha256(chr(0).join(stamp).encode()).hexdigest()[:24]}.npz"


def read_part(path: Path) -> tuple:
    """(arrays, {modality: reason}) of a part file."""
    with np.load(path, allow_pickle=False) as f:
        found = {k: f[k] for k in f.files}
    why = {k[4:]: str(v) for k, v in found.items() if k.startswith("why_")}
    return {k: v for k, v in found.items() if not k.startswith("why_")}, why


def nonverbal(folder, clips: list, parts, modalities: str = "AV", jobs: int | None = None,
              progress: bool = True) -> dict:
    """A and V of every clip, computed on ``jobs`` worker processes (default: every core; 1: in
    this process, which a script without an ``if __name__ == "__main__":`` guard needs),
    reusing the finished part files in ``parts``.

    Returns {"features": {clip: {"A": (1582,), "V": (18, 324), "V_mask": (18,)}} (what could be
    computed), "why": {clip: {modality or "clip": reason}}, "computed", "reused"}.
    """
    from ..progress import bar as progress_bar

    folder, parts = Path(folder), Path(parts)
    parts.mkdir(parents=True, exist_ok=True)
    for stale in parts.glob(".*.tmp*"):   # a clip in flight when an earlier run was killed
        stale.unlink()
    found, todo = {}, []
    for clip in clips:
        path = part_path(parts, folder, clip)
        if path.exists():
            arrays, why = read_part(path)
            if not why and all(m in arrays for m in modalities):
                found[clip] = (arrays, why)
                continue
        todo.append(clip)
    reused = len(found)
    if todo and any(m in modalities for m in "AV") and jobs == 1:   # in this process: no script guard needed
        for clip in progress_bar(todo, desc="clips: sound and faces", disable=not progress):
            why = clip_features(str(folder), clip, str(part_path(parts, folder, clip)), modalities)
            found[clip] = ({}, why) if "clip" in why else (read_part(part_path(parts, folder, clip))[0], why)
    elif todo and any(m in modalities for m in "AV"):
        jobs = max(1, min(jobs or os.cpu_count() or 1, len(todo)))
        bar = progress_bar(total=len(clips), initial=reused, desc="clips: sound and faces", disable=not progress)
        # spawned workers: a forked copy of a process that has run torch's thread pool can hang
        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
            futures = {pool.submit(clip_features, str(folder), c, str(part_path(parts, folder, c)), modalities): c
                       for c in todo}
            for future in as_completed(futures):
                clip, why = futures[future], future.result()
                found[clip] = ({}, why) if "clip" in why else (read_part(part_path(parts, folder, clip))[0], why)
                bar.update()
        bar.close()
    else:
        found.update({c: ({}, {}) for c in todo})
    return {"features": {c: found[c][0] for c in clips}, "why": {c: found[c][1] for c in clips if found[c][1]},
            "computed": len(todo), "reused": reused}


def transcripts(texts: list, max_words: int = 22, progress: bool = True) -> tuple:
    """Word vectors of the non-empty transcripts: (x (n, max_words, 384), mask (n, max_words)),
    with zeros and an all-False mask where a transcript is empty (the caller leaves those out)."""
    from .lexical import WordEmbedder

    filled = [i for i, t in enumerate(texts) if t.strip()]
    embedder = WordEmbedder(max_words=max_words, progress=progress)
    if not filled:
        return np.zeros((len(texts), max_words, embedder.dim), np.float32), np.zeros((len(texts), max_words), bool)
    x_f, m_f = embedder([texts[i] for i in filled])
    x = np.zeros((len(texts), *x_f.shape[1:]), np.float32)
    mask = np.zeros((len(texts), max_words), bool)
    x[filled], mask[filled] = x_f, m_f
    return x, mask
