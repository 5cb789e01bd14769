"""What labs 3 and 4 hand the student besides the equations: MAG's weights as plain tensors, and
the kit's versions of the pieces a lab function may call.

Lab 3 gives the student the *weights* of a MAG, never a module that could do the work:

- :func:`mag_weights`: a fresh :class:`affectkit.easum.MAG`'s weights as a dict of tensors
  (``W_ga``, ``b_a``, ``W_gv``, ``b_v``, ``W_a``, ``W_v``, ``ln_weight``, ``ln_bias``, ``gamma``, ``eps``);
- :func:`mag_from`: the kit's MAG loaded with such a dict (eval mode, no dropout), to compare with.

The grader checks each lab function on its own: where ``mag_fuse`` calls ``gate``,
``displacement`` and ``shift_scale``, or ``ds_terms`` calls ``task_loss``, it gets the
versions below. Each asks the kit's own code (the MAG module, ``ds_loss``) for the value,
so this module holds no second implementation of an answer, and a lab function that
calls one of them calls the kit's implementation (and earns nothing).
"""

from __future__ import annotations

import torch

from ...easum.losses import ds_loss
from ...easum.mag import MAG

# the dict's names -> the kit's MAG parameters (nn.Linear weights are (out, in): W x is x @ W.T)
PARAMETERS = {"W_ga": "gate_a.weight", "b_a": "gate_a.bias", "W_gv": "gate_v.weight", "b_v": "gate_v.bias",
              "W_a": "proj_a.weight", "W_v": "proj_v.weight", "ln_weight": "norm.weight", "ln_bias": "norm.bias"}


def mag_weights(text_dim: int, acoustic_dim: int, visual_dim: int, gamma: float = 1.0, seed: int = 0,
                dtype=torch.float32) -> dict:
    """The weights of a freshly initialised kit MAG, as a dict of tensors, plus ``gamma`` and ``eps``.

    The LayerNorm's weight and bias are moved off 1 and 0 (a trained MAG's are), so that a
    LayerNorm without them gives other numbers. Shapes: ``W_ga`` (text_dim, acoustic_dim + text_dim),
    ``b_a`` (text_dim,), ``W_gv`` (text_dim, visual_dim + text_dim), ``b_v`` (text_dim,), ``W_a``
    (text_dim, acoustic_dim), ``W_v`` (text_dim, visual_dim), ``ln_weight``, ``ln_bias`` (text_dim,).
    """
    g = torch.Generator().manual_seed(seed)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        mag = MAG(text_dim, acoustic_dim, visual_dim, gamma=gamma, dropout=0.0)
    with torch.no_grad():
        mag.norm.weight.copy_(1 + 0.3 * torch.randn(text_dim, generator=g))
        mag.norm.bias.copy_(0.2 * torch.randn(text_dim, generator=g))
    params = dict(mag.named_parameters())
    return {**{key: params[name].detach().to(dtype).clone() for key, name in PARAMETERS.items()},
            "gamma": float(mag.gamma), "eps": float(mag.eps)}


def mag_from(w: dict) -> MAG:
    """The kit's MAG with the weights ``w`` (:func:`mag_weights`' keys), in eval mode and without dropout."""
    d, d_a = w["W_a"].shape
    mag = MAG(d, d_a, w["W_v"].shape[1], gamma=w["gamma"], dropout=0.0, eps=w["eps"]).to(w["W_a"].dtype)
    params = dict(mag.named_parameters())
    with torch.no_grad():
        for key, name in PARAMETERS.items():
            params[name].copy_(w[key])
    return mag.eval()


# -- the kit's versions of the lab functions' helpers (what the grader gives a function it checks) ----

def gate(nonverbal, text, weight, bias):
    """The kit's MAG gate for one modality: its ``g_a`` with ``weight``, ``bias`` as ``W_ga``, ``b_a``."""
    d, d_m = text.shape[-1], nonverbal.shape[-1]
    zeros = torch.zeros(d, d_m, dtype=text.dtype)
    w = {"W_ga": weight, "b_a": bias, "W_gv": weight, "b_v": bias, "W_a": zeros, "W_v": zeros,
         "ln_weight": torch.ones(d, dtype=text.dtype), "ln_bias": torch.zeros(d, dtype=text.dtype),
         "gamma": 1.0, "eps": 1e-6}
    with torch.no_grad():
        return mag_from(w).displacement(text, nonverbal, nonverbal)["g_a"]


def displacement(text, acoustic, visual, w):
    """The kit's MAG displacement R (b, T, d) with the weights ``w``."""
    with torch.no_grad():
        return mag_from(w).displacement(text, acoustic, visual)["R"]


def shift_scale(text, shift, gamma, eps):
    """The kit's MAG lambda (b, T) for the displacement ``shift``: a MAG whose R is ``shift``
    (the shift itself as the acoustic input, an identity projection, gates of 1, no visual part)."""
    d = text.shape[-1]
    eye, zeros = torch.eye(d, dtype=text.dtype), torch.zeros(d, d, dtype=text.dtype)
    w = {"W_ga": torch.zeros(d, 2 * d, dtype=text.dtype), "b_a": torch.ones(d, dtype=text.dtype),
         "W_gv": torch.zeros(d, 2 * d, dtype=text.dtype), "b_v": torch.zeros(d, dtype=text.dtype),
         "W_a": eye, "W_v": zeros, "ln_weight": torch.ones(d, dtype=text.dtype),
         "ln_bias": torch.zeros(d, dtype=text.dtype), "gamma": float(gamma), "eps": float(eps)}
    with torch.no_grad():
        return mag_from(w).displacement(text, shift, torch.zeros_like(shift))["lambda"]


def task_loss(main, target, task):
    """The main-task term of the kit's ``ds_loss``: MSE (sentiment) or cross-entropy (emotion)."""
    return ds_loss({"main": main}, target, None, task)["main"]
