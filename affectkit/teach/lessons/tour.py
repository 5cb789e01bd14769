"""Notebook 00: the affect world and its first baselines."""

from . import Claim, Exercise
from ._checks import SMALL, in_range, number, unit
from ._text import ASSERTED, f

NOTEBOOK = "00_tour"
TITLE = "The synthetic affect world"
PROBES = {"A", "V", "L", "AVL"}


def _ua(r):
    return r["probe_ua"]


def _gap(r):
    return r["domain_moment_gap"]


def _speaker_drop(r):
    """modality -> probe UA at the weakest minus at the strongest speaker nuisance of the sweep."""
    sweep = {(row["modalities"], row["speaker"]): row["ua"] for row in r["speaker_sweep"]}
    lo, hi = min(s for _, s in sweep), max(s for _, s in sweep)
    return {m: sweep[m, lo] - sweep[m, hi] for m in ("A", "L")}


CLAIMS = [
    Claim("CMDM Table 4: lexical carries the most emotion, visual the least (L > A > V)",
          lambda r: f"probe UA L {_ua(r)['L']:.2f}, A {_ua(r)['A']:.2f}, V {_ua(r)['V']:.2f}",
          lambda r: _ua(r)["L"] > _ua(r)["A"] > _ua(r)["V"]),
    Claim("CMDM Table 4: fusing A+V+L beats every single modality",
          lambda r: f"A+V+L {_ua(r)['AVL']:.2f} vs the best single {max(_ua(r)[m] for m in 'AVL'):.2f}",
          lambda r: _ua(r)["AVL"] > max(_ua(r)[m] for m in "AVL")),
    Claim("CMDM Sec. 4.2: the unlabeled pool (AMI) is mostly neutral or happy",
          lambda r: f"neutral + happy: {r['happy_neutral_share']['unlabeled']:.0%} of the pool, "
                    f"{r['happy_neutral_share']['labeled']:.0%} of the labeled split",
          lambda r: r["happy_neutral_share"]["unlabeled"] >= 0.75 > r["happy_neutral_share"]["labeled"]),
    Claim("The kit's world: a probe on the true affect state beats the fused features (the state is the ceiling)",
          lambda r: f"state {r['probe_state_ua']:.2f} vs A+V+L {_ua(r)['AVL']:.2f}",
          lambda r: r["probe_state_ua"] > _ua(r)["AVL"], shown=False),
    Claim("EASUM Sec. 3.3: the corpora differ in their feature moments (a domain shift)",
          lambda r: f"mean gap across domains {_gap(r)['across_mean']:.2f} vs within {_gap(r)['within_mean']:.2f}",
          lambda r: _gap(r)["across_mean"] > 3 * _gap(r)["within_mean"]),
    Claim("EASUM Sec. 3.3: the corpora differ in their feature moments (a domain shift; the kit: both moments "
          "more than 3x further apart across domains than within one)",
          lambda r: f"mean gap across domains {_gap(r)['across_mean']:.2f} vs within {_gap(r)['within_mean']:.2f}; "
                    f"std gap {_gap(r)['across_std']:.2f} vs {_gap(r)['within_std']:.2f}",
          lambda r: all(_gap(r)[f"across_{m}"] > 3 * _gap(r)[f"within_{m}"] for m in ("mean", "std")), shown=False),
    Claim("The kit's world (section 6): a speaker nuisance costs the mean-pooled words more UA than the acoustic "
          "vector (more than 0.05), and both lose",
          lambda r: "UA drop from the weakest to the strongest speaker nuisance: "
                    + ", ".join(f"{m} {d:+.3f}" for m, d in _speaker_drop(r).items()),
          lambda r: _speaker_drop(r)["L"] > _speaker_drop(r)["A"] > 0 and _speaker_drop(r)["L"] > 0.05, shown=False),
]


def sidecar(r, need, profile):
    for key in ("probe_ua", "probe_wa"):
        need(set(r[key]) == PROBES, f"{key}: one score per probe {sorted(PROBES)}, got {sorted(r[key])}")
        need(all(unit(v) for v in r[key].values()), f"{key}: rates in [0, 1]: {r[key]}")
    need(unit(r["probe_state_ua"]), f"probe_state_ua is a rate: {r['probe_state_ua']}")
    need(set(r["happy_neutral_share"]) == {"labeled", "unlabeled"}, f"happy_neutral_share: {r['happy_neutral_share']}")
    need(set(_gap(r)) == {"across_mean", "within_mean", "across_std", "within_std"}, f"domain_moment_gap: {_gap(r)}")
    need({row["modalities"] for row in r["speaker_sweep"]} == {"A", "L"}, "speaker_sweep: the A and L probes")


def readme(r) -> list:
    ua = _ua(r)
    return [f"linear-probe test UA (seed 0): lexical {f(ua['L'], 2)}, acoustic {f(ua['A'], 2)}, visual "
            f"{f(ua['V'], 2)}, A+V+L {f(ua['AVL'], 2)}, the true affect state {f(r['probe_state_ua'], 2)} "
            f"(CMDM Table 4 on IEMOCAP: 0.648 / 0.585 / 0.454 / 0.725); lexical > acoustic > visual, fusion "
            f"above each, the state above fusion {ASSERTED}"]


def _fusion(answer, profile):
    if not isinstance(answer, dict) or not {"A", "V", "L", "AVL"} <= set(answer):
        return False, "give a dict of test UA per probe: {'A': ..., 'V': ..., 'L': ..., 'AVL': ...}"
    for k in ("A", "V", "L", "AVL"):
        v, bad = number(answer[k], f"the UA of the {k} probe")
        if bad:
            return bad
        if not 0 <= v <= 1:
            return False, f"a UA lies in [0, 1]; {k} is {v}"
    if profile in SMALL:
        return None, "the smoke sizes are too small to judge it; run at profile 'lab'"
    best = max(answer[m] for m in "AVL")
    if answer["V"] < answer["A"]:
        return False, "with V's gain raised to L's, the visual probe should overtake the acoustic one: did you pass gain=?"
    if answer["AVL"] > best:
        return True, f"fusion still helps ({answer['AVL']:.2f} vs {best:.2f}): the modalities' noise is independent"
    return False, "A+V+L should still beat the best single probe: check that all three modalities are used"


def _ceiling(answer, profile):
    v, bad = number(answer, "the test UA of the Z probe")
    if bad:
        return bad
    return in_range(v, 0.9, 1.0, "with classes 3 apart the true state is almost always right ({value:.2f})",
                    "{value:.2f}: with separation=3 the state probe should reach {low} or more", profile)


def _uniform_pool(answer, profile):
    v, bad = number(answer, "the share of neutral + happy in the unlabeled pool (true classes)")
    if bad:
        return bad
    if not 0 <= v <= 1:
        return False, f"a share lies in [0, 1], got {v}"
    return in_range(v, 0.4, 0.6,
                    "{value:.2f}: about half, as a uniform prior gives for two classes of four; the pool is "
                    "as balanced as the prior, so CMDM's sub- and over-sampling would have nothing left to do "
                    "(its covariate shift and other speakers remain)",
                    "{value:.2f}: with unlabeled_prior=(1, 1, 1, 1) each class is a quarter of the pool, so "
                    "neutral + happy should be near one half; count the true classes "
                    "(world.unlabeled.class_counts(true=True)) of classes 0 and 1", profile)


EXERCISES = {
    1: Exercise(_fusion, "a dict of the four probes' test UA; A+V+L stays on top, V catches up with L"),
    2: Exercise(_ceiling, "the Z probe's test UA, close to 1 (the classes barely overlap)"),
    3: Exercise(_uniform_pool, "the share of neutral + happy in the pool: about one half"),
}
