"""EASUM's domain-specific (DS) model on the kit's loop (Sec. 3.4).

:func:`fit_ds` trains a :class:`~affectkit.easum.models.DSModel` on one corpus:
each batch's main loss plus eta times the pseudo-label loss against the frozen
DG teacher's predictions (:class:`DSStep`).
"""

from __future__ import annotations

import numpy as np
import torch

from .. import checks, loop, metrics
from ..data.dataset import MultimodalDataset
from ..loop import FitResult
from .dg import predict_dg
from .losses import ds_loss
from .models import DGModel


class DSStep(loop.Step):
    """One step of a DS model: a batch's main loss (MSE on the intensity, or
    cross-entropy on the corpus's classes) plus eta times the pseudo-label loss
    against the teacher's logits for the same utterances. Terms: ``main``, ``aux``,
    ``total``; validation: ``score`` (-MAE for sentiment, weighted F1 for emotion;
    higher is better) and ``val_*``. ``loss``: the batch's terms, a function with the
    signature of :func:`~affectkit.easum.losses.ds_loss` (the default)."""

    def __init__(self, model, train: MultimodalDataset, val: MultimodalDataset, task: str,
                 teacher: DGModel | None, eta: float, pseudo: str, batch_size: int, seed: int, device,
                 loss=ds_loss):
        super().__init__(model, train, batch_size, seed, device)
        self.val, self.task, self.eta, self.pseudo, self.loss = val, task, eta, pseudo, loss
        self.target = ds_target(train, task)
        self.teacher_logits = (None if teacher is None else
                               teacher_logits(teacher, train, model.teacher_head, device))

    def terms(self, b) -> dict:
        index = b["index"].cpu()
        teacher = None if self.teacher_logits is None else self.teacher_logits[index].to(self.device)
        return self.loss(self.model(b["x"], b["mask"]), self.target[index].to(self.device), teacher, self.task,
                         self.eta, self.pseudo)

    def validate(self) -> dict:
        scores = ds_metrics(self.model, self.val, self.task, self.device)
        score = -scores["mae"] if self.task == "sentiment" else scores["weighted_f1"]
        return {"score": score, **{f"val_{k}": v for k, v in scores.items()}}


def teacher_logits(teacher: DGModel, train: MultimodalDataset, head: str, device) -> torch.Tensor:
    """The frozen teacher's logits of ``head`` for every training utterance, (n, k).

    The teacher is frozen and in eval mode (no dropout), so it gives every utterance
    the same pseudo label in every epoch: computed once, before the first."""
    teacher.to(device).eval()
    for p in teacher.parameters():
        p.requires_grad_(False)
    return torch.as_tensor(predict_dg(teacher, train, device=device)[head])


def ds_target(ds: MultimodalDataset, task: str) -> torch.Tensor:
    """The DS model's main target: intensity (float) or the corpus's own class (int);
    a ValueError when ``ds`` lacks it (no sentiment annotated, or unlabeled samples)."""
    if task not in ("sentiment", "emotion"):
        raise ValueError(f"task must be 'sentiment' or 'emotion', got {task!r}")
    if task == "sentiment":
        missing = int(torch.isnan(ds.sentiment).sum())
        if missing:
            raise ValueError(f"{ds.name}: {missing} of {len(ds)} samples have no sentiment (NaN); "
                             f"a sentiment model needs every intensity")
        return ds.sentiment.float()
    if not ds.labeled.all():
        raise ValueError(f"{ds.name}: {int((~ds.labeled).sum())} of {len(ds)} samples are unlabeled "
                         f"(y == -1); an emotion model needs every class")
    return ds.y


def check_teacher(teacher: DGModel, ds: MultimodalDataset) -> None:
    """A DS model learns only from a DG teacher that saw its corpus (EASUM Sec. 3.4)."""
    seen = getattr(teacher, "domains", {})
    if not seen:
        raise ValueError("the DG teacher has not been trained (fit_dg records the domains it saw)")
    unseen = sorted(set(np.unique(ds.domain.numpy()).tolist()) - set(seen))
    if unseen:
        raise ValueError(f"{ds.name}: domain index {unseen} was never seen by the DG teacher, "
                         f"which was trained on {sorted(seen.values())}")


def fit_ds(model, teacher: DGModel | None, train: MultimodalDataset, val: MultimodalDataset, task: str,
           eta: float = 0.5, pseudo: str = "soft", epochs: int = 6, batch_size: int = 48, lr: float = 1e-4,
           weight_decay: float = 0.01, seed: int = 0, device="auto", progress: bool = True,
           eval_every: int = 1, loss=ds_loss) -> FitResult:
    """Train a :class:`~affectkit.easum.models.DSModel` on one corpus with AdamW.

    The frozen DG ``teacher`` (None: no pseudo labels) gives, for each batch,
    the logits of the auxiliary task (its emotion head for sentiment corpora,
    its sentiment head for emotion corpora). Keeps the best val epoch
    (sentiment: lowest MAE; emotion: highest weighted F1), validating every
    ``eval_every`` epochs and after the last (a tiny corpus trains for many
    one-batch epochs, which need not each be validated).

    ``loss``: what each batch minimises, ``loss(out, target, teacher_logits, task, eta, pseudo)
    -> {"main", "aux", "total"}`` as :func:`~affectkit.easum.losses.ds_loss` (the default);
    another one (a student's L_DS in lab 4) trains in this process.

    Returns: :class:`~affectkit.loop.FitResult`; ``history``: per epoch ``main``, ``aux``,
    ``total`` and the val ``score`` (sentiment: minus MAE; emotion: weighted F1), which
    ``best_score`` holds for the epoch kept.
    """
    checks.number(eta, "eta", 0)
    if task in ("sentiment", "emotion") and getattr(model, "task", task) != task:
        raise ValueError(f"the DS model was built for task {model.task!r}, fit_ds was given task {task!r}")
    ds_target(train, task)
    ds_target(val, task)
    if task == "emotion":
        for ds in (train, val):
            checks.labels_fit(ds, model.main[-1].out_features, "the DS model")
    if teacher is not None:
        check_teacher(teacher, train)

    def make_step(model, device):
        return DSStep(model, train, val, task, teacher, eta, pseudo, batch_size, seed, device, loss)

    return loop.fit(model, make_step, epochs, lr, seed=seed, device=device, optimizer="adamw",
                    weight_decay=weight_decay, select="score", eval_every=eval_every, desc=f"DS {task}",
                    progress=progress)


def predict_ds(model, ds: MultimodalDataset, batch_size: int = 256, device=None) -> dict:
    """{"main": (n,) intensities or (n, classes) logits, "aux": (n, k), "rep": (n, hidden)}, eval mode."""
    return loop.predict(model, ds, keep=("main", "aux", "rep"), batch_size=batch_size, device=device)


def ds_metrics(model, ds: MultimodalDataset, task: str, device=None) -> dict:
    """EASUM's metrics: sentiment Acc2 / F1 (non0), MAE, Corr; emotion Acc and weighted F1."""
    out = predict_ds(model, ds, device=device)
    if task == "sentiment":
        t, p = ds.sentiment.numpy(), out["main"]
        scores = {"acc2": metrics.acc2(t, p), "f1": metrics.f1_2(t, p), "mae": metrics.mae(t, p)}
        try:
            scores["corr"] = metrics.corr(t, p)
        except ValueError:
            scores["corr"] = float("nan")
        return scores
    t, p = ds.y.numpy(), out["main"].argmax(1)
    return {"acc": metrics.wa(t, p), "weighted_f1": metrics.weighted_f1(t, p)}
