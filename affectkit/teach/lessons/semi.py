"""Notebook 04: semi-supervised learning.

Every verdict uses one of the kit's rules (:mod:`affectkit.teach.readings`), the same
rule the notebook's printed readings use: "a beats b" is :func:`~affectkit.teach.readings.beats`
(a gain on every seed), a curve's shape is :func:`~affectkit.teach.readings.shape`
(every step), a matching term pulls unless :func:`~affectkit.teach.readings.saturated`,
one split's recall change counts beyond :func:`~affectkit.teach.readings.noise_band`,
and a pool is balanced by :func:`~affectkit.teach.readings.balanced`.
"""

import math

from ...cmdm.objectives import CMDMLoss
from ..readings import balance, balanced, beats, beyond_noise, noise_band, paired, saturated, shape, trend
from . import Claim, Exercise
from ._checks import SMALL, number
from ._text import ASSERTED, f

NOTEBOOK = "04_semi_supervised"
SHARES_MODELS = True   # saves its trained models (affectkit.model_store) for the notebooks after it
TITLE = "Semi-supervised learning"
# this notebook's objective, label budget and training length, which notebook 07 reuses to train (or
# find) the same models; its parameters cell holds the same values
SEMI_LOSS = CMDMLoss(sigma="median", beta=1.0, omega=1.0)
SEMI_LABEL_FRACTION, SEMI_BUDGET_EPOCHS = 0.1, 3
SHARED = {"label_fraction": SEMI_LABEL_FRACTION, "budget_epochs": SEMI_BUDGET_EPOCHS, "sigma": SEMI_LOSS.sigma,
          "beta": SEMI_LOSS.beta, "omega": SEMI_LOSS.omega}
NAMES = {"AV": "A+V", "AL": "A+L", "AVL": "A+V+L"}


def _gains(r, modalities):
    """Per-seed semi minus fully test UA of one modality set (seed order)."""
    rows = sorted((row for row in r["semi_gain_runs"] if row["modalities"] == modalities), key=lambda row: row["seed"])
    return [row["gain"] for row in rows]


def _semi_claim(modalities, paper_gain, expect):
    name = NAMES[modalities]
    return Claim(f"CMDM Table 5: semi-supervised beats fully supervised for {name} (+{paper_gain:.3f} UA on IEMOCAP)",
                 lambda r: paired(_gains(r, modalities), f"{name} semi", "fully", "UA"),
                 lambda r: beats(_gains(r, modalities)), expect=expect)


def _t5(r, modalities, mode):
    """Per-seed test UA of one Table 5 row (seed order)."""
    rows = sorted((row for row in r["table5_runs"] if row["modalities"] == modalities and row["mode"] == mode),
                  key=lambda row: row["seed"])
    return [row["ua"] for row in rows]


def _cross(r):
    """A+V+L semi minus A+L fully, per seed: the pool against one more modality."""
    return [a - b for a, b in zip(_t5(r, "AVL", "semi"), _t5(r, "AL", "fully"))]


def _t4(r):
    return {row["modalities"]: row for row in r["table4"]}


def _best(r):
    return max(r["unimodal_ua"], key=r["unimodal_ua"].get)


def _fusion_gains(r):
    """Per-seed A+V+L minus the best single modality, test UA with all labels."""
    best = _best(r)
    ua = {}
    for row in r["table4_runs"]:
        ua.setdefault(row["modalities"], {})[row["seed"]] = row["ua"]
    return [ua["AVL"][s] - ua[best][s] for s in sorted(ua["AVL"])]


def _recall(r):
    """class -> (fully recall, semi recall, test utterances of the class), A+V+L, first seed."""
    return {row["class"]: (row["A+V+L fully"], row["A+V+L semi"], int(row["n"])) for row in r["class_recall"]}


def _recall_change(r):
    return {c: semi - fully for c, (fully, semi, _) in _recall(r).items()}


def _neutral_gains_most(r):
    change, (fully, semi, n) = _recall_change(r), _recall(r)["neutral"]
    return (max(change, key=change.get) == "neutral" and change["neutral"] > 0
            and beyond_noise(semi, fully, n))


def _pool(r):
    rows = r["pool_balance"]
    return [row["pool (true)"] for row in rows], [row["balanced (true)"] for row in rows]


def _curve(r):
    rows = sorted(r["unlabeled_curve"], key=lambda row: row["n_unlabeled"])
    return [row["n_unlabeled"] for row in rows], [row["ua"] for row in rows]


def _moves(r):
    """Fig. 7b: the signs of the pair and unpair terms' change, first to last epoch."""
    m = r["fig7b_terms"]
    return {t: math.copysign(1.0, m[t]["last"] - m[t]["first"]) if m[t]["last"] != m[t]["first"] else 0.0
            for t in ("pair", "unpair")}


def _saturated_terms(r):
    sat = r["matching_saturation"]
    return saturated(sat["paper_pair"], sat["ceiling"]), saturated(sat["median_pair"], sat["ceiling"])


def _diagnosis(r):
    """Saturated with sigma = 1 (above 99% of the ceiling), not with the median bandwidth (under 80%)."""
    sat = r["matching_saturation"]
    return (_saturated_terms(r) == (True, False) and sat["paper_pair"] > 0.99 * sat["ceiling"]
            and sat["median_pair"] < 0.8 * sat["ceiling"])


def _fusion_margin(r):
    """A+V+L minus each modality but the best, mean test UA with all labels (Table 4's rows)."""
    t4, best = _t4(r), _best(r)
    return {m: t4["AVL"]["ua"] - t4[m]["ua"] for m in r["unimodal_ua"] if m != best}


CLAIMS = [
    Claim("The kit's diagnosis (section 2): with the paper's weights and sigma = 1 the matching term saturates on "
          "the lab latents (no pull); the median bandwidth keeps it below saturation",
          lambda r: (f"L_pair at {r['matching_saturation']['paper_pair'] / r['matching_saturation']['ceiling']:.0%} "
                     f"of its ceiling with sigma = 1, "
                     f"{r['matching_saturation']['median_pair'] / r['matching_saturation']['ceiling']:.0%} with the "
                     "median bandwidth (saturated: 95% or more)"),
          lambda r: _saturated_terms(r) == (True, False)),
    Claim("The kit's diagnosis (section 2): with the paper's weights and sigma = 1 the matching term saturates on "
          "the lab latents (no pull: above 99% of its ceiling); the median bandwidth keeps it well below saturation "
          "(under 80%)",
          lambda r: (f"L_pair at {r['matching_saturation']['paper_pair'] / r['matching_saturation']['ceiling']:.0%} "
                     f"of its ceiling with sigma = 1, "
                     f"{r['matching_saturation']['median_pair'] / r['matching_saturation']['ceiling']:.0%} with the "
                     "median bandwidth (saturated: 95% or more)"),
          _diagnosis, shown=False),
    Claim("The kit's stricter reading of CMDM Sec. 4.2: selecting the pool by a classifier's predictions "
          "balances its true classes (every class within 20% of an equal share)",
          lambda r: balance(_pool(r)[1], "true classes of the balanced selection")
                    + f"; largest true-class share {max(_pool(r)[0]):.2f} in the raw pool",
          lambda r: balanced(_pool(r)[1]), expect=False),
    Claim("CMDM Sec. 4.2: after the selection \"the unlabeled dataset is more balanced\" (its largest true class shrinks)",
          lambda r: f"largest true-class share {max(_pool(r)[0]):.2f} in the raw pool, {max(_pool(r)[1]):.2f} in the selection",
          lambda r: max(_pool(r)[1]) < max(_pool(r)[0])),
    Claim("CMDM Table 4: lexical > acoustic > visual",
          lambda r: ", ".join(f"{m} {v:.3f}" for m, v in r["unimodal_ua"].items()) + " (mean over seeds)",
          lambda r: r["unimodal_ua"]["L"] > r["unimodal_ua"]["A"] > r["unimodal_ua"]["V"]),
    Claim("CMDM Table 4: A+V+L beats its best single modality (by 7.7 points over L on IEMOCAP)",
          lambda r: paired(_fusion_gains(r), "A+V+L", _best(r), "UA"),
          lambda r: beats(_fusion_gains(r)), expect=False),
    Claim("The kit's reading of CMDM Table 4: A+V+L is well above the two weaker modalities (by more than 0.05 UA, "
          "mean over seeds)",
          lambda r: "A+V+L minus " + ", ".join(f"{m} {g:+.3f}" for m, g in _fusion_margin(r).items()),
          lambda r: all(g > 0.05 for g in _fusion_margin(r).values()), shown=False),
    _semi_claim("AVL", 0.745 - 0.725, expect=False),
    _semi_claim("AL", 0.721 - 0.686, expect=False),
    _semi_claim("AV", 0.612 - 0.608, expect=False),
    Claim("CMDM Table 5: A+V+L with the pool beats A+L without it (0.745 vs 0.686 on IEMOCAP)",
          lambda r: paired(_cross(r), "A+V+L semi", "A+L fully", "UA"),
          lambda r: beats(_cross(r)), expect=False),
    Claim("CMDM Fig. 7a: UA \"gradually improves\" as the unlabeled data grow",
          lambda r: trend(*_curve(r), "A+V+L test UA (mean over seeds)", against="more unlabeled utterances"),
          lambda r: shape(*_curve(r)) == "rises", expect=False),
    Claim("CMDM Fig. 7b: the paired and unpaired terms change in opposite directions",
          lambda r: ", ".join(f"{t} {r['fig7b_terms'][t]['first']:.3f} -> {r['fig7b_terms'][t]['last']:.3f}"
                              for t in ("pair", "unpair")) + " (A+V+L semi, labeled batches, first seed)",
          lambda r: _moves(r)["pair"] * _moves(r)["unpair"] < 0),
    Claim("CMDM Fig. 6: semi-supervised learning mainly improves the neutral class",
          lambda r: "A+V+L recall change, fully -> semi (first seed; noise band in brackets): "
                    + ", ".join(f"{c} {semi - fully:+.3f} (±{noise_band(semi, fully, n):.3f})"
                                for c, (fully, semi, n) in _recall(r).items()),
          _neutral_gains_most, expect=False),
]


def sidecar(r, need, profile):
    modes = {(m, mode) for m in ("AV", "AL", "AVL") for mode in ("fully", "semi")}
    need({(row["modalities"], row["mode"]) for row in r["table5"]} == modes, "table5: fully and semi per modality set")
    need({"modalities", "mode", "wap", "ua", "ua_std"} <= set(r["table5"][0]), "table5's columns")
    need(set(r["semi_gain_ua"]) == {"AV", "AL", "AVL"}, f"semi_gain_ua: {r['semi_gain_ua']}")
    need(set(r["unimodal_ua"]) == {"A", "V", "L"}, f"unimodal_ua: {r['unimodal_ua']}")
    curve = r["unlabeled_curve"]
    need({"n_unlabeled", "ua"} <= set(curve[0]) and len(curve) >= 2, "unlabeled_curve: two points or more")
    if profile == "lab":
        need(len(curve) == 3, "unlabeled_curve: none, a quarter and all of the balanced pool")
    need(abs(sum(row["balanced (predicted)"] for row in r["pool_balance"]) - 1) < 1e-9, "pool_balance: shares")
    need(set(r["matching_saturation"]) >= {"paper_pair", "median_pair", "ceiling"}, "matching_saturation's keys")
    need({row["modalities"] for row in r["table4"]} == {"A", "V", "L", "AVL"}, "table4: A, V, L, A+V+L")
    need({row["modalities"] for row in r["table4_runs"]} == {"A", "V", "L", "AVL"}, "table4_runs: A, V, L, A+V+L")
    need({(row["modalities"], row["mode"]) for row in r["table5_runs"]} >= {("AVL", "semi"), ("AL", "fully")},
         "table5_runs: A+V+L semi and A+L fully")
    need(set(r["fig7b_terms"]) == {"pair", "unpair"}, f"fig7b_terms: {sorted(r['fig7b_terms'])}")
    need(all(row["n"] >= 1 for row in r["class_recall"]), "class_recall: test utterances in every class")


def readme(r) -> list:
    sat, curve, t4, best = r["matching_saturation"], _curve(r), _t4(r), _best(r)
    per = {m: _gains(r, m) for m in r["semi_gain_ua"]}
    lines = [f"with the kit's sigma = 1 the paired matching term ends at {sat['paper_pair'] / sat['ceiling']:.0%} "
             f"of its ceiling (saturated: it no longer pulls); with the median bandwidth at "
             f"{sat['median_pair'] / sat['ceiling']:.0%} {ASSERTED}",
             "semi minus fully supervised UA (10% labels, median bandwidth), seed by seed: "
             + "; ".join(paired(per[m], f"{NAMES[m]} semi", "fully", "UA") for m in ("AVL", "AV", "AL"))
             + "; " + (", ".join(NAMES[m] for m in ("AVL", "AV", "AL") if beats(per[m])) or "no modality set")
             + f" gains on every seed (CMDM Table 5: each does) {ASSERTED}",
             "A+V+L UA by pool size (mean over seeds): " + trend(*curve, "UA")
             + f" (CMDM Fig. 7a: \"gradually improves\") {ASSERTED}"]
    if "table4_runs" in r:
        lines.append(f"with all labels, {paired(_fusion_gains(r), 'A+V+L', best, 'UA')}; well above the other two "
                     f"modalities {ASSERTED} (the paper: +0.077 over lexical)")
    else:
        lines.append(f"with all labels A+V+L {f(t4['AVL']['ua'])} ± {f(t4['AVL']['ua_std'])}, the best single "
                     f"modality {best} {f(t4[best]['ua'])} ± {f(t4[best]['ua_std'])} (observed)")
    return lines


def _share(answer, profile):
    v, bad = number(answer, "the share of neutral + happy in the pool")
    if bad:
        return bad
    if not 0 <= v <= 1:
        return False, f"a share lies in [0, 1], got {v}"
    if profile in SMALL:
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
    1: Exercise(_share, "one number in [0, 1]: the pool's share of neutral and happy utterances (true classes, "
                        "seed 0); the check compares it with CMDM's AMI pool"),
    2: Exercise(_oracle, "one whole number of pool utterances per class (seed 0)"),
    3: Exercise(_saturation, "one positive number: the distance in units of sigma (two decimals are enough)"),
}
