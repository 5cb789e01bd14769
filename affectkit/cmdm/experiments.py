"""Ablation runners: train CMDM variants over several seeds, return tidy DataFrames.

Each runner trains on the synthetic affect world of a profile and returns one
row per (setting, seed) with test metrics and latent measures; ``summarize``
gives the mean and std over seeds (what the notebooks show and record).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from .. import checks, metrics
from ..config import Profile, get_profile, seed_everything
from ..data.transforms import ZNorm
from ..data.world import make_world, resolve
from ..parallel import forget, made_once, run_jobs, workers_for
from ..probe import logistic_probe
from .model import CMDM, make_dae
from .objectives import CMDMLoss
from .pool import balanced_indices
from .train import encode_split, fit, fit_autoencoder, predict

# the objective without any unsupervised term: the "vanilla" model of Table 7
VANILLA = CMDMLoss(reconstruction=False, matching=False, unpaired=False)


@dataclass(frozen=True)
class Setting:
    """One trained variant: which modalities, which loss, with or without the pool."""

    loss: CMDMLoss = VANILLA
    modalities: str = "AVL"
    semi: bool = False
    n_unlabeled: int | None = None  # None: the whole pool
    labels: dict = field(default_factory=dict)  # extra columns for the result rows
    n_labeled: int | None = None  # None: the whole train split; else its first n_labeled utterances
    balanced: bool = False  # train on the class-balanced pool (CMDM Sec. 4.2), see balanced_pool


def labeled_subset(train, n_labeled: int | None):
    """The first ``n_labeled`` train utterances (the world's order is random), or all."""
    if n_labeled is None:
        return train
    if not isinstance(n_labeled, (int, np.integer)) or not 0 < n_labeled <= len(train):
        raise ValueError(f"n_labeled must be in 1..{len(train)}, got {n_labeled!r}")
    return train.subset(np.arange(n_labeled), name=f"{train.name} ({n_labeled} labeled)")


def budget(epochs: int, n_full: int, n_labeled: int, batch_size: int) -> int:
    """Epochs that give a labeled subset the optimizer steps ``epochs`` give the
    full train split (a smaller label budget should not also mean less training)."""
    steps = lambda n: -(-n // batch_size)  # noqa: E731  (ceil)
    return max(epochs, -(-epochs * steps(n_full) // steps(n_labeled)))


def sizes_of(data, profile=None):
    """The profile whose sizes (architecture, epochs, batch, lr) train on ``data``:
    ``profile`` when given, else the synthetic world's own, else "lab"."""
    return get_profile(profile if profile is not None else getattr(data, "profile", None) or "lab")


def balanced_pool(world, seed: int = 0, n_labeled: int | None = None, epochs: int | None = None,
                  device="auto", profile=None) -> dict:
    """CMDM's pool selection: a vanilla A+V+L classifier trained on the labeled
    data labels the pool; the pool is re-sampled to equal predicted classes
    (:func:`affectkit.cmdm.pool.balance_pool`).

    Returns: {"indices": (len(pool),) pool indices of the balanced pool,
    "pseudo": (len(pool),) predicted class of every pool utterance,
    "pseudo_acc": accuracy of those predictions against the hidden true classes
    (NaN for a real corpus, whose pool has none)}.
    ``world``: the synthetic world or any :class:`~affectkit.data.corpus.Corpus` with an unlabeled pool.
    """
    prof = sizes_of(world, profile)
    if getattr(world, "unlabeled", None) is None:
        raise ValueError(f"a semi-supervised setting needs an unlabeled pool; "
                         f"{getattr(world, 'name', 'the corpus')} has none")
    splits = prepare(world, [m for m in "AVL" if m in world.train.x])
    result, _ = fit_on_labels(splits, len(world.classes), n_labeled, None, VANILLA, seed, epochs, device, prof)
    pseudo = predict(result.model, splits["unlabeled"], decode=False)["pred"]
    per_class = len(pseudo) // len(world.classes)
    indices = balanced_indices(pseudo, len(world.classes), per_class, seed)
    truth = splits["unlabeled"].y_true.numpy()
    known = truth >= 0
    acc = float((pseudo[known] == truth[known]).mean()) if known.any() else float("nan")
    return {"indices": indices, "pseudo": pseudo, "pseudo_acc": acc}


def fit_on_labels(splits: dict, n_classes: int, n_labeled, pool, loss, seed: int, epochs, device, prof,
                  arch=None) -> tuple:
    """How every CMDM setting trains: seed, build CMDM (Table 3 at ``arch`` or the profile's), keep
    ``n_labeled`` of the train split and fit with ``loss`` for the same number of steps as a full
    run (:func:`budget`), selecting on the validation split.

    Returns: (:class:`~affectkit.loop.FitResult`, the labeled train split it learned from).
    """
    seed_everything(seed)
    model = CMDM(splits["train"].shapes, n_classes, arch or prof.cmdm_arch)
    train = labeled_subset(splits["train"], n_labeled)
    n_epochs = budget(epochs or prof.epochs, len(splits["train"]), len(train), prof.batch_size)
    result = fit(model, train, splits["val"], pool, loss=loss, epochs=n_epochs,
                 eval_every=max(1, n_epochs // (epochs or prof.epochs)), batch_size=prof.batch_size, lr=prof.lr,
                 seed=seed, device=device, patience=None, progress=False)
    return result, train


def prepare(world, modalities="AVL") -> dict:
    """z-normalise every split with train statistics (CMDM Sec. 3.1) and keep ``modalities``.
    ``world``: the synthetic world or a :class:`~affectkit.data.corpus.Corpus`."""
    mods = list(modalities)
    missing = [m for m in mods if m not in world.train.x]
    if missing:
        raise ValueError(f"{getattr(world, 'name', 'the data')} has no modality {missing}; it has "
                         f"{list(world.train.x)}")
    norm = ZNorm().fit(world.train.select(mods))
    return {name: norm.transform(ds.select(mods)) for name, ds in world.splits.items()}


def train_setting(world, setting: Setting, seed: int = 0, epochs: int | None = None, device="auto",
                  arch=None, pool_indices=None, profile=None):
    """Train one setting on ``world`` (the synthetic world or a :class:`~affectkit.data.corpus.Corpus`;
    ``profile``: whose sizes train it, default :func:`sizes_of`).

    ``pool_indices``: which pool utterances a balanced setting trains on
    (``balanced_pool(...)["indices"]``; computed here when not given).

    Returns:
        (:class:`~affectkit.loop.FitResult`, row dict of test measures, test predictions of
        :func:`~affectkit.cmdm.train.predict` with "labels": the test split's true classes).
    """
    prof = sizes_of(world, profile)
    splits = prepare(world, setting.modalities)
    pool = None
    if setting.semi:
        if "unlabeled" not in splits:
            raise ValueError(f"a semi-supervised setting needs an unlabeled pool; "
                             f"{getattr(world, 'name', 'the corpus')} has none")
        pool = splits["unlabeled"]
        if setting.balanced:
            if pool_indices is None:
                pool_indices = balanced_pool(world, seed, setting.n_labeled, epochs, device, prof)["indices"]
            pool = pool.subset(pool_indices, name="unlabeled (balanced)")
        if setting.n_unlabeled is not None:
            pool = pool.subset(np.arange(min(setting.n_unlabeled, len(pool))))
    result, train = fit_on_labels(splits, len(world.classes), setting.n_labeled, pool, setting.loss, seed,
                                  epochs, device, prof, arch)
    out = predict(result.model, splits["test"])
    truth = splits["test"].y_true.numpy()
    latents = out["latents"]
    row = {**setting.labels, "modalities": setting.modalities, "semi": setting.semi, "seed": seed,
           "n_labeled": len(train), "n_unlabeled": 0 if pool is None else len(pool),
           "wa": metrics.wa(truth, out["pred"]), "ua": metrics.ua(truth, out["pred"]),
           "wap": metrics.wap(truth, out["pred"]),
           "spread": float(np.mean([metrics.latent_spread(z) for z in latents.values()])),
           "effective_rank": float(np.mean([metrics.effective_rank(z) for z in latents.values()])),
           "rec_mse": out["rec_mse"], "best_epoch": result.best_epoch}
    return result, row, {**out, "labels": truth, "history": result.history}


def train_dae(world, modality: str = "L", seed: int = 0, epochs: int | None = None, device="auto",
              progress: bool = False, profile=None, **arch_changes):
    """Train one modality's DAE alone (reconstruction only) on a world's train split.

    Args:
        arch_changes: fields of :class:`~affectkit.cmdm.model.CMDMArch` to change
            from the profile's, e.g. ``latent=8`` or ``reverse_target=False``.
    Returns:
        (:class:`~affectkit.loop.FitResult`, row dict: "modality", "seed", "test_mse", "probe_ua" (a linear
        probe of the test latents trained on the train latents), "best_epoch"
        and the changed fields), test outputs of :func:`~affectkit.cmdm.train.encode_split`.
    """
    prof = sizes_of(world, profile)
    splits = prepare(world, modality)
    arch = replace(prof.cmdm_arch, **arch_changes)
    seed_everything(seed)
    dae = make_dae(modality, splits["train"].shapes[modality], arch)
    result = fit_autoencoder(dae, splits["train"], splits["val"], modality, epochs=epochs or prof.epochs,
                             batch_size=prof.batch_size, lr=prof.lr, seed=seed, device=device,
                             progress=progress)
    test = encode_split(result.model, splits["test"], modality)
    train_z = encode_split(result.model, splits["train"], modality)["latents"]
    probe = logistic_probe(train_z, splits["train"].y.numpy(), test["latents"], splits["test"].y_true.numpy())
    row = {"modality": modality, "seed": seed, **arch_changes, "test_mse": test["mse"],
           "probe_ua": probe["ua"], "best_epoch": result.best_epoch}
    return result, row, test


def run_settings(settings: dict, profile="lab", seeds=None, epochs: int | None = None, device="auto",
                 progress: bool = True, keep: dict | None = None, pools: dict | None = None,
                 data=None, workers="auto", executor=None, **world) -> pd.DataFrame:
    """Train every named setting for every seed.

    ``data``: None, the synthetic world of ``profile`` (one world per seed); a
    :class:`~affectkit.data.corpus.Corpus` (e.g. :func:`~affectkit.data.corpus.load_corpus`
    of the user's clips, IEMOCAP), the same data for every seed, which then varies
    the initialisation and the batches; or a callable ``seed -> corpus``.
    ``profile`` sets only the sizes (architecture, epochs, batch, learning rate).
    ``world``: knobs of the synthetic world (:class:`~affectkit.data.world.WorldKnobs` fields and
    ``n_unlabeled``, e.g. ``unlabeled_shift=0.0``), with ``data=None`` only.
    ``workers``: processes that train side by side on a CPU (:func:`affectkit.parallel.workers_for`;
    "auto": one per core for the synthetic world, 1 for ``data`` given here).
    ``executor``: where else the jobs run (:func:`affectkit.parallel.where`: a number of local
    processes, a ``concurrent.futures.Executor``, a Dask ``Client`` or scheduler address);
    ``$AFFECTKIT_SCHEDULER`` sets a Dask scheduler for every runner.

    Returns:
        tidy DataFrame, one row per (setting, seed): "setting", "seed", "wa", "ua",
        "wap", "spread", "effective_rank", "rec_mse", ... plus each setting's labels.
        If ``keep`` is a dict, it is filled with each setting's first-seed test
        predictions and model: ``keep[setting] = {"latents": {m: (n, d)}, "pred", "labels", "model", ...}``.
        ``pools``: a dict of balanced pools, ``(seed, n_labeled) -> balanced_pool(...)``,
        read and filled here, so that several calls share one pretrained classifier.
    """
    prof = get_profile(profile)
    seeds = prof.seeds if seeds is None else tuple(seeds)
    pools = {} if pools is None else pools
    if world and data is not None:
        raise ValueError(f"world knobs {sorted(world)} shape the synthetic world; they do not apply to data given "
                         "here (leave data=None)")
    if world:   # a wrong knob is named here, not in a worker
        knobs = {k: v for k, v in world.items() if k != "n_unlabeled"}
        resolve(prof.name, 0, None, "shapes", knobs)
        if "n_unlabeled" in world:
            checks.count(world["n_unlabeled"], "n_unlabeled")
    n = workers_for(len(seeds) * len(settings), device, workers, profile=prof.name) if data is None else 1
    # one balanced pool per seed and label budget, before the trainings that share it
    wanted = sorted({(seed, s.n_labeled) for seed in seeds for s in settings.values() if s.semi and s.balanced}
                    - set(pools), key=lambda k: (k[0], -1 if k[1] is None else k[1]))
    try:
        made = run_jobs([PoolJob(data, prof, seed, n_labeled, epochs, device, world) for seed, n_labeled in wanted],
                        min(n, len(wanted)), desc="balanced pools", progress=progress and bool(wanted),
                        executor=executor)
        pools.update(zip(wanted, made))
        jobs = [SettingJob(data, prof, seed, name, setting, epochs, device,
                           pools[seed, setting.n_labeled]["indices"] if setting.semi and setting.balanced else None,
                           keep is not None and seed == seeds[0], world)
                for seed in seeds for name, setting in settings.items()]
        done = run_jobs(jobs, n, desc="training", progress=progress, executor=executor)
    finally:
        forget()
    rows = []
    for job, (row, kept) in zip(jobs, done):
        rows.append({"setting": job.name, **row})
        if kept is not None:
            keep[job.name] = kept
    return pd.DataFrame(rows)


def data_for(data, prof: Profile, seed: int, world: dict | None = None):
    """The data one seed trains on: the profile's synthetic world (with the knobs ``world``), a
    callable's corpus, or ``data`` (made once per seed and process: the jobs come seed by seed)."""
    if data is not None and not callable(data):
        return data
    world = world or {}
    key = ("cmdm", prof.name, seed, repr(sorted(world.items()))) if data is None else ("cmdm", id(data), seed)
    return made_once(key, lambda: make_world(prof.name, seed=seed, **world) if data is None else data(seed))


@dataclass(frozen=True)
class PoolJob:
    """One balanced pool of :func:`run_settings` (:func:`balanced_pool` of a seed and label budget)."""

    data: object
    profile: Profile
    seed: int
    n_labeled: int | None
    epochs: int | None
    device: object
    world: dict = field(default_factory=dict)   # knobs of the synthetic world

    def __call__(self) -> dict:
        return balanced_pool(data_for(self.data, self.profile, self.seed, self.world), self.seed, self.n_labeled, self.epochs,
                             self.device, self.profile)


@dataclass(frozen=True)
class SettingJob:
    """One (setting, seed) of :func:`run_settings`: returns (row, {**predictions, "model"}
    with ``keep``, else None)."""

    data: object
    profile: Profile
    seed: int
    name: str
    setting: Setting
    epochs: int | None
    device: object
    pool_indices: object   # the balanced pool's indices, or None
    keep: bool
    world: dict = field(default_factory=dict)   # knobs of the synthetic world

    def __call__(self) -> tuple:
        result, row, out = train_setting(data_for(self.data, self.profile, self.seed, self.world), self.setting, self.seed,
                                         self.epochs, self.device, pool_indices=self.pool_indices,
                                         profile=self.profile)
        return row, ({**out, "model": result.model} if self.keep else None)


def summarize(df: pd.DataFrame, by="setting", values=("ua", "wap", "spread")) -> pd.DataFrame:
    """Mean and std over seeds: columns ``<value>`` and ``<value>_std``, in first-seen order."""
    by = [by] if isinstance(by, str) else list(by)
    grouped = df.groupby(by, sort=False)[list(values)]
    mean, std = grouped.mean(), grouped.std(ddof=0).add_suffix("_std")
    return pd.concat([mean, std], axis=1).reset_index()


# -- the collapse study and the label budget (CMDM Sec. 3.2, Sec. 4.2) ----------------------


def collapse_settings(beta: float, sigma) -> dict:
    """The collapse study (CMDM Sec. 3.2, Eq. 6-7): vanilla, matching alone, + the unpaired term,
    + reconstruction (all without the unpaired term's help where named so), the
    matching term at weight ``beta`` and kernel bandwidth ``sigma``."""
    return {"vanilla": Setting(VANILLA),
            "mmd_only": Setting(CMDMLoss(reconstruction=False, unpaired=False, beta=beta, sigma=sigma)),
            "mmd_unpaired": Setting(CMDMLoss(reconstruction=False, beta=beta, sigma=sigma)),
            "mmd_recon": Setting(CMDMLoss(unpaired=False, beta=beta, sigma=sigma))}


def label_budget(world, fraction: float) -> int:
    """The labeled subset of a semi-supervised run: ``fraction`` of the train split, at least two per class."""
    return labeled_count(len(world.train), len(world.classes), fraction)


def labeled_count(n_train: int, n_classes: int, fraction: float) -> int:
    """:func:`label_budget` from the sizes alone: ``fraction`` of ``n_train``, at least two per class."""
    if not 0 < fraction <= 1:
        raise ValueError(f"a label fraction is in (0, 1], got {fraction!r}")
    return max(n_classes * 2, round(fraction * n_train))


# -- the paper's experiment grids, as named settings for run_settings -------------------

def table7_settings(loss: CMDMLoss = CMDMLoss(), set_form=(), balanced: bool = True) -> dict:
    """CMDM Table 7 (A+V+L): reconstruction x matching, fully and semi-supervised.

    The semi-supervised rows train on the class-balanced pool (CMDM Sec. 4.2, as
    :func:`table5_settings` and the Fig. 7a sweep do); ``balanced=False`` gives
    the raw, shifted pool.

    "mmd" means the matching term with its unpaired counterpart, in ``loss``'s
    form (the kit's paired form by default). ``set_form``: the modes ("fully",
    "semi") whose matching rows are added once more with Eq. 3 as printed
    (``form="set"``, names ending in "(set)"). Each setting's labels carry
    "setting7" ("fully"/"semi"), "form", "reconstruction" and "mmd".
    """
    unknown = set(set_form) - {"fully", "semi"}
    if unknown:
        raise ValueError(f"set_form takes 'fully' and/or 'semi', got {sorted(unknown)}")
    rows = [("fully", False, False), ("fully", False, True), ("fully", True, False), ("fully", True, True),
            ("semi", False, True), ("semi", True, True)]
    rows = [(mode, rec, mm, loss.form) for mode, rec, mm in rows]
    rows += [(mode, rec, True, "set") for mode in ("fully", "semi") if mode in set_form for rec in (False, True)]
    out = {}
    for mode, rec, mm, form in rows:
        variant = loss.replace(reconstruction=rec, matching=mm, unpaired=mm, form=form)
        name = f"{mode} | {'rec' if rec else '-'} | {'mmd' if mm else '-'}" + (" (set)" if form != loss.form else "")
        out[name] = Setting(variant, semi=mode == "semi", balanced=balanced and mode == "semi",
                            labels={"setting7": mode, "form": form if mm else "-", "reconstruction": rec, "mmd": mm})
    return out


def unimodal_settings(loss: CMDMLoss = CMDMLoss(), n_labeled: int | None = None) -> dict:
    """CMDM Table 4's unimodal rows: one modality, no matching (nothing to match)."""
    uni = loss.replace(matching=False, unpaired=False)
    return {f"{m} fully": Setting(uni, modalities=m, n_labeled=n_labeled, labels={"mode": "fully"}) for m in "AVL"}


def table5_settings(loss: CMDMLoss = CMDMLoss(), n_labeled: int | None = None, balanced: bool = True,
                    combos=("AV", "AL", "AVL")) -> dict:
    """CMDM Table 5: fully vs semi-supervised for each modality combination.

    Labels: "mode" ("fully"/"semi"). Semi settings use the class-balanced pool.
    """
    out = {}
    for mods in combos:
        out[f"{mods} fully"] = Setting(loss, modalities=mods, n_labeled=n_labeled, labels={"mode": "fully"})
        out[f"{mods} semi"] = Setting(loss, modalities=mods, semi=True, balanced=balanced, n_labeled=n_labeled,
                                      labels={"mode": "semi"})
    return out


def unlabeled_sweep_settings(loss: CMDMLoss = CMDMLoss(), sizes=(1500, 3000), n_labeled: int | None = None,
                             balanced: bool = True) -> dict:
    """CMDM Fig. 7a: A+V+L semi-supervised with ``sizes`` unlabeled utterances each."""
    return {f"pool {n}": Setting(loss, semi=True, balanced=balanced, n_labeled=n_labeled, n_unlabeled=int(n),
                                 labels={"mode": "semi"}) for n in sizes}
