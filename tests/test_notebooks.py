"""Every notebook, executed by papermill as a user would run it, then its findings.

Smoke profile here (``make test``), through the plain papermill CLI with no kit
variable; lab profile under the ``lab`` marker (``make test-lab``), through the
kit's runner. After each run its findings, all read from the notebook's lesson
module (:func:`affectkit.teach.lessons.problems`): the sidecar check, and every claim
whose verdict the module expects at that profile.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from affectkit.teach import lessons
from affectkit.tools.runner import execute, list_notebooks, notebook_parameters, stored_outputs

from . import scan
from .executors import papermill_cli

NOTEBOOKS = list_notebooks()
IDS = [p.stem for p in NOTEBOOKS]
# `make test` runs on two workers (pytest-xdist, --dist loadgroup): a notebook's runs stay on one
# worker, and the notebooks that share trained models (their lesson module's SHARES_MODELS: the
# ones that save them before the ones that load them, in teaching order) run on one worker
CHAIN = tuple(stem for stem, module in lessons.notebooks().items() if getattr(module, "SHARES_MODELS", False))


def on_one_worker(stem: str):
    return pytest.mark.xdist_group("checkpoint-chain" if stem in CHAIN else stem)


SMOKE_CASES = [pytest.param(p, id=p.stem, marks=on_one_worker(p.stem)) for p in NOTEBOOKS]


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebooks/NN_*.ipynb found"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_stored_clean_with_parameters(path):
    assert stored_outputs(path) == [], f"{path.name} is stored with outputs: run nbstripout"
    verify = subprocess.run([str(Path(sys.executable).parent / "nbstripout"), "--verify", str(path)],
                            capture_output=True, text=True)
    assert verify.returncode == 0, f"{path.name} is not nbstripout-clean: {verify.stdout}{verify.stderr}"
    nb = json.loads(path.read_text())
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    params = notebook_parameters(path)
    assert {"profile", "seed", "device"} <= set(params), params
    assert params["profile"] == '"lab"', "notebooks default to the lab profile"
    assert path.stem in lessons.notebooks(), \
        f"{path.stem} has no lesson module: add affectkit/teach/lessons/<slug>.py with NOTEBOOK = {path.stem!r}"


SIDECARS = {}  # stem -> the bytes of its smoke sidecar, for the reproducibility test
REPEATED = ("00_tour", "02_dae_reconstruction")  # the two fastest that train something or sample a world


@pytest.mark.parametrize("path", SMOKE_CASES)
def test_smoke_run(path, tmp_path):
    """Plain papermill CLI, no kit variable: the notebook finishes, names its own
    sidecar, says what its numbers depend on, and every interactive cell holds a
    figure (the kit's runner runs the lab profile below and in ``make run``)."""
    found = lessons.problems(path.stem, papermill_cli(path, tmp_path, "smoke"), "smoke")
    assert not found, "\n".join(found)
    SIDECARS[path.stem] = (tmp_path / "results" / f"{path.stem}.json").read_bytes()
    executed = json.loads((tmp_path / "out.ipynb").read_text())
    printed = "".join(o.get("text", "") if isinstance(o.get("text", ""), str) else "".join(o["text"])
                      for c in executed["cells"] for o in c.get("outputs", []))
    assert "another thread count" in printed, f"{path.stem} does not print readings.reproducibility's note"
    found = scan.problems(executed)
    assert not found, f"{path.stem} (smoke), as a student reads it:\n" + "\n".join(found)


@pytest.mark.parametrize("stem", [pytest.param(s, id=s, marks=on_one_worker(s)) for s in REPEATED])
def test_smoke_reproducible(stem, tmp_path):
    """The same seed, thread count and machine: a byte-identical results file."""
    path = next(p for p in NOTEBOOKS if p.stem == stem)
    first = SIDECARS.get(stem)
    if first is None:   # test_smoke_run was deselected: run it here
        (tmp_path / "first").mkdir()
        papermill_cli(path, tmp_path / "first", "smoke")
        first = (tmp_path / "first" / "results" / f"{stem}.json").read_bytes()
    (tmp_path / "again").mkdir()
    papermill_cli(path, tmp_path / "again", "smoke")
    assert (tmp_path / "again" / "results" / f"{stem}.json").read_bytes() == first, \
        f"{stem}: two smoke runs with one seed wrote different results"


@pytest.fixture(scope="session")
def lab_checkpoints(tmp_path_factory):
    """One checkpoint folder for the lab runs, as ``make run`` has: 07 loads the models
    that 03-05 trained earlier in the session instead of training them again (it
    trains them itself when they are missing, e.g. with ``-k 07``)."""
    return tmp_path_factory.mktemp("checkpoints")


@pytest.mark.lab
@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_lab_findings(path, tmp_path, monkeypatch, lab_checkpoints):
    monkeypatch.setenv("IPYTHONDIR", scan.audit_ipython_dir(tmp_path / "ipython"))   # the figure audit
    monkeypatch.setenv("AFFECTKIT_CHECKPOINT_DIR", str(lab_checkpoints))
    run = execute(path, tmp_path, {"profile": "lab"}, cell_timeout=1200)
    found = lessons.problems(path.stem, run.results, "lab")
    assert not found, "\n".join(found)
    found = scan.problems(json.loads(run.output.read_text()))
    assert not found, f"{path.stem} (lab), as a student reads it:\n" + "\n".join(found)
