"""Ablation runners: train CMDM variants over several seeds, return tidy DataFrames.

Each runner trains on the synthetic affect world of a profile and returns one
row per (setting, seed) with test metrics and latent measures; ``summarize``
gives the mean and std over seeds (what the notebooks show and record).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from . import metrics
from .config import get_profile, seed_everything
from .data.transforms import ZNorm
from .data.world import make_world
from dataclasses import replace

from .models.cmdm import CMDM, arch_for, make_dae
from .objectives import CMDMLoss
from .probe import logistic_probe
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


def prepare(world, modalities="AVL") -> dict:
    """z-normalise every split with train statistics (CMDM Sec. 3.1) and keep ``modalities``."""
    mods = list(modalities)
    norm = ZNorm().fit(world.train.select(mods))
    return {name: norm.transform(ds.select(mods)) for name, ds in world.splits.items()}


def train_setting(world, setting: Setting, seed: int = 0, epochs: int | None = None, device="auto",
                  arch=None):
    """Train one setting on ``world``.

    Returns:
        (FitResult, row dict of test measures, test predictions of :func:`~affectkit.train.predict`
        with "labels": the test split's true classes).
    """
    prof = get_profile(world.profile)
    splits = prepare(world, setting.modalities)
    pool = None
    if setting.semi:
        pool = splits["unlabeled"]
        if setting.n_unlabeled is not None:
            pool = pool.subset(np.arange(min(setting.n_unlabeled, len(pool))))
    seed_everything(seed)
    model = CMDM(splits["train"].shapes, len(world.classes), arch or prof.name)
    result = fit(model, splits["train"], splits["val"], pool, loss=setting.loss,
                 epochs=epochs or prof.epochs, batch_size=prof.batch_size, lr=prof.lr, seed=seed, device=device,
                 patience=None, progress=False)
    out = predict(result.model, splits["test"])
    truth = splits["test"].y_true.numpy()
    latents = out["latents"]
    row = {**setting.labels, "modalities": setting.modalities, "semi": setting.semi, "seed": seed,
           "wa": metrics.wa(truth, out["pred"]), "ua": metrics.ua(truth, out["pred"]),
           "wap": metrics.wap(truth, out["pred"]),
           "spread": float(np.mean([metrics.latent_spread(z) for z in latents.values()])),
           "effective_rank": float(np.mean([metrics.effective_rank(z) for z in latents.values()])),
           "rec_mse": out["rec_mse"], "best_epoch": result.best_epoch}
    return result, row, {**out, "labels": truth}


def train_dae(world, modality: str = "L", seed: int = 0, epochs: int | None = None, device="auto",
              progress: bool = False, **arch_changes):
    """Train one modality's DAE alone (reconstruction only) on a world's train split.

    Args:
        arch_changes: fields of :class:`~affectkit.models.cmdm.CMDMArch` to change
            from the profile's, e.g. ``latent=8`` or ``reverse_target=False``.
    Returns:
        (AEResult, row dict: "modality", "seed", "test_mse", "probe_ua" (a linear
        probe of the test latents trained on the train latents), "best_epoch"
        and the changed fields), test outputs of :func:`~affectkit.train.encode_split`.
    """
    prof = get_profile(world.profile)
    splits = prepare(world, modality)
    arch = replace(arch_for(prof.name), **arch_changes)
    seed_everything(seed)
    dae = make_dae(modality, splits["train"].shapes[modality], arch)
    result = fit_autoencoder(dae, splits["train"], splits["val"], modality, epochs=epochs or prof.epochs,
                             batch_size=prof.batch_size, lr=prof.lr, seed=seed, device=device,
                             progress=progress)
    test = encode_split(result.dae, splits["test"], modality)
    train_z = encode_split(result.dae, splits["train"], modality)["latents"]
    probe = logistic_probe(train_z, splits["train"].y.numpy(), test["latents"], splits["test"].y_true.numpy())
    row = {"modality": modality, "seed": seed, **arch_changes, "test_mse": test["mse"],
           "probe_ua": probe["ua"], "best_epoch": result.best_epoch}
    return result, row, test


def run_settings(settings: dict, profile="lab", seeds=None, epochs: int | None = None, device="auto",
                 progress: bool = True, keep: dict | None = None) -> pd.DataFrame:
    """Train every named setting for every seed (one world per seed).

    Returns:
        tidy DataFrame, one row per (setting, seed): "setting", "seed", "wa", "ua",
        "wap", "spread", "effective_rank", "rec_mse", ... plus each setting's labels.
        If ``keep`` is a dict, it is filled with each setting's first-seed test
        predictions: ``keep[setting] = {"latents": {m: (n, d)}, "pred", "labels", ...}``.
    """
    prof = get_profile(profile)
    seeds = prof.seeds if seeds is None else tuple(seeds)
    rows = []
    bar = tqdm(total=len(seeds) * len(settings), desc="training", disable=not progress)
    for seed in seeds:
        world = make_world(prof.name, seed=seed)
        for name, setting in settings.items():
            _, row, out = train_setting(world, setting, seed, epochs, device)
            rows.append({"setting": name, **row})
            if keep is not None and seed == seeds[0]:
                keep[name] = out
            bar.update()
    bar.close()
    return pd.DataFrame(rows)


def summarize(df: pd.DataFrame, by="setting", values=("ua", "wap", "spread")) -> pd.DataFrame:
    """Mean and std over seeds: columns ``<value>`` and ``<value>_std``, in first-seen order."""
    by = [by] if isinstance(by, str) else list(by)
    grouped = df.groupby(by, sort=False)[list(values)]
    mean, std = grouped.mean(), grouped.std(ddof=0).add_suffix("_std")
    return pd.concat([mean, std], axis=1).reset_index()
