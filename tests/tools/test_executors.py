"""The notebooks under executors other than the kit's runner, as a CI system runs them.

Every notebook runs under the papermill CLI in tests/test_notebooks.py
(:func:`papermill_cli`); nbconvert is tested here.

No kit variable is set (no AFFECTKIT_NOTEBOOK, AFFECTKIT_RESULTS_DIR or
AFFECTKIT_HEADLESS), so each notebook must name its own sidecar (results/ in
the kernel's working directory) and its interactive cells must draw a figure
without a front-end.
"""

import json
import subprocess

import papermill

from affectkit.tools.runner import list_notebooks

from ..executors import BIN, CELL_TIMEOUT, check_executed, clean_env

INTERACTIVE = [p for p in list_notebooks() if "interact(" in p.read_text(encoding="utf-8")]


def test_some_notebooks_are_interactive():
    assert {p.stem for p in INTERACTIVE} >= {"03_mmd_collapse", "07_latent_explorer"}


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
