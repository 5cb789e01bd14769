"""Notebook 09: your own corpus."""

from . import Claim, Exercise
from ._checks import number

CLAIMS = [
    Claim("the extractor turns every readable clip of the demo corpus into features",
          lambda r: f"{r['extraction']['extracted']} of {r['corpus_rows']['clips']} clips, "
                    f"{r['extraction']['skipped']} skipped",
          lambda r: r["extraction"]["skipped"] == 0 and r["extraction"]["extracted"] == r["corpus_rows"]["clips"]),
    Claim("CMDM on a corpus: the words carry the class they were written for (the demo's construction)",
          lambda r: f"L alone UA {r['construction_check']['L']:.2f}",
          lambda r: r["construction_check"]["L"] >= 0.9),
    Claim("a modality that is the same in every clip (the face) carries nothing: chance",
          lambda r: f"V alone UA {r['construction_check']['V']:.2f} (chance {r['construction_check']['chance']:.2f})",
          lambda r: r["construction_check"]["V"] <= r["construction_check"]["chance"] + 0.1),
]


def _splits(answer, profile):
    if not isinstance(answer, dict):
        return False, "give a dict split -> number of clips"
    want = {"train": 27, "val": 9, "test": 9, "unlabeled": 9}
    for k, v in answer.items():
        _, bad = number(v, f"the clips of {k}")
        if bad:
            return bad
    if {k: int(v) for k, v in answer.items()} == want:
        return True, "27 / 9 / 9 and 9 unlabeled: each speaker's clips stay in one split"
    return False, f"count the rows of labels.csv per split (per_speaker=3): not {answer}"


def _speakers(answer, profile):
    v, bad = number(answer, "the number of speakers in more than one split")
    if bad:
        return bad
    if int(v) == 0:
        return True, "0: the splits are speaker-independent, as in both papers"
    return False, f"{int(v)}: group labels.csv's rows by speaker and count those with more than one split"


EXERCISES = {
    1: Exercise(_splits, "clips per split of the demo corpus"),
    2: Exercise(_speakers, "0 (speaker-independent splits)"),
}
