"""Notebook 08: real text, MELD."""

from . import Claim, Exercise
from ._checks import number


def _f1(r):
    rows = {(row["model"], row["split"]): row for row in r["meld"]}
    if not rows:
        raise KeyError("MELD")
    return {m: rows[m, "dev"]["weighted_f1"] for m, s in rows if s == "dev"}


CLAIMS = [
    Claim("CMDM Table 6: the lexical-only CMDM model reaches 53.0% weighted F1 on MELD",
          lambda r: f"cmdm-L {_f1(r)['cmdm-L']:.3f} on dev", lambda r: _f1(r)["cmdm-L"] >= 0.530, expect=False),
    Claim("CMDM Table 6: the best text-only model (ConGCN) reaches 57.4%; a fine-tuned encoder beats it",
          lambda r: f"fine-tuned {_f1(r)['finetuned']:.3f} on dev", lambda r: _f1(r)["finetuned"] > 0.574),
    Claim("CMDM Sec. 4.2: MELD is imbalanced, so weighted F1, not accuracy, ranks the models",
          lambda r: f"majority class: weighted F1 {_f1(r)['majority']:.3f}",
          lambda r: _f1(r)["majority"] < 0.3),
]


def _dev():
    from ..data.meld import load_meld
    try:
        found = load_meld(splits=("train", "dev"))
    except FileNotFoundError:
        return None
    return found if {"train", "dev"} <= set(found) else None


def _majority(answer, profile):
    from sklearn.metrics import f1_score

    data = _dev()
    if data is None:
        return None, "MELD's CSVs are not here (set AFFECTKIT_MELD_DIR): nothing to check"
    v, bad = number(answer, "the majority class's weighted F1 on dev")
    if bad:
        return bad
    majority = data["train"]["emotion"].value_counts().idxmax()
    want = f1_score(data["dev"]["emotion"], [majority] * len(data["dev"]), average="weighted")
    if abs(v - want) < 1e-6:
        return True, f"{want:.3f}: high accuracy, low weighted F1: the rare classes count"
    return False, f"{v:.4g}: predict the most frequent *train* emotion for every dev line, average='weighted'"


def _tfidf(answer, profile):
    if _dev() is None:
        return None, "MELD's CSVs are not here (set AFFECTKIT_MELD_DIR): nothing to check"
    v, bad = number(answer, "the weighted F1 on dev")
    if bad:
        return bad
    if 0.35 <= v <= 0.55:
        return True, f"{v:.3f}: between the majority class and the fine-tuned encoder, as the word-vector probe"
    return False, f"{v:.3f}: a TF-IDF + logistic regression model should land between 0.35 and 0.55"


EXERCISES = {
    1: Exercise(_majority, "the weighted F1 of always predicting the train split's most frequent emotion"),
    2: Exercise(_tfidf, "a weighted F1 between the majority class and the fine-tuned model"),
}
