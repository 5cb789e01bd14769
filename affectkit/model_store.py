"""The trained models notebooks share, found by what made them.

A model is stored under a key the kit derives from what made it: its kind
("cmdm", "easum-dg"), the profile (whose synthetic data of that seed and whose
sizes trained it), the seed, and its setting (a
:class:`~affectkit.cmdm.experiments.Setting`, a DG model's omega, a training
length outside the setting): ``checkpoint_dir()/<kind>/<key>.pt``. A notebook
that trains a model saves it (:func:`save_cmdm`, :func:`save_dg_model`, with
its test latents or its row of measures); another that needs the model of the
same setting finds it by the same key (:func:`load_or_train`,
:func:`load_dg_run`) and trains it itself where none was saved, so it runs on a
fresh machine too. Which notebook saved a model plays no part: two notebooks
that write a setting differently (a loss built in two ways) still meet.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import warnings
from pathlib import Path

import numpy as np
import torch

from . import checks
from .checkpoints import checkpoint_dir
from .cmdm.train import load_checkpoint, save_checkpoint
from .easum.dg import load_dg, save_dg

KINDS = ("cmdm", "easum-dg")


def model_key(kind: str, profile: str, seed: int, **setting) -> str:
    """A short hash of everything that made a model: ``kind``, ``profile``, ``seed``
    and the ``setting`` knobs (dataclasses by their fields, nested ones included),
    so that two notebooks need not write a setting the same way for one to find the
    other's model, and a model of another setting is never taken for it."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    fields = {"kind": kind, "profile": str(profile), "seed": checks.seed(seed),
              **{k: dataclasses.asdict(v) if dataclasses.is_dataclass(v) else v for k, v in setting.items()}}
    text = json.dumps(fields, sort_keys=True, default=repr)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def model_path(kind: str, profile: str, seed: int, **setting) -> Path:
    """``checkpoint_dir()/<kind>/<model_key(...)>.pt``."""
    return checkpoint_dir() / kind / f"{model_key(kind, profile, seed, **setting)}.pt"


def save_cmdm(model, setting, profile: str, seed: int, out: dict | None = None, **training) -> Path:
    """Save a CMDM model under the key of its ``setting``, profile, seed and any
    ``training`` knob outside the setting (e.g. ``epochs``), with, from ``out``
    (:func:`affectkit.cmdm.experiments.train_setting`'s predictions), the test
    latents and labels."""
    key = model_key("cmdm", profile, seed, setting=setting, **training)
    extra = {"profile": profile, "seed": int(seed), "key": key, "setting_text": repr(setting)}
    if out is not None:
        extra["latents"] = {m: torch.as_tensor(np.asarray(z)) for m, z in out["latents"].items()}
        extra["labels"] = torch.as_tensor(np.asarray(out["labels"]))
    return save_checkpoint(model_path("cmdm", profile, seed, setting=setting, **training), model, extra)


def save_dg_model(model, omega: float, profile: str, seed: int, reps: dict | None = None,
                  row: dict | None = None) -> Path:
    """Save a DG model under the key of its omega, profile and seed, with (optionally)
    its test representations per domain, ``reps``: domain -> (n, hidden), and its
    measures, ``row``: a row of :func:`affectkit.easum.experiments.run_dg`."""
    omega = float(omega)
    extra = {"profile": profile, "seed": int(seed), "omega": omega,
             "key": model_key("easum-dg", profile, seed, omega=omega)}
    if reps is not None:
        extra["reps"] = {d: torch.as_tensor(np.asarray(r)) for d, r in reps.items()}
    if row is not None:
        extra["row"] = {str(k): v.item() if hasattr(v, "item") else v for k, v in dict(row).items()}
    return save_dg(model_path("easum-dg", profile, seed, omega=omega), model, extra)


def _load(kind: str, profile: str, seed: int, **setting):
    """(model, extra) saved under this key; None where there is none (or it cannot be
    read, reported with a warning, or was saved under another key)."""
    key = model_key(kind, profile, seed, **setting)
    path = model_path(kind, profile, seed, **setting)
    if not path.exists():
        return None
    try:
        model, extra = (load_checkpoint if kind == "cmdm" else load_dg)(path)
    except ValueError as err:
        warnings.warn(f"{err}; training the model instead", stacklevel=3)
        return None
    return (model, extra) if extra.get("key") == key else None


def load_dg_run(omega: float, profile: str, seed: int):
    """(model, row) of the DG model saved with its row of measures for this omega,
    profile and seed (:func:`save_dg_model`); None when there is none."""
    found = _load("easum-dg", profile, seed, omega=float(omega))
    if found is None or "row" not in found[1]:
        return None
    return found[0], found[1]["row"]


def load_or_train(kind: str, train, profile: str, seed: int, **setting):
    """The model saved under the key of ``kind``, ``profile``, ``seed`` and ``setting``
    (as :func:`save_cmdm` or :func:`save_dg_model` wrote it: ``setting=...`` and any
    training knob for CMDM, ``omega=...`` for a DG model); else ``train()``.

    Returns: (model, "checkpoint" or "trained"). A checkpoint that cannot be read
    (another kind, an old format) is reported with a warning and replaced by a training.
    """
    if kind == "easum-dg" and "omega" in setting:
        setting["omega"] = float(setting["omega"])
    found = _load(kind, profile, seed, **setting)
    if found is not None:
        return found[0], "checkpoint"
    return train(), "trained"
