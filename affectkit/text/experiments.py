"""Real MELD text, text only, no conversation context (notebook 08, ``affectkit.tools.bench meld``).

Four models, each trained on MELD train and scored on a split (dev, or test
when its file is there) with weighted F1 and accuracy:

- ``majority``: always the most frequent training class;
- ``logreg``: logistic regression on the mean of the utterance's word vectors;
- ``cmdm-L``: the kit's lexical model from the CMDM paper, a SequenceDAE over
  the word vectors (12 words for MELD) and the classifier, trained with
  reconstruction (notebooks 02-04), its epoch selected on dev;
- ``finetuned``: the transformer itself fine-tuned (:mod:`affectkit.text.models`),
  the kit's best text-only model.

``PAPER_TABLE6`` holds the CMDM paper's Table 6 "L" column for comparison.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..cmdm.reference import TABLE6_MELD_L
from ..config import MeldRun, get_profile
from ..data.labels import MELD7
from ..data.transforms import masked_mean

PAPER_TABLE6 = TABLE6_MELD_L   # CMDM Table 6 (affectkit.cmdm.reference): text-only models on MELD


def meld_run(profile) -> MeldRun:
    """How much of MELD a profile uses (the registry is :mod:`affectkit.config`)."""
    return get_profile(profile).meld_run


def subsample(df: pd.DataFrame, n: int | None, seed: int = 0) -> pd.DataFrame:
    """``n`` rows drawn without replacement (all rows when n is None or larger)."""
    if n is None or n >= len(df):
        return df.reset_index(drop=True)
    return df.sample(n=n, random_state=seed).reset_index(drop=True)


def classification_scores(y_true, y_pred, classes=MELD7.classes) -> dict:
    """Weighted F1, accuracy and per-class F1 (scikit-learn), as plain floats."""
    from sklearn.metrics import accuracy_score, f1_score

    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    labels = list(range(len(classes)))
    per_class = f1_score(y_true, y_pred, labels=labels, average=None, zero_division=0)
    return {"weighted_f1": float(f1_score(y_true, y_pred, labels=labels, average="weighted", zero_division=0)),
            "accuracy": float(accuracy_score(y_true, y_pred)),
            "per_class_f1": {c: float(f) for c, f in zip(classes, per_class)}}


def majority(y_train, n: int) -> np.ndarray:
    """(n,) predictions of the most frequent training class."""
    return np.full(n, np.bincount(np.asarray(y_train)).argmax())


def logreg(train_x, train_mask, y_train, eval_x, eval_mask, C: float = 1.0, seed: int = 0) -> np.ndarray:
    """Logistic regression on standardised mean-pooled word vectors; (n_eval,) predictions."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    clf = make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=2000, random_state=seed))
    clf.fit(masked_mean(train_x, train_mask), y_train)
    return clf.predict(masked_mean(eval_x, eval_mask))


def text_dataset(x, mask, y, name: str):
    """Word vectors (n, T, d) + mask + labels as a lexical-only MultimodalDataset (MELD-7)."""
    import torch

    from ..data.dataset import MultimodalDataset

    return MultimodalDataset(x={"L": torch.tensor(np.array(x))}, mask={"L": torch.tensor(np.array(mask))},
                             y=torch.tensor(np.array(y)), classes=MELD7.classes, name=name)


def lexical_cmdm(train, dev, evaluated=None, profile="lab", epochs: int = 20, seed: int = 0, device="auto",
                 progress: bool = True):
    """The CMDM lexical branch on real text: SequenceDAE (lab sizes) + classifier,
    Ls = CE + alpha * reconstruction, z-normalised on train; the epoch is
    selected on ``dev``'s UA, whatever split is scored (selecting on the
    scored test split would leak it into the model).

    Args:
        train, dev: datasets from :func:`text_dataset`: fit and model selection.
        evaluated: the dataset to predict (e.g. MELD test), or a dict name ->
            dataset to predict several splits with the one model; None: ``dev``.
    Returns:
        (predictions (n_evaluated,) or a dict name -> predictions, FitResult).
    """
    from ..cmdm.model import CMDM
    from ..cmdm.objectives import CMDMLoss
    from ..cmdm.train import fit, predict
    from ..data.transforms import ZNorm

    single = not isinstance(evaluated, dict)
    splits = {"evaluated": dev if evaluated is None else evaluated} if single else evaluated
    norm = ZNorm().fit(train)
    train, dev = norm.transform(train), norm.transform(dev)
    arch = "smoke" if get_profile(profile).name == "smoke" else "lab"
    model = CMDM(train.shapes, len(MELD7.classes), arch=arch)
    result = fit(model, train, dev, loss=CMDMLoss(matching=False, unpaired=False), epochs=epochs, seed=seed,
                 device=device, patience=5, progress=progress)
    preds = {k: predict(result.model, norm.transform(ds), decode=False)["pred"] for k, ds in splits.items()}
    return (preds["evaluated"] if single else preds), result
