"""Notebook 09: your own corpus.

The demo's labels hold by construction: the words decide the class, the sound
follows it, the face is the same in every clip. The pipes must show exactly that.
"""

from . import Claim, Exercise
from ._checks import number, pair, unit
from ._text import ASSERTED, f

NOTEBOOK = "09_your_corpus"
TITLE = "Your own corpus (the demo)"


def _modalities(r):
    c = r["construction_check"]
    return f"V alone UA {c['V']:.2f}, A {c['A']:.2f}, L {c['L']:.2f} (chance {c['chance']:.2f})"


def _visual_weakest(r):
    c = r["construction_check"]
    return c["V"] <= c["chance"] + 0.1 and c["V"] < min(c["A"], c["L"])


CLAIMS = [
    Claim("CMDM Sec. 4.3: results are speaker-independent (no speaker in two splits); the demo keeps it",
          lambda r: f"{r['corpus_rows']['speakers']} speakers, "
                    f"{r['corpus_rows']['speakers_in_two_splits']} in more than one split",
          lambda r: r["corpus_rows"]["speakers_in_two_splits"] == 0, smoke=True),
    Claim("the extractor turns every readable clip of the demo corpus into features",
          lambda r: f"{r['extraction']['extracted']} of {r['corpus_rows']['clips']} clips, "
                    f"{r['extraction']['skipped']} skipped",
          lambda r: r["extraction"]["skipped"] == 0 and r["extraction"]["extracted"] == r["corpus_rows"]["clips"],
          smoke=True),
    Claim("CMDM on a corpus: the words carry the class they were written for (the demo's construction)",
          lambda r: f"L alone UA {r['construction_check']['L']:.2f}",
          lambda r: r["construction_check"]["L"] >= 0.9),
    Claim("The demo's construction: the sound follows the class (speed and loudness): A alone more than 0.2 "
          "above chance",
          lambda r: f"A alone UA {r['construction_check']['A']:.2f} (chance {r['construction_check']['chance']:.2f})",
          lambda r: r["construction_check"]["A"] > r["construction_check"]["chance"] + 0.2, shown=False),
    Claim("CMDM Sec. 4.3: the visual modality is the weakest; here a face that is the same in every clip "
          "carries nothing: chance",
          _modalities, _visual_weakest),
    Claim("The demo's construction: one face in every clip, so the visual latents are one point (spread below "
          "1e-4), unlike the acoustic ones",
          lambda r: "latent spread: " + ", ".join(
              f"{m} {v:.1e}" for m, v in r["latent_by_modality"]["spread"].items()),
          lambda r: r["latent_by_modality"]["spread"]["V"] < 1e-4 < r["latent_by_modality"]["spread"]["A"],
          smoke=True, shown=False),
]


def sidecar(r, need, profile):
    need(r["corpus_rows"]["labels"] == ["happy", "neutral", "sad"], f"the demo's labels: {r['corpus_rows']['labels']}")
    ua = r["cmdm_ua"]
    need(set(ua) == {"A alone", "V alone", "L alone", "AVL vanilla", "AVL matched", "AVL semi"}
         and all(unit(v) for v in ua.values()), f"cmdm_ua: {ua}")
    need({row["spl"] for row in r["easum_ds"]} == {"none", "soft"}, "easum_ds: none and soft")


def readme(r) -> list:
    c, e = r["construction_check"], r["extraction"]
    return [f"the demo corpus (built from the sample clip; labels by construction): {e['extracted']} clips "
            f"extracted, {e['skipped']} skipped",
            f"test UA: L alone {f(c['L'], 2)} (the words decide), A alone {f(c['A'], 2)} (the sound follows), "
            f"V alone {f(c['V'], 2)} (one face for every clip: chance {f(c['chance'], 2)}) {ASSERTED}"]


def _chance(answer, profile):
    values, bad = pair(answer, ("UA", "WAP"))
    if bad:
        return bad
    ua, wap = values
    ua_ok, wap_ok = abs(ua - 1 / 3) < 1e-3, abs(wap - 1 / 9) < 1e-3
    if ua_ok and wap_ok:
        return True, ("1/3 and 1/9: UA averages the recalls (1, 0, 0); WAP weights the precisions "
                      "(1/3 for the one class predicted, 0 for the others) by each class's share (1/3)")
    if not ua_ok:
        return False, f"UA {ua:.4g}: the recall of each class (share of its clips predicted right), averaged"
    return False, (f"WAP {wap:.4g}: each class's precision (of the clips predicted as it, the share that are "
                   "it; 0 for a class never predicted), weighted by the class's share of the clips")


def _same_face(answer, profile):
    v, bad = number(answer, "the largest absolute difference between two clips' visual features")
    if bad:
        return bad
    if abs(v) < 1e-6:
        return True, "0: every clip's visual features are the same, so V alone cannot beat chance"
    if v < 0:
        return False, f"{v:.4g}: an absolute difference is not negative"
    return False, (f"{v:.4g}: compare V[i] with V[0] for every train clip i (abs, then the max); "
                   "the demo copies one video into every clip")


def _rows(moved=()):
    from ...features.demo import CLASSES, SPEAKERS, SPLIT_OF

    rows = [{"clip": f"{s}_{label}_0", "label": label, "speaker": s, "transcript": "", "split": SPLIT_OF[s]}
            for s in SPEAKERS for label in CLASSES]
    for speaker, split in moved:   # one more clip of the speaker, in another split
        rows.append({"clip": f"{speaker}_extra", "label": "happy", "speaker": speaker, "transcript": "",
                     "split": split})
    return rows


def _leaks(answer, profile):
    if not callable(answer):
        return False, f"give the function itself (answer = leaks), got {type(answer).__name__}"
    cases = [((), set()), ((("s2", "test"),), {"s2"}), ((("s1", "val"), ("s4", "train")), {"s1", "s4"})]
    for moved, want in cases:
        try:
            got = answer(_rows(moved))
        except Exception as err:   # the student's code: say what went wrong, do not raise
            return False, f"leaks(rows) raised {type(err).__name__}: {err}"
        try:
            got = set(got)
        except TypeError:
            return False, f"leaks(rows) returned {got!r}: return a set of speaker names"
        if got != want:
            where = "; ".join(f"{s} also in {split}" for s, split in moved) or "the demo's own rows"
            return False, f"on rows with {where}, leaks gave {sorted(got)}, expected {sorted(want)}"
    return True, "it finds no leak in the demo and every moved speaker: run it on your own labels.csv"


EXERCISES = {
    1: Exercise(_chance, "a pair (UA, WAP) of the one-class predictor: two numbers between 0 and 1"),
    2: Exercise(_same_face, "one number, the largest |V[i] - V[0]| over the train clips"),
    3: Exercise(_leaks, "a function rows -> the set of speakers found in more than one split"),
}
