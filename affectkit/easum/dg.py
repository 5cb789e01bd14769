"""EASUM's domain-general (DG) model on the kit's loop (Sec. 3.3).

:func:`fit_dg`: each step takes one batch from every domain (cycled),
``L_DG = sum of per-domain cross-entropies + omega * MD_total``, AdamW; the
epoch with the best mean validation accuracy over domains is kept
(:class:`DGStep`). The domains come from
:func:`~affectkit.easum.prepare.prepare_domains`, balanced or not by
:func:`~affectkit.easum.prepare.balance_domains`.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import torch

from .. import checkpoints, checks, loop, metrics
from ..data.dataset import MultimodalDataset
from ..loop import FitResult
from .losses import dg_loss
from .models import DGModel
from .prepare import PreparedDomain


class DGStep(loop.Step):
    """One step of the DG model: a batch from every domain (the smaller ones
    cycled), ``L_DG = sum of the domains' cross-entropies + omega * MD_total``.
    Terms: one per domain, ``task``, ``md``, ``total``; validation: ``val_acc``
    (the mean over domains, which selects) and ``val_<domain>``."""

    def __init__(self, model: DGModel, prepared: dict, omega: float, k: int, batch_size: int, seed: int,
                 device):
        super().__init__(model, None, batch_size, seed, device)
        self.prepared, self.omega, self.k = prepared, omega, k
        self.tasks = {name: d.task for name, d in prepared.items()}
        self.streams = {name: d.train.cycle(self.batch_size, self.seed + i, device=device)
                        for i, (name, d) in enumerate(prepared.items())}
        self.steps = max(math.ceil(len(d.train) / self.batch_size) for d in prepared.values())

    def batches(self, epoch):
        for _ in range(self.steps):   # an epoch: as many steps as the largest domain has batches
            yield {name: next(stream) for name, stream in self.streams.items()}

    def terms(self, batches: dict) -> dict:
        rates = {name: zero_out_rates(self.prepared[name], b["index"], self.device) for name, b in batches.items()}
        outputs = {name: self.model(b["x"], b["mask"], rates[name]) for name, b in batches.items()}
        targets = {name: self.prepared[name].train.hidden["dg_target"][b["index"].cpu()].to(self.device)
                   for name, b in batches.items()}
        return dg_loss(outputs, targets, self.tasks, self.omega, self.k)

    def validate(self) -> dict:
        val = dg_accuracy(self.model, self.prepared, "val", self.device)
        return {"val_acc": float(np.mean(list(val.values()))), **{f"val_{k}": v for k, v in val.items()}}


def zero_out_rates(domain: PreparedDomain, index: torch.Tensor, device) -> torch.Tensor | None:
    """Per-row zero-out rate of a batch of ``domain.train``: the domain's rate for
    augmented copies, 0 for originals (None: nothing to zero out)."""
    flags = domain.train.hidden.get("augmented")
    if flags is None or not domain.zero_out:
        return None
    return (flags[index.cpu()].float() * domain.zero_out).to(device)


def fit_dg(model: DGModel, prepared: dict, omega: float = 0.1, epochs: int = 6, batch_size: int = 48,
           lr: float = 1e-4, weight_decay: float = 0.01, seed: int = 0, device="auto",
           progress: bool = True, k: int = 2) -> FitResult:
    """Train the DG model over all domains at once with AdamW; keep the best mean val accuracy.

    One epoch = as many steps as the largest train split has batches; each step
    sums one batch's loss from every domain (EASUM: batch 48 per corpus, AdamW).
    ``prepared``: name -> :class:`~affectkit.easum.prepare.PreparedDomain`, balanced by
    :func:`~affectkit.easum.prepare.balance_domains` (the augmented copies' text is
    zeroed out after the embedding) or not (smaller domains are cycled, so their
    utterances repeat). ``k``: the number of moments MD_total matches (EASUM: 2).

    Returns: :class:`~affectkit.loop.FitResult`; ``history``: per epoch, each domain's loss,
    ``md``, ``total`` and ``val_acc``; ``best_score``: the mean val accuracy kept. The model
    records the domains it saw (``model.domains``: index -> name; a DS model may learn only
    from a teacher that saw its corpus).
    """
    checks.number(omega, "omega", 0)
    if not isinstance(prepared, dict) or not prepared:
        raise ValueError("prepared must be a non-empty dict domain -> PreparedDomain (prepare_domains())")
    for name, d in prepared.items():
        if not isinstance(d, PreparedDomain):
            raise TypeError(f"{name}: expected a PreparedDomain (prepare_domains()), got {type(d).__name__}")
        if "dg_target" not in d.val.hidden or not bool((d.val.hidden["dg_target"] >= 0).any()):
            raise ValueError(f"{name}: the validation split has no DG targets; build prepared with "
                             f"prepare_domains() from labeled splits")

    def make_step(model, device):
        return DGStep(model, prepared, omega, k, batch_size, seed, device)

    result = loop.fit(model, make_step, epochs, lr, seed=seed, device=device, optimizer="adamw",
                      weight_decay=weight_decay, select="val_acc", desc="DG epochs", progress=progress)
    model.domains = {int(d.index): name for name, d in prepared.items()}
    return result


def predict_dg(model: DGModel, ds: MultimodalDataset, batch_size: int = 256, device=None) -> dict:
    """{"rep": (n, hidden), "sentiment": (n, 3), "emotion": (n, 9)} numpy arrays, eval mode."""
    return loop.predict(model, ds, keep=("rep", "sentiment", "emotion"), batch_size=batch_size, device=device)


def dg_accuracy(model: DGModel, prepared: dict, split: str = "val", device=None) -> dict:
    """Accuracy of the DG target per domain on a split (polarity or EASUM-9 class)."""
    scores = {}
    for name, d in prepared.items():
        ds = d.splits[split]
        pred = predict_dg(model, ds, device=device)[d.task].argmax(1)
        scores[name] = metrics.wa(ds.hidden["dg_target"].numpy(), pred)
    return scores


def dg_metrics(model: DGModel, prepared: dict, split: str = "test", device=None) -> pd.DataFrame:
    """The DG model's task metrics per domain, tidy rows {"domain", "metric", "value"}.

    Sentiment domains (the head predicts 3 polarities, not an intensity):
    ``acc3`` (polarity), ``acc2`` and ``f1`` (negative vs positive on the
    non-neutral utterances, P(pos) > P(neg)), ``corr`` (Pearson between
    P(pos) - P(neg) and the annotated intensity). MAE needs an intensity and
    belongs to the DS models. Emotion domains: ``acc`` and ``weighted_f1`` of
    the EASUM-9 prediction against the corpus's class mapped to EASUM-9.
    """
    rows = []
    for name, d in prepared.items():
        ds = d.splits[split]
        out = predict_dg(model, ds, device=device)
        target = ds.hidden["dg_target"].numpy()
        if d.task == "sentiment":
            p = torch.softmax(torch.as_tensor(out["sentiment"]), 1).numpy()
            score = p[:, 2] - p[:, 0]
            intensity = ds.sentiment.numpy()
            scores = {"acc3": metrics.wa(target, p.argmax(1)), "acc2": metrics.acc2(intensity, score),
                      "f1": metrics.f1_2(intensity, score), "corr": metrics.corr(intensity, score)}
        else:
            pred = out["emotion"].argmax(1)
            scores = {"acc": metrics.wa(target, pred), "weighted_f1": metrics.weighted_f1(target, pred)}
        rows += [{"domain": name, "metric": k, "value": float(v)} for k, v in scores.items()]
    return pd.DataFrame(rows)


def save_dg(path, model: DGModel, extra: dict | None = None):
    """Save a DG model (config, weights, the domains it saw) and plain-data ``extra``."""
    return checkpoints.save(path, "easum-dg", model.config(), model, extra)


def load_dg(path, device="cpu") -> tuple:
    """Load a DG model saved by :func:`save_dg`. Returns (model, extra)."""
    blob = checkpoints.load(path, "easum-dg", device)
    model = DGModel.from_config(blob["config"])
    model.load_state_dict(blob["state"])
    return model.to(device), blob["extra"]
