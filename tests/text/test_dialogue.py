"""Stage 2 of the conversation model (notebook 10) on toy dialogues: grouping, what each context
lets a turn see, the temperature, and a task only context can solve."""

import numpy as np
import pandas as pd
import pytest
import torch

from affectkit.text.dialogue import (
    DialogueModel,
    confidence,
    context_mask,
    fit_dialogue,
    group,
    matching_temperature,
    predict_dialogues,
)


def toy(n_dialogues=60, length=6, k=3, seed=0):
    """Each turn's label is the previous turn's utterance class (the first turn: its own): only context tells."""
    rng = np.random.default_rng(seed)
    rows = []
    for d in range(n_dialogues):
        own = rng.integers(0, k, length)
        for t in range(length):
            rows.append({"dialogue": d, "utterance": t, "speaker": "AB"[t % 2] if d % 3 else "A",
                         "emotion_id": int(own[t - 1] if t else own[0]), "own": int(own[t])})
    frame = pd.DataFrame(rows).sample(frac=1, random_state=seed)   # rows in any order
    vector = np.eye(k, dtype=np.float32)[frame["own"]] + rng.normal(0, 0.1, (len(frame), k)).astype(np.float32)
    return frame, vector, np.zeros((len(frame), k), np.float32)


def test_group_orders_turns_and_indexes_speakers():
    frame = pd.DataFrame({"dialogue": [1, 0, 0, 0], "utterance": [0, 2, 0, 1], "speaker": ["x", "b", "a", "b"],
                          "emotion_id": [3, 2, 0, 1]})
    data = group(frame, np.arange(8, dtype=np.float32).reshape(4, 2), np.zeros((4, 7)))
    assert data.row.tolist() == [[2, 3, 1], [0, -1, -1]]
    assert data.y.tolist() == [[0, 1, 2], [3, -1, -1]] and data.speaker.tolist()[0] == [0, 1, 1]
    assert data.change.tolist()[0] == [0.0, 1.0, 0.0]
    assert data.flat(data.y.numpy()).tolist() == [3, 2, 0, 1], "back in the table's order"
    with pytest.raises(ValueError, match="4 rows but 3 vectors"):
        group(frame, np.zeros((3, 2)), np.zeros((4, 7)))


def test_context_masks():
    assert context_mask(3, "none", None).tolist() == np.eye(3, dtype=bool).tolist()
    assert context_mask(3, "past", None).tolist() == np.tril(np.ones((3, 3), bool)).tolist()
    assert context_mask(4, "both", 1).sum().item() == 10


@pytest.mark.parametrize("context, sees_past, sees_future", [("none", False, False), ("past", True, False),
                                                             ("both", True, True)])
def test_a_turn_sees_what_its_context_allows(context, sees_past, sees_future):
    frame, vector, logits = toy(n_dialogues=2)
    data = group(frame, vector, logits)
    torch.manual_seed(0)
    model = DialogueModel(3, 3, hidden=16, heads=2, context=context).eval()
    batch = next(data.batches(2))
    base = model(batch)[:, 2]
    for turn, expected in ((0, sees_past), (4, sees_future)):
        changed = {**batch, "vector": batch["vector"].clone()}
        changed["vector"][:, turn] += 5.0
        assert (not torch.allclose(model(changed)[:, 2], base)) == expected, (context, turn)


def test_only_a_model_with_context_learns_what_the_previous_turn_said():
    frame, vector, logits = toy()
    train, val = group(frame, vector, logits), group(*toy(n_dialogues=20, seed=1))
    scores = {}
    for context in ("none", "past"):
        fit = fit_dialogue(train, val, 3, epochs=20, lr=3e-3, batch_size=8, seed=0, device="cpu", progress=False,
                           context=context, hidden=32, heads=2, dropout=0.0, feature_dropout=0.0)
        scores[context] = fit.best_score
        pred = predict_dialogues(fit.model, val).argmax(1)
        assert len(pred) == val.n_utterances
    assert scores["past"] > 0.9 > 0.6 > scores["none"], scores


def test_matching_temperature_brings_train_confidence_down_to_dev():
    rng = np.random.default_rng(0)
    dev, train = rng.normal(0, 1, (200, 7)), rng.normal(0, 4, (300, 7))
    t = matching_temperature(train, dev)
    assert t > 1 and abs(confidence(train / t) - confidence(dev)) < 1e-3
    assert matching_temperature(dev, train) == 1.0, "a training split less sure than dev is left alone"
