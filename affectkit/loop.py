"""The kit's one training loop, written once and used by every method.

A method supplies a :class:`Step`: which batches make an epoch, the loss terms
of one batch, and how to validate. The loop does the rest, the same way for
CMDM, its auto-encoders, EASUM's DG and DS models and the text classifier:

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

(d2l's ``Trainer`` is the model: one loop taught once, each chapter supplies its step.)
"""

from __future__ import annotations

import copy
import math
import time
from dataclasses import dataclass

import pandas as pd
import torch
from .progress import bar as progress_bar

from . import checks


class TrainingDiverged(FloatingPointError):
    """A loss term became NaN or inf; the message names the term, epoch and step."""


class Step:
    """What a method supplies to :func:`train`. Subclasses set ``model`` and
    override :meth:`batches` and :meth:`terms`; :meth:`validate` and
    :meth:`weight` are optional."""

    model: torch.nn.Module

    def batches(self, epoch: int):
        """The batches of one epoch (any iterable)."""
        raise NotImplementedError

    def terms(self, batch) -> dict:
        """The loss terms of one batch as 0-dim tensors, the objective among them."""
        raise NotImplementedError

    def validate(self) -> dict:
        """Validation scores to add to the epoch's history row (e.g. {"val_ua": 0.61})."""
        return {}

    def weight(self, batch) -> float:
        """The batch's weight in the epoch's mean of each term (default: every step counts once)."""
        return 1.0


@dataclass
class LoopResult:
    """``history``: one row per epoch: ``epoch``, the mean of each term, the
    validation columns on validated epochs (and ``seconds`` when timed);
    ``best_epoch`` / ``best_score``: where the selected weights come from (the
    last epoch and NaN without selection)."""

    history: pd.DataFrame
    best_epoch: int
    best_score: float


def check_finite(terms: dict, epoch: int, step: int):
    """Raise :class:`TrainingDiverged` naming the first term that is NaN or inf."""
    for name, value in terms.items():
        if not torch.isfinite(value):
            raise TrainingDiverged(f"loss component {name} is {value.item()} at epoch {epoch}, "
                                   f"step {step}: lower the learning rate or check the inputs")


def train(step: Step, optimizer: torch.optim.Optimizer, epochs: int, *, objective: str = "total",
          select: str | None = None, mode: str = "max", eval_every: int = 1, patience: int | None = None,
          scheduler=None, desc: str = "epochs", progress: bool = True, bar: str = "epochs",
          timed: bool = False) -> LoopResult:
    """Train ``step.model`` for ``epochs``; return its history and restore the best weights.

    Args:
        step: the method's :class:`Step`.
        optimizer: over ``step.model``'s parameters.
        objective: the term that is back-propagated.
        select: the validation column that picks the weights kept (None: keep the last epoch's).
        mode: "max" or "min": whether a higher or a lower ``select`` is better.
        eval_every: validate every this many epochs, and after the last one.
        patience: stop after this many validations without a better ``select`` (None: never).
        scheduler: stepped after every optimizer step (e.g. a one-cycle learning rate).
        bar: "epochs" (one tick per epoch) or "steps" (one per batch; for long epochs).
        timed: add each epoch's wall time as ``seconds``.
    """
    checks.count(epochs, "epochs")
    checks.count(eval_every, "eval_every")
    if patience is not None:
        checks.count(patience, "patience")
    if mode not in ("max", "min"):
        raise ValueError(f"mode must be 'max' or 'min', got {mode!r}")
    if bar not in ("epochs", "steps"):
        raise ValueError(f"bar must be 'epochs' or 'steps', got {bar!r}")
    model = step.model
    sign = 1.0 if mode == "max" else -1.0
    rows, best = [], (-math.inf, 0, None)   # (sign * score, epoch, weights)
    ticks = progress_bar(total=epochs if bar == "epochs" else None, desc=desc, unit="epoch" if bar == "epochs" else "step",
                         disable=not progress, leave=False)
    for epoch in range(epochs):
        model.train()
        start, sums, weights = time.perf_counter(), {}, 0.0
        batches = step.batches(epoch)
        if bar == "steps" and ticks.total is None and hasattr(batches, "__len__"):
            ticks.total = len(batches) * epochs    # epochs of equal length (the text classifier's)
            ticks.refresh()
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
            if bar == "steps":
                ticks.update(1)
                ticks.set_postfix(loss=f"{sums[objective] / weights:.3f}")
        if weights == 0:
            raise ValueError(f"epoch {epoch} had no batches: is the training split empty?")
        row = {"epoch": epoch, **{name: total / weights for name, total in sums.items()}}
        if timed:
            row["seconds"] = time.perf_counter() - start
        validated = (epoch + 1) % eval_every == 0 or epoch == epochs - 1
        if validated:
            row.update(step.validate())
            if select is not None and sign * row[select] > best[0]:
                best = (sign * row[select], epoch, copy.deepcopy(model.state_dict()))
        rows.append(row)
        if bar == "epochs":
            ticks.update(1)
            shown = {"loss": f"{row[objective]:.3f}"}
            if validated and select is not None:
                shown[select] = f"{row[select]:.3f}"
            ticks.set_postfix(shown)
        if patience is not None and select is not None and epoch - best[1] >= patience * eval_every:
            break
    ticks.close()
    if select is None:
        return LoopResult(pd.DataFrame(rows), rows[-1]["epoch"], float("nan"))
    if best[2] is None:   # no validation improved on -inf: every score was NaN
        raise ValueError(f"no epoch could be selected: every {select!r} was NaN; check the validation split")
    model.load_state_dict(best[2])
    return LoopResult(pd.DataFrame(rows), best[1], sign * best[0])
