"""Lab 2's training: CMDM trained with the loss terms a student wrote (CMDM Sec. 3.2, Eq. 6-7).

:class:`affectkit.cmdm.train.CMDMStep` reads five things from its loss: ``reconstruction``,
``uses_unlabeled``, ``omega``, ``supervised_terms`` and ``unsupervised_terms``.
:class:`StudentLoss` supplies them with the weights and switches of a
:class:`~affectkit.cmdm.CMDMLoss`, but computes L_pair, L_unpair and the objective with the
student's ``pair_term``, ``unpaired_term`` and ``supervised_objective``: the switches the
model trains with are the student's. :func:`train_study` trains the lab's settings with it,
in this process (a notebook's functions cannot be sent to worker processes).

    settings = study_settings(beta=0.2, sigma=1.0)      # name -> CMDMLoss (notebook 03's study)
    table, kept = train_study(world, settings, pair_term, unpaired_term, supervised_objective, seed=0)
"""

from __future__ import annotations

import time

import pandas as pd
import torch
import torch.nn.functional as F

from ... import metrics
from ...cmdm import CMDMLoss, predict, reconstruction
from ...cmdm.experiments import VANILLA, fit_on_labels, prepare, sizes_of


def study_settings(beta: float, sigma) -> dict:
    """Lab 2's four models (notebook 03's collapse study, named by their terms): name -> CMDMLoss.

    ``vanilla`` L_cls; ``pair`` L_cls + beta L_pair; ``pair+rec`` L_cls + alpha L_rec + beta L_pair
    (Eq. 6); ``pair+unpair`` L_cls + beta (L_pair + L_unpair) (Eq. 7); the paired form, bandwidth ``sigma``.
    """
    matching = CMDMLoss(reconstruction=False, unpaired=False, beta=beta, sigma=sigma)
    return {"vanilla": VANILLA, "pair": matching, "pair+rec": matching.replace(reconstruction=True),
            "pair+unpair": matching.replace(unpaired=True)}


def _number(value, who: str) -> torch.Tensor:
    """A student's loss term as a 0-dim tensor that can be back-propagated, or a TypeError saying why not."""
    if not isinstance(value, torch.Tensor) or value.numel() != 1:
        raise TypeError(f"your {who} returned {type(value).__name__}: the training needs one torch number "
                        "(a 0-dim tensor built from the latents), so that it can back-propagate")
    return value.reshape(())


class StudentLoss:
    """A :class:`~affectkit.cmdm.CMDMLoss`'s weights and switches, with the terms and the objective
    computed by the student's functions.

    Args:
        loss: the weights (alpha, beta, omega), switches and bandwidth ``sigma``.
        pair_term: ``(latents, sigma) -> L_pair`` (Eq. 6), latents: modality -> (batch, latent).
        unpaired_term: ``(latents, sigma, generator) -> L_unpair`` (Eq. 7, with its minus sign).
        supervised_objective: ``(terms, alpha, beta, reconstruction, matching, unpaired) -> L_s``.

    L_pair and L_unpair are computed for every batch of two or more utterances whatever the
    switches (the history shows them for every model); the student's objective decides which
    count. L_u (Eq. 8) is L_s without L_cls: the same objective with ``terms["cls"] = 0``.
    """

    def __init__(self, loss: CMDMLoss, pair_term, unpaired_term, supervised_objective):
        if loss.form != "paired":
            raise ValueError("the lab trains the paired form: CMDMLoss(form='paired')")
        self.loss = loss
        self.pair_term, self.unpaired_term, self.objective = pair_term, unpaired_term, supervised_objective

    def __repr__(self):
        return f"StudentLoss({self.loss})"

    # what CMDMStep reads besides the terms: the CMDMLoss's own
    reconstruction = property(lambda self: self.loss.reconstruction)
    uses_unlabeled = property(lambda self: self.loss.uses_unlabeled)
    omega = property(lambda self: self.loss.omega)

    def _terms(self, out: dict, cls: torch.Tensor, mask: dict | None, generator) -> dict:
        zero = out["logits"].new_zeros(())
        rec = reconstruction(out, mask) if self.loss.reconstruction else zero
        pair = unpair = zero
        if len(out["latents"]) >= 2 and len(out["logits"]) >= 2:   # one utterance cannot be shuffled
            pair = _number(self.pair_term(out["latents"], self.loss.sigma), "pair_term")
            unpair = _number(self.unpaired_term(out["latents"], self.loss.sigma, generator), "unpaired_term")
        terms = {"cls": cls, "rec": torch.as_tensor(rec, dtype=zero.dtype), "pair": pair, "unpair": unpair}
        total = self.objective(dict(terms), self.loss.alpha, self.loss.beta, self.loss.reconstruction,
                               self.loss.matching, self.loss.unpaired)
        return {**terms, "total": _number(total, "supervised_objective")}

    def unsupervised_terms(self, out: dict, mask: dict | None = None, generator: torch.Generator | None = None) -> dict:
        """{"rec", "pair", "unpair", "total"}: L_u of Eq. 8 (the objective without L_cls)."""
        terms = self._terms(out, out["logits"].new_zeros(()), mask, generator)
        terms.pop("cls")
        return terms

    def supervised_terms(self, out: dict, y: torch.Tensor, mask: dict | None = None,
                         generator: torch.Generator | None = None) -> dict:
        """{"cls", "rec", "pair", "unpair", "total"}: L_s of Eq. 6-7 with L_cls of Eq. 5."""
        return self._terms(out, F.cross_entropy(out["logits"], y), mask, generator)


def train_study(world, settings: dict, pair_term, unpaired_term, supervised_objective, seed: int = 0,
                profile=None, device="auto") -> tuple:
    """Train one A+V+L CMDM per setting on ``world``'s labeled train split with the student's loss
    (the kit's sizes for ``profile``, default the world's; selection on the validation UA).

    Returns:
        (DataFrame, one row per setting: "setting", "reconstruction", "matching", "unpaired",
        "ua", "wa" (test), "L_pair", "L_unpair" (the last epoch's means), "seconds";
        kept: setting -> {"latents": {m: (n_test, latent) numpy}, "labels": (n_test,), "history": DataFrame}).
    """
    prof = sizes_of(world, profile)
    splits = prepare(world)
    truth = splits["test"].y_true.numpy()
    rows, kept = [], {}
    for name, loss in settings.items():
        start = time.perf_counter()
        student = StudentLoss(loss, pair_term, unpaired_term, supervised_objective)
        result, _ = fit_on_labels(splits, len(world.classes), None, None, student, seed, None, device, prof)
        out = predict(result.model, splits["test"], decode=False)
        last = result.history.iloc[-1]
        rows.append({"setting": name, "reconstruction": loss.reconstruction, "matching": loss.matching,
                     "unpaired": loss.unpaired, "ua": metrics.ua(truth, out["pred"]),
                     "wa": metrics.wa(truth, out["pred"]), "L_pair": float(last["pair"]),
                     "L_unpair": float(last["unpair"]), "seconds": time.perf_counter() - start})
        kept[name] = {"latents": out["latents"], "labels": truth, "history": result.history}
    return pd.DataFrame(rows), kept
