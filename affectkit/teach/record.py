"""record(name, value): a notebook's results sidecar.

Every notebook records its headline numbers; tests and the gallery read them.
The sidecar is ``$AFFECTKIT_RESULTS_DIR/<notebook stem>.json`` (default
directory ``results/``), one JSON object of everything the notebook recorded.
Each call merges into the file under a lock (so two processes recording into
one sidecar lose nothing) and replaces it atomically (write a temporary file
in the same directory, then rename), so a reader never sees half a file.
"""

from __future__ import annotations

import json
import math
import os
import sys
import warnings
from contextlib import contextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None
    import msvcrt

import numpy as np
import torch

from ..files import atomic_write, plain_name


def results_dir() -> Path:
    """``$AFFECTKIT_RESULTS_DIR``, else ``results/`` in the working directory (the
    kernel's: the notebook's folder under JupyterLab and nbconvert, the caller's
    under papermill)."""
    return Path(os.environ.get("AFFECTKIT_RESULTS_DIR", "results"))


_declared: str | None = None  # set by this_notebook()
_warned = False


def _check_stem(stem) -> str:
    try:
        plain_name(stem)
    except ValueError:
        raise ValueError(f"a notebook name must be a plain file stem such as 'my_notebook' "
                         f"(no folders, no '..'), got {stem!r}") from None
    if stem.endswith(".ipynb"):
        raise ValueError(f"give the notebook's stem without '.ipynb': {stem[:-6]!r}")
    return stem


def this_notebook(stem: str) -> str:
    """Declare the running notebook's file stem, e.g. ``this_notebook("my_notebook")`` (the sidecar is my_notebook.json).

    papermill, nbconvert and nbclient do not tell the kernel which notebook it
    runs, so each notebook names itself in its first cell; :func:`notebook_stem`
    uses the name only where no executor gives one (a renamed copy opened in
    JupyterLab still gets its own sidecar). Returns the stem that :func:`record`
    will use now.
    """
    global _declared
    _declared = _check_stem(stem)
    return notebook_stem()


def _inherited(var: str) -> bool:
    """True when the process that started this kernel has ``var`` too, with the same
    value: a notebook that runs papermill passes its own ``JPY_SESSION_NAME`` on to
    the kernel papermill starts, which is not that notebook; the Jupyter server sets
    it for its kernels only. (Reads Linux's /proc; elsewhere False.)"""
    launcher = os.environ.get("JPY_PARENT_PID", "")  # jupyter_client: the launching process
    pid = int(launcher) if launcher.isdigit() else os.getppid()
    try:
        env = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    except OSError:
        return False
    return f"{var}={os.environ[var]}".encode() in env


def _vscode_file() -> str | None:
    """The notebook path VS Code puts in the IPython namespace, if any."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    path = getattr(shell, "user_ns", {}).get("__vsc_ipynb_file__") if shell is not None else None
    return path if isinstance(path, str) and path else None


def notebook_stem() -> str:
    """The running notebook's stem, the name of its sidecar. In this order:

    1. ``$AFFECTKIT_NOTEBOOK``: set by the kit's runner (:mod:`affectkit.tools.runner`);
    2. ``$JPY_SESSION_NAME``: the notebook's path, set by the Jupyter server for
       JupyterLab's and Notebook's kernels (ignored when inherited from a parent
       kernel, and for consoles, whose session name is not an ``.ipynb``);
    3. ``__vsc_ipynb_file__``: set by VS Code in the IPython namespace;
    4. the name the notebook declared with :func:`this_notebook` (papermill,
       nbconvert, nbclient);
    5. ``"interactive"``, with a one-time warning naming that file.
    """
    global _warned
    if os.environ.get("AFFECTKIT_NOTEBOOK"):
        return Path(os.environ["AFFECTKIT_NOTEBOOK"]).stem
    session = os.environ.get("JPY_SESSION_NAME", "")
    if session.endswith(".ipynb") and not _inherited("JPY_SESSION_NAME"):
        return Path(session).stem
    vscode = _vscode_file()
    if vscode:
        return Path(vscode).stem
    if _declared:
        return _declared
    if not _warned:
        _warned = True
        warnings.warn(f"affectkit: no notebook name known, so results go to "
                      f"{results_dir() / 'interactive.json'}; name the notebook with "
                      f"affectkit.this_notebook('<file stem>') in its first cell", stacklevel=3)
    return "interactive"


def to_jsonable(value, where: str = "value", _open: frozenset = frozenset()):
    """numpy / torch / pandas values -> plain JSON types (DataFrames -> list of rows).
    NaN and inf become None (JSON has no NaN). ``where`` names the value in the
    messages; ``_open`` holds the ids of the containers being converted around it."""
    if hasattr(value, "to_dict") and hasattr(value, "columns"):       # pandas DataFrame
        return [to_jsonable(r, f"{where}[{i}]", _open) for i, r in enumerate(value.to_dict(orient="records"))]
    if hasattr(value, "to_dict") and hasattr(value, "index"):         # pandas Series
        return to_jsonable(value.to_dict(), where, _open)
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    if isinstance(value, np.ndarray):
        return to_jsonable(value.tolist(), where, _open)
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, (dict, list, tuple)):
        if id(value) in _open:
            raise ValueError(f"{where} refers back to a list or dict that contains it (a value that holds "
                             f"itself): JSON cannot write it")
        _open = _open | {id(value)}
    if isinstance(value, dict):
        return _json_dict(value, where, _open)
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v, f"{where}[{i}]", _open) for i, v in enumerate(value)]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"cannot record a value of type {type(value).__name__} (at {where})")


def _json_dict(value: dict, where: str, _open: frozenset) -> dict:
    """A dict with its keys as strings (JSON's only keys): two keys that become one
    string (1 and "1") would keep one value silently, so they are refused."""
    out, keys = {}, {}
    for k, v in value.items():
        text = str(k.item() if isinstance(k, np.generic) else k)
        if text in keys:
            raise ValueError(f"{where} has keys {keys[text]!r} and {k!r}, both written {text!r} in JSON: "
                             f"one would overwrite the other; rename one of them")
        keys[text] = k
        out[text] = to_jsonable(v, f"{where}[{k!r}]", _open)
    return out


def load(stem: str | None = None) -> dict:
    """The sidecar of ``stem`` (default: this notebook) as a dict ({} if none yet)."""
    path = results_dir() / f"{_check_stem(stem) if stem is not None else notebook_stem()}.json"
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise ValueError(f"{path} is not a valid results file ({err}); delete it to start it afresh") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path} holds a {type(data).__name__}, not a results object; delete it to start afresh")
    return data


@contextmanager
def _locked(folder: Path):
    """An exclusive lock on the results folder for a read-merge-write: two
    processes recording into one sidecar (parallel runs) must not lose each
    other's keys. ``fcntl.flock`` on the folder itself on Linux and macOS (no
    lock file left behind); on Windows ``msvcrt.locking`` on ``.affectkit.lock``."""
    if fcntl is None:
        with open(folder / ".affectkit.lock", "a+b") as handle:
            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_LOCK, 1)  # retries for up to 10 s
            try:
                yield
            finally:
                handle.seek(0)
                msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


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
    stem = _check_stem(notebook) if notebook is not None else notebook_stem()
    payload = to_jsonable(value, name)
    folder = results_dir()
    folder.mkdir(parents=True, exist_ok=True)
    with _locked(folder):
        data = load(stem)
        data[name] = payload
        with atomic_write(folder / f"{stem}.json") as tmp:
            tmp.write_text(json.dumps(data, indent=1, allow_nan=False))
    return value
