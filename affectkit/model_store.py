"""The trained models notebooks share (issue: the latent explorer).

Notebooks 03-05 save the models they train under
``checkpoint_dir()/<notebook>/<name>.pt`` with the profile, seed and setting
that made them (and, for CMDM models, their test latents); notebook 07 loads
a model when a checkpoint of the same profile and seed exists and trains it
itself otherwise, so it runs on a fresh machine too.
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
                  reps: dict | None = None) -> Path:
    """Save a DG model with its profile, seed, omega and (optionally) its test
    representations per domain, ``reps``: domain -> (n, hidden)."""
    extra = {"profile": profile, "seed": int(seed), "omega": float(omega)}
    if reps is not None:
        extra["reps"] = {d: torch.as_tensor(np.asarray(r)) for d, r in reps.items()}
    return save_dg(model_path(notebook, name), model, extra)


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
