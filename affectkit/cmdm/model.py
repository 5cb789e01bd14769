"""The CMDM model: one DAE per modality and a classifier on the concatenated latents.

Eq. 5: p = softmax(C([z_a; z_v; z_l])). ``forward`` returns the latents, the
reconstructions with their targets (the reversed sequences), and the logits;
the losses in :mod:`affectkit.cmdm.objectives` read them.
"""

from __future__ import annotations

from dataclasses import asdict

import torch
from torch import nn

from ..config import CMDMArch, get_profile
from .dae import SequenceDAE, VectorDAE


def make_dae(modality: str, shape, arch="lab"):
    """The DAE of one modality: a :class:`VectorDAE` for a (dim,) shape, a
    :class:`SequenceDAE` for (time, dim), with the layer sizes of ``arch``
    (a :class:`CMDMArch` or a profile name)."""
    arch = get_profile(arch).cmdm_arch if isinstance(arch, str) else arch
    shape = tuple(shape)
    if len(shape) == 1:
        return VectorDAE(shape[0], arch.hidden.get(modality, ()), arch.latent)
    if modality not in arch.convs:
        raise ValueError(f"the architecture has no conv stack for sequence modality {modality!r}; "
                         f"it has {sorted(arch.convs)}")
    return SequenceDAE(shape[0], shape[1], arch.heads, arch.blocks, arch.convs[modality],
                       arch.hidden.get(modality, ()), arch.latent, arch.dropout, arch.reverse_target)


class CMDM(nn.Module):
    """DAEs for any subset of {A, V, L} and a fusion classifier (Eq. 5).

    Args:
        shapes: modality -> (dim,) for vectors or (time, dim) for sequences,
            e.g. ``world.train.shapes``.
        n_classes: number of emotion classes.
        arch: layer sizes (:class:`CMDMArch`, or a profile name).
    """

    def __init__(self, shapes: dict, n_classes: int, arch="lab"):
        super().__init__()
        if not shapes:
            raise ValueError("CMDM needs at least one modality")
        arch = get_profile(arch).cmdm_arch if isinstance(arch, str) else arch
        self.arch, self.shapes, self.n_classes = arch, dict(shapes), n_classes
        self.daes = nn.ModuleDict({m: make_dae(m, shape, arch) for m, shape in shapes.items()})
        width = arch.latent * len(shapes)
        self.classifier = nn.Sequential(nn.Linear(width, arch.classifier_hidden), nn.ReLU(),
                                        nn.Dropout(arch.dropout), nn.Linear(arch.classifier_hidden, n_classes))

    @property
    def modalities(self) -> tuple:
        return tuple(self.daes)

    def config(self) -> dict:
        """Everything needed to rebuild the model (saved with checkpoints)."""
        return {"shapes": {m: list(s) for m, s in self.shapes.items()}, "n_classes": self.n_classes,
                "arch": asdict(self.arch)}

    def forward(self, x: dict, mask: dict | None = None, decode: bool = True) -> dict:
        """Args: x: modality -> (batch, dim) or (batch, T, dim); mask: modality -> (batch, T);
        decode: run the decoders (training without Lrec skips them: a third less work).

        Returns a dict: ``latents`` {m: (batch, latent)}, ``recon`` {m: like x[m]},
        ``target`` {m: like x[m]} (what recon should equal), ``logits`` (batch, n_classes);
        ``recon`` and ``target`` are empty when ``decode=False``.
        """
        mask = mask or {}
        if set(x) != set(self.daes):
            raise ValueError(f"the batch has modalities {sorted(x)} but the model was built for "
                             f"{sorted(self.daes)}: select the model's modalities (ds.select(...))")
        latents, recon, target = {}, {}, {}
        for m, dae in self.daes.items():
            if decode:
                latents[m], recon[m] = dae(x[m], mask.get(m))
                target[m] = dae.target(x[m], mask.get(m))
            else:
                latents[m] = dae.encode(x[m], mask.get(m))
        fused = torch.cat([latents[m] for m in self.daes], dim=1)
        return {"latents": latents, "recon": recon, "target": target, "logits": self.classifier(fused)}


def build_cmdm(config: dict) -> CMDM:
    """Rebuild a model from :meth:`CMDM.config` (e.g. a checkpoint's)."""
    arch = dict(config["arch"])
    arch["convs"] = {m: tuple(tuple(c) for c in v) for m, v in arch["convs"].items()}
    arch["hidden"] = {m: tuple(v) for m, v in arch["hidden"].items()}
    shapes = {m: tuple(s) for m, s in config["shapes"].items()}
    return CMDM(shapes, config["n_classes"], CMDMArch(**arch))
