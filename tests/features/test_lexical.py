import warnings

import numpy as np
import pytest
import torch

from affectkit.features.lexical import DEFAULT_MODEL, WordEmbedder, resolve_model


def test_default_model_is_local():
    path = resolve_model(DEFAULT_MODEL)
    assert path != DEFAULT_MODEL and (__import__("pathlib").Path(path) / "config.json").exists()


def test_word_vectors_pool_sub_word_pieces(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    emb = WordEmbedder(max_words=6, cache_dir=tmp_path, progress=False)
    texts = ["unbelievably good news", "", "one two three four five six seven eight"]
    x, mask = emb(texts, allow_empty=True)
    assert x.shape == (3, 6, 384) and mask.sum(1).tolist() == [3, 0, 6]
    assert not x[1].any() and not x[0, 3:].any()
    tok, enc = emb._load()
    batch = tok([["unbelievably", "good", "news"]], is_split_into_words=True, return_tensors="pt")
    with torch.no_grad():
        hidden = enc(**batch).last_hidden_state[0]
    pieces = [k for k, w in enumerate(batch.word_ids(0)) if w == 0]
    assert len(pieces) > 1, "the test word splits into several pieces"
    assert np.allclose(x[0, 0], hidden[pieces].mean(0).numpy(), atol=1e-5)


def test_cache_is_reused_and_written_atomically(tmp_path):
    first = WordEmbedder(max_words=4, cache_dir=tmp_path, progress=False)
    x1, m1 = first(["a cached line", "another one"])
    again = WordEmbedder(max_words=4, cache_dir=tmp_path, progress=False)
    x2, m2 = again(["another one", "a cached line"])
    assert again._enc is None, "all texts came from the cache: no model loaded"
    assert np.array_equal(x2[::-1], x1) and np.array_equal(m2[::-1], m1)
    assert len(list(tmp_path.rglob("*.npy"))) == 2 and not list(tmp_path.rglob("*.tmp*"))
    other = WordEmbedder(max_words=5, cache_dir=tmp_path, progress=False)
    other(["a cached line"])
    assert len(list(tmp_path.rglob("*.npy"))) == 3, "the cache key includes max_words"


def test_text_longer_than_the_encoder_limit_warns(tmp_path):
    emb = WordEmbedder(max_words=700, cache_dir=False, progress=False)
    with pytest.warns(UserWarning, match="longer than the encoder's limit of 512 tokens"):
        x, mask = emb([" ".join(["word"] * 600)])
    assert 0 < mask.sum() < 600
    with pytest.raises(ValueError, match="max_words"):
        WordEmbedder(max_words=0)


def test_pieces_show_what_each_word_averages():
    emb = WordEmbedder(max_words=3, cache_dir=False, progress=False)
    pieces = emb.pieces("nanosecond news can't wait")
    assert [w for w, _ in pieces] == ["nanosecond", "news", "can't"]
    assert pieces[0][1][0] == "nano" and len(pieces[0][1]) > 1 and pieces[1][1] == ["news"]
    assert pieces[2][1] == ["can", "'", "t"]


@pytest.mark.parametrize("damage", [b"", b"\x93NUMPY garbage", None], ids=["empty", "cut", "wrong_shape"])
def test_a_corrupt_cache_entry_is_named_recomputed_and_replaced(tmp_path, damage):
    emb = WordEmbedder(max_words=4, cache_dir=tmp_path, progress=False)
    x1, _ = emb(["a cached line"])
    (entry,) = tmp_path.rglob("*.npy")
    if damage is None:
        np.save(entry, np.zeros((9, 3), np.float32))    # a readable array of the wrong shape
    else:
        entry.write_bytes(damage)
    again = WordEmbedder(max_words=4, cache_dir=tmp_path, progress=False)
    with pytest.warns(UserWarning, match=rf"cache entry .*{entry.name[:8]}.*unreadable.*recomputing"):
        x2, _ = again(["a cached line"])
    assert np.allclose(x2, x1, atol=1e-6)
    assert np.allclose(np.load(entry), x1[0, :3], atol=1e-6), "the entry was replaced"
    third = WordEmbedder(max_words=4, cache_dir=tmp_path, progress=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        third(["a cached line"])


def test_loading_the_encoder_prints_no_progress_bar(capfd):
    """The audit's noise: "Loading weights: 0%" under progress=False."""
    from transformers.utils import logging as hf_logging

    from affectkit.features.lexical import load_encoder

    before = hf_logging.is_progress_bar_enabled()
    load_encoder()
    assert "Loading weights" not in capfd.readouterr().err
    assert hf_logging.is_progress_bar_enabled() == before, "the caller's setting is restored"
