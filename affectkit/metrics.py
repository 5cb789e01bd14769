"""Evaluation metrics of the two papers.

Emotion classification (CMDM Tables 4-7, EASUM MELD / IEMOCAP):
WA (accuracy), UA (mean per-class recall), WAP (support-weighted precision),
weighted and macro F1, confusion matrix.

Sentiment intensity in [-3, 3] (EASUM Table 2, MMSA conventions):
Acc2 / F1 in two conventions (``"has0"``: pred >= 0 vs truth >= 0 over all
samples; ``"non0"``: drop truth == 0, compare > 0), Acc7 (clip to [-3, 3] and
round), Acc5, MAE, Pearson correlation.

Inputs: 1-D numpy arrays, lists or torch tensors of equal length. Outputs:
python floats (confusion: a numpy array).
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn import metrics as skm

from .checks import check_latents


def _pair(y_true, y_pred, kind: str):
    def arr(v, name):
        v = v.detach().cpu().numpy() if isinstance(v, torch.Tensor) else np.asarray(v)
        if v.ndim != 1:
            raise ValueError(f"{name} must be 1-D, got shape {v.shape}")
        return v

    t, p = arr(y_true, "y_true"), arr(y_pred, "y_pred")
    if len(t) != len(p):
        raise ValueError(f"y_true has {len(t)} values but y_pred has {len(p)}")
    if len(t) == 0:
        raise ValueError("y_true and y_pred are empty")
    if kind == "class":
        if t.dtype.kind not in "iub" or p.dtype.kind not in "iub":
            raise TypeError(f"y_true and y_pred must hold integers (class labels), got {t.dtype} and {p.dtype}")
    else:
        for name, v in (("y_true", t), ("y_pred", p)):
            if v.dtype.kind not in "biuf":
                raise ValueError(f"{name} must hold numbers, got an array of {v.dtype}")
        t, p = t.astype(np.float64), p.astype(np.float64)
        for name, v in (("y_true", t), ("y_pred", p)):
            if not np.isfinite(v).all():
                raise ValueError(f"{name} holds NaN or inf values")
    return t, p


def wa(y_true, y_pred) -> float:
    """Weighted accuracy: plain accuracy (every sample counts once)."""
    t, p = _pair(y_true, y_pred, "class")
    return float(skm.accuracy_score(t, p))


def ua(y_true, y_pred) -> float:
    """Unweighted accuracy: recall averaged over the classes present in y_true."""
    t, p = _pair(y_true, y_pred, "class")
    return float(skm.balanced_accuracy_score(t, p))


def wap(y_true, y_pred) -> float:
    """Weighted average precision: per-class precision weighted by true support."""
    t, p = _pair(y_true, y_pred, "class")
    return float(skm.precision_score(t, p, average="weighted", zero_division=0))


def weighted_f1(y_true, y_pred) -> float:
    t, p = _pair(y_true, y_pred, "class")
    return float(skm.f1_score(t, p, average="weighted", zero_division=0))


def macro_f1(y_true, y_pred) -> float:
    t, p = _pair(y_true, y_pred, "class")
    return float(skm.f1_score(t, p, average="macro", zero_division=0))


def confusion(y_true, y_pred, n_classes: int | None = None, normalize: bool = True) -> np.ndarray:
    """(n_classes, n_classes) confusion matrix, rows = true class; with
    ``normalize`` each row sums to 1 (rows of absent classes stay 0)."""
    t, p = _pair(y_true, y_pred, "class")
    if n_classes is None:
        k = int(max(t.max(), p.max())) + 1
    elif isinstance(n_classes, bool) or not isinstance(n_classes, (int, np.integer)) or n_classes < 1:
        raise ValueError(f"n_classes must be a positive int, got {n_classes!r}")
    else:
        k = int(n_classes)
    for name, v in (("y_true", t), ("y_pred", p)):
        outside = v[(v < 0) | (v >= k)]
        if len(outside):
            raise ValueError(f"{name} has labels {sorted(set(outside.tolist()))[:5]} outside 0..{k - 1}"
                             + ("" if n_classes is None else f" (n_classes={k})"))
    cm = skm.confusion_matrix(t, p, labels=np.arange(k)).astype(float)
    if normalize:
        cm = cm / np.maximum(cm.sum(1, keepdims=True), 1)
    return cm


def _binary(t, p, convention):
    if convention == "has0":
        return t >= 0, p >= 0
    if convention == "non0":
        keep = t != 0
        if not keep.any():
            raise ValueError("non0 convention: every truth value is 0, nothing to score")
        return t[keep] > 0, p[keep] > 0
    raise ValueError(f"convention must be 'has0' or 'non0', got {convention!r}")


def acc2(y_true, y_pred, convention: str = "non0") -> float:
    """Binary sentiment accuracy; see the module docstring for the conventions."""
    t, p = _binary(*_pair(y_true, y_pred, "value"), convention)
    return float(skm.accuracy_score(t, p))


def f1_2(y_true, y_pred, convention: str = "non0") -> float:
    """Weighted F1 of the binary sentiment decision (MMSA's F1_score)."""
    t, p = _binary(*_pair(y_true, y_pred, "value"), convention)
    return float(skm.f1_score(t, p, average="weighted", zero_division=0))


def acc7(y_true, y_pred) -> float:
    """7-class accuracy: clip both to [-3, 3] and round to the nearest integer."""
    t, p = _pair(y_true, y_pred, "value")
    return float(np.mean(np.round(np.clip(t, -3, 3)) == np.round(np.clip(p, -3, 3))))


def acc5(y_true, y_pred) -> float:
    """5-class accuracy: clip both to [-2, 2] and round."""
    t, p = _pair(y_true, y_pred, "value")
    return float(np.mean(np.round(np.clip(t, -2, 2)) == np.round(np.clip(p, -2, 2))))


def mae(y_true, y_pred) -> float:
    t, p = _pair(y_true, y_pred, "value")
    return float(np.mean(np.abs(t - p)))


def corr(y_true, y_pred) -> float:
    """Pearson correlation; ValueError when either side is constant (undefined)."""
    t, p = _pair(y_true, y_pred, "value")
    if len(t) < 2 or t.std() == 0 or p.std() == 0:
        raise ValueError("Pearson correlation is undefined: a side is constant or has < 2 values")
    return float(np.corrcoef(t, p)[0, 1])


# -- representations ---------------------------------------------------------------


def latent_spread(z) -> float:
    """Root-mean-square distance of latents (n, d) to their centroid: sqrt(trace(Cov)).

    The collapse measure of notebook 03: an MMD that pulls modalities together
    can lower itself by shrinking every latent towards one point.
    """
    z = check_latents(z)
    return float(np.sqrt(((z - z.mean(0)) ** 2).sum(1).mean()))


def effective_rank(z) -> float:
    """exp(entropy of the normalised singular values) of centred latents (n, d)
    (Roy & Vetterli 2007): how many directions the latents really use."""
    z = check_latents(z)
    s = np.linalg.svd(z - z.mean(0), compute_uv=False)
    if s.sum() == 0:
        return 0.0
    p = s / s.sum()
    p = p[p > 0]
    return float(np.exp(-(p * np.log(p)).sum()))
