"""Solutions to the exercises of notebook 00 (``tests/teach/test_solutions.py`` runs them)."""

import affectkit
from affectkit.probe import linear_probe


def exercise_1(profile="lab", seed=0):
    """Make the visual modality as informative as the lexical one (gain V = 1.45): the
    test UA of the A, V, L and A+V+L probes. Does fusion still beat every single modality?"""
    world = affectkit.make_world(profile, seed=seed, gain={"L": 1.45, "A": 0.75, "V": 1.45})
    return {m: linear_probe(world.train, world.test, m, seed=seed)["ua"] for m in ("A", "V", "L", "AVL")}


def exercise_2(profile="lab", seed=0):
    """Separate the classes more (separation = 3.0): the test UA of the true-state probe Z."""
    world = affectkit.make_world(profile, seed=seed, separation=3.0)
    return linear_probe(world.train, world.test, "Z", seed=seed)["ua"]


def exercise_3(profile="lab", seed=0):
    """Draw the unlabeled pool with a uniform class prior (unlabeled_prior = (1, 1, 1, 1)):
    the share of neutral + happy among its true classes."""
    world = affectkit.make_world(profile, seed=seed, unlabeled_prior=(1, 1, 1, 1))
    counts = world.unlabeled.class_counts(true=True)
    return float(counts[[0, 1]].sum() / len(world.unlabeled))
