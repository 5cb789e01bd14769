"""EASUM's domains, ready for the DG model (Sec. 3.3).

- :func:`prepare_domains`: one z-normalisation fit on the pooled train splits
  of all domains (so the domain shifts stay in the inputs: removing them is
  the model's job), and the DG targets of each domain; one
  :class:`PreparedDomain` per domain.
- :func:`balance_domains`: EASUM's balancing: every train split is brought to
  the size of the largest by adding augmented copies (Eq. 1 feature noise on
  acoustic and visual features, temporal zero-out on text; its docstring says
  how the kit's noise differs from the paper's and the official code's).
- :func:`domain_data`: the prepared domains of a seed, synthetic or the user's
  corpora (vector features as one-step sequences: EASUM fuses sequences).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import torch

from .. import checks
from ..data.dataset import MultimodalDataset
from ..data.domains import make_domains
from ..data.labels import LabelSpace, polarity
from ..data.transforms import ZNorm, feature_noise


@dataclass
class PreparedDomain:
    """One domain as the DG and DS models train on it: its splits z-normalised with
    the statistics pooled over all domains' train splits, each split's DG target in
    ``hidden["dg_target"]`` (n,) (:func:`dg_target`).

    ``task``: "sentiment" or "emotion"; ``space``: its label space; ``index``: its
    domain index (what a DG model records as seen); ``zero_out``: the rate of the
    temporal zero-out of the augmented copies in ``train`` (0: none;
    :func:`balance_domains` sets it).
    """

    name: str
    task: str
    space: LabelSpace
    index: int
    train: MultimodalDataset
    val: MultimodalDataset
    test: MultimodalDataset
    zero_out: float = 0.0

    @property
    def splits(self) -> dict:
        return {"train": self.train, "val": self.val, "test": self.test}

    @property
    def shapes(self) -> dict:
        """Modality -> feature shape of one utterance (the same in every split)."""
        return self.train.shapes


def pooled_znorm(datasets) -> ZNorm:
    """A :class:`ZNorm` fit on the real frames of several datasets at once."""
    datasets = list(datasets)
    norm = ZNorm()
    for m in datasets[0].x:
        frames = torch.cat([ds.x[m][ds.mask[m]] if m in ds.mask else ds.x[m] for ds in datasets])
        norm.mean_[m] = frames.mean(0)
        norm.std_[m] = frames.std(0, unbiased=False).clamp_min(norm.eps)
    return norm


def dg_target(ds: MultimodalDataset, task: str, space=None) -> torch.Tensor:
    """What the DG model's head learns for a split: the sentiment polarity (3
    classes) for sentiment corpora, the annotated emotion mapped to EASUM-9
    (``space.to_common``) for emotion corpora. Shape (n,) int64."""
    if task == "sentiment":
        if torch.isnan(ds.sentiment).any():
            raise ValueError(f"{ds.name}: sentiment task but some utterances have no sentiment annotation")
        return torch.as_tensor(polarity(ds.sentiment.numpy()))
    if space is None:
        raise ValueError("an emotion task needs the domain's label space to map to EASUM-9")
    return torch.as_tensor(space.to_common(ds.y.numpy()))


def prepare_domains(domains: dict) -> dict:
    """z-normalise every split with the pooled train statistics; attach DG targets.

    ``domains``: name -> a domain of :func:`~affectkit.data.domains.make_domains` or a
    :class:`~affectkit.data.corpus.Corpus` (``task``, ``space``, ``index``, train/val/test).
    Returns: name -> :class:`PreparedDomain`.
    """
    norm = pooled_znorm(d.train for d in domains.values())
    out = {}
    for name, d in domains.items():
        splits = {}
        for split in ("train", "val", "test"):
            ds = norm.transform(getattr(d, split))
            ds.hidden = {**ds.hidden, "dg_target": dg_target(ds, d.task, d.space)}
            splits[split] = ds
        out[name] = PreparedDomain(name, d.task, d.space, d.index, **splits)
    return out


def balance_domains(prepared: dict, seed: int = 0, noise_std: float = 0.1, zero_out: float = 0.1) -> dict:
    """EASUM's balancing (Sec. 3.3): bring every train split to the largest one's size with augmented copies.

    What the kit does, against the paper (Eq. 1) and the official code (aai4r/EASUM):

    - Acoustic and visual features of a copy: x_hat = alpha * x + beta with
      alpha ~ N(1, noise_std^2) and beta ~ N(0, noise_std^2) on every element
      (padding stays zero), drawn **once**, when the copy is made: a copy keeps
      its noise for the whole training. The paper prints alpha ~ N(1, I) and
      beta ~ N(1, I): unit-variance noise on every element and a mean shift of 1,
      far stronger than z-normalised features tolerate (notebook 05, section 1,
      prints how much of a feature survives each). The official code draws beta
      with mean 0, perturbs only the elements on the diagonal of an
      identity-shaped matrix of standard deviations (time step t, feature t; all
      others stay as they are), and **redraws** alpha and beta on every forward
      pass, so a copy sees new noise at every epoch.
    - Text of a copy: the temporal zero-out happens *after the input embedding*,
      as the paper says, so inside the model during training: each copy is
      flagged in ``hidden["augmented"]`` and the domain's ``zero_out`` holds the
      rate (:func:`~affectkit.easum.dg.fit_dg` passes both to the model), which
      zeroes each embedded token of a copy with probability ``zero_out``, redrawn
      on every forward pass. The paper gives no rate; the official code zeroes
      exactly 5 of the 40 token positions of every copy, redrawn on every forward pass.
    - Originals are kept as they are (no noise, no zero-out).

    Without balancing, :func:`~affectkit.easum.dg.fit_dg` still draws one batch per
    domain per step, so a small domain's utterances are simply seen more often
    (repeated, not augmented): the comparison notebook 05 measures.

    Returns: name -> :class:`PreparedDomain` with the balanced ``train`` and ``zero_out``.
    """
    seed, noise_std = checks.seed(seed), checks.number(noise_std, "noise_std", 0)
    zero_out = checks.number(zero_out, "zero_out", 0, 1)
    if zero_out == 1.0:
        raise ValueError(f"zero_out must be in [0, 1), got {zero_out}")
    target = max(len(d.train) for d in prepared.values())
    gen = torch.Generator().manual_seed(seed)
    out = {}
    for name, d in prepared.items():
        ds, extra = d.train, target - len(d.train)
        idx = torch.randint(0, len(ds), (extra,), generator=gen)
        merged = ds.subset(torch.cat([torch.arange(len(ds)), idx]))
        if extra:
            copy_ = ds.subset(idx)
            x = dict(copy_.x)
            for m in ("A", "V"):
                if m in x:
                    noisy = feature_noise(x[m], 1.0, noise_std, 0.0, noise_std, generator=gen)
                    x[m] = noisy * copy_.mask[m].unsqueeze(-1) if m in copy_.mask else noisy
            merged = merged.with_features({m: torch.cat([ds.x[m], x[m]]) for m in ds.x})
        merged.hidden = {**merged.hidden, "augmented": torch.cat([torch.zeros(len(ds), dtype=torch.bool),
                                                                  torch.ones(extra, dtype=torch.bool)])}
        out[name] = replace(d, train=merged, zero_out=zero_out)
    return out


def domain_data(profile="lab", seed: int = 0, data=None, **world) -> dict:
    """The domains of a seed, z-normalised with pooled statistics
    (:func:`prepare_domains`): name -> :class:`PreparedDomain`.

    ``data``: None, the four synthetic domains of ``profile`` (``world``: knobs of
    :func:`~affectkit.data.domains.make_domains`); a dict name -> corpus (each a
    :class:`~affectkit.data.corpus.Corpus`: MOSI / MOSEI, IEMOCAP, the user's,
    as many as there are, one domain each); a single corpus; or a callable
    ``seed -> any of these``. Vector features (an IS10 vector per clip) become
    sequences of length one (EASUM fuses sequences).
    """
    if data is None:
        return prepare_domains(make_domains(profile, seed=seed, **world))
    if callable(data):
        data = data(seed)
    if not isinstance(data, dict):
        data = {data.name: data}
    if not data:
        raise ValueError("data must name at least one corpus")
    domains = {}
    for i, (name, corpus) in enumerate(data.items()):
        missing = [s for s in ("train", "val", "test") if getattr(corpus, s, None) is None]
        if missing or not hasattr(corpus, "task"):
            raise TypeError(f"domain {name!r} must be a Corpus with train/val/test splits and a task, "
                            f"got {type(corpus).__name__}")
        domains[name] = as_sequences(corpus, i)
    return prepare_domains(domains)


def as_sequences(corpus, index: int = 0):
    """``corpus`` with every vector modality (n, d) as a one-step sequence (n, 1, d)
    and its domain index set (a copy; the corpus is unchanged)."""
    def seq(ds):
        return ds.with_features({m: v.unsqueeze(1) if v.ndim == 2 else v for m, v in ds.x.items()})

    splits = {s: seq(ds) for s, ds in corpus.splits.items() if s != "unlabeled"}
    for s, ds in splits.items():
        splits[s] = replace(ds, domain=torch.full((len(ds),), index, dtype=torch.int64))
    fields = {"index": index, **splits}
    if hasattr(corpus, "unlabeled"):
        fields["unlabeled"] = None
    return replace(corpus, **fields)
