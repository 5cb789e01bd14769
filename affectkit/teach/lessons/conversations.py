"""Notebook 10: conversations, MELD with its dialogue context."""

from . import Claim, Exercise
from ._checks import number, unit
from ._text import ASSERTED, f

NOTEBOOK = "10_conversations"
TITLE = "Conversations: MELD with its context"
SETTINGS = ("none", "past", "both", "both, no speakers", "past, window 1", "both, window 2")

# expect (lab, seeds 0-2, frozen encoder, MELD train + dev, measured 2026-12-07): persistence 0.40 against
# chance 0.29; stage 1 trained on all of train scores its own lines 0.615 and dev 0.508, cross-fitted 0.508
# and 0.479; the dialogue model on cross-fitted vectors 0.510 vs 0.499 on all-of-train ones; "both" minus
# "none" -0.004, +0.001, +0.007 (no); "both, window 2" (the best, chosen on dev) +0.007, +0.004, +0.016 (yes).


def _ablations(r):
    if "ablations" not in r:
        raise KeyError("ablations")
    return r["ablations"]


def _mean(values):
    return sum(values) / len(values)


def _std(values):
    m = _mean(values)
    return (sum((v - m) ** 2 for v in values) / len(values)) ** 0.5


def _gains(r, setting):
    a = _ablations(r)
    return [c - n for c, n in zip(a[setting], a["none"])]


def _context_result(setting):
    def result(r):
        a, name = _ablations(r), setting or r["chosen"]["best_context"]
        g = _gains(r, name)
        return (f"{name} {_mean(a[name]):.3f} vs none {_mean(a['none']):.3f} on dev (mean of {len(g)} seeds): "
                f"{_mean(g):+.3f} (seed spread of none {_std(a['none']):.3f}; better on {sum(x > 0 for x in g)} "
                f"of {len(g)} seeds)")
    return result


def _context_holds(setting):
    """The bar: above the same model without context on every seed, by more than the spread
    of the model without context over the seeds."""
    def holds(r):
        a, g = _ablations(r), _gains(r, setting or r["chosen"]["best_context"])
        return all(x > 0 for x in g) and _mean(g) > _std(a["none"])
    return holds


def _stats(r):
    return r["context_stats"]


def _pitfall(r):
    """(classifier, split) -> its row of the stage-1 table."""
    return {(row["classifier"], row["split"]): row for row in r["pitfall"]}


def _pitfall_result(r):
    p = _pitfall(r)
    text = (f"cross-fitted: train {p['cross-fitted', 'train']['weighted F1']:.3f}, dev "
            f"{p['cross-fitted', 'dev']['weighted F1']:.3f}")
    if ("trained on all of train", "train") in p:
        text = (f"trained on all of train: its own lines {p['trained on all of train', 'train']['weighted F1']:.3f}, "
                f"dev {p['trained on all of train', 'dev']['weighted F1']:.3f}; " + text)
    return text + " (weighted F1)"


def _pitfall_gap(p, who):
    return p[who, "train"]["weighted F1"] - p[who, "dev"]["weighted F1"]


def _pitfall_holds(r):
    p = _pitfall(r)
    if ("trained on all of train", "train") not in p:
        return None
    full = _pitfall_gap(p, "trained on all of train")
    return full > 0.05 and _pitfall_gap(p, "cross-fitted") < full / 2


def _no_full(r):
    return "no classifier trained on all of train in this run (benchmarks/RESULTS.md measured the pitfall)"


def _bought(r):
    b = r["crossfit_bought"]
    if "trained on all of train" not in b:
        return None
    return b["cross-fitted"] - b["trained on all of train"]


def _test_result(r):
    t = r["test"]
    if t is None:
        return f"no MELD test file in this run; dev: {r['chosen']['setting']} {r['chosen']['dev']:.3f}"
    return (f"{t['chosen']} {t['chosen_test']:.3f} on test (none {t['none_test']:.3f}, stage 1 alone "
            f"{t['context_free_test']:.3f}); dev {r['chosen']['dev']:.3f}")


def _congcn():
    from ...cmdm.reference import TABLE6_MELD_L

    return float(TABLE6_MELD_L.set_index("model").weighted_f1["ConGCN"])


CLAIMS = [
    Claim("The kit's observation: in MELD's training dialogues a turn repeats the previous turn's emotion "
          "more often than two independent turns would (the context a model could use)",
          lambda r: f"same as the previous turn {_stats(r)['same_as_previous']:.2f}, chance {_stats(r)['chance']:.2f}; "
                    f"same speaker {_stats(r)['same_speaker']:.2f}, speaker change {_stats(r)['speaker_change']:.2f}",
          lambda r: _stats(r)["same_as_previous"] > _stats(r)["chance"] + 0.05),
    Claim("The pitfall (two-stage recipes such as COSMIC): a stage-1 classifier trained on all of train knows its "
          "own lines far better than dev's (by > 0.05 weighted F1); cross-fitted lines keep less than half that gap",
          _pitfall_result, _pitfall_holds, no_verdict=_no_full),
    Claim("The kit's question: does a dialogue model trained on cross-fitted vectors beat one trained on vectors "
          "of a classifier that saw its lines (context both, dev, seed 0 only)?",
          lambda r: ", ".join(f"{k} {v:.3f}" for k, v in r["crossfit_bought"].items()) + " (dev weighted F1)",
          lambda r: None if _bought(r) is None else _bought(r) > 0, no_verdict=_no_full),
    Claim("Context helps (DialogueRNN +1.6, EmoBERTa +0.7 to +2.2 weighted F1 on MELD test; ConGCN +3.1 in "
          "CMDM Table 6): the dialogue model reading both sides (fixed in advance) beats the same model without "
          "context on every seed, by more than the seed spread (dev)",
          _context_result("both"), _context_holds("both"), expect=False),
    Claim("The same bar for the best of the five context settings, chosen on dev (the margin is optimistic: "
          "the choice and the score use the same dev lines)",
          _context_result(None), _context_holds(None)),
    Claim("The kit's question: with its context, does the kit's model reach ConGCN's 57.4% (CMDM Table 6, test, "
          "context and speakers)?",
          _test_result,
          lambda r: None if r["test"] is None else r["test"]["chosen_test"] >= _congcn(),
          expect=False, no_verdict=lambda r: "no MELD test file: the kit's scores are dev, Table 6's test"),
]


def _meld_available() -> bool:
    from .meld import _meld_available as available

    return available()


def sidecar(r, need, profile):
    """Without MELD the notebook records why it skipped; with it, every setting's dev score per
    seed, the setting chosen on dev, and a test score only where a test file was read."""
    if not _meld_available():
        need("MELD" in r.get("skipped", ""), "without MELD the notebook records why it skipped")
        return
    a, seeds = r["ablations"], r["seeds"]
    need(set(a) == set(SETTINGS), f"ablations: {sorted(a)}")
    need(all(len(v) == len(seeds) and all(unit(x) for x in v) for v in a.values()),
         f"one dev weighted F1 in [0, 1] per seed and setting: {a}")
    means = {k: _mean(v) for k, v in a.items()}
    chosen = r["chosen"]
    need(chosen["setting"] == max(means, key=means.get), f"the setting is chosen on dev: {chosen}")
    context = {k: v for k, v in means.items() if k != "none"}
    need(chosen["best_context"] == max(context, key=context.get), f"the best context setting: {chosen}")
    need(unit(r["stage1_alone"]), f"stage1_alone: {r['stage1_alone']}")
    need(r["encoder"] in ("frozen", "finetuned"), f"encoder: {r['encoder']}")
    flips = r["flips"]
    need(flips["fixed"] + flips["broken"] <= flips["changed"], f"flips: {flips}")
    from ...data.meld import FILES, meld_dir
    has_test = (meld_dir() / FILES["test"]).exists()
    need((r["test"] is None) != has_test, f"a test score exactly when the test file is there: {r['test']}")


def readme(r) -> list:
    if "ablations" not in r:
        return [f"skipped: {r.get('skipped', 'MELD not found')}"]
    a, stats, chosen = r["ablations"], r["context_stats"], r["chosen"]
    lines = [f"MELD train: a turn repeats the previous turn's emotion in {f(stats['same_as_previous'], 2)} of "
             f"pairs (chance {f(stats['chance'], 2)}) {ASSERTED}",
             f"stage 1 ({r['encoder']} encoder): " + _pitfall_result(r)
             + (f" {ASSERTED}" if _pitfall_holds(r) is not None else ""),
             "a dialogue model (both, seed 0) on dev: " + ", ".join(
                 f"{k} {f(v)}" for k, v in r["crossfit_bought"].items()) + " training vectors"
             + (f" {ASSERTED}" if _bought(r) is not None else ""),
             f"dev weighted F1, mean ± std over {len(r['seeds'])} seeds: stage 1 alone {f(r['stage1_alone'])}; "
             + "; ".join(f"{k} {f(_mean(v))} ± {f(_std(v))}" for k, v in a.items())
             + f"; both sides beat none on every seed by more than the seed spread: "
             f"{'yes' if _context_holds('both')(r) else 'no'} {ASSERTED}; the best context setting chosen on dev "
             f"({chosen['best_context']}) does: {'yes' if _context_holds(None)(r) else 'no'} {ASSERTED}"]
    t = r["test"]
    lines.append(f"MELD test, scored once with the setting chosen on dev ({chosen['setting']}): "
                 f"{f(t['chosen_test'])} (observed)" if t else "no MELD test file in this run: no test score")
    return lines


def _dev():
    from .meld import _dev as dev

    data = dev()
    return None if data is None else data["dev"]


def _dev_and_number(answer, what):
    """(dev, the answer as a number, None), or (None, None, the check's verdict) without MELD or
    without a number."""
    from .meld import NO_MELD

    dev = _dev()
    if dev is None:
        return None, None, (None, NO_MELD)
    v, bad = number(answer, what)
    return (None, None, bad) if bad else (dev, v, None)


def _persistence(answer, profile):
    from ...text.turns import persistence

    dev, v, verdict = _dev_and_number(answer, "the share of dev turns that repeat the previous turn's emotion")
    if verdict:
        return verdict
    stay = persistence(dev)
    if abs(v - stay["same_as_previous"]) < 1e-6:
        return True, (f"{v:.3f}, against chance {stay['chance']:.3f}: emotions carry over from turn to turn "
                      "more than the class shares alone explain")
    if abs(v - stay["chance"]) < 1e-6:
        return False, f"{v:.4g} is the chance rate; count the pairs of consecutive turns in each dialogue"
    return False, (f"{v:.4g}: sort each dialogue by `utterance`, pair each turn with the one before it in the "
                   "same dialogue, and take the share of pairs with the same emotion")


def _previous_label(answer, profile):
    from sklearn.metrics import f1_score

    from ...text.turns import pairs

    dev, v, verdict = _dev_and_number(answer, "the weighted F1 of predicting the previous turn's emotion")
    if verdict:
        return verdict
    consecutive = pairs(dev)
    want = f1_score(consecutive["after"], consecutive["before"], average="weighted")
    if abs(v - want) < 1e-6:
        return True, (f"{want:.3f}: a model that knew every previous label would get this from persistence "
                      "alone, below the dialogue models of section 3 (which never see a label of dev): "
                      "persistence alone predicts poorly; context helps only read together with the line itself")
    return False, (f"{v:.4g}: score only the turns with a previous turn in their dialogue, the truth against the "
                   "previous turn's true emotion, average='weighted'")


def _speakers(answer, profile):
    from ...text.turns import persistence
    from .meld import NO_MELD

    dev = _dev()
    if dev is None:
        return None, NO_MELD
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        return False, f"give a pair (same speaker, speaker change), got {answer!r}"
    values = []
    for v, name in zip(answer, ("same speaker", "speaker change")):
        x, bad = number(v, f"the {name} share")
        if bad:
            return bad
        values.append(x)
    stay = persistence(dev)
    want = (stay["same_speaker"], stay["speaker_change"])
    if all(abs(a - b) < 1e-6 for a, b in zip(values, want)):
        return True, (f"same speaker {want[0]:.3f}, speaker change {want[1]:.3f}: a speaker's own emotion carries "
                      "over more than one person's to the next" if want[0] > want[1] else
                      f"same speaker {want[0]:.3f}, speaker change {want[1]:.3f}")
    if all(abs(a - b) < 1e-6 for a, b in zip(values, want[::-1])):
        return False, f"{values}: the pair is in the order (same speaker, speaker change)"
    return False, (f"{values}: split the consecutive pairs by whether `speaker` is the same in both turns, and "
                   "take the share with the same emotion in each group")


EXERCISES = {
    1: Exercise(_persistence, "the share of dev turns repeating the previous turn's emotion, above chance"),
    2: Exercise(_previous_label, "the weighted F1 of predicting each dev turn as the previous turn's true emotion"),
    3: Exercise(_speakers, "two shares: the same emotion when one person speaks twice, and when the speaker changes"),
}
