"""The kit's one way to fit a model and one way to predict with it, used by every method.

A method supplies a :class:`Step`: the loss terms of one batch, how to validate,
and (where it is not one shuffled split) which batches make an epoch.
:func:`fit` does the rest, the same way for CMDM, its auto-encoders, EASUM's DG
and DS models and the text classifier:

    fit(model, make_step, epochs, lr, seed):
        check the knobs; seed torch; the model to its device; Adam or AdamW
        step = make_step(model, device)
        train(step, optimizer, epochs):
            for epoch in epochs:                       # with a progress bar
                for batch in step.batches(epoch):
                    terms = step.terms(batch)          # {"cls": .., "pair": .., "total": ..}
                    check every term is finite         # else TrainingDiverged naming term and step
                    zero_grad; terms[objective].backward(); optimizer.step(); scheduler.step()
                history row: the mean of every term over the epoch
                every eval_every epochs (and after the last): step.validate() -> columns;
                    keep the weights of the best `select` value; stop after `patience`
                    validations without improvement
            restore the best weights
        -> FitResult(model, history, best_epoch, best_score)

:func:`predict` runs a trained model over a split, batch by batch in eval mode,
and gathers what it returns: every method's predictions go through it.

(d2l's ``Trainer`` is the model: one loop taught once, each chapter supplies its step.)
"""

from __future__ import annotations

import copy
import math
import time
from dataclasses import dataclass, field

import pandas as pd
import torch

from . import checks
from .config import resolve_device
from .progress import bar as progress_bar


class TrainingDiverged(FloatingPointError):
    """A loss term became NaN or inf; the message names the term, epoch and step."""


class Step:
    """What a method supplies to :func:`fit`: its model and the loss terms of a batch.

    Subclasses override :meth:`terms`, and :meth:`validate` to select an epoch;
    the default :meth:`batches` shuffles ``train`` anew every epoch, so only a
    method whose epoch is made otherwise (EASUM's DG step: one batch of every
    domain; the text classifier: batches of similar length) overrides it.
    """

    def __init__(self, model: torch.nn.Module, train=None, batch_size: int = 128, seed: int = 0,
                 device="cpu"):
        self.model, self.train, self.device = model, train, device
        self.batch_size, self.seed = checks.count(batch_size, "batch_size"), checks.seed(seed)

    def batches(self, epoch: int):
        """The batches of one epoch (any iterable); default: ``train`` in batches of
        ``batch_size``, shuffled by ``seed * 1000 + epoch`` (the same seed, the same order)."""
        return self.train.batches(self.batch_size, shuffle=True, seed=self.seed * 1000 + epoch,
                                  device=self.device)

    def terms(self, batch) -> dict:
        """The loss terms of one batch as 0-dim tensors, the objective among them."""
        raise NotImplementedError

    def validate(self) -> dict:
        """Validation scores to add to the epoch's history row (e.g. {"val_ua": 0.61})."""
        return {}

    def weight(self, batch) -> float:
        """The batch's weight in the epoch's mean of each term (default: every step counts once)."""
        return 1.0

    def notes(self) -> dict:
        """What the method reports beside the history (kept in :attr:`FitResult.notes`)."""
        return {}


@dataclass
class FitResult:
    """What every fit returns.

    ``model``: the trained model, with the weights of ``best_epoch``;
    ``history``: one row per epoch: ``epoch``, the mean of each loss term, the
    validation columns on validated epochs (and ``seconds`` when timed);
    ``best_epoch`` / ``best_score``: the selected epoch and its ``select`` value
    (the last epoch and NaN without selection); ``notes``: what the method adds
    (the text classifier: ``truncated``, its training texts that were cut).
    """

    model: torch.nn.Module
    history: pd.DataFrame
    best_epoch: int
    best_score: float
    notes: dict = field(default_factory=dict)


def fit(model, make_step, epochs: int, lr: float, *, seed: int = 0, device="auto", optimizer: str = "adam",
        weight_decay: float = 0.0, schedule=None, objective: str = "total", select: str | None = None,
        mode: str = "max", eval_every: int = 1, patience: int | None = None, desc: str = "epochs",
        progress: bool = True, bar: str = "epochs", timed: bool = False) -> FitResult:
    """Fit a model with its method's :class:`Step`; every method's fit ends here.

    Args:
        model: the model, or a function that builds it (built after seeding, so that
            its initial weights follow ``seed``).
        make_step: ``(model, device) -> Step``, the method's step for the model on ``device``.
        epochs, lr: training length and learning rate.
        seed: torch is seeded with it before the model is built and the step is made, so
            that initialisation, dropout and noise follow it (the step's shuffles use it too).
        device: "auto" (CUDA when present), "cpu", "cuda", ...
        optimizer: "adam" (CMDM) or "adamw" (EASUM, the text classifier), over the
            parameters that learn, with ``weight_decay``.
        schedule: ``optimizer -> scheduler``, stepped after every batch (None: a constant rate).
        objective, select, mode, eval_every, patience, desc, progress, bar, timed: as :func:`train`.
    """
    check_loop(epochs, mode, bar, eval_every, patience)
    lr, seed = checks.number(lr, "lr", 0, low_open=True), checks.seed(seed)   # Python numbers from here on
    weight_decay = checks.number(weight_decay, "weight_decay", 0)
    device = resolve_device(device)
    torch.manual_seed(seed)   # the same seed gives the same numbers, on one device and thread count
    model = (model if isinstance(model, torch.nn.Module) else model()).to(device)
    opt = make_optimizer(model, optimizer, lr, weight_decay)
    step = make_step(model, device)   # the method's part: its batches, loss terms and validation
    return train(step, opt, epochs, objective=objective, select=select, mode=mode, eval_every=eval_every,
                 patience=patience, scheduler=None if schedule is None else schedule(opt), desc=desc,
                 progress=progress, bar=bar, timed=timed)


def make_optimizer(model: torch.nn.Module, name: str, lr: float, weight_decay: float = 0.0):
    """Adam or AdamW (decoupled weight decay) over the parameters of ``model`` that learn."""
    params = [p for p in model.parameters() if p.requires_grad]
    if name == "adam":   # the fused kernel: one pass over all parameters (~15% of a lab CMDM step on a CPU)
        return torch.optim.Adam(params, lr=lr, weight_decay=weight_decay, fused=True)
    if name == "adamw":
        return torch.optim.AdamW(params, lr=lr, weight_decay=weight_decay)
    raise ValueError(f"optimizer must be 'adam' or 'adamw', got {name!r}")


def train(step: Step, optimizer: torch.optim.Optimizer, epochs: int, *, objective: str = "total",
          select: str | None = None, mode: str = "max", eval_every: int = 1, patience: int | None = None,
          scheduler=None, desc: str = "epochs", progress: bool = True, bar: str = "epochs",
          timed: bool = False) -> FitResult:
    """Train ``step.model`` for ``epochs``; return it with its history, at its best epoch.

    Args:
        step: the method's :class:`Step`; optimizer: over ``step.model``'s parameters.
        objective: the term that is back-propagated.
        select: the validation column that picks the weights kept (None: keep the last epoch's).
        mode: "max" or "min": whether a higher or a lower ``select`` is better.
        eval_every: validate every this many epochs, and after the last one.
        patience: stop after this many validations without a better ``select`` (None: never).
        scheduler: stepped after every optimizer step (e.g. a one-cycle learning rate).
        bar: "epochs" (one tick per epoch) or "steps" (one per batch; for long epochs).
        timed: add each epoch's wall time as ``seconds``.
    """
    epochs, eval_every, patience = check_loop(epochs, mode, bar, eval_every, patience)
    best, ticks, rows = Best(select, mode), Ticks(bar, epochs, desc, progress), []
    for epoch in range(epochs):
        start = time.perf_counter()
        row = {"epoch": epoch, **train_epoch(step, optimizer, scheduler, objective, epoch, ticks)}
        if timed:
            row["seconds"] = time.perf_counter() - start
        validated = (epoch + 1) % eval_every == 0 or epoch == epochs - 1
        if validated:
            row.update(step.validate())
            best.offer(row, step.model)
        rows.append(row)
        ticks.epoch_done(row, objective, select if validated else None)
        if best.patience_spent(epoch, patience, eval_every):
            break
    ticks.close()
    return best.result(step.model, pd.DataFrame(rows), step.notes())


def train_epoch(step: Step, optimizer, scheduler, objective: str, epoch: int, ticks) -> dict:
    """One pass over ``step.batches(epoch)``: the mean of every loss term over its batches."""
    step.model.train()
    sums, weights = {}, 0.0
    batches = step.batches(epoch)
    ticks.epoch_start(batches)
    for i, batch in enumerate(batches):
        terms = step.terms(batch)
        check_finite(terms, epoch, i)
        optimizer.zero_grad(set_to_none=True)
        terms[objective].backward()
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
        w = step.weight(batch)
        for name, value in terms.items():
            sums[name] = sums.get(name, 0.0) + value.item() * w
        weights += w
        ticks.step_done(sums[objective] / weights)
    if weights == 0:
        raise ValueError(f"epoch {epoch} had no batches: is the training split empty?")
    return {name: total / weights for name, total in sums.items()}


def check_finite(terms: dict, epoch: int, step: int):
    """Raise :class:`TrainingDiverged` naming the first term that is NaN or inf."""
    for name, value in terms.items():
        if not torch.isfinite(value):
            raise TrainingDiverged(f"loss component {name} is {value.item()} at epoch {epoch}, "
                                   f"step {step}: lower the learning rate or check the inputs")


def check_loop(epochs, mode, bar, eval_every, patience) -> tuple:
    """The knobs of :func:`train`: counts >= 1, a known ``mode`` and ``bar``.
    Returns (epochs, eval_every, patience) as Python ints (patience may be None)."""
    epochs, eval_every = checks.count(epochs, "epochs"), checks.count(eval_every, "eval_every")
    if patience is not None:
        patience = checks.count(patience, "patience")
    if mode not in ("max", "min"):
        raise ValueError(f"mode must be 'max' or 'min', got {mode!r}")
    if bar not in ("epochs", "steps"):
        raise ValueError(f"bar must be 'epochs' or 'steps', got {bar!r}")
    return epochs, eval_every, patience


class Best:
    """The weights of the validated epoch with the best ``select`` value so far."""

    def __init__(self, select: str | None, mode: str):
        self.select, self.sign = select, 1.0 if mode == "max" else -1.0
        # compared as sign * score, so that higher is better in both modes
        self.score, self.epoch, self.weights = -math.inf, 0, None

    def offer(self, row: dict, model: torch.nn.Module):
        if self.select is not None and self.sign * row[self.select] > self.score:
            self.score, self.epoch = self.sign * row[self.select], row["epoch"]
            self.weights = copy.deepcopy(model.state_dict())

    def patience_spent(self, epoch: int, patience: int | None, eval_every: int) -> bool:
        waited = epoch - self.epoch   # epochs since the best validation
        return patience is not None and self.select is not None and waited >= patience * eval_every

    def result(self, model, history: pd.DataFrame, notes: dict) -> FitResult:
        """The model with the best weights restored (the last epoch's without ``select``)."""
        if self.select is None:
            return FitResult(model, history, int(history["epoch"].iloc[-1]), float("nan"), notes)
        if self.weights is None:   # no validation improved on -inf: every score was NaN
            raise ValueError(f"no epoch could be selected: every {self.select!r} was NaN; "
                             "check the validation split")
        model.load_state_dict(self.weights)
        return FitResult(model, history, self.epoch, self.sign * self.score, notes)


class Ticks:
    """The progress bar of :func:`train`: a tick per epoch (its loss and selected score),
    or per step (``bar="steps"``, for long epochs; its total from the first epoch's length)."""

    def __init__(self, bar: str, epochs: int, desc: str, show: bool):
        self.per_step, self.epochs = bar == "steps", epochs
        self.bar = progress_bar(total=None if self.per_step else epochs, desc=desc,
                                unit="step" if self.per_step else "epoch", disable=not show, leave=False)

    def epoch_start(self, batches):
        if self.per_step and self.bar.total is None and hasattr(batches, "__len__"):
            self.bar.total = len(batches) * self.epochs    # epochs of equal length (the text classifier's)
            self.bar.refresh()

    def step_done(self, loss: float):
        if self.per_step:
            self.bar.update(1)
            self.bar.set_postfix(loss=f"{loss:.3f}")

    def epoch_done(self, row: dict, objective: str, selected: str | None):
        if not self.per_step:
            self.bar.update(1)
            shown = {"loss": f"{row[objective]:.3f}"}
            if selected is not None:
                shown[selected] = f"{row[selected]:.3f}"
            self.bar.set_postfix(shown)

    def close(self):
        self.bar.close()


@torch.no_grad()
def predict(model: torch.nn.Module, ds, forward=None, keep=None, batch_size: int = 256, device=None) -> dict:
    """Run ``model`` over the split ``ds`` in eval mode, batch by batch in order, and gather its outputs.

    Args:
        ds: a :class:`~affectkit.data.dataset.MultimodalDataset` (or anything with
            ``batches(batch_size, device=...)``).
        forward: ``(model, batch) -> dict`` (default: ``model(batch["x"], batch["mask"])``).
        keep: the keys of that dict to gather (default: all).
        device: where the model runs (None: "auto").
    Returns: the same keys: tensors with one row per utterance, (b, ...), concatenated
        over the batches as numpy arrays (n, ...); a dict of tensors (CMDM's latents per
        modality) as a dict of arrays; floats (a per-batch total) as a list, one per batch.
    """
    device = resolve_device("auto" if device is None else device)
    model.eval().to(device)
    parts = {}
    for batch in ds.batches(batch_size, device=device):
        out = model(batch["x"], batch["mask"]) if forward is None else forward(model, batch)
        for key in out if keep is None else keep:
            parts.setdefault(key, []).append(to_cpu(out[key]))   # frees the device's memory batch by batch
    return {key: gather(values) for key, values in parts.items()}


def to_cpu(value):
    """A tensor (or a dict of them) on the CPU; anything else as it is."""
    if isinstance(value, dict):
        return {key: to_cpu(v) for key, v in value.items()}
    return value.cpu() if isinstance(value, torch.Tensor) else value


def gather(values: list):
    """One output over all batches: tensors concatenated (numpy), dicts key by key, others as a list."""
    if isinstance(values[0], dict):
        return {key: gather([v[key] for v in values]) for key in values[0]}
    if isinstance(values[0], torch.Tensor):
        return torch.cat(values).numpy()
    return list(values)
