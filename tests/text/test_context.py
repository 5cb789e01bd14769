"""Stage 1 cross-fitted and stage 2 on top, on a tiny MELD-like table (no MELD file needed)."""

import time

import numpy as np
import pandas as pd
import pytest

from affectkit.text.context import context_free, crossfit, folds_of, two_stage

LINES = {0: ["okay", "fine then", "sure"], 4: ["this is wonderful", "I love it"], 6: ["get out now", "I hate this"]}


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
    assert features["train"]["pooled"].shape == (48, 384) and len(features["dev"]) == 2
    assert not np.allclose(features["dev"][0]["logits"], features["dev"][1]["logits"]), "two different encoders"
    start = time.perf_counter()
    again = crossfit(train, {"dev": dev}, folds=2, seed=0, epochs=1, lr=1e-4, device="cpu", progress=False)
    assert time.perf_counter() - start < 5, "the second call reads the cache"
    assert np.array_equal(again["train"]["logits"], features["train"]["logits"])
    assert np.allclose(context_free(features["dev"]).sum(1), 1, atol=1e-5)
    out = two_stage(train, {"dev": dev}, features, seed=0, epochs=2, device="cpu", progress=False, hidden=16, heads=2)
    assert out["dev"].shape == (16, 7) and np.allclose(out["dev"].sum(1), 1, atol=1e-5)
