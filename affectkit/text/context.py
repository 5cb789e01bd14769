"""MELD with its dialogue context, end to end (notebook 10, ``affectkit bench meld --context``).

Stage 1, cross-fitted: the training dialogues are split in ``folds`` by dialogue;
each fold's encoder (the fine-tuned text classifier of :mod:`affectkit.text.models`)
is trained on the other folds and encodes its own fold's utterances, so that no
training vector comes from an encoder that saw its utterance. (An encoder fine-tuned
on all of train encodes its own training utterances far better than dev's: train
weighted F1 0.70 against 0.60 on dev, and a dialogue model trained on such vectors
learns to trust them and loses on dev from its first epoch.) The evaluated splits
(dev, test) are encoded by one more encoder, fine-tuned on all of train: the
strongest utterance model, and exactly ``bench meld``'s context-free one. With 2
folds each fold's encoder trains on half of train, so stage 1 costs about two
fine-tunes on all of it (about 6 minutes on 2 cores).

Stage 2 (:mod:`affectkit.text.dialogue`): one dialogue model over the training
dialogues (each encoded by its fold's encoder), scoring the evaluated splits'
dialogues. The context-free baseline is the same encoder's own probabilities
(:func:`context_free`; with ``full=False``, the fold encoders score the evaluated
splits and their probabilities are averaged).

Stage 1 can also keep the encoder frozen (:func:`frozen`, notebook 10 at the lab profile):
each utterance is the mean of its MiniLM word vectors (notebook 08's, cached) and the
logits come from a logistic regression on them, cross-fitted the same way; seconds,
not minutes, for a weaker utterance model. :func:`utterance_features` picks either.

Vectors are cached (``$AFFECTKIT_CACHE_DIR/meld-context``), keyed by the texts,
labels, dialogue ids and every knob, so that a second run, or notebook 10 after
``bench``, starts at stage 2.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from ..files import atomic_write
from .dialogue import confidence, fit_dialogue, group, predict_dialogues

# the ablations of notebook 10 and benchmarks/meld_context.py: name -> DialogueModel knobs
SETTINGS = {"none": dict(context="none"), "past": dict(context="past"), "both": dict(context="both"),
            "both, no speakers": dict(context="both", speakers=False),
            "past, window 1": dict(context="past", window=1), "both, window 2": dict(context="both", window=2)}

# Published weighted F1 on MELD's test split, text models, without and with the dialogue (notebook 10).
# CMDM Table 6's rows are in affectkit.cmdm.reference; these come from the systems' own reports.
PUBLISHED = pd.DataFrame([
    ("DialogueRNN, RoBERTa features", "no context", 0.6202, "declare-lab/conv-emotion"),
    ("DialogueRNN, RoBERTa features", "a dialogue GRU", 0.6361, "declare-lab/conv-emotion"),
    ("EmoBERTa, roberta-base", "no context", 0.6329, "tae898/erc"),
    ("EmoBERTa, roberta-base", "two turns, speakers", 0.640, "tae898/erc"),
    ("EmoBERTa, roberta-large", "no context", 0.6346, "tae898/erc"),
    ("EmoBERTa, roberta-large", "past + future, speakers", 0.6561, "tae898/erc"),
    ("EmotionFlow, roberta-base", "last 3 turns + a CRF", 0.6505, "EmotionFlow"),
], columns=["model", "context", "weighted_f1", "reported_by"])


def cache_dir() -> Path:
    """``$AFFECTKIT_CACHE_DIR/meld-context``, else ``~/.cache/affectkit/meld-context``."""
    root = os.environ.get("AFFECTKIT_CACHE_DIR") or Path.home() / ".cache" / "affectkit"
    return Path(root) / "meld-context"


def folds_of(frame: pd.DataFrame, folds: int, seed: int) -> np.ndarray:
    """(n,) the fold of each row: whole dialogues, shuffled by ``seed``, dealt round-robin."""
    dialogues = np.array(sorted(frame["dialogue"].unique()))
    order = np.random.default_rng(seed).permutation(len(dialogues))
    fold = dict(zip(dialogues[order], np.arange(len(dialogues)) % folds))
    return frame["dialogue"].map(fold).to_numpy()


def _key(frames: dict, knobs: dict) -> str:
    digest = hashlib.sha256(json.dumps(knobs, sort_keys=True).encode())
    for name in sorted(frames):
        df = frames[name]
        digest.update(name.encode())
        cols = [c for c in ("text", "emotion_id", "dialogue", "utterance") if c in df]
        digest.update(pd.util.hash_pandas_object(df[cols], index=False).values.tobytes())
    return digest.hexdigest()[:20]


def crossfit(train: pd.DataFrame, evaluated: dict, folds: int = 2, seed: int = 0, epochs: int = 2,
             lr: float = 8e-5, full: bool = True, device="auto", progress: bool = True, cache: bool = True) -> dict:
    """Stage 1: utterance vectors of ``train`` from cross-fitted encoders, and of each evaluated split
    (name -> MELD frame).

    With ``full`` (the default, ``affectkit bench meld --context``), one more encoder is fine-tuned on
    all of train (seed ``seed``: ``bench meld``'s context-free model) and the evaluated splits are
    encoded by it alone: at test time the dialogue model reads the best utterance model there is,
    while its training lines stay cross-fitted. Without ``full`` every fold's encoder encodes the
    evaluated splits (their probabilities are averaged downstream): cheaper, and weaker, for each fold
    encoder saw only part of train (on MELD dev 0.553 and 0.561 against 0.596, benchmarks/RESULTS.md).

    Returns {"fold": (n_train,), "train": {"pooled": (n, d), "logits": (n, 7)} (each row by the encoder
    that did not train on it), "<split>": a list of {"pooled", "logits"} (one per encoder that scores
    it), "seconds": the fine-tunes' time, "shared_space": False}; with ``full`` also "full": {"train":
    (n_train, 7), "<split>": (n, 7)}, the full encoder's logits on its own training lines and on each
    split (the pitfall). ``shared_space`` is False: encoders fine-tuned apart do not share a vector
    space, so :func:`two_stage` reads only their log-probabilities (their vectors' dimensions mean
    different things in each; on MELD dev a dialogue model reading them lost 0.006 weighted F1 on
    average over three stage-1 seeds, benchmarks/RESULTS.md).
    """
    from ..data.labels import MELD7
    from .models import fit_text_classifier

    knobs = {"folds": folds, "seed": seed, "epochs": epochs, "lr": lr, "model": "all-MiniLM-L6-v2"}
    if full:
        knobs["full"] = True
    path = cache_dir() / f"{_key({'train': train, **evaluated}, knobs)}.npz"
    if cache and path.exists():
        with np.load(path, allow_pickle=False) as f:
            stored = {k: f[k] for k in f.files}
        return _unpack(stored, list(evaluated), folds, full)
    fold = folds_of(train, folds, seed)
    texts, y = train["text"].tolist(), train["emotion_id"].to_numpy()
    n_classes = len(MELD7.classes)
    stored = {"fold": fold, "seconds": np.array(0.0)}

    def fine_tune(rows, encoder_seed):
        fit = fit_text_classifier([t for t, r in zip(texts, rows) if r], y[rows], n_classes, epochs=epochs,
                                  lr=lr, seed=encoder_seed, device=device, progress=progress, warn_truncation=False)
        stored["seconds"] = stored["seconds"] + float(fit.history["seconds"].sum())
        return fit.model

    def keep(prefix, out):
        stored[f"{prefix}_pooled"], stored[f"{prefix}_logits"] = out["pooled"], out["logits"]

    for k in range(folds):
        model = fine_tune(fold != k, seed * 100 + k)
        held = model.encode([t for t, f in zip(texts, fold) if f == k])
        if k == 0:
            stored["train_pooled"] = np.zeros((len(texts), held["pooled"].shape[1]), np.float32)
            stored["train_logits"] = np.zeros((len(texts), n_classes), np.float32)
        stored["train_pooled"][fold == k], stored["train_logits"][fold == k] = held["pooled"], held["logits"]
        if not full:
            for name, frame in evaluated.items():
                keep(f"{name}{k}", model.encode(frame["text"].tolist()))
    if full:
        model = fine_tune(np.ones(len(texts), bool), seed)
        stored["full_train_logits"] = model.encode(texts)["logits"]
        for name, frame in evaluated.items():
            keep(f"{name}full", model.encode(frame["text"].tolist()))
    if cache:
        with atomic_write(path, suffix=".npz") as tmp:
            np.savez(tmp, **stored)
    return _unpack(stored, list(evaluated), folds, full)


def _unpack(stored: dict, names: list, folds: int, full: bool) -> dict:
    out = {"fold": stored["fold"], "seconds": float(stored["seconds"]), "shared_space": False,
           "train": {"pooled": stored["train_pooled"], "logits": stored["train_logits"]}}
    encoders = ["full"] if full else range(folds)
    for name in names:
        out[name] = [{"pooled": stored[f"{name}{k}_pooled"], "logits": stored[f"{name}{k}_logits"]} for k in encoders]
    if full:
        out["full"] = {"train": stored["full_train_logits"], **{name: stored[f"{name}full_logits"] for name in names}}
    return out


def frozen(train: pd.DataFrame, evaluated: dict, folds: int = 2, seed: int = 0, max_words: int = 12,
           C: float = 1.0, device="auto", progress: bool = True) -> dict:
    """Stage 1 with a frozen encoder: the mean of each utterance's MiniLM word vectors (n, 384)
    (:class:`~affectkit.features.lexical.WordEmbedder`, cached on disk) and a logistic regression
    on them (standardised), whose log-probabilities are the logits, cross-fitted over the training
    dialogues like :func:`crossfit`.

    Returns :func:`crossfit`'s dict (every fold's "pooled" is the same frozen vector, so
    "shared_space" is True) and
    "full": {"train": (n_train, 7), "<split>": (n, 7)}, the logits of one regression fit on all of
    train, on train itself and on each evaluated split: what the pitfall measures."""
    import time

    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from ..config import resolve_device
    from ..data.transforms import masked_mean
    from ..features.lexical import WordEmbedder

    embed = WordEmbedder(max_words=max_words, device=str(resolve_device(device)), progress=progress)

    def pooled(frame):
        x, mask = embed(frame["text"].tolist())
        return np.asarray(masked_mean(np.asarray(x), np.asarray(mask)), np.float32)

    def regression(x, y):
        model = make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=2000, random_state=seed))
        model.fit(x, y)

        def logits(x):   # (n, 7) log-probabilities; a class this fold never saw gets log p = -20
            out = np.full((len(x), 7), -20.0, np.float32)
            out[:, model.classes_] = np.maximum(model.predict_log_proba(x), -20.0)
            return out
        return logits

    start = time.perf_counter()
    x_train, y = pooled(train), train["emotion_id"].to_numpy()
    x_eval = {name: pooled(frame) for name, frame in evaluated.items()}
    fold = folds_of(train, folds, seed)
    logits = np.zeros((len(train), 7), np.float32)
    out = {name: [] for name in evaluated}
    for k in range(folds):
        score = regression(x_train[fold != k], y[fold != k])
        logits[fold == k] = score(x_train[fold == k])
        for name, x in x_eval.items():
            out[name].append({"pooled": x, "logits": score(x)})
    everything = regression(x_train, y)
    full = {"train": everything(x_train), **{name: everything(x) for name, x in x_eval.items()}}
    return {"fold": fold, "seconds": time.perf_counter() - start, "shared_space": True,
            "train": {"pooled": x_train, "logits": logits}, "full": full, **out}


ENCODERS = ("frozen", "finetuned")


def utterance_features(train: pd.DataFrame, evaluated: dict, encoder: str = "frozen", **kwargs) -> dict:
    """Stage 1 by name: ``"frozen"`` (:func:`frozen`) or ``"finetuned"`` (:func:`crossfit`)."""
    if encoder not in ENCODERS:
        raise ValueError(f"encoder must be one of {ENCODERS}, got {encoder!r}")
    return (frozen if encoder == "frozen" else crossfit)(train, evaluated, **kwargs)


def context_free(features: list) -> np.ndarray:
    """The stage-1 encoders' own probabilities on a split (averaged where several score it): (n, 7)."""
    return np.mean([torch.softmax(torch.as_tensor(f["logits"]), -1).numpy() for f in features], axis=0)


def _vectors(f: dict, vectors: bool) -> np.ndarray:
    """A stage-1 entry's vectors (n, d), or (n, 0) where the dialogue model reads only log-probabilities."""
    return f["pooled"] if vectors else np.zeros((len(f["logits"]), 0), np.float32)


def two_stage(train: pd.DataFrame, evaluated: dict, features: dict, *, seed: int = 0, epochs: int = 10,
              lr: float = 3e-4, vectors: bool | None = None, device="auto", progress: bool = True, **knobs) -> dict:
    """Stage 2 on :func:`crossfit`'s (or :func:`frozen`'s) ``features``: a dialogue model (``knobs``:
    context, window, speakers, hidden, ...) trained for a fixed ``epochs`` (no selection: nothing of an
    evaluated split is read while training) and each evaluated split's probabilities (n, 7), averaged
    over the encoders that score it. ``vectors``: whether the model reads the utterance vectors besides
    the log-probabilities (None: where every line's vector comes from one space, ``features["shared_space"]``).
    Returns {"<split>": probabilities, "history", "model"}."""
    vectors = features.get("shared_space", True) if vectors is None else bool(vectors)
    dialogues = group(train, _vectors(features["train"], vectors), features["train"]["logits"])
    fit = fit_dialogue(dialogues, None, 7, epochs=epochs, lr=lr, seed=seed, device=device, progress=progress,
                       **knobs)
    out = {"history": fit.history, "model": fit.model}
    for name, frame in evaluated.items():
        runs = [predict_dialogues(fit.model, group(frame, _vectors(f, vectors), f["logits"]), device=device)
                for f in features[name]]
        out[name] = np.mean([torch.softmax(torch.as_tensor(r), -1).numpy() for r in runs], axis=0)
    return out


def overconfidence(features: dict, split: str) -> dict:
    """Mean top probability of the cross-fitted training vectors and of ``split``'s (its first encoder);
    with a full encoder also "full_train": that encoder's on its own training lines (the pitfall)."""
    out = {"train": confidence(features["train"]["logits"]), split: confidence(features[split][0]["logits"])}
    if "full" in features:
        out["full_train"] = confidence(features["full"]["train"])
    return out


def out_of_fold(train: pd.DataFrame, features: dict, *, seed: int = 0, epochs: int = 10, lr: float = 3e-4,
                vectors: bool | None = None, device="auto", **knobs) -> np.ndarray:
    """Stage 2 scored on the training dialogues themselves, a selection set nine times dev's size:
    for each fold of :func:`crossfit` (``features["fold"]``), a dialogue model trained on the other
    folds' cross-fitted lines scores the fold's lines, which no model involved has seen (their
    vectors come from the encoder that did not train on them). MELD dev has 1,109 lines, so a
    difference of 0.01 weighted F1 there is within its sampling noise; this reads 9,989.
    ``vectors`` as in :func:`two_stage`. Returns (n_train, 7) probabilities in ``train``'s row order."""
    fold = np.asarray(features["fold"])
    vectors = features.get("shared_space", True) if vectors is None else bool(vectors)
    vector, logits = _vectors(features["train"], vectors), features["train"]["logits"]
    out = np.zeros((len(train), logits.shape[1]), np.float32)
    for k in np.unique(fold):
        rows = fold != k
        fit = fit_dialogue(group(train[rows].reset_index(drop=True), vector[rows], logits[rows]), None,
                           logits.shape[1], epochs=epochs, lr=lr, seed=seed, device=device, progress=False, **knobs)
        held = group(train[~rows].reset_index(drop=True), vector[~rows], logits[~rows])
        out[~rows] = torch.softmax(torch.as_tensor(predict_dialogues(fit.model, held, device=device)), -1).numpy()
    return out
