"""Notebook 08: real text, MELD."""

from . import Claim, Exercise
from ._checks import number


def _dev_rows(r):
    rows = {row["model"]: row for row in r["meld"] if row["split"] == "dev"}
    if not rows:
        raise KeyError("MELD")
    return rows


def _f1(r):
    return {m: row["weighted_f1"] for m, row in _dev_rows(r).items()}


def _majority_result(r):
    row = _dev_rows(r)["majority"]
    return f"majority class on dev: accuracy {row['accuracy']:.3f}, weighted F1 {row['weighted_f1']:.3f}"


def _majority_holds(r):
    row = _dev_rows(r)["majority"]
    return row["weighted_f1"] < 0.3 < row["accuracy"]


CLAIMS = [
    Claim("CMDM Table 6: the lexical-only CMDM model reaches 53.0% weighted F1 on MELD",
          lambda r: f"cmdm-L {_f1(r)['cmdm-L']:.3f} on dev", lambda r: _f1(r)["cmdm-L"] >= 0.530, expect=False),
    Claim("CMDM Sec. 3.1: the DAE learns a high-quality latent of its input, so the lexical DAE + classifier "
          "beats a linear model on the same frozen word vectors",
          lambda r: f"cmdm-L {_f1(r)['cmdm-L']:.3f}, logreg {_f1(r)['logreg']:.3f} on dev",
          lambda r: _f1(r)["cmdm-L"] > _f1(r)["logreg"], expect=False),
    Claim("CMDM Table 6: the best text-only model (ConGCN) reaches 57.4%; a fine-tuned encoder beats it",
          lambda r: f"fine-tuned {_f1(r)['finetuned']:.3f} on dev", lambda r: _f1(r)["finetuned"] > 0.574),
    Claim("CMDM Sec. 4.3: MELD's classes are unbalanced, so weighted F1, not accuracy, is reported: "
          "the majority class has a high accuracy and a low weighted F1",
          _majority_result, _majority_holds),
]


def _dev():
    from ..data.meld import load_meld
    try:
        found = load_meld(splits=("train", "dev"))
    except FileNotFoundError:
        return None
    return found if {"train", "dev"} <= set(found) else None


NO_MELD = "MELD's CSVs are not here (set AFFECTKIT_MELD_DIR): nothing to check"


def _majority(answer, profile):
    from sklearn.metrics import f1_score

    data = _dev()
    if data is None:
        return None, NO_MELD
    v, bad = number(answer, "the majority class's weighted F1 on dev")
    if bad:
        return bad
    majority = data["train"]["emotion"].value_counts().idxmax()
    want = f1_score(data["dev"]["emotion"], [majority] * len(data["dev"]), average="weighted")
    if abs(v - want) < 1e-6:
        return True, f"{want:.3f}: far below the same model's accuracy: the six other classes count"
    return False, f"{v:.4g}: predict the most frequent *train* emotion for every dev line, average='weighted'"


def _tfidf(answer, profile):
    if _dev() is None:
        return None, NO_MELD
    v, bad = number(answer, "the weighted F1 on dev")
    if bad:
        return bad
    if 0.35 <= v <= 0.55:
        return True, (f"{v:.3f}: above the majority class, below the fine-tuned encoder; compare it with "
                      "the logreg row (the same kind of classifier on MiniLM word vectors)")
    return False, f"{v:.3f}: a TF-IDF + logistic regression model should land between 0.35 and 0.55"


def _balance(answer, profile):
    if _dev() is None:
        return None, NO_MELD
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        return False, f"give a pair (macro F1 balanced, macro F1 unweighted), got {answer!r}"
    values = []
    for v, name in zip(answer, ("balanced", "unweighted")):
        x, bad = number(v, f"the {name} model's macro F1")
        if bad:
            return bad
        if not 0 <= x <= 1:
            return False, f"the {name} model's macro F1 is {x:.4g}: an F1 lies between 0 and 1"
        values.append(x)
    balanced, unweighted = values
    if balanced - unweighted >= 0.03:
        return True, (f"{balanced:.3f} vs {unweighted:.3f}: the balanced model finds the rare classes, and pays "
                      "with accuracy (it says neutral less often); the fine-tuned model's weights sit half way")
    if balanced <= unweighted:
        return False, (f"{balanced:.3f} vs {unweighted:.3f}: is the pair in the order (balanced, unweighted), "
                       "and scored with average='macro'?")
    return False, (f"{balanced:.3f} vs {unweighted:.3f}: closer than expected; train both on all of train, "
                   "TF-IDF of words and bigrams, and score dev with average='macro'")


EXERCISES = {
    1: Exercise(_majority, "the weighted F1 of always predicting the train split's most frequent emotion"),
    2: Exercise(_tfidf, "a weighted F1 between the majority class and the fine-tuned model"),
    3: Exercise(_balance, "two macro F1 values, the balanced model's clearly the higher"),
}
