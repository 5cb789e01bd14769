"""The synthetic affect world: seeded data whose ground truth makes every lesson visible.

No corpus of the two papers can be shipped, so the kit generates one. The
generative story of one utterance:

1. an emotion class ``c`` (IEMOCAP-4 prior for the labeled splits);
2. a latent **affect state** ``z = mu_c + spread * eps`` (n_latent dims). The
   prototypes ``mu_c`` put valence and arousal (Russell's circumplex) in the
   first two dims, so classes overlap where psychology says they do (angry and
   fear, happy and excited) and accuracy is bounded;
3. sentiment intensity ``3 tanh(z_valence / 1.5)``, rounded to the 1/3 steps of
   MOSI's averaged annotations: polarity and intensity are functions of ``z``;
4. each modality ``m`` sees ``z`` in its own *source space* (``source_dim``
   dims): ``gain[m] * B_m z`` on the frames that carry emotional evidence, plus
   a speaker offset, per-frame content (which word, which head pose) and
   noise. A modality whose shape is (dim,) is one vector per utterance (CMDM's
   acoustic IS10 functionals); (time, dim) ones are sequences of variable length whose evidence sits in ``evidence[m]`` frames
   at positions drawn independently per modality (aligned only at the
   utterance level, the CMDM assumption);
5. a fixed random mixing ``M_m`` lifts the source to the feature dimension
   (1582-d IS10 functionals are a redundant mix of a few factors too), then
   per-feature units and offsets like raw extractor outputs (z-normalise!).

Splits never share speakers (speaker-independent, as both papers). The
unlabeled pool (``n_unlabeled``) is AMI-like: meeting speakers, mostly neutral
and happy, and a covariate shift. :mod:`affectkit.data.domains` reuses the same
physics for EASUM's four corpora.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np
import torch

from .. import checks
from ..config import check_shapes, get_profile
from .dataset import MultimodalDataset
from .labels import EASUM9, IEMOCAP4

# (valence, arousal) of the nine common emotions, after Russell's circumplex.
# values per block of utterances built at once (x 4 bytes: 256 MB), the world's largest temporary
BLOCK_VALUES = 2 ** 26

CIRCUMPLEX = {
    "happy": (0.8, 0.3), "excited": (0.6, 0.8), "surprise": (0.3, 0.9),
    "neutral": (0.0, 0.0), "sad": (-0.7, -0.5), "frustrated": (-0.5, 0.3),
    "angry": (-0.7, 0.7), "fear": (-0.6, 0.8), "disgust": (-0.7, 0.1),
}


@dataclass(frozen=True)
class WorldKnobs:
    """The knobs of the world, each with the lesson it makes visible.

    Attributes:
        n_latent: dims of the affect state z.
        separation: distance scale of class prototypes; lower -> classes overlap
            more and every accuracy (even the true-state probe's) drops.
        spread: within-class spread of z.
        gain: how strongly each modality sees z. Defaults order lexical > acoustic
            > visual as CMDM Table 4's unimodal rows (64.8 / 58.5 / 45.4 UA).
        noise: per-frame noise in the source space.
        speaker: std of per-speaker offsets: the nuisance that makes speaker-
            independent test splits harder than the train split.
        content: per-frame content nuisance (the word, the head pose); it
            averages out over long sequences but not over a few frames.
        evidence: frames/words per sequence that carry the emotion; the rest is
            content. Fewer -> mean pooling dilutes the evidence more.
        source_dim: dims of each modality's source space.
        sensor_noise: per-feature noise after mixing.
        raw_units: log-std of per-feature scales (0 -> features already unit scale).
        min_length: shortest sequence, as a fraction of the fixed length (padding).
        labeled_prior: class prior of the labeled splits (IEMOCAP-4 counts, Table 1).
        unlabeled_prior: class prior of the AMI-like pool (CMDM 4.2: ~80% happy or neutral).
        unlabeled_shift: mean offset of the pool in source space (covariate shift).
        unlabeled_scale: scale of the pool in source space (second-moment shift).
    """

    n_latent: int = 8
    separation: float = 1.6
    spread: float = 1.0
    gain: dict = field(default_factory=lambda: {"L": 1.45, "A": 0.75, "V": 0.5})
    noise: float = 1.0
    speaker: float = 0.3
    content: float = 1.0
    evidence: dict = field(default_factory=lambda: {"V": 4, "L": 4})
    source_dim: int = 16
    sensor_noise: float = 0.1
    raw_units: float = 1.0
    min_length: float = 0.5
    labeled_prior: tuple = (1708, 1636, 1103, 1084)
    unlabeled_prior: tuple = (0.45, 0.35, 0.10, 0.10)
    unlabeled_shift: float = 0.5
    unlabeled_scale: float = 1.15

    def __post_init__(self):
        may_be_zero = ("speaker", "content", "sensor_noise", "raw_units", "unlabeled_shift")
        for f in fields(self):
            name, v = f"WorldKnobs.{f.name}", getattr(self, f.name)
            if f.name in ("n_latent", "source_dim"):
                checks.count(v, name)
            elif f.type in ("float", float):
                checks.number(v, name, 0, low_open=f.name not in may_be_zero)
        checks.number(self.min_length, "WorldKnobs.min_length", 0, 1, low_open=True)
        for name in ("labeled_prior", "unlabeled_prior"):
            try:
                p = np.asarray(getattr(self, name), dtype=float)
            except (TypeError, ValueError):
                p = np.full(1, np.nan)
            if p.shape != (len(IEMOCAP4),) or not np.isfinite(p).all() or (p < 0).any() or p.sum() <= 0:
                raise ValueError(f"WorldKnobs.{name} must be {len(IEMOCAP4)} finite non-negative weights "
                                 f"with a positive sum, got {getattr(self, name)!r}")
        for name, keys, check in (("gain", ("A", "V", "L"), lambda v, n: checks.number(v, n, 0)),
                                  ("evidence", ("V", "L"), lambda v, n: checks.count(v, n))):
            table = getattr(self, name)
            if not isinstance(table, dict):
                raise TypeError(f"WorldKnobs.{name} must be a dict modality -> value, got {table!r}")
            for m, v in table.items():
                if m not in keys:
                    raise ValueError(f"WorldKnobs.{name} has modality {m!r}; expected one of {keys}")
                check(v, f"WorldKnobs.{name}[{m!r}]")


class Physics:
    """The seeded laws shared by every split and domain of one world.

    ``prototypes``: (9, n_latent) class means in EASUM9 order; ``B[m]``:
    (source_dim, n_latent) how modality m sees z; ``mixing(m, d)``: (d, source_dim).
    """

    def __init__(self, knobs: WorldKnobs, seed: int):
        self.knobs, self.seed = knobs, seed
        k = knobs
        # Prototype geometry is the same for every seed: seeds vary samples, not the world.
        fixed = np.random.default_rng(20200612)
        proto = fixed.normal(0.0, 0.6, (len(EASUM9), k.n_latent))
        if k.n_latent >= 2:
            proto[:, :2] = [CIRCUMPLEX[c] for c in EASUM9]
        self.prototypes = k.separation * proto
        rng = np.random.default_rng([seed, 0])
        self.B = {}
        for m in ("A", "V", "L"):
            q, _ = np.linalg.qr(rng.normal(size=(max(k.source_dim, k.n_latent), k.n_latent)))
            self.B[m] = q[: k.source_dim]  # orthonormal columns: gain is the signal's scale
        self._mixing = {}

    def mixing(self, m: str, d: int):
        """(d, source_dim) mixing, per-feature scale (d,) and offset (d,) for m at dim d."""
        if (m, d) not in self._mixing:
            rng = np.random.default_rng([self.seed, 1, "AVL".index(m), d])
            r = self.knobs.source_dim
            mix = rng.normal(0.0, 1.0 / np.sqrt(r), (d, r))
            scale = np.exp(self.knobs.raw_units * rng.normal(size=d))
            offset = self.knobs.raw_units * rng.normal(0.0, 2.0, size=d)
            self._mixing[m, d] = (mix, scale, offset)
        return self._mixing[m, d]

    def sentiment(self, z: np.ndarray) -> np.ndarray:
        """Annotated intensity in [-3, 3] (multiples of 1/3) from the state (n, n_latent)."""
        raw = 3.0 * np.tanh(z[:, 0] / (1.5 * self.knobs.separation / 2.0))
        return np.round(raw * 3.0) / 3.0

    def sample(self, rng, common: np.ndarray, shapes: dict, n_speakers: int,
               offset: dict | None = None, scale: dict | None = None):
        """Draw utterances of the given common classes.

        Args:
            common: (n,) EASUM9 class per utterance.
            shapes: {"A": (d,), "V": (T, d), "L": (T, d)}.
            offset, scale: per-modality source-space shift, (source_dim,) each,
                applied as ``scale * source + offset`` (domain or pool shift).
        Returns:
            x: {m: (n, d) or (n, T, d) float32 tensor}, mask: {m: (n, T) bool tensor},
            z: (n, n_latent), speaker: (n,) int.
        """
        k, n, r = self.knobs, len(common), self.knobs.source_dim
        # The bulky per-frame draws use torch (float32, several times faster than
        # numpy at paper sizes), seeded from this split's numpy stream.
        gen = torch.Generator().manual_seed(int(rng.integers(2**62)))

        def normal(std, *size):
            return torch.randn(*size, generator=gen).mul_(std)

        def t32(a):
            return torch.as_tensor(np.asarray(a, dtype=np.float32))

        z = self.prototypes[common] + k.spread * rng.normal(size=(n, k.n_latent))
        speaker = rng.integers(0, n_speakers, size=n)
        # content (which word, which pose) and noise are both i.i.d. per frame,
        # so one draw with their combined std stands for both
        frame_std = float(np.hypot(k.content, k.noise))
        x, mask = {}, {}
        for m, shape in shapes.items():
            spk = normal(k.speaker, n_speakers, r)[torch.as_tensor(speaker)]        # (n, r)
            signal = t32(k.gain.get(m, 0.0) * z @ self.B[m].T)                      # (n, r)
            valid = evident = None
            if len(shape) == 2:
                T = shape[0]
                lengths = rng.integers(max(1, int(np.ceil(k.min_length * T))), T + 1, size=n)
                valid = np.arange(T)[None, :] < lengths[:, None]                 # (n, T)
                # evidence frames: the first `evidence` of a random order of real frames
                order = np.where(valid, rng.random((n, T)), np.inf).argsort(1).argsort(1)
                evident = t32((order < k.evidence.get(m, T)) & valid)           # (n, T)
                mask[m] = torch.as_tensor(valid)
            mix, units, shift = (t32(a) for a in self.mixing(m, shape[-1]))
            x[m] = feat = torch.empty(n, *shape)
            # paper sizes are built a block of utterances at a time, so that the
            # per-frame temporaries stay small (one block at lab sizes: the same draws)
            step = max(1, min(n, BLOCK_VALUES // (int(np.prod(shape[:-1])) * max(r, shape[-1]))))
            for lo in range(0, n, step):
                rows = slice(lo, min(n, lo + step))
                b = rows.stop - lo
                if valid is None:
                    src = signal[rows] + spk[rows] + normal(frame_std, b, r)
                else:
                    src = normal(frame_std, b, T, r)
                    src += evident[rows, :, None] * signal[rows, None, :] + spk[rows, None, :]
                if scale is not None:
                    src *= t32(scale[m])
                if offset is not None:
                    src += t32(offset[m])
                block = normal(k.sensor_noise, *src.shape[:-1], shape[-1])
                block += src @ mix.T
                block.mul_(units).add_(shift)
                if valid is not None:
                    block.mul_(mask[m][rows].unsqueeze(-1))
                feat[rows] = block
        return x, mask, z, speaker


def allocate(prior, n: int, rng) -> np.ndarray:
    """n class labels in proportion to ``prior`` (largest remainder), shuffled.

    Every class with a positive prior gets at least one sample when n allows,
    so even smoke-size splits contain every class.
    """
    p = np.asarray(prior, dtype=float)
    p = p / p.sum()
    counts = np.floor(p * n).astype(int)
    if n >= (p > 0).sum():
        counts[(p > 0) & (counts == 0)] = 1
    while counts.sum() > n:
        counts[np.argmax(counts)] -= 1
    rest = np.argsort(-(p * n - counts))
    for i in range(n - counts.sum()):
        counts[rest[i % len(p)]] += 1
    return rng.permutation(np.repeat(np.arange(len(p)), counts))


@dataclass
class AffectWorld:
    """The CMDM world: labeled ``train``/``val``/``test`` and a shifted ``unlabeled`` pool.

    Every split is a :class:`MultimodalDataset` in the IEMOCAP-4 label space;
    ``hidden["state"]`` holds the true affect state z (n, n_latent) for analysis.
    """

    train: MultimodalDataset
    val: MultimodalDataset
    test: MultimodalDataset
    unlabeled: MultimodalDataset
    knobs: WorldKnobs
    physics: Physics
    profile: str
    seed: int

    @property
    def classes(self) -> tuple:
        return self.train.classes

    @property
    def splits(self) -> dict:
        return {"train": self.train, "val": self.val, "test": self.test, "unlabeled": self.unlabeled}


def resolve(profile, seed, shapes, which: str, knobs: dict):
    """Shared argument checks of the world builders.

    Returns (Profile, shapes, WorldKnobs); ``which`` names the profile's shape
    attribute to use ("shapes" or "domain_shapes").
    """
    prof = get_profile(profile)
    checks.seed(seed)
    if isinstance(shapes, str):
        shapes = getattr(get_profile(shapes), which)
    shapes = check_shapes(getattr(prof, which) if shapes is None else shapes)
    unknown = set(knobs) - {f.name for f in fields(WorldKnobs)}
    if unknown:
        raise TypeError(f"unknown world knobs {sorted(unknown)}; see affectkit.data.world.WorldKnobs")
    return prof, shapes, WorldKnobs(**knobs)


def make_world(profile="lab", seed: int = 0, shapes=None, n_unlabeled: int | None = None,
               **knobs) -> AffectWorld:
    """Generate the synthetic affect world of a profile.

    Args:
        profile: "smoke", "lab" or "paper" (sizes, see :mod:`affectkit.config`).
        seed: every array is a deterministic function of (profile, seed, knobs).
        shapes: None (the profile's), a profile name ("paper" gives CMDM Table 3:
            A 1582, V 18 x 342, L 22 x 1024), or a dict modality -> shape;
            leaving a modality out leaves it out of the world.
        n_unlabeled: override the size of the unlabeled pool.
        **knobs: any :class:`WorldKnobs` field, e.g. ``gain={"L": 1, "A": .6, "V": .4}``.
    Returns:
        AffectWorld with train/val/test/unlabeled MultimodalDatasets.
    """
    prof, shapes, k = resolve(profile, seed, shapes, "shapes", knobs)
    physics = Physics(k, int(seed))
    n_pool = prof.n_unlabeled if n_unlabeled is None else n_unlabeled
    sizes = {"train": prof.n_train, "val": prof.n_val, "test": prof.n_test, "unlabeled": n_pool}
    for name, n in sizes.items():
        checks.count(n, "n_unlabeled" if name == "unlabeled" else f"size of split {name!r}")
    common_of = IEMOCAP4.to_common(np.arange(len(IEMOCAP4)))
    rs = np.random.default_rng([int(seed), 2, 99])
    shift = {m: k.unlabeled_shift * rs.normal(size=k.source_dim) for m in shapes}
    splits = {}
    for i, (name, n) in enumerate(sizes.items()):
        rng = np.random.default_rng([int(seed), 3, i])
        pool = name == "unlabeled"
        y = allocate(k.unlabeled_prior if pool else k.labeled_prior, n, rng)
        x, mask, z, spk = physics.sample(
            rng, common_of[y], shapes, prof.speakers[i],
            offset=shift if pool else None,
            scale={m: k.unlabeled_scale for m in shapes} if pool else None)
        splits[name] = MultimodalDataset(
            x=x, mask=mask, y=np.full(n, -1) if pool else y, y_true=y, classes=IEMOCAP4.classes,
            sentiment=np.full(n, np.nan) if pool else physics.sentiment(z),
            speaker=spk + 1000 * i, name=name,
            hidden={"state": z.astype(np.float32), "sentiment": physics.sentiment(z)})
    return AffectWorld(**splits, knobs=k, physics=physics, profile=prof.name, seed=int(seed))
