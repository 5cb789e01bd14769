"""record(name, value): a notebook's results sidecar.

Every notebook records its headline numbers; tests and the gallery read them.
The sidecar is ``$AFFECTKIT_RESULTS_DIR/<notebook stem>.json`` (default
directory ``results/``), one JSON object of everything the notebook recorded.
Each call merges into the file and replaces it atomically (write a temporary
file in the same directory, then rename), so a reader never sees half a file.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path

import numpy as np
import torch


def results_dir() -> Path:
    return Path(os.environ.get("AFFECTKIT_RESULTS_DIR", "results"))


def notebook_stem() -> str:
    """The running notebook's stem: ``$AFFECTKIT_NOTEBOOK`` (set by the kit's runner),
    else the Jupyter session name, else ``"interactive"``."""
    for var in ("AFFECTKIT_NOTEBOOK", "JPY_SESSION_NAME"):
        if os.environ.get(var):
            return Path(os.environ[var]).stem
    return "interactive"


def to_jsonable(value):
    """numpy / torch / pandas values -> plain JSON types (DataFrames -> list of rows).
    NaN and inf become None (JSON has no NaN)."""
    if hasattr(value, "to_dict") and hasattr(value, "columns"):       # pandas DataFrame
        return [to_jsonable(r) for r in value.to_dict(orient="records")]
    if hasattr(value, "to_dict") and hasattr(value, "index"):         # pandas Series
        return to_jsonable(value.to_dict())
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    if isinstance(value, np.ndarray):
        return to_jsonable(value.tolist())
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"cannot record a value of type {type(value).__name__}")


def load(stem: str | None = None) -> dict:
    """The sidecar of ``stem`` (default: this notebook) as a dict ({} if none yet)."""
    path = results_dir() / f"{stem or notebook_stem()}.json"
    return json.loads(path.read_text()) if path.exists() else {}


def record(name: str, value, notebook: str | None = None):
    """Record ``value`` under ``name`` in the notebook's sidecar; returns ``value``.

    Args:
        name: a key such as "probe_ua".
        value: numbers, strings, dicts/lists of them, numpy/torch arrays or a
            pandas DataFrame (stored as a list of row dicts).
        notebook: the sidecar's stem; default :func:`notebook_stem`.
    """
    if not isinstance(name, str) or not name:
        raise ValueError(f"record name must be a non-empty string, got {name!r}")
    stem = notebook or notebook_stem()
    payload = to_jsonable(value)
    folder = results_dir()
    folder.mkdir(parents=True, exist_ok=True)
    data = load(stem)
    data[name] = payload
    fd, tmp = tempfile.mkstemp(prefix=f".{stem}.", suffix=".json", dir=folder)
    try:
        with os.fdopen(fd, "w") as fh:
            json.dump(data, fh, indent=1, allow_nan=False)
        os.replace(tmp, folder / f"{stem}.json")
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return value
