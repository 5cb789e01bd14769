"""Running a notebook as a CI system does: papermill's command line, without the kit's
variables (shared by tests/test_notebooks.py and the executor tests)."""

import json
import os
import subprocess
import sys
from pathlib import Path

from . import scan

BIN = Path(sys.executable).parent

CELL_TIMEOUT = 300  # per cell: a hanging cell cannot wait forever

# a cell whose reply nbclient missed ends at the timeout as if it had succeeded: fail on its time
MAX_INTERACT_SECONDS = 60

# where the user's data and caches are: not set by an executor, so kept
DATA_VARIABLES = ("AFFECTKIT_MELD_DIR", "AFFECTKIT_CACHE_DIR")



def clean_env() -> dict:
    """The caller's environment without the kit's executor variables and Jupyter's (and
    without a CI's MPLBACKEND=Agg, which would keep every figure out of every notebook)."""
    env = {k: v for k, v in os.environ.items()
           if (k in DATA_VARIABLES or not k.startswith(("AFFECTKIT_", "JPY_"))) and k != "MPLBACKEND"}
    env.update(PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}", HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    return env


def check_executed(notebook: Path, stem: str, results: Path):
    """The sidecar is ``results/<stem>.json`` (and nothing else is there); every cell that
    calls interact holds its figure as an image and did not wait for a timeout."""
    assert sorted(p.name for p in results.iterdir()) == [f"{stem}.json"], "no interactive.json, no other name"
    assert json.loads((results / f"{stem}.json").read_text())
    cells = [c for c in json.loads(notebook.read_text())["cells"]
             if c["cell_type"] == "code" and "interact(" in "".join(c["source"])]
    for cell in cells:
        kinds = [k for o in cell["outputs"] for k in o.get("data", {})]
        assert "image/png" in kinds, f"{stem}: an interact cell has no figure, only {kinds}"
        seconds = cell["metadata"].get("papermill", {}).get("duration")
        assert seconds is None or seconds < MAX_INTERACT_SECONDS, f"{stem}: an interact cell took {seconds:.0f} s"
    return cells


def papermill_cli(path: Path, cwd: Path, profile: str = "smoke") -> dict:
    """``papermill in.ipynb out.ipynb -p profile smoke`` in ``cwd`` without kit variables, as a CI
    system runs it: the kernel works in the caller's directory, so the sidecar is
    ``cwd/results/<stem>.json``. Checks the executed notebook and returns the sidecar."""
    cmd = [str(BIN / "papermill"), str(path), "out.ipynb", "-k", "python3", "-p", "profile", profile,
           "--execution-timeout", str(CELL_TIMEOUT), "--no-progress-bar"]
    env = {**clean_env(), "IPYTHONDIR": scan.audit_ipython_dir(cwd / "ipython")}   # the tests' figure audit
    run = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=1800)
    assert run.returncode == 0, run.stderr[-3000:]
    check_executed(cwd / "out.ipynb", path.stem, cwd / "results")
    return json.loads((cwd / "results" / f"{path.stem}.json").read_text())
