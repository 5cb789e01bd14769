"""Notebook 04: semi-supervised learning."""

from . import Claim, Exercise
from ._checks import SMALL, number


def _t4(r):
    return {row["modalities"]: row for row in r["table4"]}


def _best(r):
    return max(r["unimodal_ua"], key=r["unimodal_ua"].get)


def _pool(r):
    rows = r["pool_balance"]
    return max(row["pool (true)"] for row in rows), max(row["balanced (true)"] for row in rows)


CLAIMS = [
    Claim("CMDM Table 5: semi-supervised beats fully supervised for A+V+L",
          lambda r: f"semi minus fully UA (mean over seeds) {r['semi_gain_ua']['AVL']:+.3f}",
          lambda r: r["semi_gain_ua"]["AVL"] > 0),
    Claim("CMDM Table 4: lexical > acoustic > visual",
          lambda r: ", ".join(f"{m} {v:.3f}" for m, v in r["unimodal_ua"].items()),
          lambda r: r["unimodal_ua"]["L"] > r["unimodal_ua"]["A"] > r["unimodal_ua"]["V"]),
    Claim("CMDM Table 4: A+V+L beats its best single modality by a clear margin (7.7 points over L)",
          lambda r: f"A+V+L {_t4(r)['AVL']['ua']:.3f} vs {_best(r)} {_t4(r)[_best(r)]['ua']:.3f} "
                    f"(seed std {_t4(r)['AVL']['ua_std']:.3f})",
          lambda r: _t4(r)["AVL"]["ua"] - _t4(r)[_best(r)]["ua"] > max(_t4(r)["AVL"]["ua_std"],
                                                                       _t4(r)[_best(r)]["ua_std"]),
          expect=False),
    Claim("CMDM Sec. 4.2: balancing the pool by a classifier's predictions balances its classes",
          lambda r: f"largest true-class share {_pool(r)[0]:.2f} before, {_pool(r)[1]:.2f} after",
          lambda r: _pool(r)[1] < _pool(r)[0]),
]


def _share(answer, profile):
    v, bad = number(answer, "the share of neutral + happy in the pool")
    if bad:
        return bad
    if not 0 <= v <= 1:
        return False, f"a share lies in [0, 1], got {v}"
    if profile == SMALL:
        return None, "the smoke pool is too small to judge it; run at profile 'lab'"
    if 0.75 <= v <= 0.85:
        return True, f"{v:.0%}: as CMDM's AMI pool, mostly calm (about 80%)"
    return False, f"{v:.0%}: count world.unlabeled.class_counts(true=True) for neutral and happy (indices 0 and 1)"


def _oracle(answer, profile):
    import affectkit

    v, bad = number(answer, "utterances per class")
    if bad:
        return bad
    world = affectkit.make_world(profile, seed=0)
    want = int(world.unlabeled.class_counts(true=True).min())
    if int(v) == want:
        return True, f"{want} per class: the rarest class sets the size of a balanced pool without over-sampling"
    return False, f"not {int(v)}: sub-sampling can keep at most the count of the rarest true class"


EXERCISES = {
    1: Exercise(_share, "a share near 0.8 (CMDM's AMI pool)"),
    2: Exercise(_oracle, "the count of the rarest true class in the pool (seed 0)"),
}
