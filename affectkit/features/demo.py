"""A small demo corpus of clips, built from the kit's sample clip, to try the
whole path from media to results (``extract``, ``train``, ``explore``, notebook 09).

It shows the plumbing, not affect: the labels hold *by construction*. A
"happy" clip is the sample's speech played faster (higher pitch) and louder
with a cheerful invented line, a "sad" one slower and quieter with a gloomy
line, a "neutral" one unchanged with a plain line. Every clip shows the same
face, so the visual features carry no label at all. Nothing here is a person
expressing an emotion.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import numpy as np

CLASSES = {   # label -> (speed, gain, transcripts)
    "happy": (1.25, 1.6, ["what a wonderful day this is", "I love this so much", "that is great news",
                          "we did it at last"]),
    "neutral": (1.0, 1.0, ["the meeting is at ten", "I put the box on the table", "it is a short walk",
                           "the train leaves at noon"]),
    "sad": (0.8, 0.5, ["I miss them every day", "nothing went right today", "it is all lost now",
                       "I feel so alone here"]),
}
SPEAKERS = ("s1", "s2", "s3", "s4", "s5", "s6")
SPLIT_OF = {"s1": "train", "s2": "train", "s3": "train", "s4": "val", "s5": "test", "s6": "unlabeled"}


def _resample(signal: np.ndarray, speed: float) -> np.ndarray:
    """Play ``signal`` ``speed`` times faster (pitch moves with it, like tape)."""
    n = int(round(len(signal) / speed))
    return np.interp(np.linspace(0, len(signal) - 1, n), np.arange(len(signal)), signal).astype(np.float32)


def make_demo_corpus(folder, per_speaker: int = 3, seed: int = 0) -> Path:
    """Write ``per_speaker`` clips per class for each of six speakers (three train,
    one val, one test, one unlabeled) into ``folder``, with ``labels.csv``.

    Returns the path of ``labels.csv``. Clips are ``<speaker>_<label>_<k>.wav`` +
    ``.mp4`` (the sample clip's frames).
    """
    import soundfile as sf

    from . import sample_clip

    clip = sample_clip()
    signal, sr = sf.read(str(clip.audio), dtype="float32", always_2d=True)
    signal = signal.mean(1)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    rows = []
    for speaker_index, speaker in enumerate(SPEAKERS):
        voice = 1.0 + 0.02 * (speaker_index - 2.5)          # each speaker's own pitch, +-5%: less than a class
        for label, (speed, gain, lines) in CLASSES.items():
            for k in range(per_speaker):
                name = f"{speaker}_{label}_{k}"
                audio = _resample(signal, speed * voice * rng.uniform(0.97, 1.03)) * gain * rng.uniform(0.9, 1.1)
                audio = np.clip(audio + rng.normal(0, 0.003, len(audio)), -1, 1).astype(np.float32)
                sf.write(str(folder / f"{name}.wav"), audio, sr)
                shutil.copyfile(clip.video, folder / f"{name}.mp4")
                split = SPLIT_OF[speaker]
                rows.append({"clip": name, "label": "" if split == "unlabeled" else label, "speaker": speaker,
                             "transcript": lines[(k + speaker_index) % len(lines)], "split": split})
    labels = folder / "labels.csv"
    with open(labels, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=["clip", "label", "speaker", "transcript", "split"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return labels
