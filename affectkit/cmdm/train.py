"""CMDM's training steps on the kit's loop (:mod:`affectkit.loop`).

:func:`fit` trains a :class:`~affectkit.cmdm.model.CMDM` on a labeled split,
and on an unlabeled pool when one is given (Lsemi = Ls + omega * Lu, CMDM Eq. 9):
each labeled batch is paired with the next batch of the (cycled) pool; that
pair is :class:`CMDMStep`, all a student needs to read. The best epoch by
validation UA is kept (CMDM Sec. 4.2 selects on validation).
:func:`fit_autoencoder` trains one DAE alone on reconstruction (Eq. 2).
Both return the loop's :class:`~affectkit.loop.FitResult`; :func:`predict` and
:func:`encode_split` run a trained model through the loop's one collector.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from .. import checkpoints, checks, loop, metrics
from ..data.dataset import MultimodalDataset, join_batches, split_rows
from ..loop import FitResult, TrainingDiverged
from .model import CMDM, build_cmdm
from .objectives import CMDMLoss, masked_mse, reconstruction

__all__ = ["TrainingDiverged", "CMDMStep", "FitResult", "fit", "AutoencoderStep", "fit_autoencoder",
           "autoencoder_mse", "encode_split", "predict", "evaluate", "save_checkpoint", "load_checkpoint",
           "reconstruction"]


class CMDMStep(loop.Step):
    """One step of CMDM (Eq. 9): a labeled batch's Ls, plus omega times the Lu of
    the next batch of the pool (when there is one and Lu has a term).

    Terms: ``cls``, ``rec``, ``pair``, ``unpair`` (labeled), ``u_rec``, ``u_pair``,
    ``u_unpair`` (pool) and ``total``; validation: ``val_wa``, ``val_ua``.
    """

    def __init__(self, model: CMDM, train: MultimodalDataset, val: MultimodalDataset,
                 unlabeled: MultimodalDataset | None, loss: CMDMLoss, batch_size: int, seed: int, device):
        super().__init__(model, train, batch_size, seed, device)
        self.val, self.loss = val, loss
        self.decode = loss.reconstruction   # without Lrec the decoders need not run
        self.shuffles = torch.Generator().manual_seed(self.seed)   # the unpaired term's derangements
        self.pool = None if unlabeled is None else unlabeled.cycle(
            self.batch_size, self.seed, drop_last=len(unlabeled) >= self.batch_size, device=device)

    def terms(self, batch) -> dict:
        if self.pool is None or not self.loss.uses_unlabeled:
            out = self.model(batch["x"], batch["mask"], decode=self.decode)
            return self.loss.supervised_terms(out, batch["y"], batch["mask"], self.shuffles)
        ub = next(self.pool)
        # one forward pass over the labeled and the unlabeled batch together (half the operations)
        x, mask, sizes = join_batches([batch, ub])
        out, u_out = split_rows(self.model(x, mask, decode=self.decode), sizes)
        terms = self.loss.supervised_terms(out, batch["y"], batch["mask"], self.shuffles)
        u_terms = self.loss.unsupervised_terms(u_out, ub["mask"], self.shuffles)
        terms["total"] = terms["total"] + self.loss.omega * u_terms["total"]
        terms.update({f"u_{k}": v for k, v in u_terms.items() if k != "total"})
        return terms

    def validate(self) -> dict:
        scores = evaluate(self.model, self.val, self.batch_size, self.device)
        return {"val_wa": scores["wa"], "val_ua": scores["ua"]}


def fit(model: CMDM, train: MultimodalDataset, val: MultimodalDataset,
        unlabeled: MultimodalDataset | None = None, loss: CMDMLoss = CMDMLoss(), epochs: int = 15,
        batch_size: int = 128, lr: float = 1e-3, seed: int = 0, device="auto", patience: int | None = 5,
        progress: bool = True, eval_every: int = 1) -> FitResult:
    """Train ``model`` with Adam; return it at its best validation epoch.

    Args:
        train, val: labeled splits with the model's modalities (z-normalised).
        unlabeled: the pool for the semi-supervised objective; None trains
            fully supervised (Ls only).
        loss: weights and switches (:class:`~affectkit.cmdm.objectives.CMDMLoss`).
        epochs, batch_size, lr: Adam with the paper's lr 1e-3 and batch 128.
        patience: stop after this many epochs without a better val UA (None: never).
        eval_every: validate (and select) every this many epochs, and after the last one
            (many short epochs, e.g. with few labels, need not each be validated).
    Returns: :class:`~affectkit.loop.FitResult`; its ``history`` has the mean of every loss
        component per epoch (labeled ``cls``, ``rec``, ``pair``, ``unpair``; unlabeled ``u_rec``,
        ``u_pair``, ``u_unpair``), ``total`` and ``val_wa`` / ``val_ua``; ``best_score``: the val UA kept.
    Raises:
        TrainingDiverged naming the loss component and the step.
    """
    check_splits(model, train, val, unlabeled)

    def make_step(model, device):
        return CMDMStep(model, train, val, unlabeled, loss, batch_size, seed, device)

    return loop.fit(model, make_step, epochs, lr, seed=seed, device=device, optimizer="adam", select="val_ua",
                    eval_every=eval_every, patience=patience, progress=progress)


def check_splits(model: CMDM, train, val, unlabeled):
    """The splits a CMDM model trains on: datasets with its modalities, train and val labeled in its classes."""
    splits = (train, val) + ((unlabeled,) if unlabeled is not None else ())
    for ds in splits:
        if not isinstance(ds, MultimodalDataset):
            raise TypeError(f"train, val and unlabeled must be MultimodalDatasets, got {type(ds).__name__}")
    checks.labels_fit(train, model.n_classes, "the CMDM model")
    checks.labels_fit(val, model.n_classes, "the CMDM model")
    checks.has_labels(val)
    for ds in splits:
        if set(ds.modalities) != set(model.modalities):
            raise ValueError(f"{ds.name} has modalities {ds.modalities}, the model {model.modalities}")
    if not train.labeled.all():
        raise ValueError(f"{train.name}: the labeled train split has unlabeled samples (y == -1)")


class AutoencoderStep(loop.Step):
    """One step of a DAE alone: the masked reconstruction MSE of a batch (Eq. 2).
    Terms: ``train_mse``; validation: ``val_mse`` (the kept epoch has the lowest)."""

    def __init__(self, dae, train: MultimodalDataset, val: MultimodalDataset, modality: str, batch_size: int,
                 seed: int, device):
        super().__init__(dae, train, batch_size, seed, device)
        self.val, self.modality = val, modality

    def terms(self, batch) -> dict:
        x, mask = batch["x"][self.modality], batch["mask"].get(self.modality)
        _, x_hat = self.model(x, mask)
        return {"train_mse": masked_mse(x_hat, self.model.target(x, mask), mask)}

    def validate(self) -> dict:
        return {"val_mse": autoencoder_mse(self.model, self.val, self.modality, self.batch_size, self.device)}


def fit_autoencoder(dae: torch.nn.Module, train: MultimodalDataset, val: MultimodalDataset, modality: str,
                    epochs: int = 10, batch_size: int = 128, lr: float = 1e-3, seed: int = 0,
                    device="auto", progress: bool = True) -> FitResult:
    """Train one DAE alone on reconstruction (Eq. 2) with Adam; keep the epoch with the lowest val MSE.

    Args:
        dae: a :class:`~affectkit.cmdm.dae.VectorDAE` or ``SequenceDAE``.
        train, val: splits holding ``modality`` (z-normalised); labels are not used.
    Returns: :class:`~affectkit.loop.FitResult`, ``history``: ``train_mse`` and ``val_mse`` per
        epoch; ``best_score``: the lowest val MSE.
    """
    for ds in (train, val):
        if modality not in ds.x:
            raise ValueError(f"{ds.name} has no modality {modality!r}; it has {ds.modalities}")

    def make_step(dae, device):
        return AutoencoderStep(dae, train, val, modality, batch_size, seed, device)

    return loop.fit(dae, make_step, epochs, lr, seed=seed, device=device, optimizer="adam", objective="train_mse",
                    select="val_mse", mode="min", desc=f"DAE {modality}", progress=progress)


def autoencoder_mse(dae: torch.nn.Module, ds: MultimodalDataset, modality: str, batch_size: int = 256,
                    device=None) -> float:
    """Mean reconstruction MSE (Eq. 2, real frames only) of ``dae`` over a split."""
    return float(encode_split(dae, ds, modality, batch_size, device)["mse"])


def encode_split(dae: torch.nn.Module, ds: MultimodalDataset, modality: str, batch_size: int = 256,
                 device=None) -> dict:
    """Run one DAE over a split in eval mode.

    Returns: {"latents": (n, latent), "recon": like x, "target": like x (numpy),
    "mse": mean per-sample MSE over real frames}.
    """
    def forward(dae, batch):
        x, mask = batch["x"][modality], batch["mask"].get(modality)
        latent, x_hat = dae(x, mask)
        target = dae.target(x, mask)
        return {"latents": latent, "recon": x_hat, "target": target,
                "error": masked_mse(x_hat, target, mask).item() * len(x)}   # the batch's total

    out = loop.predict(dae, ds, forward, batch_size=batch_size, device=device)
    total = 0.0
    for error in out.pop("error"):   # summed batch after batch
        total += error
    return {**out, "mse": total / len(ds)}


def predict(model: CMDM, ds: MultimodalDataset, batch_size: int = 256, device=None, decode: bool = True) -> dict:
    """Run the model over a split in eval mode.

    Returns: {"logits": (n, classes), "pred": (n,), "latents": {m: (n, latent)},
    "rec_mse": mean reconstruction MSE (NaN with ``decode=False``)} as numpy arrays / floats.
    """
    def forward(model, batch):
        out = model(batch["x"], batch["mask"], decode=decode)
        kept = {"logits": out["logits"], "latents": out["latents"]}
        if decode:   # the batch's reconstruction error, times its size
            kept["error"] = reconstruction(out, batch["mask"]).item() * len(batch["y"])
        return kept

    out = loop.predict(model, ds, forward, batch_size=batch_size, device=device)
    rec_mse = float(np.sum(out["error"]) / len(ds)) if decode else float("nan")
    return {"logits": out["logits"], "pred": torch.from_numpy(out["logits"]).argmax(1).numpy(),
            "latents": out["latents"], "rec_mse": rec_mse}


def evaluate(model: CMDM, ds: MultimodalDataset, batch_size: int = 256, device=None) -> dict:
    """{"wa", "ua", "wap"} of the model on ``ds`` against its true classes."""
    pred = predict(model, ds, batch_size, device, decode=False)["pred"]
    truth = ds.y_true.numpy()
    return {"wa": metrics.wa(truth, pred), "ua": metrics.ua(truth, pred), "wap": metrics.wap(truth, pred)}


def save_checkpoint(path, model: CMDM, extra: dict | None = None) -> Path:
    """Save the model's config and weights (and plain-data ``extra``, e.g. test
    latents as tensors) to ``path`` (:mod:`affectkit.checkpoints`, kind "cmdm")."""
    return checkpoints.save(path, "cmdm", model.config(), model, extra)


def load_checkpoint(path, device="cpu") -> tuple:
    """Load a checkpoint saved by :func:`save_checkpoint` (``weights_only=True``:
    no code is unpickled). Returns (model, extra); another kind or format
    version of checkpoint is an error."""
    blob = checkpoints.load(path, "cmdm", device)
    model = build_cmdm(blob["config"])
    model.load_state_dict(blob["state"])
    return model.to(device), blob["extra"]
