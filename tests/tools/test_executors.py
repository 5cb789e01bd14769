"""The notebooks under executors other than the kit's runner, as a CI system runs them.

Every notebook runs under the papermill CLI in tests/test_notebooks.py
(:func:`papermill_cli`); nbconvert is tested here.

No kit variable is set (no AFFECTKIT_NOTEBOOK, AFFECTKIT_RESULTS_DIR or
AFFECTKIT_HEADLESS), so each notebook must name its own sidecar (results/ in
the kernel's working directory) and its interactive cells must draw a figure
without a front-end.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import papermill

from affectkit.tools.runner import list_notebooks

from .. import scan

BIN = Path(sys.executable).parent
INTERACTIVE = [p for p in list_notebooks() if "interact(" in p.read_text(encoding="utf-8")]
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


def test_some_notebooks_are_interactive():
    assert {p.stem for p in INTERACTIVE} >= {"03_mmd_collapse", "07_latent_explorer"}


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


def test_nbconvert_execute(tmp_path):
    """``jupyter nbconvert --to notebook --execute``: the kernel works in the notebook's folder,
    so a copy in a temporary folder keeps the repository clean. To save time the copy holds
    notebook 03's cells up to its first record after the interact cell (the rest ran above)."""
    source = INTERACTIVE[0]
    nb = json.loads(source.read_text(encoding="utf-8"))
    code = ["".join(c["source"]) if c["cell_type"] == "code" else "" for c in nb["cells"]]
    widget = next(i for i, s in enumerate(code) if "interact(" in s)
    nb["cells"] = nb["cells"][: next(i for i, s in enumerate(code) if i > widget and "record(" in s) + 1]
    folder, out, caller = tmp_path / "copy", tmp_path / "out", tmp_path / "caller"
    for f in (folder, caller):
        f.mkdir()
    (tmp_path / source.name).write_text(json.dumps(nb), encoding="utf-8")
    # nbconvert takes no parameters: the copy gets papermill's smoke parameters cell, not executed
    papermill.execute_notebook(str(tmp_path / source.name), str(folder / source.name),
                               parameters={"profile": "smoke"}, prepare_only=True, kernel_name="python3",
                               progress_bar=False)
    cmd = [str(BIN / "jupyter"), "nbconvert", "--to", "notebook", "--execute", str(folder / source.name),
           "--output-dir", str(out), f"--ExecutePreprocessor.timeout={CELL_TIMEOUT}"]
    run = subprocess.run(cmd, cwd=caller, env=clean_env(), capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr[-3000:]
    assert check_executed(out / source.name, source.stem, folder / "results")
    assert not any(caller.iterdir())
