"""CMDM's training objectives (Sec. 3.2, Eq. 5-9).

    Ls    = Lcls + alpha * Lrec + beta * (Lpair + Lunpair)          (Eq. 6-7)
    Lu    =        alpha * Lrec + beta * (Lpair + Lunpair)          (Eq. 8, unlabeled data)
    Lsemi = Ls + omega * Lu                                          (Eq. 9)

with the paper's alpha = 0.2, beta = 0.1, omega = 0.3 (Sec. 4.2). Each term
can be switched off for the ablations of Table 7.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, replace

import torch
import torch.nn.functional as F

from ..checks import NonFiniteError, plain
from .losses import MATCHING_FORMS, check_sigma, matching_terms


def masked_mse(pred: torch.Tensor, target: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
    """Eq. 2 for one modality: the mean squared error over real frames only.

    Args: pred, target: (batch, dim) or (batch, T, dim); mask: (batch, T) bool or None.
    """
    if pred.shape != target.shape:
        raise ValueError(f"reconstruction {tuple(pred.shape)} and target {tuple(target.shape)} differ")
    err = (pred - target).pow(2)
    if mask is None:
        return err.mean()
    keep = mask.unsqueeze(-1).to(err)
    return (err * keep).sum() / (keep.sum() * err.shape[-1]).clamp_min(1)


def reconstruction(out: dict, mask: dict | None = None) -> torch.Tensor:
    """Eq. 2 summed over modalities: the MSE of each DAE's output against its
    target (the reversed sequence), averaged over real frames only."""
    mask = mask or {}
    total = 0.0
    for m, rec in out["recon"].items():
        total = total + masked_mse(rec, out["target"][m], mask.get(m))
    return total


@dataclass(frozen=True)
class CMDMLoss:
    """Weights and switches of the CMDM objective.

    Attributes:
        alpha, beta, omega: the paper's weights (Eq. 6-9).
        reconstruction: use Lrec. matching: use Lpair. unpaired: use Lunpair.
        form: ``"paired"`` (default) or ``"set"`` discrepancy (see
            :func:`affectkit.cmdm.losses.matching_terms`); with ``"set"`` the unpaired
            term cancels Lpair exactly, so matching + unpaired does nothing.
        sigma: kernel bandwidth: a number, ``"median"`` or several numbers.
    """

    alpha: float = 0.2
    beta: float = 0.1
    omega: float = 0.3
    reconstruction: bool = True
    matching: bool = True
    unpaired: bool = True
    form: str = "paired"
    sigma: object = 1.0

    def __post_init__(self):
        for name in ("alpha", "beta", "omega"):
            value = plain(getattr(self, name))   # np.float64(0.5) is a weight too, kept as 0.5
            object.__setattr__(self, name, value)
            if isinstance(value, bool) or not isinstance(value, numbers.Real):
                raise TypeError(f"CMDMLoss.{name} must be a number, got {value!r}")
            if not 0 <= value < float("inf"):
                raise ValueError(f"CMDMLoss.{name} must be >= 0 and finite, got {value}")
        for name in ("reconstruction", "matching", "unpaired"):
            if not isinstance(getattr(self, name), bool):
                raise TypeError(f"CMDMLoss.{name} is a switch: True or False, got {getattr(self, name)!r}")
        object.__setattr__(self, "sigma", plain(check_sigma(self.sigma, "CMDMLoss.sigma")))
        if self.form not in MATCHING_FORMS:
            raise ValueError(f"CMDMLoss.form must be one of {MATCHING_FORMS}, got {self.form!r}")
        if self.unpaired and not self.matching:
            raise ValueError("the unpaired term only makes sense with matching=True")

    def replace(self, **changes) -> "CMDMLoss":
        return replace(self, **changes)

    @property
    def uses_unlabeled(self) -> bool:
        """Whether Lu has any term (otherwise semi-supervised data adds nothing)."""
        return self.reconstruction or self.matching

    def unsupervised_terms(self, out: dict, mask: dict | None = None,
                           generator: torch.Generator | None = None) -> dict:
        """{"rec", "pair", "unpair", "total"}: Lu of Eq. 8 (also the non-cls part of Ls).

        A batch of fewer than 2 utterances has ``pair = unpair = 0``: the unpaired
        term shuffles utterances and the set form needs two on each side.
        """
        zero = out["logits"].new_zeros(())
        rec = reconstruction(out, mask) if self.reconstruction else zero
        pair = unpair = zero
        if self.matching:
            if len(out["latents"]) < 2:
                raise ValueError("distribution matching needs at least two modalities; "
                                 "use CMDMLoss(matching=False, unpaired=False) for one")
            # a pair needs two utterances: shuffling one is impossible, so a batch of one
            # (the last batch of an odd-sized split) adds no matching terms
            if len(out["logits"]) >= 2:
                try:
                    pair, unpair = matching_terms(out["latents"], self.sigma, self.form, generator=generator)
                except NonFiniteError:  # diverged latents: the loop's finite check names the term
                    pair = unpair = out["logits"].new_full((), float("nan"))
            if not self.unpaired:
                unpair = zero
        total = self.alpha * rec + self.beta * (pair + unpair)
        return {"rec": rec, "pair": pair, "unpair": unpair, "total": total}

    def supervised_terms(self, out: dict, y: torch.Tensor, mask: dict | None = None,
                         generator: torch.Generator | None = None) -> dict:
        """{"cls", "rec", "pair", "unpair", "total"}: Ls of Eq. 6-7 with Lcls of Eq. 5."""
        terms = self.unsupervised_terms(out, mask, generator)
        terms["cls"] = F.cross_entropy(out["logits"], y)
        terms["total"] = terms["cls"] + terms["total"]
        return terms
