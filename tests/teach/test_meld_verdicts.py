"""Notebook 08's verdicts against CMDM Table 6 (a test split) use the kit's test scores or none.

Invented sidecars and invented lines in MELD's format only: no MELD rows.
"""
import json

import numpy as np
import pytest

from affectkit.teach import lessons
from affectkit.teach.lessons import meld
from affectkit.tools import report

STEM = "08_meld_text"
MODELS = ("majority", "logreg", "cmdm-L", "finetuned")


def sidecar(dev, test=None):
    """A notebook-08 sidecar: model -> weighted F1 per split (accuracy 0.47 everywhere)."""
    rows = [{"model": m, "split": split, "weighted_f1": f, "accuracy": 0.47}
            for split, scores in (("dev", dev), ("test", test)) if scores for m, f in scores.items()]
    return {"meld": rows}


DEV = {"majority": 0.25, "logreg": 0.51, "cmdm-L": 0.49, "finetuned": 0.60}
TEST = {"majority": 0.27, "logreg": 0.52, "cmdm-L": 0.54, "finetuned": 0.56}   # against Table 6: L yes, ConGCN no


def table(r):
    out = lessons.what_you_learned(STEM, r, "lab")
    return {claim.claim: (row[1], row[2]) for claim, row in zip(lessons.claims(STEM), out.itertuples(index=False))}


PAPER_CLAIMS = [c for c in meld.CLAIMS if "Table 6" in c.claim]


def test_the_two_table6_claims_are_found():
    assert len(PAPER_CLAIMS) == 2 and all(c.no_verdict is not None for c in PAPER_CLAIMS)


def test_dev_only_gives_no_verdict_against_the_paper():
    rows = table(sidecar(DEV))
    for c in PAPER_CLAIMS:
        result, word = rows[c.claim]
        assert word.startswith(lessons.NO_VERDICT) and "dev" in word and "test" in word, word
        assert "on dev" in result and "on test" not in result, result
        assert lessons.as_expected(c, word), "a stated no-verdict is what a dev-only lab run shows"
    others = [c for c in meld.CLAIMS if c not in PAPER_CLAIMS and c.shown]
    assert [rows[c.claim][1] for c in others] == ["no", "yes"], "the kit's own comparisons stay on dev"


def test_with_a_test_score_the_claim_compares_test_with_test():
    rows = table(sidecar(DEV, TEST))
    lexical, congcn = (rows[c.claim] for c in PAPER_CLAIMS)
    # each verdict follows test where dev points the other way (cmdm-L dev 0.490, finetuned dev 0.600)
    assert lexical[1] == "yes" and "cmdm-L 0.540 on test vs 0.530" in lexical[0], lexical
    assert congcn[1] == "no" and "finetuned 0.560 on test vs 0.574" in congcn[0], congcn


def test_the_congcn_row_is_the_kits_question_not_the_papers_claim():
    claim = PAPER_CLAIMS[1].claim
    assert claim.startswith("The kit's question") and "57.4" in claim and "context" in claim, claim
    assert "beats it" not in claim


def test_no_verdict_is_accepted_only_where_a_claim_allows_it():
    word = lessons.NO_VERDICT + "whatever"
    plain = lessons.Claim("x", lambda r: "", lambda r: None)
    assert not lessons.as_expected(plain, word) and not lessons.as_expected(plain, "n/a")
    assert lessons.as_expected(PAPER_CLAIMS[0], word)
    assert not lessons.as_expected(PAPER_CLAIMS[0], "yes"), "Table 6's lexical row: expected no"


def test_readme_lines_compare_test_only(tmp_path):
    dev_only = "\n".join(meld.readme(sidecar(DEV)))
    assert "0.490" in dev_only and "no verdict" in dev_only and "no MELD test file" in dev_only, dev_only
    first = meld.readme(sidecar(DEV))[0]
    assert "0.530" not in first and "0.574" not in first, "a dev line names no test number of the paper"
    both = meld.readme(sidecar(DEV, TEST))
    assert len(both) == 2 and both[1].startswith("MELD test, scored once"), both
    assert "the CMDM lexical model 0.540 (CMDM Table 6, test: 0.530)" in both[1]
    assert "the fine-tuned encoder 0.560" in both[1] and "with context? no" in both[1], both[1]
    (tmp_path / f"{STEM}.json").write_text(json.dumps(sidecar(DEV, TEST)))
    assert "MELD test, scored once" in report.results_markdown(tmp_path)


# --- the notebook on invented MELD-format files with a test split --------------------------------

HEADER = "Sr No.,Utterance,Speaker,Emotion,Sentiment,Dialogue_ID,Utterance_ID,Season,Episode,StartTime,EndTime"
WORDS = {"neutral": "okay fine table", "surprise": "wow really what", "fear": "scared afraid help",
         "sadness": "sad miss cry", "joy": "great happy love", "disgust": "gross yuck ugh", "anger": "mad hate stop"}
SENTIMENT = {"neutral": "neutral", "surprise": "positive", "joy": "positive"}


def invented_meld(folder, splits=(("train", 112), ("dev", 42), ("test", 42)), seed=0):
    """MELD-format CSVs of invented lines: each emotion has its own few words among shared filler."""
    rng = np.random.default_rng(seed)
    filler = "we you the a it is was so and then there here".split()
    emotions = list(WORDS)
    for split, n in splits:
        lines = [HEADER]
        for i in range(n):
            e = emotions[i % len(emotions)] if i < 2 * len(emotions) else emotions[int(rng.integers(len(emotions)))]
            words = list(rng.choice(WORDS[e].split(), 2)) + list(rng.choice(filler, int(rng.integers(2, 6))))
            rng.shuffle(words)
            lines.append(f"{i},{' '.join(words)}.,P{i % 5},{e},{SENTIMENT.get(e, 'negative')},{i // 6},{i % 6},"
                         f"1,1,\"00:00:01,000\",\"00:00:02,000\"")
        (folder / f"{split}_sent_emo.csv").write_text("\n".join(lines) + "\n")
    return folder


@pytest.mark.parametrize("with_test", [True, False], ids=["dev+test", "dev only"])
def test_notebook_scores_test_once_and_compares_test_only(with_test, tmp_path, monkeypatch):
    from affectkit.tools.runner import list_notebooks

    from ..executors import papermill_cli

    splits = (("train", 112), ("dev", 42)) + ((("test", 42),) if with_test else ())
    data = tmp_path / "meld"
    data.mkdir()
    invented_meld(data, splits)
    monkeypatch.setenv("AFFECTKIT_MELD_DIR", str(data))
    monkeypatch.setenv("AFFECTKIT_CACHE_DIR", str(tmp_path / "cache"))   # invented lines stay out of the cache
    (tmp_path / "run").mkdir()
    path = next(p for p in list_notebooks() if p.stem == STEM)
    r = papermill_cli(path, tmp_path / "run", "smoke")
    found = lessons.problems(STEM, r, "smoke")   # includes the test-only comparison with the paper
    assert not found, "\n".join(found)
    assert {s for s in ("dev", "test") if meld._rows(r, s)} == ({"dev", "test"} if with_test else {"dev"})
    printed = (tmp_path / "run" / "out.ipynb").read_text()
    if with_test:
        assert "test weighted F1 (scored once" in printed
    else:
        assert "no difference to the paper is computed" in printed and "two splits, so no verdict" in printed
    assert all(row["reproduces?"] == "n/a (smoke sizes)" for row in r["what_you_learned"])
