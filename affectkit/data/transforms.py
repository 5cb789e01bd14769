"""Feature transforms: z-normalisation, masked mean pooling, pad/truncate, reversal,
EASUM augmentation.

``ZNorm`` follows scikit-learn: ``fit`` on the train split only, ``transform``
every split with the train statistics (CMDM Sec. 3.1 z-normalises every
feature dimension). Functions take and return torch tensors.
"""

from __future__ import annotations

import numpy as np
import torch

from ..checks import number, plain
from .dataset import MultimodalDataset


def masked_mean(x, mask=None):
    """Mean over the real frames / words of sequences: (n, T, d), (n, T) -> (n, d).

    ``mask`` is True (or 1) on real steps; padding does not count, and a row
    with no real step pools to zeros. ``mask=None``: the plain mean over T.
    NumPy in, NumPy out; torch in, torch out (differentiable). The one pooling
    of the kit: probes, EASUM's models, the text classifier and MELD's baselines.
    """
    if isinstance(x, np.ndarray):
        if mask is None:
            return x.mean(1)
        x, mask = np.asarray(x, dtype=np.float32), np.asarray(mask, dtype=np.float32)
        return (x * mask[..., None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1.0)
    if mask is None:
        return x.mean(1)
    keep = mask.unsqueeze(-1).to(x.dtype)
    return (x * keep).sum(1) / keep.sum(1).clamp_min(1)


class ZNorm:
    """Per-feature z-normalisation fit on one split (the train split).

    For sequences the statistics pool every real frame/word (padding excluded),
    and padding stays exactly zero after ``transform``.

    Attributes after ``fit``: ``mean_[m]`` and ``std_[m]``, each (dim,).
    """

    def __init__(self, eps: float = 1e-6):
        self.eps = number(eps, "eps", 0, low_open=True)   # the floor of every std: NaN would void them all
        self.mean_: dict = {}
        self.std_: dict = {}

    def fit(self, ds: MultimodalDataset) -> "ZNorm":
        for m, v in ds.x.items():
            frames = v[ds.mask[m]] if m in ds.mask else v  # (frames, dim)
            self.mean_[m] = frames.mean(0)
            self.std_[m] = frames.std(0, unbiased=False).clamp_min(self.eps)
        return self

    def transform(self, ds: MultimodalDataset) -> MultimodalDataset:
        if not self.mean_:
            raise RuntimeError("ZNorm.transform called before fit: call fit(train) first")
        missing = [m for m in ds.x if m not in self.mean_]
        if missing:
            raise ValueError(f"ZNorm was fit without modality {missing}; refit on a split that has it")
        x = {}
        for m, v in ds.x.items():
            if v.shape[-1] != self.mean_[m].shape[0]:
                raise ValueError(f"ZNorm: x[{m!r}] has dim {v.shape[-1]}, fit on {self.mean_[m].shape[0]}")
            z = (v - self.mean_[m]) / self.std_[m]
            x[m] = z * ds.mask[m].unsqueeze(-1) if m in ds.mask else z
        return ds.with_features(x)

    def fit_transform(self, ds: MultimodalDataset) -> MultimodalDataset:
        return self.fit(ds).transform(ds)


def pad_or_truncate(x: torch.Tensor, length: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Pad with zeros or cut a sequence to ``length`` frames (CMDM: 18 faces,
    22 words; 12 words for MELD).

    Args:
        x: (time, dim) one sequence, or (n, time, dim) a batch.
    Returns:
        (x, mask): x of shape (..., length, dim) and a bool mask (..., length),
        True on real frames.
    """
    length = plain(length)
    if isinstance(length, bool) or not isinstance(length, int) or length <= 0:
        raise ValueError(f"length must be a positive int, got {length!r}")
    if x.ndim not in (2, 3):
        raise ValueError(f"x must be (time, dim) or (n, time, dim), got shape {tuple(x.shape)}")
    t = x.shape[-2]
    keep = min(t, length)
    out = x.new_zeros(*x.shape[:-2], length, x.shape[-1])
    out[..., :keep, :] = x[..., :keep, :]
    mask = torch.zeros(*x.shape[:-2], length, dtype=torch.bool)
    mask[..., :keep] = True
    return out, mask


def reverse_sequence(x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
    """Reverse each sequence in time: the DAE's reconstruction target (CMDM Sec. 3.1,
    after Srivastava et al.).

    With a mask, only the real frames are reversed and padding stays at the end,
    so frame 0 of the target is the last real frame.

    Args:
        x: (n, time, dim); mask: (n, time) bool, real frames first.
    Returns:
        (n, time, dim)
    """
    if x.ndim != 3:
        raise ValueError(f"x must be (n, time, dim), got shape {tuple(x.shape)}")
    if mask is None:
        return x.flip(1)
    if mask.shape != x.shape[:2]:
        raise ValueError(f"mask must be {tuple(x.shape[:2])}, got {tuple(mask.shape)}")
    lengths = mask.sum(1, keepdim=True)                                  # (n, 1)
    t = torch.arange(x.shape[1], device=x.device).unsqueeze(0)          # (1, time)
    src = torch.where(t < lengths, lengths - 1 - t, t)                  # (n, time)
    out = x.gather(1, src.unsqueeze(-1).expand_as(x))
    return out * mask.unsqueeze(-1)


def feature_noise(x: torch.Tensor, alpha_mean: float = 1.0, alpha_std: float = 1.0,
                  beta_mean: float = 1.0, beta_std: float = 1.0,
                  generator: torch.Generator | None = None) -> torch.Tensor:
    """EASUM Eq. 1 feature augmentation: x_hat = alpha * x + beta, element-wise.

    The paper prints alpha ~ N(1, I) and beta ~ N(1, I) (Sec. 3.3), the defaults
    here: every element gets its own draw, with standard deviation 1. Both are
    strong perturbations, so the means and stds are parameters (EASUM's
    balancing in the kit uses alpha ~ N(1, 0.1^2), beta ~ N(0, 0.1^2):
    :func:`affectkit.easum.prepare.balance_domains`). The official code
    (aai4r/EASUM, ``augment``) differs from the print: it draws beta with mean 0,
    and its "I" is an identity *matrix of standard deviations* of the feature's
    (length x dim) shape, so only the elements on its diagonal (time step t,
    feature t) are perturbed and every other element is left exactly as it is.

    Args:
        x: any shape, e.g. (n, time, dim) audio or visual features.
    Returns:
        a tensor of the same shape.
    """
    alpha_mean, beta_mean = number(alpha_mean, "alpha_mean"), number(beta_mean, "beta_mean")
    # NaN or inf here would turn every feature into NaN, silently
    alpha_std, beta_std = number(alpha_std, "alpha_std", 0), number(beta_std, "beta_std", 0)
    alpha = alpha_mean + alpha_std * torch.randn(x.shape, generator=generator).to(x)
    beta = beta_mean + beta_std * torch.randn(x.shape, generator=generator).to(x)
    return alpha * x + beta


def temporal_zero_out(x: torch.Tensor, p=0.1, generator: torch.Generator | None = None) -> torch.Tensor:
    """Random temporal zero-out (EASUM Sec. 3.3, text augmentation after the
    embedding): each time step of each sequence is zeroed with probability ``p``,
    independently, so the number zeroed varies from sequence to sequence (its
    mean is ``p`` times the length). The paper gives no rate; the official code
    (aai4r/EASUM) zeroes exactly 5 of the 40 token positions of every augmented
    copy, padding positions included.

    EASUM applies it to the embedded text inside the model
    (:class:`~affectkit.easum.models.MAGEncoder`); on raw word vectors it shows the idea.

    Args:
        x: (n, time, dim).
        p: a probability in [0, 1), or an (n,) tensor of them (one per sequence,
            e.g. 0 for original utterances and the rate for augmented copies).
    Returns:
        (n, time, dim)
    """
    if x.ndim != 3:
        raise ValueError(f"x must be (n, time, dim), got shape {tuple(x.shape)}")
    p = torch.as_tensor(p, dtype=torch.float32)
    if p.ndim not in (0, 1) or (p.ndim == 1 and len(p) != len(x)):
        raise ValueError(f"p must be a number or one per sequence ({len(x)}), got shape {tuple(p.shape)}")
    if not ((p >= 0) & (p < 1)).all():
        raise ValueError(f"p must be in [0, 1), got {p.tolist()}")
    draw = torch.rand(x.shape[:2], generator=generator).to(x.device)
    keep = draw >= (p.to(x.device).unsqueeze(-1) if p.ndim == 1 else p.to(x.device))
    return x * keep.unsqueeze(-1).to(x)
