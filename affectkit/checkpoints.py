"""Checkpoints: a model's config, weights and plain-data extras in one file.

Notebooks 03-05 save their trained models under ``build/checkpoints/`` and
notebook 07 loads them. A checkpoint names its ``kind`` ("cmdm", "easum-dg")
and the format ``VERSION``; loading one of another kind or version is an
error that says so. Files load with ``torch.load(weights_only=True)``: no code
is unpickled, only tensors, numbers, strings, lists and dicts.
"""

from __future__ import annotations

import os
from pathlib import Path

import torch

# 2: EASUM models apply MAG after the encoder's embedding layer (same weights, other outputs)
VERSION = 2


def checkpoint_dir() -> Path:
    """``$AFFECTKIT_CHECKPOINT_DIR``; else ``checkpoints/`` beside the results
    directory when the kit's runner set one (``build/checkpoints`` for ``make run``);
    else ``build/checkpoints`` of the repository the working directory is in."""
    if os.environ.get("AFFECTKIT_CHECKPOINT_DIR"):
        return Path(os.environ["AFFECTKIT_CHECKPOINT_DIR"])
    if os.environ.get("AFFECTKIT_RESULTS_DIR"):
        return Path(os.environ["AFFECTKIT_RESULTS_DIR"]).resolve().parent / "checkpoints"
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "pyproject.toml").exists():
            return folder / "build" / "checkpoints"
    return here / "build" / "checkpoints"


def save(path, kind: str, config: dict, model: torch.nn.Module, extra: dict | None = None) -> Path:
    """Write {kind, version, config, state, extra} to ``path`` (atomically: a
    temporary file in the same folder, then a rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().cpu() for k, v in model.state_dict().items()}
    tmp = path.with_name(f".{path.name}.tmp")
    torch.save({"kind": kind, "version": VERSION, "config": config, "state": state, "extra": extra or {}}, tmp)
    os.replace(tmp, path)
    return path


def load(path, kind: str, device="cpu") -> dict:
    """Read a checkpoint written by :func:`save`; check its kind and version.

    Returns {"config", "state", "extra"}.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no checkpoint at {path}")
    blob = torch.load(path, map_location=device, weights_only=True)
    if not isinstance(blob, dict) or "state" not in blob:
        raise ValueError(f"{path} is not an affectkit checkpoint")
    found = blob.get("kind", "cmdm")  # files from before kinds existed held CMDM models
    if found != kind:
        raise ValueError(f"{path} holds a {found!r} model, not a {kind!r} model")
    version = blob.get("version", 0)
    if version != VERSION:
        raise ValueError(f"{path} has checkpoint format version {version}; this affectkit reads version "
                         f"{VERSION}: train the model again")
    return {"config": blob["config"], "state": blob["state"], "extra": blob.get("extra", {})}
