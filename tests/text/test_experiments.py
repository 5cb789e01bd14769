"""The CMDM lexical model on MELD-like text selects its epoch on dev, never on the scored split.

Invented word vectors only (no MELD rows): three splits told apart by their values.
"""
import numpy as np
import torch

import affectkit.cmdm.train
from affectkit.data.transforms import ZNorm
from affectkit.text.experiments import lexical_cmdm, text_dataset


def split(n, offset, seed, name):
    rng = np.random.default_rng(seed)
    x = rng.normal(offset, 1.0, size=(n, 12, 8)).astype(np.float32)
    mask = np.ones((n, 12), dtype=bool)
    mask[:, 9:] = rng.random((n, 3)) < 0.5
    return text_dataset(x, mask, rng.integers(0, 7, size=n), name)


def rows(ds):
    return ds.x["L"].reshape(len(ds), -1)


def test_lexical_cmdm_selects_on_dev_and_scores_the_evaluated_split(monkeypatch):
    train, dev, test = split(40, 0.0, 0, "train"), split(14, 0.5, 1, "dev"), split(10, -0.5, 2, "test")
    seen, real_fit = [], affectkit.cmdm.train.fit

    def spy(model, train_, val, *args, **kwargs):
        seen.append(val)
        return real_fit(model, train_, val, *args, **kwargs)

    monkeypatch.setattr(affectkit.cmdm.train, "fit", spy)
    pred, result = lexical_cmdm(train, dev, test, profile="smoke", epochs=1, device="cpu", progress=False)
    assert len(pred) == len(test) and len(result.history) == 1
    norm = ZNorm().fit(train)
    (val,) = seen
    torch.testing.assert_close(rows(val), rows(norm.transform(dev)))
    assert torch.cdist(rows(val), rows(norm.transform(test))).min() > 1e-3, "a test row selected the epoch"

    pred_dev, _ = lexical_cmdm(train, dev, profile="smoke", epochs=1, device="cpu", progress=False)
    assert len(pred_dev) == len(dev) and len(seen) == 2
    preds, _ = lexical_cmdm(train, dev, {"dev": dev, "test": test}, profile="smoke", epochs=1, device="cpu",
                            progress=False)
    assert len(seen) == 3, "one fit scores several splits"
    assert len(preds["dev"]) == len(dev) and len(preds["test"]) == len(test)
    assert (preds["dev"] == pred_dev).all(), "same seed, same model"
