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

import numpy as np
import torch

from .files import atomic_write

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


def plain(value, where: str):
    """``value`` as what ``torch.load(weights_only=True)`` reads back: tensors,
    str / int / float / bool / None, and lists, tuples and dicts of them. NumPy
    arrays become tensors and NumPy scalars Python numbers; anything else
    (objects, functions, sets of objects) is a TypeError naming where it sits."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, torch.Tensor):
        return value.detach().cpu()
    if isinstance(value, np.ndarray):
        if value.dtype == object or value.dtype.kind in "USV":
            raise TypeError(f"{where}: a NumPy array of {value.dtype} cannot go into a checkpoint "
                            f"(only numeric arrays); store a list of str instead")
        return torch.from_numpy(np.ascontiguousarray(value))
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (list, tuple)):
        return type(value)(plain(v, f"{where}[{i}]") for i, v in enumerate(value))
    if isinstance(value, dict):
        for k in value:
            if not isinstance(k, (str, int)):
                raise TypeError(f"{where}: checkpoint keys must be str or int, got {k!r}")
        return {k: plain(v, f"{where}[{k!r}]") for k, v in value.items()}
    raise TypeError(f"{where}: a {type(value).__name__} cannot go into a checkpoint "
                    f"(it could not be loaded back without running code); store tensors, numbers, str, "
                    f"lists and dicts")


def save(path, kind: str, config: dict, model: torch.nn.Module, extra: dict | None = None) -> Path:
    """Write {kind, version, config, state, extra} to ``path``.

    ``config`` and ``extra`` are converted with :func:`plain` (a TypeError, before
    anything is written, for what the safe loader could not read back). The
    write is atomic: a uniquely named temporary file in the same folder, fsynced,
    then renamed; a failed save leaves no temporary file and the old checkpoint intact.
    """
    path = Path(path)
    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    blob = {"kind": str(kind), "version": VERSION, "config": plain(config, "config"),
            "state": {k: v.detach().cpu() for k, v in model.state_dict().items()},
            "extra": plain(extra or {}, "extra")}
    with atomic_write(path) as tmp:
        torch.save(blob, tmp)
    return path


def load(path, kind: str, device="cpu") -> dict:
    """Read a checkpoint written by :func:`save`; check its kind and version.

    Returns {"config", "state", "extra"}.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no checkpoint at {path}")
    try:
        blob = torch.load(path, map_location=device, weights_only=True)
    except Exception as err:  # truncated, not a zip, or objects the safe loader refuses
        raise ValueError(f"{path} is not a readable affectkit checkpoint "
                         f"({type(err).__name__}: {str(err).splitlines()[0][:200]})") from None
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
