"""Stage 1 cross-fitted and stage 2 on top, on a tiny MELD-like table (no MELD file needed)."""

import time

import numpy as np
import pandas as pd
import pytest
import torch

from affectkit.text import context
from affectkit.text.context import context_free, crossfit, folds_of, out_of_fold, two_stage
from affectkit.text.models import fit_text_classifier

LINES = {0: ["okay", "fine then", "sure"], 4: ["this is wonderful", "I love it"], 6: ["get out now", "I hate this"]}


def softmax(logits):
    return torch.softmax(torch.as_tensor(logits), -1).numpy()


def table(n_dialogues, seed):
    rng = np.random.default_rng(seed)
    rows = []
    for d in range(n_dialogues):
        for t in range(4):
            y = int(rng.choice(list(LINES)))
            rows.append({"dialogue": d, "utterance": t, "speaker": "AB"[t % 2], "emotion_id": y,
                         "text": str(rng.choice(LINES[y]))})
    return pd.DataFrame(rows)


def test_folds_keep_dialogues_whole():
    frame = table(10, 0)
    fold = folds_of(frame, 2, seed=3)
    assert sorted(set(fold)) == [0, 1]
    assert all(len(set(fold[frame["dialogue"] == d])) == 1 for d in range(10))


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_crossfit_then_two_stage(tmp_path, monkeypatch):
    monkeypatch.setenv("AFFECTKIT_CACHE_DIR", str(tmp_path))
    train, dev = table(12, 0), table(4, 1)
    features = crossfit(train, {"dev": dev}, folds=2, seed=0, epochs=1, lr=1e-4, device="cpu", progress=False)
    assert features["train"]["pooled"].shape == (48, 384) and len(features["dev"]) == 1, "dev: the full encoder"
    assert np.array_equal(features["full"]["dev"], features["dev"][0]["logits"])
    assert features["full"]["train"].shape == (48, 7)
    # the full encoder is bench meld's context-free model: same data, seed and schedule
    alone = fit_text_classifier(train["text"].tolist(), train["emotion_id"].to_numpy(), 7, epochs=1, lr=1e-4,
                                seed=0, device="cpu", progress=False, warn_truncation=False)
    assert np.allclose(alone.model.encode(dev["text"].tolist())["logits"], features["dev"][0]["logits"], atol=1e-4)
    start = time.perf_counter()
    again = crossfit(train, {"dev": dev}, folds=2, seed=0, epochs=1, lr=1e-4, device="cpu", progress=False)
    assert time.perf_counter() - start < 5, "the second call reads the cache"
    assert np.array_equal(again["train"]["logits"], features["train"]["logits"])
    assert np.array_equal(again["full"]["train"], features["full"]["train"])
    assert np.allclose(context_free(features["dev"]).sum(1), 1, atol=1e-5)
    out = two_stage(train, {"dev": dev}, features, seed=0, epochs=2, device="cpu", progress=False, hidden=16, heads=2)
    assert out["dev"].shape == (16, 7) and np.allclose(out["dev"].sum(1), 1, atol=1e-5)
    # encoders fine-tuned apart share no vector space: the dialogue model reads log p and the speaker flag only
    assert not features["shared_space"] and out["model"].inp.in_features == 7 + 1
    out = two_stage(train, {"dev": dev}, features, seed=0, epochs=1, vectors=True, device="cpu", progress=False,
                    hidden=16, heads=2)
    assert out["model"].inp.in_features == 384 + 7 + 1


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_crossfit_without_a_full_encoder_scores_with_every_fold(tmp_path, monkeypatch):
    monkeypatch.setenv("AFFECTKIT_CACHE_DIR", str(tmp_path))
    train, dev = table(8, 0), table(2, 1)
    features = crossfit(train, {"dev": dev}, folds=2, seed=0, epochs=1, lr=1e-4, full=False, device="cpu",
                        progress=False)
    assert len(features["dev"]) == 2 and "full" not in features
    assert not np.allclose(features["dev"][0]["logits"], features["dev"][1]["logits"]), "two different encoders"
    assert np.allclose(context_free(features["dev"]), np.mean([softmax(f["logits"]) for f in features["dev"]], 0))


def test_out_of_fold_never_scores_a_dialogue_its_model_trained_on(monkeypatch):
    train = table(10, 0)
    rng = np.random.default_rng(0)
    features = {"fold": folds_of(train, 2, seed=0),
                "train": {"pooled": rng.normal(size=(40, 8)).astype(np.float32),
                          "logits": rng.normal(size=(40, 7)).astype(np.float32)}}
    seen = []
    original = context.group

    def spy(frame, vector, logits, **kw):
        seen.append(set(frame["dialogue"]))
        return original(frame, vector, logits, **kw)

    monkeypatch.setattr(context, "group", spy)
    probs = out_of_fold(train, features, seed=0, epochs=1, device="cpu", hidden=16, heads=2)
    assert probs.shape == (40, 7) and np.allclose(probs.sum(1), 1, atol=1e-5)
    assert len(seen) == 4   # per fold: the model's training dialogues, then the fold it scores
    for trained, scored in (seen[:2], seen[2:]):
        assert not trained & scored and trained | scored == set(range(10))