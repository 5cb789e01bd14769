"""EASUM's experiments as runners that return tidy DataFrames over seeds
(notebooks 05 and 06).

- :func:`run_dg`: domain-general models with and without moment matching;
  per (setting, seed) the test MD_total, a domain-classifier probe and the
  validation accuracy (:func:`domain_separation`).
- :func:`run_ds`: domain-specific models, one :class:`DSSetting` each: which
  corpus, which pseudo labels ("none", "soft", "hard"), eta and modalities.
- grids: :func:`spl_settings` (EASUM Table 5 plus hard labels),
  :func:`eta_settings`, :func:`modality_settings` (EASUM Table 4).
- :func:`summarize_metrics`: mean and std over seeds, one row per metric.

Training lengths per profile are in the registry (:class:`affectkit.config.EASUMTraining`,
``get_profile(p).easum_training``). The paper gives batch 48, AdamW and learning
rates of 1e-5 (3.5e-5 for IEMOCAP) but no epoch counts.
DS models start from the DG teacher's weights (:func:`~affectkit.easum.models.warm_start`,
``DSSetting(init="dg")``, the paper's way) or from scratch (``init="scratch"``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import torch

from ..config import EASUMTraining, Profile, get_profile
from ..parallel import forget, made_once, run_jobs, workers_for
from ..probe import logistic_probe
from .dg import dg_accuracy, fit_dg, predict_dg
from .ds import ds_metrics, fit_ds
from .losses import moment_distance_total
from .models import DGModel, DSModel, check_modalities, modalities_of, warm_start
from .prepare import balance_domains, domain_data
from .reference import PAPER_ETA

# the metric each corpus is read by first, and whether lower is better
MAIN_METRIC = {"sentiment": ("mae", True), "emotion": ("weighted_f1", False)}


def training_for(profile) -> EASUMTraining:
    """EASUM's training lengths and rates in a profile (the registry is :mod:`affectkit.config`)."""
    return get_profile(profile).easum_training


def domain_separation(model: DGModel, prepared: dict, device=None) -> dict:
    """How far apart the domains sit in the DG representation.

    Returns {"md_total": MD_total (K = 2) of the test representations,
    "probe_acc": accuracy of a logistic-regression domain classifier fit on
    the validation representations and scored on the test ones,
    "chance": the share of the largest domain in the test splits}. With a single
    domain there is nothing to separate: MD_total and the probe are NaN.
    """
    if len(prepared) < 2:
        return {"md_total": float("nan"), "probe_acc": float("nan"), "chance": 1.0}
    reps = {split: {name: predict_dg(model, d.splits[split], device=device)["rep"] for name, d in prepared.items()}
            for split in ("val", "test")}
    md = moment_distance_total({n: torch.as_tensor(r) for n, r in reps["test"].items()}).item()

    def stack(split):
        parts = list(reps[split].values())
        return np.concatenate(parts), np.concatenate([np.full(len(p), i) for i, p in enumerate(parts)])

    x_val, d_val = stack("val")
    x_test, d_test = stack("test")
    probe = logistic_probe(x_val, d_val, x_test, d_test)
    return {"md_total": md, "probe_acc": probe["wa"], "chance": float(np.bincount(d_test).max() / len(d_test))}


def train_dg(prepared: dict, omega: float, seed: int = 0, profile="lab", epochs: int | None = None,
             device="auto", balanced: dict | None = None, balance: bool = True):
    """One DG model on the balanced domains (:func:`~affectkit.easum.prepare.balance_domains`
    of ``prepared``, or ``balanced`` when given), the profile's training lengths.
    ``balance=False`` trains on ``prepared`` as it is (small domains repeat).
    Returns the :class:`~affectkit.loop.FitResult` of :func:`~affectkit.easum.dg.fit_dg`."""
    prof, train = get_profile(profile), training_for(profile)
    if not balance:
        balanced = prepared
    elif balanced is None:
        balanced = balance_domains(prepared, seed=seed)
    torch.manual_seed(seed)
    shapes = next(iter(prepared.values())).shapes
    return fit_dg(DGModel(shapes, prof.easum_arch, modalities_of(shapes)), balanced, omega=omega,
                  epochs=epochs or train.dg_epochs, batch_size=train.batch_size, lr=train.lr, seed=seed,
                  device=device, progress=False)


def _seeds(profile, seeds):
    prof = get_profile(profile)
    return prof, prof.seeds if seeds is None else tuple(seeds)


def domains_for(prof: Profile, seed: int, data, world: dict, balance: bool = True) -> tuple:
    """(prepared, balanced) domains of one seed, made once per seed and process (the jobs come seed by seed)."""
    def make():
        prepared = domain_data(prof.name, seed, data, **world)
        return prepared, balance_domains(prepared, seed=seed) if balance else prepared

    return made_once(("easum", prof.name, seed, repr(sorted(world.items())), id(data), balance), make)


@dataclass(frozen=True)
class DGJob:
    """One (setting, seed) of :func:`run_dg` (``name`` None: the untrained model);
    returns (row, the :class:`~affectkit.loop.FitResult` with ``keep``, else None)."""

    profile: Profile
    seed: int
    data: object
    world: dict
    name: str | None
    omega: float
    epochs: int | None
    device: object
    balance: bool
    keep: bool

    def __call__(self) -> tuple:
        prof, seed, device = self.profile, self.seed, self.device
        prepared, balanced = domains_for(prof, seed, self.data, self.world, self.balance)
        if self.name is None:
            torch.manual_seed(seed)
            shapes = next(iter(prepared.values())).shapes
            model = DGModel(shapes, prof.easum_arch, modalities_of(shapes))
            return {"setting": "untrained", "omega": np.nan, "seed": seed,
                    **domain_separation(model, prepared, device)}, None
        result = train_dg(prepared, self.omega, seed, prof.name, self.epochs, device, balanced)
        test_acc = dg_accuracy(result.model, prepared, "test", device)
        row = {"setting": self.name, "omega": self.omega, "balanced": self.balance, "seed": seed,
               **domain_separation(result.model, prepared, device),
               "val_acc": result.best_score, "best_epoch": result.best_epoch,
               **{f"test_acc_{d}": v for d, v in test_acc.items()}}
        return row, result if self.keep else None


def _run(jobs, prof, device, workers, data, desc, progress, executor=None) -> list:
    """The jobs on :func:`affectkit.parallel.run_jobs` (side by side for the synthetic domains;
    ``executor``: elsewhere, see :func:`affectkit.parallel.where`)."""
    n = workers_for(len(jobs), device, workers, profile=prof.name) if data is None else 1
    try:
        return run_jobs(jobs, n, desc=desc, progress=progress, executor=executor)
    finally:
        forget()


def run_dg(omegas: dict, profile="lab", seeds=None, epochs: int | None = None, device="auto",
           progress: bool = True, models: dict | None = None, untrained: bool = True, balance: bool = True,
           data=None, workers="auto", executor=None, **world) -> pd.DataFrame:
    """Train one DG model per (setting, seed); ``omegas``: setting name -> omega.

    Returns: one row per (setting, seed): "setting", "omega", "balanced", "seed",
    "md_total", "probe_acc", "chance", "val_acc", "best_epoch" and the test
    accuracy of each domain's DG target ("test_acc_<domain>"); with
    ``untrained`` also a row "untrained" per seed (the initial model).
    ``balance``: EASUM's augmentation balancing (default) or none.
    ``models``: if a dict, filled with ``models[(setting, seed)] = FitResult``.
    ``data``: the domains (see :func:`domain_data`); ``profile`` then sets only the sizes.
    ``workers``: processes that train side by side on a CPU (:func:`affectkit.parallel.workers_for`;
    "auto": one per core for the synthetic domains, 1 for ``data`` given here).
    ``executor``: where else the jobs run (:func:`affectkit.parallel.where`: local processes, an
    Executor, a Dask Client or scheduler address; ``$AFFECTKIT_SCHEDULER``).
    """
    prof, seeds = _seeds(profile, seeds)
    names = ([(None, np.nan)] if untrained else []) + list(omegas.items())
    jobs = [DGJob(prof, seed, data, world, name, omega, epochs, device, balance, models is not None)
            for seed in seeds for name, omega in names]
    done = _run(jobs, prof, device, workers, data, "DG models", progress, executor)
    for job, (row, result) in zip(jobs, done):
        if result is not None:
            models[(row["setting"], job.seed)] = result
    return pd.DataFrame([row for row, _ in done])


def dg_teachers(omega: float, profile="lab", seeds=None, device="auto", workers="auto",
                progress: bool = True) -> tuple:
    """The DG teachers of the DS models, one per seed: a model saved for this omega,
    profile and seed (:func:`affectkit.model_store.save_dg_model`; notebook 05 saves its
    moment-matched models, trained with the same code and seeds, so they are the models
    a training here would give), the others trained here with :func:`run_dg`.

    Returns: (one row per seed as :func:`run_dg`'s, {seed: DGModel}, {seed: "checkpoint" or "trained"}).
    """
    from .. import model_store

    prof, seeds = _seeds(profile, seeds)
    rows, teachers, source = {}, {}, {}
    for seed in seeds:
        found = model_store.load_dg_run(omega, prof.name, seed)
        if found is not None:
            teachers[seed], rows[seed] = found
            source[seed] = "checkpoint"
    missing = [s for s in seeds if s not in teachers]
    if missing:
        models = {}
        runs = run_dg({"mm": omega}, prof, missing, device=device, progress=progress, models=models,
                      untrained=False, workers=workers)
        for (_, row), seed in zip(runs.iterrows(), missing):
            teachers[seed], rows[seed], source[seed] = models[("mm", seed)].model, row.to_dict(), "trained"
    return pd.DataFrame([rows[s] for s in seeds]), {s: teachers[s] for s in seeds}, {s: source[s] for s in seeds}


INITS = ("dg", "scratch")


@dataclass(frozen=True)
class DSSetting:
    """One domain-specific model: its corpus, pseudo labels, eta and modalities.

    ``spl``: "none" (no auxiliary loss), "soft" (KL to the DG teacher's
    distribution, EASUM) or "hard" (cross-entropy to its argmax).
    ``eta``: None takes the paper's value for the corpus (:data:`PAPER_ETA`); a
    corpus the paper did not use (the user's) needs an explicit ``eta``.
    ``init``: "dg" (the DS model starts from the DG teacher's matching weights,
    EASUM Fig. 1 and the official code) or "scratch" (random initialisation).
    ``n_train``: train on the first ``n_train`` utterances of the corpus's train split (a smaller
    corpus, the same number of steps); None: all of it.
    """

    domain: str
    spl: str = "soft"
    eta: float | None = None
    modalities: str = "LAV"
    labels: dict = field(default_factory=dict)
    init: str = "dg"
    n_train: int | None = None

    def __post_init__(self):
        if self.domain not in PAPER_ETA and self.eta is None and self.spl != "none":
            raise ValueError(f"the paper gives no eta for corpus {self.domain!r} (it has {sorted(PAPER_ETA)}): "
                             f"pass eta=...")
        if self.eta is not None:
            from ..checks import number
            number(self.eta, "eta", 0)
        if self.spl not in ("none", "soft", "hard"):
            raise ValueError(f"spl must be 'none', 'soft' or 'hard', got {self.spl!r}")
        if self.init not in INITS:
            raise ValueError(f"init must be one of {INITS}, got {self.init!r}")
        if self.n_train is not None:
            from ..checks import count
            count(self.n_train, "n_train")
        check_modalities(self.modalities)

    @property
    def eta_value(self) -> float:
        return 0.0 if self.spl == "none" else (PAPER_ETA[self.domain] if self.eta is None else self.eta)


def train_ds(setting: DSSetting, prepared: dict, teacher: DGModel | None, seed: int = 0, profile="lab",
             epochs: int | None = None, device="auto"):
    """Train one DS model; returns (:class:`~affectkit.loop.FitResult`, row of test metrics).

    The teacher gives the pseudo labels (unless ``spl="none"``) and, with
    ``init="dg"``, the starting weights.
    """
    prof, lengths = get_profile(profile), training_for(profile)
    if setting.domain not in prepared:
        raise ValueError(f"setting {setting} names corpus {setting.domain!r}; the data has {sorted(prepared)}")
    d = prepared[setting.domain]
    train = d.train
    if setting.n_train is not None:
        if setting.n_train > len(train):
            raise ValueError(f"setting {setting} asks for {setting.n_train} train utterances of {setting.domain!r}; "
                             f"its train split has {len(train)}")
        train = train.subset(np.arange(setting.n_train), name=f"{train.name} (first {setting.n_train})")
    if teacher is None and (setting.spl != "none" or setting.init == "dg"):
        raise ValueError(f"setting {setting} needs a DG teacher (pseudo labels: {setting.spl!r}, "
                         f"init: {setting.init!r}); use spl='none', init='scratch' to train without one")
    torch.manual_seed(seed)
    model = DSModel(d.shapes, d.task, len(d.space.classes), prof.easum_arch, setting.modalities)
    if setting.init == "dg":
        warm_start(model, teacher)
    epochs = epochs or lengths.ds_epochs_for(len(train))
    result = fit_ds(model, teacher if setting.spl != "none" else None, train, d.val, d.task,
                    eta=setting.eta_value, pseudo="soft" if setting.spl == "none" else setting.spl,
                    epochs=epochs, batch_size=lengths.batch_size, lr=lengths.lr_for(setting.domain), seed=seed,
                    device=device, progress=False, eval_every=lengths.ds_eval_every(epochs))
    row = {**setting.labels, "domain": setting.domain, "task": d.task, "spl": setting.spl,
           "eta": setting.eta_value, "modalities": setting.modalities, "init": setting.init, "seed": seed,
           "n_train": len(train),
           "best_epoch": result.best_epoch, **ds_metrics(result.model, d.test, d.task, device)}
    return result, row


@dataclass(frozen=True)
class DSJob:
    """One (setting, seed) of :func:`run_ds`: returns (row, the :class:`~affectkit.loop.FitResult`
    with ``keep``, else None)."""

    profile: Profile
    seed: int
    data: object
    world: dict
    name: str
    setting: DSSetting
    teacher: object   # the seed's DG model, or None
    epochs: int | None
    device: object
    keep: bool

    def __call__(self) -> tuple:
        prepared, _ = domains_for(self.profile, self.seed, self.data, self.world, balance=False)
        result, row = train_ds(self.setting, prepared, self.teacher, self.seed, self.profile.name, self.epochs,
                               self.device)
        return {"setting": self.name, **row}, result if self.keep else None


def run_ds(settings: dict, teachers: dict, profile="lab", seeds=None, epochs: int | None = None, device="auto",
           progress: bool = True, models: dict | None = None, data=None, workers="auto", executor=None,
           **world) -> pd.DataFrame:
    """Train every named :class:`DSSetting` for every seed.

    ``teachers``: seed -> trained DG model (its pseudo labels). Returns one row
    per (setting, seed) with the corpus's test metrics as columns (sentiment:
    acc2, f1, mae, corr; emotion: acc, weighted_f1). ``models``: filled with
    ``models[(setting, seed)] = FitResult`` when a dict. ``data``: the domains
    (see :func:`domain_data`; the same as the teachers were trained on).
    ``workers``, ``executor``: as in :func:`run_dg`.
    """
    prof, seeds = _seeds(profile, seeds)
    jobs = [DSJob(prof, seed, data, world, name, setting, teachers.get(seed), epochs, device, models is not None)
            for seed in seeds for name, setting in settings.items()]
    done = _run(jobs, prof, device, workers, data, "DS models", progress, executor)
    for job, (_, result) in zip(jobs, done):
        if result is not None:
            models[(job.name, job.seed)] = result
    return pd.DataFrame([row for row, _ in done])


def summarize_metrics(runs: pd.DataFrame, by=("domain", "spl")) -> pd.DataFrame:
    """Mean and std over seeds, one row per (``by``..., metric): columns
    ``*by, "metric", "mean", "std"`` (metrics a corpus does not have are dropped)."""
    by = list(by)
    metric_cols = [c for c in ("acc2", "f1", "mae", "corr", "acc", "weighted_f1") if c in runs]
    long = runs.melt(id_vars=by + ["seed"], value_vars=metric_cols, var_name="metric").dropna(subset=["value"])
    grouped = long.groupby(by + ["metric"], sort=False)["value"]
    return pd.concat([grouped.mean().rename("mean"), grouped.std(ddof=0).rename("std")], axis=1).reset_index()


def paired_gain(runs: pd.DataFrame, a: str = "soft", b: str = "none", column: str = "spl") -> pd.DataFrame:
    """Seed-paired improvement of ``a`` over ``b`` on each domain's main metric
    (:data:`MAIN_METRIC`; positive = better, also for MAE).

    Returns one row per domain: "domain", "metric", "mean", "std", "worst"
    (the smallest per-seed gain), "better_on" (seeds where ``a`` wins), "seeds".
    """
    rows = []
    for domain, sub in runs.groupby("domain", sort=False):
        metric, lower = MAIN_METRIC[sub["task"].iloc[0]]
        table = sub.pivot_table(index="seed", columns=column, values=metric)
        if a not in table or b not in table:
            raise ValueError(f"{domain}: runs need both {column} = {a!r} and {b!r}; have {list(table.columns)}")
        gain = (table[b] - table[a]) if lower else (table[a] - table[b])
        rows.append({"domain": domain, "metric": metric, "mean": gain.mean(), "std": gain.std(ddof=0),
                     "worst": gain.min(), "better_on": int((gain > 0).sum()), "seeds": len(gain)})
    return pd.DataFrame(rows)


# -- grids ------------------------------------------------------------------------------

def spl_settings(domains=tuple(PAPER_ETA), modes=("none", "soft", "hard"), init: str = "dg") -> dict:
    """EASUM Table 5 (w/o vs w/ soft pseudo labels) per corpus, plus hard labels."""
    return {f"{d} | {mode}": DSSetting(d, mode, init=init) for d in domains for mode in modes}


def init_settings(domains=tuple(PAPER_ETA), inits=INITS, spl: str = "soft") -> dict:
    """The DS model warm-started from the DG model vs from scratch, per corpus."""
    return {f"{d} | {init}": DSSetting(d, spl, init=init) for d in domains for init in inits}


def eta_settings(domain: str = "mosi", etas=(0.1, 0.5, 1.0, 2.0)) -> dict:
    """Soft pseudo labels at several weights eta on one corpus."""
    return {f"{domain} | eta {eta:g}": DSSetting(domain, "soft", eta=eta) for eta in etas}


def modality_settings(domain: str = "mosi", combos=("L", "LA", "LV", "LAV")) -> dict:
    """EASUM Table 4: text alone and with each nonverbal modality (soft labels, paper eta)."""
    return {f"{domain} | {m}": DSSetting(domain, "soft", modalities=m) for m in combos}
