"""What context there is in a conversation table (notebook 10, section 1), against hand counts,
and stage 1 with the frozen encoder (no MELD file needed)."""

import numpy as np
import pandas as pd
import pytest

from affectkit.text import turns
from affectkit.text.context import frozen, utterance_features

from .test_context import table

CLASSES = ("neutral", "joy", "anger")


def tiny():
    """Two dialogues, rows shuffled: the functions must order turns by ``utterance``.
    Dialogue 0: A neutral, A neutral, B joy, A joy; dialogue 1: C anger, D anger, C neutral."""
    rows = [(0, 0, "A", "neutral", "hi"), (0, 1, "A", "neutral", "so"), (0, 2, "B", "joy", "yay"),
            (0, 3, "A", "joy", "great"), (1, 0, "C", "anger", "no"), (1, 1, "D", "anger", "stop"),
            (1, 2, "C", "neutral", "ok")]
    frame = pd.DataFrame(rows, columns=["dialogue", "utterance", "speaker", "emotion", "text"])
    frame["emotion_id"] = frame["emotion"].map({c: i for i, c in enumerate(CLASSES)})
    return frame.iloc[[3, 6, 0, 5, 2, 1, 4]].reset_index(drop=True)


def test_sizes_and_pairs_follow_the_turn_order():
    sizes = turns.dialogue_sizes(tiny())
    assert sizes.loc[0].tolist() == [4, 2] and sizes.loc[1].tolist() == [3, 2]
    pairs = turns.pairs(tiny())
    assert len(pairs) == 5   # 3 + 2 turns with a previous turn
    assert pairs[["before", "after"]].values.tolist() == [["neutral", "neutral"], ["neutral", "joy"], ["joy", "joy"],
                                                           ["anger", "anger"], ["anger", "neutral"]]
    assert pairs["same_speaker"].tolist() == [True, False, False, False, False]


def test_persistence_against_a_hand_count():
    stay = turns.persistence(tiny())
    assert stay["pairs"] == 5 and stay["same_as_previous"] == pytest.approx(3 / 5)
    assert stay["chance"] == pytest.approx((3 / 7) ** 2 + (2 / 7) ** 2 + (2 / 7) ** 2)
    assert stay["same_speaker"] == 1.0 and stay["speaker_change"] == pytest.approx(2 / 4)
    with pytest.raises(ValueError, match="two turns"):
        turns.persistence(tiny().drop_duplicates("dialogue"))
    with pytest.raises(ValueError, match="lacks"):
        turns.persistence(tiny().drop(columns="speaker"))


def test_transitions_rows_sum_to_one_or_are_empty():
    t = turns.transitions(tiny(), CLASSES)
    assert t.loc["neutral", "neutral"] == pytest.approx(0.5) and t.loc["neutral", "joy"] == pytest.approx(0.5)
    assert t.loc["joy"].tolist() == [0.0, 1.0, 0.0] and t.loc["anger", "neutral"] == pytest.approx(0.5)
    assert t.shape == (3, 3) and np.allclose(t.sum(axis=1), 1)


def test_flips_and_the_example_conversation():
    frame = tiny()
    truth = frame["emotion_id"].to_numpy()
    without = np.zeros(len(frame), int)                   # all neutral
    with_context = truth.copy()                            # all right
    with_context[frame.index[(frame.dialogue == 1) & (frame.utterance == 2)]] = 2   # one turn broken
    changes = turns.flips(frame, without, with_context)
    assert len(changes) == 5 and (changes.fixed == 1).sum() == 4 and (changes.fixed == -1).sum() == 1
    assert turns.best_example(changes, frame) == 0                                   # +2 against +1
    assert turns.best_example(changes, frame, max_turns=3) == 1                      # dialogue 0 has 4 turns
    assert turns.best_example(changes, frame, max_turns=2) is None
    talk = turns.conversation(frame, 0, {"context": with_context}, CLASSES)
    assert talk["turn"].tolist() == [0, 1, 2, 3] and talk["context"].tolist() == talk["truth"].tolist()
    with pytest.raises(ValueError, match="predictions"):
        turns.flips(frame, without[:3], with_context)
    with pytest.raises(ValueError, match="no dialogue"):
        turns.conversation(frame, 7, {}, CLASSES)


def test_sample_dialogues_keeps_them_whole():
    frame = table(10, 0)
    some = turns.sample_dialogues(frame, 3, seed=1)
    assert some["dialogue"].nunique() == 3 and len(some) == 12
    assert turns.sample_dialogues(frame, None).equals(frame)


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_frozen_stage_one_is_cross_fitted(tmp_path, monkeypatch):
    monkeypatch.setenv("AFFECTKIT_CACHE_DIR", str(tmp_path))
    train, dev = table(12, 0), table(4, 1)
    features = frozen(train, {"dev": dev}, folds=2, seed=0, device="cpu", progress=False)
    assert features["train"]["pooled"].shape == (48, 384) and features["train"]["logits"].shape == (48, 7)
    assert len(features["dev"]) == 2 and features["full"]["dev"].shape == (16, 7)
    assert features["shared_space"], "one frozen vector per line: the dialogue model may read it"
    assert not np.allclose(features["dev"][0]["logits"], features["dev"][1]["logits"]), "one regression per fold"
    # each training row is scored by the fold that did not see it: not the all-of-train regression
    assert not np.allclose(features["train"]["logits"], features["full"]["train"])
    with pytest.raises(ValueError, match="encoder must be one of"):
        utterance_features(train, {"dev": dev}, "bert")
