"""Notebook 04: semi-supervised learning."""

import math

from . import Claim, Exercise
from ._checks import SMALL, number


def _t4(r):
    return {row["modalities"]: row for row in r["table4"]}


def _best(r):
    return max(r["unimodal_ua"], key=r["unimodal_ua"].get)


def _recall_change(r):
    return {row["class"]: row["A+V+L semi"] - row["A+V+L fully"] for row in r["class_recall"]}


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
    Claim("CMDM Fig. 6: semi-supervised learning mainly improves the neutral class",
          lambda r: "A+V+L recall change, fully -> semi (first seed): "
                    + ", ".join(f"{c} {v:+.3f}" for c, v in _recall_change(r).items()),
          lambda r: max(_recall_change(r), key=_recall_change(r).get) == "neutral" and _recall_change(r)["neutral"] > 0,
          expect=False),
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


SATURATED = math.sqrt(2 * math.log(20))   # 2 - 2 exp(-d^2 / 2) = 0.95 * 2, d in units of sigma


def _saturation(answer, profile):
    v, bad = number(answer, "a distance in units of sigma")
    if bad:
        return bad
    if abs(v - SATURATED) < 0.01:
        return True, (f"{SATURATED:.3f} sigma: k = exp(-d^2 / 2) = 0.05 there; pairs further apart than about "
                      "2.4 sigma barely feel the kernel, and their gradient fades with it")
    if abs(v - SATURATED ** 2) < 0.05:
        return False, f"{v:.3f} is the squared distance (d^2 / sigma^2); the question asks for the distance"
    if abs(v - math.sqrt(math.log(20))) < 0.01:
        return False, f"{v:.3f}: the kernel divides by 2 sigma^2; solve 2 - 2 exp(-d^2 / (2 sigma^2)) = 1.9"
    return False, f"{v:.3f}: solve 2 - 2 exp(-d^2 / (2 sigma^2)) = 0.95 * 2 for d / sigma"


EXERCISES = {
    1: Exercise(_share, "a share near 0.8 (CMDM's AMI pool)"),
    2: Exercise(_oracle, "the count of the rarest true class in the pool (seed 0)"),
    3: Exercise(_saturation, "a distance of about 2.45 sigma (to two decimals)"),
}
