"""CMDM's losses (Liang et al. 2020, Sec. 3.2), written to be read:
- ``gaussian_kernel`` (Eq. 4) with a bandwidth rule (fixed, several sigmas, or the median
  heuristic of ``bandwidth`` over the pooled sample);
- ``mmd`` (Eq. 3), the unbiased estimator between two *sets* of latents, one bandwidth
  shared by its three kernel blocks;
- ``paired_discrepancy``: a per-utterance form in which pairing matters (the kit's:
  the biased MMD^2 of two point masses, not Eq. 3);
- ``matching_terms``: L_pair (Eq. 6) and the unpaired term L_unpair (Eq. 7)
  built by shuffling modalities across utterances.
The objectives Ls, Lu and Lsemi (Eq. 6-9) live in :mod:`affectkit.cmdm.objectives`.

Functions take torch tensors and return torch scalars (differentiable).
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import torch

from ..checks import NonFiniteError, as_matrix, finite


def check_sigma(sigma, name: str = "sigma"):
    """``sigma`` if it is a valid bandwidth: ``"median"``, a positive finite number
    (a NumPy scalar, a 0-dim array or tensor), or a non-empty sequence of them; else a
    TypeError/ValueError naming ``name``. Sigma 0 or NaN would make every kernel value constant."""
    if isinstance(sigma, str):
        if sigma != "median":
            raise ValueError(f"{name} must be a positive number, a list of them or 'median', got {sigma!r}")
        return sigma
    values = list(sigma) if isinstance(sigma, Sequence) else [sigma]
    if not values:
        raise ValueError(f"{name} must not be an empty sequence")
    for s in values:
        if isinstance(s, bool) or not isinstance(s, (int, float, torch.Tensor)) and not hasattr(s, "__float__"):
            raise TypeError(f"{name} must be a positive number, a list of them or 'median', got {s!r}")
        if isinstance(s, (torch.Tensor, np.ndarray)) and math.prod(s.shape) != 1:
            kind = "tensor" if isinstance(s, torch.Tensor) else "NumPy array"
            raise ValueError(f"{name} must be a scalar, got a {kind} of shape {tuple(s.shape)}")
        if not float(s) > 0 or float(s) == float("inf"):
            raise ValueError(f"{name} must be positive and finite, got {float(s)}")
    return sigma


def sq_distances(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """(n, m) squared Euclidean distances between rows of x (n, d) and y (m, d)."""
    x, y = as_matrix(x, "x"), as_matrix(y, "y")
    if x.shape[1] != y.shape[1]:
        raise ValueError(f"x and y must have the same dim, got {x.shape[1]} and {y.shape[1]}")
    return (x.unsqueeze(1) - y.unsqueeze(0)).pow(2).sum(-1)


def bandwidth(x, y, rule="median") -> torch.Tensor:
    """The data-driven sigma of the median heuristic, detached from the graph.

    ``"median"``: sigma = sqrt(median(d^2) / 2), the median over all distinct
    pairs (i < j) of the *pooled* sample cat(x, y), (n + m, d): no zero
    self-distances, and one number for x and y together (``y is x``: x alone).
    Every ``"median"`` in this module takes its sigma here, so the three kernel
    blocks of :func:`mmd` (Eq. 3) share it. It scales with the data, so a
    matching loss with it can *not* be lowered by shrinking every latent.

    Args: x (n, d), y (m, d), at least two points pooled.
    Returns: a 0-dim tensor.
    """
    if rule != "median":
        raise ValueError(f"bandwidth rule must be 'median', got {rule!r}")
    x, y = as_matrix(x, "x"), as_matrix(y, "y")
    pooled = (x if y is x else torch.cat([x, y])).detach()
    if len(pooled) < 2:
        raise ValueError(f"the median bandwidth needs at least 2 points, got {len(pooled)}")
    if not torch.isfinite(pooled).all():
        raise NonFiniteError("the median bandwidth: x or y holds NaN or inf values")
    d2 = sq_distances(pooled, pooled)
    upper = torch.ones_like(d2, dtype=torch.bool).triu(1)   # i < j: each pair once, no diagonal
    d2 = d2[upper]
    # the mean of the two middle values for an even count, as numpy's median
    k = len(d2)
    median = (d2.kthvalue((k + 1) // 2).values + d2.kthvalue(k // 2 + 1).values) / 2
    return (median / 2).clamp_min(1e-12).sqrt()


def _sigmas(sigma, x, y) -> list:
    """A bandwidth argument as a non-empty list of sigmas; ``"median"`` -> [:func:`bandwidth`]."""
    if isinstance(sigma, str):
        sigma = bandwidth(x, y, check_sigma(sigma))
    else:
        check_sigma(sigma)
    return list(sigma) if isinstance(sigma, Sequence) else [sigma]


def gaussian_kernel(x, y, sigma=1.0) -> torch.Tensor:
    """Eq. 4: k(x, y) = exp(-||x - y||^2 / (2 sigma^2)).

    Args:
        x: (n, d); y: (m, d).
        sigma: a positive number, ``"median"`` (:func:`bandwidth` of the pooled
            x and y), or a sequence of numbers: the kernels are summed (a
            multi-bandwidth kernel).
    Returns:
        (n, m) kernel matrix.
    """
    d2 = sq_distances(x, y)
    total = 0.0
    for s in _sigmas(sigma, x, y):
        s = torch.as_tensor(s, dtype=d2.dtype, device=d2.device)
        total = total + torch.exp(-d2 / (2 * s * s))
    return total


def mmd(p, q, sigma=1.0) -> torch.Tensor:
    """Eq. 3, the unbiased MMD^2 estimator between the sets p (m, d) and q (n, d):

        1/(m(m-1)) sum_{i != j} k(p_i, p_j) + 1/(n(n-1)) sum_{i != j} k(q_i, q_j)
        - 2/(mn) sum_{i, j} k(p_i, q_j)

    One kernel, so one bandwidth, for all three blocks: ``"median"`` is
    :func:`bandwidth` of the pooled p and q, taken once (a sigma per block
    would compare each cloud with itself at its own scale, and a shifted or a
    shrunk cloud would score near 0).

    A *set* statistic: permuting the rows of p or q leaves it unchanged, so
    shuffling one modality across utterances does not change it either.
    Needs at least two samples on each side (the within terms skip i == j).
    """
    p, q = as_matrix(p, "p"), as_matrix(q, "q")
    m, n = len(p), len(q)
    if m < 2 or n < 2:
        raise ValueError(f"the unbiased MMD needs >= 2 samples per side, got {m} and {n}")
    sigmas = _sigmas(sigma, p, q)
    kpp, kqq = gaussian_kernel(p, p, sigmas), gaussian_kernel(q, q, sigmas)
    kpq = gaussian_kernel(p, q, sigmas)
    within_p = (kpp.sum() - kpp.diagonal().sum()) / (m * (m - 1))
    within_q = (kqq.sum() - kqq.diagonal().sum()) / (n * (n - 1))
    return finite(within_p + within_q - 2 * kpq.mean(), p=p, q=q)


def paired_discrepancy(p, q, sigma=1.0) -> torch.Tensor:
    """Mean squared RKHS distance between the latents of the *same* utterance:

        1/n sum_i || phi(p_i) - phi(q_i) ||^2 = 1/n sum_i [k(p_i, p_i) + k(q_i, q_i) - 2 k(p_i, q_i)]

    This is the kit's form, not the paper's Eq. 3. Per utterance it is the
    *biased* MMD^2 between the two point masses delta(p_i) and delta(q_i): its
    within terms k(p_i, p_i) = k(q_i, q_i) = 1 are the i = j terms that Eq. 3's
    unbiased estimator leaves out, and Eq. 3 cannot be applied to one point per
    side at all (its within sums divide by m(m - 1) = 0). Unlike
    :func:`mmd` it depends on which row of q goes with which row of p, so
    shuffling a modality changes it: the unpaired term can push apart exactly
    the pairs that do not belong together. ``"median"``: :func:`bandwidth` of
    the pooled p and q, so a shuffled q gets the same sigma as the paired one.
    In [0, 2 * len(sigmas)].

    Args: p, q: (n, d) latents, row i of each from utterance i.
    """
    p, q = as_matrix(p, "p"), as_matrix(q, "q")
    if p.shape != q.shape:
        raise ValueError(f"paired latents must have the same shape, got {tuple(p.shape)} and {tuple(q.shape)}")
    sigmas = _sigmas(sigma, p, q)
    d2 = (p - q).pow(2).sum(-1)                        # (n,) only the matching rows
    k_pq = sum(torch.exp(-d2 / (2 * torch.as_tensor(s, dtype=d2.dtype, device=d2.device) ** 2))
               for s in sigmas)
    return finite((2 * len(sigmas) - 2 * k_pq).mean(), p=p, q=q)   # k(x, x) = 1 per kernel


def derangement(n: int, generator: torch.Generator | None = None, device=None) -> torch.Tensor:
    """A random permutation of range(n) with no fixed point (n >= 2): index i is
    paired with a different utterance. A random order rolled by one place."""
    if n < 2:
        raise ValueError(f"shuffling needs at least 2 utterances, got {n}")
    order = torch.randperm(n, generator=generator)
    perm = torch.empty(n, dtype=torch.long)
    perm[order] = order.roll(1)
    return perm.to(device) if device is not None else perm


MATCHING_FORMS = ("paired", "set")


def matching_terms(latents: dict, sigma=1.0, form: str = "paired", anchor: str | None = None,
                   generator: torch.Generator | None = None) -> tuple:
    """L_pair (Eq. 6) and L_unpair (Eq. 7) for one batch of latents.

    L_pair = sum over the other modalities m of D(z_anchor, z_m); L_unpair =
    -sum of D(z_anchor, shuffle(z_m)), where each other modality is shuffled
    across utterances (a derangement, so no utterance keeps its own partner).
    Shuffling latents equals shuffling the features before the (per-modality)
    encoders, as the paper does, at no extra cost. The anchor is the acoustic
    modality when present (the paper matches A-V and A-L).

    Args:
        latents: modality -> (n, d) latents, at least two modalities.
        form: ``"paired"`` (:func:`paired_discrepancy`, the default: pairing
            matters) or ``"set"`` (:func:`mmd`, Eq. 3 as printed: then
            L_pair + L_unpair == 0 for every batch).
    Returns:
        (pair, unpair) torch scalars.
    """
    if form not in MATCHING_FORMS:
        raise ValueError(f"form must be one of {MATCHING_FORMS}, got {form!r}")
    if len(latents) < 2:
        raise ValueError(f"matching needs at least two modalities, got {list(latents)}")
    names = list(latents)
    anchor = anchor or ("A" if "A" in latents else names[0])
    if anchor not in latents:
        raise ValueError(f"anchor {anchor!r} is not among the modalities {names}")
    discrepancy = paired_discrepancy if form == "paired" else mmd
    za = latents[anchor]
    perm = derangement(len(za), generator=generator, device=za.device)
    pair = unpair = za.new_zeros(())
    for m in names:
        if m == anchor:
            continue
        pair = pair + discrepancy(za, latents[m], sigma)
        unpair = unpair - discrepancy(za, latents[m][perm], sigma)
    return pair, unpair


