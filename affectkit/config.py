"""Profiles (smoke / lab / paper), seeding and device choice.

Every notebook and runner takes ``profile``. A profile is the one registry of
every size the kit uses: the synthetic worlds and their feature shapes, the
CMDM and EASUM architectures, their training budgets and the MELD runs:

=========  =====================================  ==================================
profile    sizes                                  purpose
=========  =====================================  ==================================
smoke      dozens of samples, 1 epoch              CI: does every cell run (seconds)
lab        small dims, a few thousand samples      a laptop CPU, minutes; the default
paper      CMDM Table 3 shapes, corpus sizes       a GPU; full-scale runs
=========  =====================================  ==================================
"""

from __future__ import annotations

import math
import os
import random
from dataclasses import dataclass, field

import numpy as np
import torch

# Feature shapes per modality: (dim,) is one vector per utterance, (time, dim)
# a sequence. CMDM: acoustic is a vector, visual and lexical are sequences;
# EASUM: all three are sequences.
Shapes = dict


@dataclass(frozen=True)
class CMDMArch:
    """Layer sizes of the DAEs and the classifier (CMDM Table 3 in the paper profile).

    ``convs[m]``: (kernel, stride, padding, channels) per conv layer;
    ``hidden[m]``: linear widths between input (or flattened conv output) and latent.
    """

    latent: int = 128
    hidden: dict = field(default_factory=lambda: {"A": (512, 256), "V": (), "L": (512,)})
    convs: dict = field(default_factory=lambda: {
        "V": ((4, 2, 1, 16), (5, 2, 1, 64), (3, 3, 1, 32)),
        "L": ((4, 2, 1, 64), (4, 3, 1, 4)),
    })
    heads: int = 4
    blocks: int = 2
    dropout: float = 0.1
    classifier_hidden: int = 128
    reverse_target: bool = True


@dataclass(frozen=True)
class EASUMArch:
    """Sizes of the EASUM models (paper: Sec. 4.4).

    ``ds_layers``: DeBERTa layers per task (paper: 8 for sentiment, 3 for emotion).
    Two dropout rates, as in the official code and MAG-BERT: ``mag_dropout`` after
    MAG's LayerNorm (0.5), and ``dropout`` in the encoder layers (ConvBERT's and
    DeBERTa's pretrained 0.1, attention and hidden) and the heads.
    """

    hidden: int = 768
    heads: int = 12
    intermediate: int = 3072
    dg_layers: int = 8
    ds_layers: dict = None
    gamma: float = 1.0
    dropout: float = 0.1
    mag_dropout: float = 0.5
    max_len: int = 64

    def __post_init__(self):
        if self.ds_layers is None:
            object.__setattr__(self, "ds_layers", {"sentiment": 8, "emotion": 3})
        if self.hidden % self.heads:
            raise ValueError(f"hidden {self.hidden} must be a multiple of heads {self.heads}")


@dataclass(frozen=True)
class EASUMTraining:
    """How long and how fast EASUM trains in a profile.

    ``ds_lr``: a DS model's learning rate per corpus where it differs from ``lr``
    (EASUM Sec. 4.4: 3.5e-5 for IEMOCAP, 1e-5 for the rest).
    ``ds_min_steps``: a DS model trains for at least this many steps, so that a
    small corpus (MOSI has 13x fewer utterances than MOSEI) is seen for more
    epochs instead of getting a few steps in all.
    """

    dg_epochs: int
    ds_epochs: int
    lr: float
    batch_size: int = 48
    ds_lr: dict = field(default_factory=dict)
    ds_min_steps: int = 0

    def lr_for(self, domain: str) -> float:
        """The DS learning rate of ``domain``."""
        return self.ds_lr.get(domain, self.lr)

    def ds_epochs_for(self, n_train: int) -> int:
        """DS epochs for a train split of ``n_train`` utterances."""
        per_epoch = math.ceil(n_train / self.batch_size)
        return max(self.ds_epochs, math.ceil(self.ds_min_steps / per_epoch))

    def ds_eval_every(self, epochs: int) -> int:
        """Validate about ``ds_epochs`` times, however many epochs a small corpus takes."""
        return max(1, epochs // self.ds_epochs)


@dataclass(frozen=True)
class MeldRun:
    """How much of MELD each profile uses and how long each model trains."""

    n_train: int | None          # None: all of train
    n_eval: int | None           # None: all of the evaluated split
    max_words: int = 12          # CMDM: 12 words per MELD utterance
    finetune_epochs: int = 2
    max_length: int = 48         # tokens per utterance for fine-tuning
    frozen_layers: int = 0       # lower encoder layers kept pre-trained (their outputs computed once)
    cmdm_epochs: int = 6         # dev UA stops improving after ~5 epochs (20 measured: 0.297 at 3, 0.322 best at 14)


@dataclass(frozen=True)
class ContextRun:
    """How notebook 10 runs MELD with its dialogue context (:mod:`affectkit.text.context`)."""

    n_dialogues: int | None = None   # training dialogues drawn (None: all); evaluated splits: a third as many
    encoder: str = "frozen"          # stage 1: "frozen" (MiniLM word vectors + logistic regression, seconds)
    #                                  or "finetuned" (fine-tuned MiniLM, training lines cross-fitted: about 6 minutes on 2 cores)
    epochs: int = 10                 # the dialogue model's epochs (fixed: nothing is chosen on dev)
    seeds: tuple = (0, 1, 2)         # every ablation is trained once per seed


@dataclass(frozen=True)
class Profile:
    """Sizes and budgets of one profile.

    Attributes:
        name: "smoke", "lab" or "paper".
        n_train, n_val, n_test: labeled split sizes of the CMDM world.
        n_unlabeled: size of the shifted unlabeled pool (CMDM uses 20,000 AMI clips).
        speakers: speakers per split (train, val, test, unlabeled); splits never
            share a speaker (the papers' speaker-independent setting).
        shapes: feature shape per modality for the CMDM world:
            ``{"A": (d_a,), "V": (T_v, d_v), "L": (T_l, d_l)}``.
        domain_sizes: (train, val, test) per domain of the EASUM world.
        domain_shapes: feature shapes of the EASUM world
            (paper: text 40 x 768, audio 157 x 64, visual 32 x 64).
        epochs, batch_size, lr, seeds: CMDM's training budget used by notebooks and
            runners (paper: Adam, lr 1e-3, batch 128; the lab profile takes
            larger steps for fewer epochs to fit a CPU's minutes).
        cmdm_arch: the DAEs' and classifier's sizes (:class:`CMDMArch`).
        easum_arch, easum_training: EASUM's model sizes and training lengths.
        meld_run: how much of MELD the text experiments use (:class:`MeldRun`).
        context_run: how notebook 10 runs MELD's dialogue context (:class:`ContextRun`).
    """

    name: str
    n_train: int
    n_val: int
    n_test: int
    n_unlabeled: int
    speakers: tuple
    shapes: Shapes
    domain_sizes: dict
    domain_shapes: Shapes
    epochs: int
    batch_size: int
    cmdm_arch: CMDMArch
    easum_arch: EASUMArch
    easum_training: EASUMTraining
    meld_run: MeldRun
    seeds: tuple = field(default=(0,))
    lr: float = 1e-3
    context_run: ContextRun = field(default=ContextRun())

    def __post_init__(self):
        for attr in ("n_train", "n_val", "n_test", "n_unlabeled", "epochs", "batch_size"):
            value = getattr(self, attr)
            if not isinstance(value, (int, np.integer)) or value <= 0:
                raise ValueError(f"Profile {self.name!r}: {attr} must be a positive int, got {value!r}")
        check_shapes(self.shapes, "shapes")
        check_shapes(self.domain_shapes, "domain_shapes")


def check_shapes(shapes: Shapes, what: str = "shapes") -> Shapes:
    """Validate a modality -> shape mapping; return it with tuple values."""
    if not isinstance(shapes, dict) or not shapes:
        raise ValueError(f"{what} must be a non-empty dict modality -> shape, got {shapes!r}")
    out = {}
    for m, shape in shapes.items():
        if m not in ("A", "V", "L"):
            raise ValueError(f"{what}: unknown modality {m!r}; expected 'A', 'V' or 'L'")
        if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
            shape = (shape,)
        if isinstance(shape, (str, bytes)) or not hasattr(shape, "__iter__"):
            raise TypeError(f"{what}[{m!r}] must be (dim,) or (time, dim), got {shape!r}")
        shape = tuple(shape)
        for s in shape:
            if isinstance(s, bool) or not isinstance(s, (int, np.integer)):
                raise TypeError(f"{what}[{m!r}] must hold whole sizes, got {shape!r}")
        shape = tuple(int(s) for s in shape)
        if len(shape) not in (1, 2) or any(s <= 0 for s in shape):
            raise ValueError(f"{what}[{m!r}] must be (dim,) or (time, dim) with positive sizes, got {shape}")
        out[m] = shape
    return out


_DOMAINS = ("mosi", "mosei", "meld", "iemocap")
# EASUM Table 1: train utterances of the four corpora
EASUM_TRAIN = {"mosi": 1284, "mosei": 16326, "meld": 9989, "iemocap": 5354}


def corpus_ratio_sizes(largest: int, val: int, test: int, floor: int = 1) -> dict:
    """(train, val, test) per EASUM domain, the train splits in the ratio of the
    real corpora (EASUM Table 1) with the largest (MOSEI) at ``largest``.

    The ratio is what makes EASUM's balancing matter: MOSI has 13x fewer train
    utterances than MOSEI. ``floor``: no train split below it (one batch), which
    bends the ratio only for the tiniest splits. Validation and test splits get
    the same size in every domain, so that each domain's score is measured
    equally well.
    """
    top = max(EASUM_TRAIN.values())
    return {d: (max(floor, round(largest * n / top)), val, test) for d, n in EASUM_TRAIN.items()}


PROFILES = {
    "smoke": Profile(
        name="smoke", n_train=96, n_val=48, n_test=48, n_unlabeled=96,
        speakers=(4, 2, 2, 4),
        shapes={"A": (16,), "V": (6, 8), "L": (8, 12)},
        domain_sizes=corpus_ratio_sizes(48, 24, 24, floor=16),
        domain_shapes={"L": (8, 12), "A": (8, 8), "V": (6, 8)},
        epochs=1, batch_size=32, seeds=(0,),
        cmdm_arch=CMDMArch(latent=8, hidden={"A": (12,), "V": (), "L": (12,)},
                           convs={"V": ((2, 2, 0, 4),), "L": ((2, 2, 0, 4),)},
                           heads=2, blocks=1, classifier_hidden=16),
        easum_arch=EASUMArch(hidden=12, heads=2, intermediate=24, dg_layers=1,
                             ds_layers={"sentiment": 1, "emotion": 1}, dropout=0.1, mag_dropout=0.1),
        easum_training=EASUMTraining(dg_epochs=1, ds_epochs=1, lr=1e-3, batch_size=16),
        meld_run=MeldRun(n_train=320, n_eval=160, finetune_epochs=1, max_length=24, cmdm_epochs=2, frozen_layers=3),
        context_run=ContextRun(n_dialogues=40, epochs=2, seeds=(0,)),
    ),
    "lab": Profile(
        name="lab", n_train=2400, n_val=400, n_test=800, n_unlabeled=6000,
        speakers=(40, 10, 20, 60),
        shapes={"A": (64,), "V": (18, 24), "L": (22, 32)},
        domain_sizes=corpus_ratio_sizes(600, 120, 240, floor=48),
        domain_shapes={"L": (16, 32), "A": (20, 16), "V": (12, 16)},
        epochs=6, batch_size=128, seeds=(0, 1, 2), lr=2e-3,
        # CMDM's structure at small sizes: two conv layers shrink 18 x 24 faces and
        # 22 x 32 words to a few hundred values, one transformer block per side
        cmdm_arch=CMDMArch(latent=32, hidden={"A": (64, 48), "V": (), "L": (64,)},
                           convs={"V": ((4, 2, 1, 8), (5, 2, 1, 16), (3, 3, 1, 8)),
                                  "L": ((4, 2, 1, 8), (4, 3, 1, 4))},
                           blocks=1, classifier_hidden=64, dropout=0.0),
        easum_arch=EASUMArch(hidden=32, heads=2, intermediate=64, dg_layers=2,
                             # one rate, MAG's included: at these sizes 0.5 after MAG drops half of a
                             # 32-wide token (the paper profile keeps EASUM's 0.5 there)
                             ds_layers={"sentiment": 2, "emotion": 2}, dropout=0.1, mag_dropout=0.1),
        # one larger rate for every corpus (the kit's choice: a few epochs on a CPU);
        # 130 steps = 10 epochs of the largest lab corpus (600 utterances)
        easum_training=EASUMTraining(dg_epochs=20, ds_epochs=10, lr=1e-3, ds_min_steps=130),
        # fine-tune the top 3 of MiniLM's 6 layers: dev weighted F1 0.588 in 72 s vs 0.596 in 312 s
        # with every layer (benchmarks/RESULTS.md)
        meld_run=MeldRun(n_train=None, n_eval=None, frozen_layers=3),
    ),
    # IEMOCAP 4-class protocol: sessions 1-4 (4290 utterances) train, session 5
    # (1241) split into val and test; 20,000 AMI clips unlabeled (CMDM 4.1-4.2).
    # EASUM Table 1 split sizes and its Sec. 4.4 sequence lengths and dims.
    "paper": Profile(
        name="paper", n_train=4290, n_val=620, n_test=621, n_unlabeled=20000,
        speakers=(8, 1, 1, 150),
        shapes={"A": (1582,), "V": (18, 342), "L": (22, 1024)},
        domain_sizes={
            "mosi": (1284, 229, 686),
            "mosei": (16326, 1871, 4659),
            "meld": (9989, 1108, 2610),
            "iemocap": (5354, 528, 1650),
        },
        domain_shapes={"L": (40, 768), "A": (157, 64), "V": (32, 64)},
        epochs=30, batch_size=128, seeds=(0, 1, 2, 3, 4),
        cmdm_arch=CMDMArch(),                                       # CMDM Table 3
        easum_arch=EASUMArch(),                                     # EASUM Sec. 4.4
        easum_training=EASUMTraining(dg_epochs=10, ds_epochs=10, lr=1e-5, ds_lr={"iemocap": 3.5e-5}),
        meld_run=MeldRun(n_train=None, n_eval=None),
        context_run=ContextRun(encoder="finetuned"),
    ),
}


def get_profile(profile) -> Profile:
    """Return the Profile named ``profile`` (or ``profile`` itself if it is one)."""
    if isinstance(profile, Profile):
        return profile
    if not isinstance(profile, str):   # a list or dict is unhashable: `in PROFILES` would fail in Python's words
        raise TypeError(f"profile must be a profile name, one of {sorted(PROFILES)}, or a Profile; "
                        f"got {profile!r} ({type(profile).__name__})")
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; choose one of {sorted(PROFILES)}")
    return PROFILES[profile]


def seed_everything(seed: int) -> None:
    """Seed python, numpy and torch, and ask torch for deterministic algorithms.

    ``warn_only=True`` keeps ops without a deterministic version usable (they
    warn instead of failing); on CUDA the cuBLAS workspace is fixed so that
    matrix products are repeatable. With one seed, thread count and device a
    run repeats every number to the last digit (measured: byte-identical
    results files); what a notebook prints about that is
    :func:`affectkit.teach.readings.reproducibility`.
    """
    from .checks import seed as check_seed
    seed = check_seed(seed)   # a Python int: random.seed refuses np.int64
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    torch.use_deterministic_algorithms(True, warn_only=True)
    if torch.backends.cudnn.is_available():
        torch.backends.cudnn.benchmark = False


def resolve_device(device="auto") -> torch.device:
    """``"auto"`` picks CUDA when present, else CPU; anything else is passed to torch."""
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError) as err:
        raise ValueError(f"device must be 'auto', 'cpu' or 'cuda[:N]', got {device!r}") from err
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device {device!r} asked for, but torch sees no CUDA GPU")
    return dev
