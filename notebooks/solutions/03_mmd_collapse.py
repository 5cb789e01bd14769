"""Solutions to the "Try it" exercises of notebook 03 (MMD, latent collapse and the unpaired fix).

Each ``exercise_<n>(profile, seed)`` returns the answer that
``affectkit.teach.lessons.check("03_mmd_collapse", n, answer, profile)`` reads.
"""

from affectkit.cmdm.experiments import Setting, run_settings
from affectkit.cmdm.experiments import collapse_settings as collapse_study
from affectkit.cmdm.objectives import CMDMLoss
from affectkit.teach.lessons.collapse import COLLAPSE_BETA, COLLAPSE_SIGMA


def exercise_1(profile="lab", seed=0):
    """Train vanilla and mmd_only with sigma="median" (``collapse_study(beta_collapse,
    "median")``): does the latent space still collapse? Answer: the spread ratio
    vanilla / mmd_only (one number)."""
    settings = {k: v for k, v in collapse_study(COLLAPSE_BETA, "median").items() if k in ("vanilla", "mmd_only")}
    runs = run_settings(settings, profile=profile, seeds=[seed], progress=False).set_index("setting")
    return float(runs.loc["vanilla", "spread"] / runs.loc["mmd_only", "spread"])


def exercise_2(profile="lab", seed=0):
    """Train with ``CMDMLoss(form="set", reconstruction=False, beta=1.0)`` (Eq. 3 as
    printed): what do L_pair and L_unpair add up to in the training history?
    Answer: the sum per epoch."""
    kept = {}
    run_settings({"set": Setting(CMDMLoss(form="set", reconstruction=False, beta=1.0))}, profile=profile,
                 seeds=[seed], progress=False, keep=kept)
    history = kept["set"]["history"]
    return (history["pair"] + history["unpair"]).to_list()


def exercise_3(profile="lab", seed=0):
    """Raise beta_collapse to 1.0: how far does the spread of mmd_only fall, and can the
    unpaired term still save the UA? Answer: the table run_settings returns for
    mmd_only and mmd_unpaired."""
    settings = collapse_study(1.0, COLLAPSE_SIGMA)
    return run_settings({k: settings[k] for k in ("mmd_only", "mmd_unpaired")}, profile=profile, seeds=[seed],
                        progress=False)
