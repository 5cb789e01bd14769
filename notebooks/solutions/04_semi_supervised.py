"""Solutions to the exercises of notebook 04."""

import numpy as np
import torch

import affectkit
from affectkit.cmdm import paired_discrepancy


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


def exercise_3(profile="lab", seed=0):
    """At what distance between an utterance's two latents, in units of sigma, does the
    pair's D = 2 - 2k reach 95% of its ceiling 2?"""
    # 2 - 2 exp(-d^2 / 2) = 1.9  <=>  d = sqrt(2 ln 20); checked on one pair of points at sigma = 1
    d = float(np.sqrt(2 * np.log(20)))
    D = float(paired_discrepancy(torch.zeros(1, 1), torch.full((1, 1), d), sigma=1.0))
    assert abs(D - 0.95 * 2) < 1e-5, D
    return d
