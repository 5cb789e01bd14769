"""Solutions to the exercises of notebook 09."""

import tempfile
from pathlib import Path

from affectkit.features.demo import make_demo_corpus
from affectkit.features.extract import read_labels


def exercise_1(profile="lab", seed=0):
    """The demo corpus (3 clips per speaker and class): clips per split, as a dict."""
    with tempfile.TemporaryDirectory() as tmp:
        labels = make_demo_corpus(Path(tmp) / "demo", per_speaker=3, seed=seed)
        counts = {}
        for row in read_labels(labels):
            counts[row["split"]] = counts.get(row["split"], 0) + 1
        return counts


def exercise_2(profile="lab", seed=0):
    """How many speakers of the demo corpus appear in more than one split? (speaker-independent splits: 0)"""
    with tempfile.TemporaryDirectory() as tmp:
        labels = make_demo_corpus(Path(tmp) / "demo", per_speaker=3, seed=seed)
        splits = {}
        for row in read_labels(labels):
            splits.setdefault(row["speaker"], set()).add(row["split"])
        return sum(len(s) > 1 for s in splits.values())
