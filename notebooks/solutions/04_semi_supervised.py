"""Solutions to the exercises of notebook 04."""

import numpy as np

import affectkit


def exercise_1(profile="lab", seed=0):
    """The share of neutral + happy utterances (true classes) in the unlabeled pool."""
    world = affectkit.make_world(profile, seed=seed)
    counts = world.unlabeled.class_counts(true=True)
    return float(counts[[0, 1]].sum() / counts.sum())


def exercise_2(profile="lab", seed=0):
    """An oracle balancing (true classes, sub-sampling only): how many pool utterances
    per class can you keep at most?"""
    world = affectkit.make_world(profile, seed=seed)
    return int(np.min(world.unlabeled.class_counts(true=True)))
