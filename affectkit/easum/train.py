"""EASUM's training steps on the kit's loop (:mod:`affectkit.loop`).

The domain-general (DG) model on the four domains (Sec. 3.3):

- :func:`prepare_domains`: one z-normalisation fit on the pooled train splits
  of all domains (so the domain shifts stay in the inputs: removing them is
  the model's job), and the DG targets of each domain.
- :func:`balance_domains`: EASUM's balancing (Sec. 3.3): every train split is
  brought to the size of the largest by adding augmented copies (Eq. 1
  feature noise on acoustic and visual features, temporal zero-out on text;
  its docstring says how the kit's noise differs from the paper's and the
  official code's).
- :func:`fit_dg`: each step takes one batch from every domain (cycled),
  ``L_DG = sum of per-domain cross-entropies + omega * MD_total``, AdamW; the
  epoch with the best mean validation accuracy over domains is kept
  (:class:`DGStep`).

The domain-specific (DS) model on one corpus (Sec. 3.4): :func:`fit_ds`, each
batch's main loss plus eta times the pseudo-label loss against the frozen DG
teacher's predictions (:class:`DSStep`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from .. import checkpoints, checks, loop, metrics
from ..config import resolve_device
from ..data.dataset import MultimodalDataset
from ..data.labels import polarity
from ..data.transforms import ZNorm, feature_noise
from .losses import dg_loss, ds_loss
from .models import DGModel


def pooled_znorm(datasets) -> ZNorm:
    """A :class:`ZNorm` fit on the real frames of several datasets at once."""
    datasets = list(datasets)
    norm = ZNorm()
    for m in datasets[0].x:
        frames = torch.cat([ds.x[m][ds.mask[m]] if m in ds.mask else ds.x[m] for ds in datasets])
        norm.mean_[m] = frames.mean(0)
        norm.std_[m] = frames.std(0, unbiased=False).clamp_min(norm.eps)
    return norm


def dg_target(ds: MultimodalDataset, task: str, space=None) -> torch.Tensor:
    """What the DG model's head learns for a split: the sentiment polarity (3
    classes) for sentiment corpora, the annotated emotion mapped to EASUM-9
    (``space.to_common``) for emotion corpora. Shape (n,) int64."""
    if task == "sentiment":
        if torch.isnan(ds.sentiment).any():
            raise ValueError(f"{ds.name}: sentiment task but some utterances have no sentiment annotation")
        return torch.as_tensor(polarity(ds.sentiment.numpy()))
    if space is None:
        raise ValueError("an emotion task needs the domain's label space to map to EASUM-9")
    return torch.as_tensor(space.to_common(ds.y.numpy()))


def prepare_domains(domains: dict) -> dict:
    """z-normalise every split with the pooled train statistics; attach DG targets.

    Returns: name -> {"task", "space", "train", "val", "test"} with each split a
    MultimodalDataset whose ``hidden["dg_target"]`` holds the (n,) DG target.
    """
    norm = pooled_znorm(d.train for d in domains.values())
    out = {}
    for name, d in domains.items():
        entry = {"task": d.task, "space": d.space, "index": d.index}
        for split, ds in d.splits.items():
            ds = norm.transform(ds)
            ds.hidden = {**ds.hidden, "dg_target": dg_target(ds, d.task, d.space)}
            entry[split] = ds
        out[name] = entry
    return out


def balance_domains(prepared: dict, seed: int = 0, noise_std: float = 0.1, zero_out: float = 0.1) -> dict:
    """EASUM's balancing (Sec. 3.3): bring every train split to the largest one's size with augmented copies.

    What the kit does, against the paper (Eq. 1) and the official code (aai4r/EASUM):

    - Acoustic and visual features of a copy: x_hat = alpha * x + beta with
      alpha ~ N(1, noise_std^2) and beta ~ N(0, noise_std^2) on every element
      (padding stays zero), drawn **once**, when the copy is made: a copy keeps
      its noise for the whole training. The paper prints alpha ~ N(1, I) and
      beta ~ N(1, I): unit-variance noise on every element and a mean shift of 1,
      far stronger than z-normalised features tolerate (notebook 05, section 1,
      prints how much of a feature survives each). The official code draws beta
      with mean 0, perturbs only the elements on the diagonal of an
      identity-shaped matrix of standard deviations (time step t, feature t; all
      others stay as they are), and **redraws** alpha and beta on every forward
      pass, so a copy sees new noise at every epoch.
    - Text of a copy: the temporal zero-out happens *after the input embedding*,
      as the paper says, so inside the model during training: each copy is
      flagged in ``hidden["augmented"]`` and the entry's ``"zero_out"`` holds the
      rate (:func:`fit_dg` passes both to the model), which zeroes each embedded
      token of a copy with probability ``zero_out``, redrawn on every forward
      pass. The paper gives no rate; the official code zeroes exactly 5 of the
      40 token positions of every copy, redrawn on every forward pass.
    - Originals are kept as they are (no noise, no zero-out).

    Without balancing, :func:`fit_dg` still draws one batch per domain per step,
    so a small domain's utterances are simply seen more often (repeated, not
    augmented): the comparison notebook 05 measures.
    """
    if not 0.0 <= zero_out < 1.0:
        raise ValueError(f"zero_out must be in [0, 1), got {zero_out}")
    target = max(len(e["train"]) for e in prepared.values())
    gen = torch.Generator().manual_seed(seed)
    out = {}
    for name, e in prepared.items():
        ds, extra = e["train"], target - len(e["train"])
        idx = torch.randint(0, len(ds), (extra,), generator=gen)
        merged = ds.subset(torch.cat([torch.arange(len(ds)), idx]))
        if extra:
            copy_ = ds.subset(idx)
            x = dict(copy_.x)
            for m in ("A", "V"):
                if m in x:
                    noisy = feature_noise(x[m], 1.0, noise_std, 0.0, noise_std, generator=gen)
                    x[m] = noisy * copy_.mask[m].unsqueeze(-1) if m in copy_.mask else noisy
            merged = merged.with_features({m: torch.cat([ds.x[m], x[m]]) for m in ds.x})
        merged.hidden = {**merged.hidden, "augmented": torch.cat([torch.zeros(len(ds), dtype=torch.bool),
                                                                  torch.ones(extra, dtype=torch.bool)])}
        out[name] = {**e, "train": merged, "zero_out": zero_out}
    return out


@dataclass
class DGResult:
    """``history``: per epoch, each domain's loss, ``md``, ``total`` and ``val_acc``."""

    model: DGModel
    history: pd.DataFrame
    best_epoch: int
    best_val_acc: float


@torch.no_grad()
def predict_dg(model: DGModel, ds: MultimodalDataset, batch_size: int = 256, device=None) -> dict:
    """{"rep": (n, hidden), "sentiment": (n, 3), "emotion": (n, 9)} numpy arrays, eval mode."""
    dev = resolve_device("auto" if device is None else device)
    model.eval().to(dev)
    parts = {"rep": [], "sentiment": [], "emotion": []}
    for batch in ds.batches(batch_size, device=dev):
        out = model(batch["x"], batch["mask"])
        for k in parts:
            parts[k].append(out[k].cpu())
    return {k: torch.cat(v).numpy() for k, v in parts.items()}


def dg_accuracy(model: DGModel, prepared: dict, split: str = "val", device=None) -> dict:
    """Accuracy of the DG target per domain on a split (polarity or EASUM-9 class)."""
    scores = {}
    for name, e in prepared.items():
        out = predict_dg(model, e[split], device=device)
        pred = out[e["task"]].argmax(1)
        scores[name] = metrics.wa(e[split].hidden["dg_target"].numpy(), pred)
    return scores


def _zero_out(entry: dict, index: torch.Tensor, device) -> torch.Tensor | None:
    """Per-row zero-out rate of a batch: the entry's rate for augmented copies, 0 for originals."""
    flags = entry["train"].hidden.get("augmented")
    if flags is None or not entry.get("zero_out"):
        return None
    return (flags[index.cpu()].float() * entry["zero_out"]).to(device)


def fit_dg(model: DGModel, prepared: dict, omega: float = 0.1, epochs: int = 6, batch_size: int = 48,
           lr: float = 1e-4, weight_decay: float = 0.01, seed: int = 0, device="auto",
           progress: bool = True, k: int = 2) -> DGResult:
    """Train the DG model over all domains at once; keep the best mean val accuracy.

    One epoch = as many steps as the largest train split has batches; each step
    sums one batch's loss from every domain (EASUM: batch 48 per corpus, AdamW).
    ``prepared``: :func:`prepare_domains`' output, balanced by :func:`balance_domains`
    (the augmented copies' text is zeroed out after the embedding) or not (smaller
    domains are cycled, so their utterances repeat).
    ``k``: the number of moments MD_total matches (EASUM: 2).
    """
    checks.training(epochs, batch_size, lr, seed)
    checks.number(omega, "omega", 0)
    checks.number(weight_decay, "weight_decay", 0)
    if not isinstance(prepared, dict) or not prepared:
        raise ValueError("prepared must be a non-empty dict domain -> prepare_domains() entry")
    for name, e in prepared.items():
        if "dg_target" not in e["val"].hidden or not bool((e["val"].hidden["dg_target"] >= 0).any()):
            raise ValueError(f"{name}: the validation split has no DG targets; build prepared with "
                             f"prepare_domains() from labeled splits")
    dev = resolve_device(device)
    torch.manual_seed(seed)
    model.to(dev)
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    run = loop.train(DGStep(model, prepared, omega, k, batch_size, seed, dev), optimizer, epochs,
                     select="val_acc", desc="DG epochs", progress=progress)
    model.domains = {int(e["index"]): name for name, e in prepared.items()}
    return DGResult(model, run.history, run.best_epoch, run.best_score)


class DGStep(loop.Step):
    """One step of the DG model: a batch from every domain (the smaller ones
    cycled), ``L_DG = sum of the domains' cross-entropies + omega * MD_total``.
    Terms: one per domain, ``task``, ``md``, ``total``; validation: ``val_acc``
    (the mean over domains, which selects) and ``val_<domain>``."""

    def __init__(self, model: DGModel, prepared: dict, omega: float, k: int, batch_size: int, seed: int, device):
        self.model, self.prepared, self.omega, self.k, self.device = model, prepared, omega, k, device
        self.tasks = {name: e["task"] for name, e in prepared.items()}
        self.streams = {name: e["train"].cycle(batch_size, seed + i, device=device)
                        for i, (name, e) in enumerate(prepared.items())}
        self.steps = max(math.ceil(len(e["train"]) / batch_size) for e in prepared.values())

    def batches(self, epoch):
        for _ in range(self.steps):   # an epoch: as many steps as the largest domain has batches
            yield {name: next(stream) for name, stream in self.streams.items()}

    def terms(self, batches: dict) -> dict:
        outputs = {name: self.model(b["x"], b["mask"], _zero_out(self.prepared[name], b["index"], self.device))
                   for name, b in batches.items()}
        targets = {name: self.prepared[name]["train"].hidden["dg_target"][b["index"].cpu()].to(self.device)
                   for name, b in batches.items()}
        return dg_loss(outputs, targets, self.tasks, self.omega, self.k)

    def validate(self) -> dict:
        val = dg_accuracy(self.model, self.prepared, "val", self.device)
        return {"val_acc": float(np.mean(list(val.values()))), **{f"val_{k}": v for k, v in val.items()}}


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
    for name, e in prepared.items():
        ds = e[split]
        out = predict_dg(model, ds, device=device)
        target = ds.hidden["dg_target"].numpy()
        if e["task"] == "sentiment":
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


# -- the domain-specific model (Sec. 3.4) ---------------------------------------------

@dataclass
class DSResult:
    """``history``: per epoch ``main``, ``aux``, ``total`` and the val ``score``
    (sentiment: minus MAE; emotion: weighted F1)."""

    model: torch.nn.Module
    history: pd.DataFrame
    best_epoch: int
    best_score: float


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


@torch.no_grad()
def predict_ds(model, ds: MultimodalDataset, batch_size: int = 256, device=None) -> dict:
    """{"main": (n,) intensities or (n, classes) logits, "aux": (n, k), "rep": (n, hidden)}, eval mode."""
    dev = resolve_device("auto" if device is None else device)
    model.eval().to(dev)
    parts = {"main": [], "aux": [], "rep": []}
    for batch in ds.batches(batch_size, device=dev):
        out = model(batch["x"], batch["mask"])
        for k in parts:
            parts[k].append(out[k].cpu())
    return {k: torch.cat(v).numpy() for k, v in parts.items()}


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
           eval_every: int = 1) -> DSResult:
    """Train a :class:`~affectkit.easum.models.DSModel` on one corpus.

    The frozen DG ``teacher`` (None: no pseudo labels) gives, for each batch,
    the logits of the auxiliary task (its emotion head for sentiment corpora,
    its sentiment head for emotion corpora). Keeps the best val epoch
    (sentiment: lowest MAE; emotion: highest weighted F1), validating every
    ``eval_every`` epochs and after the last (a tiny corpus trains for many
    one-batch epochs, which need not each be validated).
    """
    checks.training(epochs, batch_size, lr, seed, eval_every)
    checks.number(eta, "eta", 0)
    checks.number(weight_decay, "weight_decay", 0)

    dev = resolve_device(device)
    torch.manual_seed(seed)
    model.to(dev)
    if task in ("sentiment", "emotion") and getattr(model, "task", task) != task:
        raise ValueError(f"the DS model was built for task {model.task!r}, fit_ds was given task {task!r}")
    target = ds_target(train, task)
    ds_target(val, task)
    if task == "emotion":
        for ds in (train, val):
            checks.labels_fit(ds, model.main[-1].out_features, "the DS model")
    soft = None
    if teacher is not None:
        check_teacher(teacher, train)
        teacher.to(dev).eval()
        for p in teacher.parameters():
            p.requires_grad_(False)
        # the frozen teacher (eval mode: no dropout) gives every utterance the same
        # pseudo label in every epoch: compute them once
        soft = torch.as_tensor(predict_dg(teacher, train, device=dev)[model.teacher_head])
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    step = DSStep(model, train, val, task, target, soft, eta, pseudo, batch_size, seed, dev)
    run = loop.train(step, optimizer, epochs, select="score", eval_every=eval_every, desc=f"DS {task}",
                     progress=progress)
    return DSResult(model, run.history, run.best_epoch, run.best_score)


class DSStep(loop.Step):
    """One step of a DS model: a batch's main loss (MSE on the intensity, or
    cross-entropy on the corpus's classes) plus eta times the pseudo-label loss
    against the teacher's logits for the same utterances (computed once: the
    teacher is frozen). Terms: ``main``, ``aux``, ``total``; validation: ``score``
    (-MAE for sentiment, weighted F1 for emotion; higher is better) and ``val_*``."""

    def __init__(self, model, train, val, task, target, teacher_logits, eta, pseudo, batch_size, seed, device):
        self.model, self.train, self.val, self.task = model, train, val, task
        self.target, self.teacher_logits, self.eta, self.pseudo = target, teacher_logits, eta, pseudo
        self.batch_size, self.seed, self.device = batch_size, seed, device

    def batches(self, epoch):
        return self.train.batches(self.batch_size, shuffle=True, seed=self.seed * 1000 + epoch, device=self.device)

    def terms(self, b) -> dict:
        index = b["index"].cpu()
        teacher = None if self.teacher_logits is None else self.teacher_logits[index].to(self.device)
        return ds_loss(self.model(b["x"], b["mask"]), self.target[index].to(self.device), teacher, self.task,
                       self.eta, self.pseudo)

    def validate(self) -> dict:
        scores = ds_metrics(self.model, self.val, self.task, self.device)
        score = -scores["mae"] if self.task == "sentiment" else scores["weighted_f1"]
        return {"score": score, **{f"val_{k}": v for k, v in scores.items()}}
