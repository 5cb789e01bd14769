"""Solutions to the exercises of notebook 09."""

import tempfile
from pathlib import Path

import numpy as np

from affectkit import metrics
from affectkit.features.demo import make_demo_corpus
from affectkit.features.extract import media_files, read_labels


def exercise_1(profile="lab", seed=0):
    """(UA, WAP) of a model that predicts one class for every clip of a balanced three-class test set."""
    y_true, y_pred = [0, 1, 2] * 3, [0] * 9
    return metrics.ua(y_true, y_pred), metrics.wap(y_true, y_pred)


def exercise_2(profile="lab", seed=0):
    """The largest absolute difference between a train clip's visual features and the first train clip's.

    The notebook reads ``corpus.splits["train"].x["V"]``; here, without extracting the whole corpus,
    the same face recipe as ``extract`` (one face in ten frames, HOG-coarse) runs on the train clips
    of a small demo corpus.
    """
    from affectkit.features import visual

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "demo"
        labels = make_demo_corpus(folder, per_speaker=1, seed=seed)
        clips = [row["clip"] for row in read_labels(labels) if row["split"] == "train"]
        features = []
        for clip in clips:
            _, video = media_files(folder, clip)
            v, _ = visual.face_features(visual.face_track(video), encoder="hog-coarse")
            features.append(v.numpy())
    v = np.stack(features)
    return float(np.abs(v - v[0]).max())


def leaks(rows):
    """The speakers found in more than one split of a labels file's rows."""
    splits = {}
    for row in rows:
        splits.setdefault(row["speaker"], set()).add(row["split"])
    return {speaker for speaker, found in splits.items() if len(found) > 1}


def exercise_3(profile="lab", seed=0):
    """A function rows -> the set of speakers in more than one split (on the demo's rows: none)."""
    return leaks
