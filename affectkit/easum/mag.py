"""The Multimodal Adaptation Gate (MAG) of EASUM Sec. 3.3, Eq. 2-6 (after Rahman et al., MAG-BERT).

Words shift in meaning with how they are said and shown. MAG computes, for
every text token, a displacement R from the acoustic and visual features of
the same position, gated by the token itself, and adds a bounded share of it.
The kit's MAG, each line beside the EASUM equation it implements (the
numbering is the kit's: :data:`affectkit.easum.reference.EQUATIONS`):

    g_a = ReLU(W_ga [X_a; X_t] + b_a)                      Eq. 3
    g_v = ReLU(W_gv [X_v; X_t] + b_v)                      Eq. 4
    R   = g_a * (W_a X_a) + g_v * (W_v X_v)                Eq. 2, without its bias b
    lambda = min(||X_t||_2 / (||R||_2 + eps) * gamma, 1)   Eq. 6, per token
    F   = Dropout(LayerNorm(X_t + lambda * R))             Eq. 5, plus LayerNorm and dropout

``lambda`` keeps the shift no longer than gamma times the token itself (never
more than the token, with the default gamma = 1).

Where this departs from the printed equations (EASUM prints
R = g_a(W_a X_a) + g_v(W_v X_v) + b, g_a = ReLU(W_ga [X_t; X_a]) + b_a,
F = X_t + lambda R and lambda = min(||X_t|| / ||R|| gamma, 1)):

- **No bias on the displacement: the kit's own departure.** The projections
  W_a, W_v have no bias and R gets no "+ b", although EASUM's Eq. 2 prints a
  bias and MAG-BERT's projections are linear layers with one. With a bias, a
  left-out modality (silence: all-zero features) would still shift every token
  by a learned amount, so the text-only model of EASUM Table 4's modality
  ablation (notebook 06) would not be text-only: it would carry a trained
  nonverbal offset. Without one, silent input displaces nothing and the output
  is the normalised text.
- The gates follow the reference MAG-BERT code (WasifurRahman/BERT_multimodal_transformer),
  not the print: the modality comes first in the concatenation ([X_a; X_t];
  the paper prints [X_t; X_a], the same function with W_ga's columns in
  another order), and b_a sits inside the ReLU (an ``nn.Linear``), where the
  paper prints it outside (ReLU(.) + b_a, a gate whose floor is b_a, not 0).
- ``||R||`` gets an epsilon of 1e-6 and a zero norm is replaced by 1 (the
  reference code); the paper divides by ``||R||`` as it is.
- LayerNorm and dropout follow the sum, as in the reference code; Eq. 5 ends at
  X_t + lambda R.

All three inputs are per token: (batch, T, dim) with the same T. Acoustic
and visual sequences of other lengths are first resampled to the text's
length with :func:`align_to`.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def align_to(x: torch.Tensor, length: int, mask: torch.Tensor | None = None) -> torch.Tensor:
    """Resample a sequence to ``length`` steps by averaging the real frames that
    fall into each step (mask-aware adaptive average pooling).

    Args: x (batch, T, d); mask (batch, T) bool or None. Returns (batch, length, d);
    a step that covers padding only is zero.
    """
    if x.ndim != 3:
        raise ValueError(f"align_to expects (batch, time, dim), got {tuple(x.shape)}")
    keep = torch.ones(x.shape[:2], dtype=x.dtype, device=x.device) if mask is None else mask.to(x.dtype)
    total = F.adaptive_avg_pool1d((x * keep.unsqueeze(-1)).transpose(1, 2), length)  # (b, d, length)
    count = F.adaptive_avg_pool1d(keep.unsqueeze(1), length)                           # (b, 1, length)
    return (total / count.clamp_min(1e-12)).transpose(1, 2) * (count > 0).transpose(1, 2)


class MAG(nn.Module):
    """Multimodal Adaptation Gate.

    Args:
        text_dim, acoustic_dim, visual_dim: feature dims (EASUM: 768, 64, 64).
        gamma: the shift bound (EASUM: 1). dropout: after the LayerNorm (reference: 0.5).
    Shapes: text (batch, T, text_dim), acoustic (batch, T, acoustic_dim),
        visual (batch, T, visual_dim) -> (batch, T, text_dim).
    """

    def __init__(self, text_dim: int, acoustic_dim: int, visual_dim: int, gamma: float = 1.0,
                 dropout: float = 0.5, eps: float = 1e-6):
        super().__init__()
        if gamma <= 0:
            raise ValueError(f"gamma must be positive, got {gamma}")
        self.dims = (text_dim, acoustic_dim, visual_dim)
        self.gamma, self.eps = gamma, eps
        self.gate_a = nn.Linear(acoustic_dim + text_dim, text_dim)
        self.gate_v = nn.Linear(visual_dim + text_dim, text_dim)
        self.proj_a = nn.Linear(acoustic_dim, text_dim, bias=False)
        self.proj_v = nn.Linear(visual_dim, text_dim, bias=False)
        self.norm = nn.LayerNorm(text_dim)
        self.dropout = nn.Dropout(dropout)

    def _check(self, text, acoustic, visual):
        names = ("text", "acoustic", "visual")
        for name, x, d in zip(names, (text, acoustic, visual), self.dims):
            if x.ndim != 3 or x.shape[-1] != d:
                raise ValueError(f"MAG: {name} must be (batch, T, {d}), got {tuple(x.shape)}")
        if not (text.shape[:2] == acoustic.shape[:2] == visual.shape[:2]):
            raise ValueError(f"MAG needs one nonverbal vector per text token: text {tuple(text.shape[:2])}, "
                             f"acoustic {tuple(acoustic.shape[:2])}, visual {tuple(visual.shape[:2])}; "
                             "resample with affectkit.easum.mag.align_to")

    def displacement(self, text, acoustic, visual) -> dict:
        """The pieces of the gate: {"R": (b, T, d), "lambda": (b, T), "g_a", "g_v": (b, T, d)}."""
        self._check(text, acoustic, visual)
        g_a = F.relu(self.gate_a(torch.cat([acoustic, text], dim=-1)))
        g_v = F.relu(self.gate_v(torch.cat([visual, text], dim=-1)))
        shift = g_a * self.proj_a(acoustic) + g_v * self.proj_v(visual)
        norm_t, norm_r = text.norm(dim=-1), shift.norm(dim=-1)
        norm_r = torch.where(norm_r == 0, torch.ones_like(norm_r), norm_r)
        lam = torch.clamp(norm_t / (norm_r + self.eps) * self.gamma, max=1.0)
        return {"R": shift, "lambda": lam, "g_a": g_a, "g_v": g_v}

    def forward(self, text, acoustic, visual) -> torch.Tensor:
        parts = self.displacement(text, acoustic, visual)
        return self.dropout(self.norm(text + parts["lambda"].unsqueeze(-1) * parts["R"]))
