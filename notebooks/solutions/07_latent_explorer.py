"""Solutions to the exercises of notebook 07."""

import numpy as np

import affectkit
from affectkit import latent


def exercise_1(profile="lab", seed=0):
    """Shrink a latent space 10x: the ratio of its class silhouette after / before
    (why the notebook reports the spread separately)."""
    world = affectkit.make_world(profile, seed=seed)
    z = world.test.x["A"].numpy()
    y = world.test.y_true.numpy()
    return latent.silhouette(0.1 * z, y) / latent.silhouette(z, y)


def exercise_2(profile="lab", seed=0):
    """kNN accuracy of the emotion on the acoustic features of every utterance (the splits and the
    pool, true classes), with the true labels and with shuffled labels: (true, shuffled)."""
    world = affectkit.make_world(profile, seed=seed)
    parts = [world.train, world.val, world.test, world.unlabeled]
    z = np.concatenate([ds.x["A"].numpy() for ds in parts])
    y = np.concatenate([ds.y_true.numpy() for ds in parts])
    shuffled = np.random.default_rng(seed).permutation(y)
    return latent.knn_accuracy(z, y, seed=seed), latent.knn_accuracy(z, shuffled, seed=seed)


def exercise_3(profile="lab", seed=0):
    """The silhouette of four random groups of the world's acoustic test features."""
    world = affectkit.make_world(profile, seed=seed)
    z = world.test.x["A"].numpy()
    groups = np.random.default_rng(0).integers(0, 4, len(z))
    return latent.silhouette(z, groups)
