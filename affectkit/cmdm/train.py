"""Fit loops: progress bar, loss history, model selection, early stopping, checkpoints.

:func:`fit` trains a :class:`~affectkit.cmdm.model.CMDM` on a labeled split,
and on an unlabeled pool when one is given (Lsemi = Ls + omega * Lu, CMDM Eq. 9):
each labeled batch is paired with the next batch of the (cycled) pool.
The best epoch by validation UA is kept (CMDM Sec. 4.2 selects on validation).
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from tqdm.auto import tqdm

from .. import checkpoints, checks, metrics
from ..config import resolve_device
from ..data.dataset import MultimodalDataset
from .model import CMDM, build_cmdm
from .objectives import CMDMLoss, masked_mse, reconstruction


class TrainingDiverged(FloatingPointError):
    """A loss component became NaN or inf."""


@dataclass
class FitResult:
    """``history``: one row per epoch with the mean of every loss component
    (labeled ``cls``, ``rec``, ``pair``, ``unpair``; unlabeled ``u_rec``,
    ``u_pair``, ``u_unpair``), ``total`` and validation ``val_wa`` / ``val_ua``."""

    model: CMDM
    history: pd.DataFrame
    best_epoch: int
    best_val_ua: float


def _cycle(ds: MultimodalDataset, batch_size: int, seed: int, device):
    epoch = 0
    while True:
        yield from ds.batches(batch_size, shuffle=True, seed=seed + 7919 * epoch, drop_last=len(ds) >= batch_size,
                              device=device)
        epoch += 1


def _check(terms: dict, prefix: str, epoch: int, step: int):
    for name, value in terms.items():
        if not torch.isfinite(value):
            raise TrainingDiverged(f"loss component {prefix}{name} is {value.item()} at epoch {epoch}, "
                                   f"step {step}: lower the learning rate or check the inputs")


def fit(model: CMDM, train: MultimodalDataset, val: MultimodalDataset,
        unlabeled: MultimodalDataset | None = None, loss: CMDMLoss = CMDMLoss(), epochs: int = 15,
        batch_size: int = 128, lr: float = 1e-3, seed: int = 0, device="auto", patience: int | None = 5,
        progress: bool = True, eval_every: int = 1) -> FitResult:
    """Train ``model``; return it at its best validation epoch.

    Args:
        train, val: labeled splits with the model's modalities (z-normalised).
        unlabeled: the pool for the semi-supervised objective; None trains
            fully supervised (Ls only).
        loss: weights and switches (:class:`~affectkit.cmdm.objectives.CMDMLoss`).
        epochs, batch_size, lr: Adam with the paper's lr 1e-3 and batch 128.
        patience: stop after this many epochs without a better val UA (None: never).
        eval_every: validate (and select) every this many epochs, and after the last one
            (many short epochs, e.g. with few labels, need not each be validated).
    Raises:
        TrainingDiverged naming the loss component and the step.
    """
    checks.training(epochs, batch_size, lr, seed, eval_every, patience)
    for ds in (train, val) + ((unlabeled,) if unlabeled is not None else ()):
        if not isinstance(ds, MultimodalDataset):
            raise TypeError(f"train, val and unlabeled must be MultimodalDatasets, got {type(ds).__name__}")
    checks.labels_fit(train, model.n_classes, "the CMDM model")
    checks.labels_fit(val, model.n_classes, "the CMDM model")
    checks.has_labels(val)
    dev = resolve_device(device)
    torch.manual_seed(seed)
    model.to(dev)
    for ds in (train, val) + ((unlabeled,) if unlabeled is not None else ()):
        if set(ds.modalities) != set(model.modalities):
            raise ValueError(f"{ds.name} has modalities {ds.modalities}, the model {model.modalities}")
    if not train.labeled.all():
        raise ValueError(f"{train.name}: the labeled train split has unlabeled samples (y == -1)")
    # the fused Adam kernel: one pass over all parameters (~15% of a lab step on a CPU)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr, fused=True)
    decode = loss.reconstruction  # without Lrec the decoders need not run
    shuffles = torch.Generator().manual_seed(seed)
    pool = _cycle(unlabeled, batch_size, seed, dev) if unlabeled is not None else None
    rows, best = [], (-math.inf, 0, None)
    bar = tqdm(range(epochs), desc="epochs", disable=not progress, leave=False)
    for epoch in bar:
        model.train()
        sums, steps = {}, 0
        for step, batch in enumerate(train.batches(batch_size, shuffle=True, seed=seed * 1000 + epoch, device=dev)):
            out = model(batch["x"], batch["mask"], decode=decode)
            terms = loss.supervised_terms(out, batch["y"], batch["mask"], shuffles)
            _check(terms, "", epoch, step)
            total = terms["total"]
            if pool is not None and loss.uses_unlabeled:
                ub = next(pool)
                u_terms = loss.unsupervised_terms(model(ub["x"], ub["mask"], decode=decode), ub["mask"], shuffles)
                _check(u_terms, "u_", epoch, step)
                total = total + loss.omega * u_terms["total"]
                terms.update({f"u_{k}": v for k, v in u_terms.items() if k != "total"})
            optimizer.zero_grad(set_to_none=True)
            total.backward()
            optimizer.step()
            terms["total"] = total
            for k, v in terms.items():
                sums[k] = sums.get(k, 0.0) + v.item()
            steps += 1
        row = {"epoch": epoch, **{k: v / steps for k, v in sums.items()}}
        if (epoch + 1) % eval_every == 0 or epoch == epochs - 1:
            scores = evaluate(model, val, batch_size, dev)
            row.update(val_wa=scores["wa"], val_ua=scores["ua"])
            if scores["ua"] > best[0]:
                best = (scores["ua"], epoch, copy.deepcopy(model.state_dict()))
            bar.set_postfix(loss=f"{row['total']:.3f}", val_ua=f"{scores['ua']:.3f}")
        rows.append(row)
        if patience is not None and epoch - best[1] >= patience * eval_every:
            break
    model.load_state_dict(best[2])
    return FitResult(model, pd.DataFrame(rows), best[1], best[0])


@dataclass
class AEResult:
    """``history``: one row per epoch, ``train_mse`` and ``val_mse``."""

    dae: torch.nn.Module
    history: pd.DataFrame
    best_epoch: int
    best_val_mse: float


def fit_autoencoder(dae: torch.nn.Module, train: MultimodalDataset, val: MultimodalDataset, modality: str,
                    epochs: int = 10, batch_size: int = 128, lr: float = 1e-3, seed: int = 0,
                    device="auto", progress: bool = True) -> AEResult:
    """Train one DAE alone on reconstruction (Eq. 2); keep the epoch with the lowest val MSE.

    Args:
        dae: a :class:`~affectkit.cmdm.dae.VectorDAE` or ``SequenceDAE``.
        train, val: splits holding ``modality`` (z-normalised); labels are not used.
    """
    checks.training(epochs, batch_size, lr, seed)
    dev = resolve_device(device)
    torch.manual_seed(seed)
    dae.to(dev)
    for ds in (train, val):
        if modality not in ds.x:
            raise ValueError(f"{ds.name} has no modality {modality!r}; it has {ds.modalities}")
    optimizer = torch.optim.Adam(dae.parameters(), lr=lr, fused=True)
    rows, best = [], (math.inf, 0, None)
    bar = tqdm(range(epochs), desc=f"DAE {modality}", disable=not progress, leave=False)
    for epoch in bar:
        dae.train()
        total, steps = 0.0, 0
        for step, batch in enumerate(train.batches(batch_size, shuffle=True, seed=seed * 1000 + epoch, device=dev)):
            x, mask = batch["x"][modality], batch["mask"].get(modality)
            _, x_hat = dae(x, mask)
            loss = masked_mse(x_hat, dae.target(x, mask), mask)
            _check({"rec": loss}, "", epoch, step)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            total, steps = total + loss.item(), steps + 1
        val_mse = autoencoder_mse(dae, val, modality, batch_size, dev)
        rows.append({"epoch": epoch, "train_mse": total / steps, "val_mse": val_mse})
        if val_mse < best[0]:
            best = (val_mse, epoch, copy.deepcopy(dae.state_dict()))
        bar.set_postfix(train=f"{total / steps:.3f}", val=f"{val_mse:.3f}")
    dae.load_state_dict(best[2])
    return AEResult(dae, pd.DataFrame(rows), best[1], best[0])


@torch.no_grad()
def autoencoder_mse(dae: torch.nn.Module, ds: MultimodalDataset, modality: str, batch_size: int = 256,
                    device=None) -> float:
    """Mean reconstruction MSE (Eq. 2, real frames only) of ``dae`` over a split."""
    return float(encode_split(dae, ds, modality, batch_size, device)["mse"])


@torch.no_grad()
def encode_split(dae: torch.nn.Module, ds: MultimodalDataset, modality: str, batch_size: int = 256,
                 device=None) -> dict:
    """Run one DAE over a split in eval mode.

    Returns: {"latents": (n, latent), "recon": like x, "target": like x (numpy),
    "mse": mean per-sample MSE over real frames}.
    """
    dev = resolve_device("auto" if device is None else device)
    dae.eval().to(dev)
    z, rec, tgt, err = [], [], [], 0.0
    for batch in ds.batches(batch_size, device=dev):
        x, mask = batch["x"][modality], batch["mask"].get(modality)
        latent, x_hat = dae(x, mask)
        target = dae.target(x, mask)
        err += masked_mse(x_hat, target, mask).item() * len(x)
        z.append(latent.cpu()), rec.append(x_hat.cpu()), tgt.append(target.cpu())
    return {"latents": torch.cat(z).numpy(), "recon": torch.cat(rec).numpy(),
            "target": torch.cat(tgt).numpy(), "mse": err / len(ds)}


@torch.no_grad()
def predict(model: CMDM, ds: MultimodalDataset, batch_size: int = 256, device=None, decode: bool = True) -> dict:
    """Run the model over a split in eval mode.

    Returns: {"logits": (n, classes), "pred": (n,), "latents": {m: (n, latent)},
    "rec_mse": mean reconstruction MSE (NaN with ``decode=False``)} as numpy arrays / floats.
    """
    dev = resolve_device("auto" if device is None else device)
    model.eval().to(dev)
    logits, latents, rec = [], {m: [] for m in model.modalities}, []
    for batch in ds.batches(batch_size, device=dev):
        out = model(batch["x"], batch["mask"], decode=decode)
        logits.append(out["logits"].cpu())
        rec.append(reconstruction(out, batch["mask"]).item() * len(batch["y"]) if decode else np.nan)
        for m, z in out["latents"].items():
            latents[m].append(z.cpu())
    logits = torch.cat(logits)
    return {"logits": logits.numpy(), "pred": logits.argmax(1).numpy(),
            "latents": {m: torch.cat(v).numpy() for m, v in latents.items()},
            "rec_mse": float(np.sum(rec) / len(ds))}


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
