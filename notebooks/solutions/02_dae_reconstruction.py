"""Solutions to the "Try it" exercises of notebook 02 (the deep auto-encoders).

Each ``exercise_<n>(profile, seed)`` returns the answer that
``affectkit.teach.lessons.check("02_dae_reconstruction", n, answer, profile)`` reads.
"""

import affectkit
from affectkit.cmdm.experiments import train_dae


def exercise_1(profile="lab", seed=0):
    """Faces carry less emotion than words (CMDM Table 4). Train the visual DAE,
    ``train_dae(world, "V", seed=seed)``: what UA does the linear probe read from
    its test latents? Answer: that UA (one number)."""
    world = affectkit.make_world(profile, seed=seed)
    _, row, _ = train_dae(world, "V", seed=seed)
    return row["probe_ua"]


def exercise_2(profile="lab", seed=0):
    """Turn the per-word content down (``affectkit.make_world(profile, seed=seed,
    content=0.3)``) and train the lexical DAE on that world: how far does its test
    MSE fall, and how much emotion does its code keep? Answer: the row train_dae
    returns."""
    world = affectkit.make_world(profile, seed=seed, content=0.3)
    _, row, _ = train_dae(world, "L", seed=seed)
    return row


def exercise_3(profile="lab", seed=0):
    """Every DAE above keeps its last epoch: the budget is short. Train the lexical
    DAE for twice the profile's epochs (``epochs=2 * prof.epochs``): how low does
    its test MSE go? Answer: the row train_dae returns."""
    prof = affectkit.get_profile(profile)
    world = affectkit.make_world(profile, seed=seed)
    _, row, _ = train_dae(world, "L", seed=seed, epochs=2 * prof.epochs)
    return row
