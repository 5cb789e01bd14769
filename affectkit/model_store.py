"""The trained models notebooks share.

Notebooks 03-05 save the models they train under
``checkpoint_dir()/<notebook>/<name>.pt`` with the profile, seed and setting
that made them (and, for CMDM models, their test latents); notebook 07 loads
a model when a checkpoint of the same profile and seed exists and trains it
itself otherwise, so it runs on a fresh machine too. Notebook 05 also saves
every seed's DG model with moment matching and its row of measures, which
notebook 06 takes as its DS models' teachers (:func:`load_dg_run`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import warnings
from pathlib import Path

import numpy as np
import torch

from .checkpoints import checkpoint_dir
from .files import plain_name
from .cmdm.train import load_checkpoint, save_checkpoint
from .easum.train import load_dg, save_dg


def model_path(notebook: str, name: str) -> Path:
    """``checkpoint_dir()/<notebook>/<name>.pt``; ``notebook`` must be a plain
    folder name (no '..', no '/'); characters of ``name`` other than letters,
    digits, '-', '_' and '.' become '_'."""
    plain_name(notebook, "notebook")
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"a model name must be a non-empty string, got {name!r}")
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
    return checkpoint_dir() / notebook / f"{safe}.pt"


def setting_key(setting) -> str:
    """A short hash of everything a setting fixes (its fields, nested dataclasses
    included): the key a checkpoint is matched by, so that two notebooks need not
    write a setting the same way for one to find the other's model."""
    fields = dataclasses.asdict(setting) if dataclasses.is_dataclass(setting) else {"value": setting}
    text = json.dumps(fields, sort_keys=True, default=repr)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def save_cmdm(notebook: str, name: str, model, profile: str, seed: int, setting=None, out: dict | None = None) -> Path:
    """Save a CMDM model with its profile, seed, setting (as text) and, from
    ``out`` (:func:`affectkit.cmdm.experiments.train_setting`'s predictions), the test
    latents and labels."""
    extra = {"profile": profile, "seed": int(seed),
             "setting": setting_key(setting) if setting is not None else name,
             "setting_text": repr(setting) if setting is not None else name}
    if out is not None:
        extra["latents"] = {m: torch.as_tensor(np.asarray(z)) for m, z in out["latents"].items()}
        extra["labels"] = torch.as_tensor(np.asarray(out["labels"]))
    return save_checkpoint(model_path(notebook, name), model, extra)


def save_dg_model(notebook: str, name: str, model, profile: str, seed: int, omega: float,
                  reps: dict | None = None, row: dict | None = None) -> Path:
    """Save a DG model with its profile, seed, omega and (optionally) its test
    representations per domain, ``reps``: domain -> (n, hidden), and its
    measures, ``row``: a row of :func:`affectkit.easum.experiments.run_dg`."""
    extra = {"profile": profile, "seed": int(seed), "omega": float(omega)}
    if reps is not None:
        extra["reps"] = {d: torch.as_tensor(np.asarray(r)) for d, r in reps.items()}
    if row is not None:
        extra["row"] = {str(k): v.item() if hasattr(v, "item") else v for k, v in dict(row).items()}
    return save_dg(model_path(notebook, name), model, extra)


def run_name(name: str, seed: int, seeds) -> str:
    """The name a seed's model is saved under: ``name`` for the first of ``seeds``
    (the one notebook 07 maps), ``"<name> seed <seed>"`` for the others."""
    return name if seed == tuple(seeds)[0] else f"{name} seed {seed}"


def load_dg_run(notebook: str, name: str, profile: str, seed: int, seeds, omega: float):
    """(model, row) of a DG model ``notebook`` saved with its row of measures for
    this profile, seed and omega (:func:`save_dg_model` under :func:`run_name`);
    None when there is none (or it cannot be read: reported with a warning)."""
    path = model_path(notebook, run_name(name, seed, seeds))
    if not path.exists():
        return None
    try:
        model, extra = load_dg(path)
    except ValueError as err:
        warnings.warn(f"{err}; training it instead", stacklevel=2)
        return None
    if (extra.get("profile"), extra.get("seed"), extra.get("omega")) != (profile, int(seed), float(omega)) \
            or "row" not in extra:
        return None
    return model, extra["row"]


def load_or_train(kind: str, notebook: str, name: str, train, **meta):
    """The model ``notebook`` saved as ``name``, if its checkpoint's extras
    match ``meta`` (e.g. profile, seed, setting); else ``train()``.

    Args: kind: "cmdm" or "easum-dg"; train: a callable returning the model;
    meta: values the checkpoint must have been saved with (a setting is compared by
    :func:`setting_key`; leave it out to take whatever setting ``notebook`` trained).
    Returns: (model, "checkpoint" or "trained"). A checkpoint that cannot be
    read (another kind, an old format) is reported with a warning and replaced
    by a training.
    """
    path = model_path(notebook, name)
    if path.exists():
        try:
            model, extra = (load_checkpoint if kind == "cmdm" else load_dg)(path)
        except ValueError as err:
            warnings.warn(f"{err}; training {name!r} instead", stacklevel=2)
        else:
            want = {k: setting_key(v) if k == "setting" else v for k, v in meta.items()}
            if all(extra.get(k) == v for k, v in want.items()):
                return model, "checkpoint"
    return train(), "trained"
