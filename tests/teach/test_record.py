"""record: a notebook's sidecar, its name, writers that run at once."""

import importlib
import json
import os
import re
import subprocess
import sys
import threading
import warnings
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import torch

import affectkit
from affectkit.teach.record import load, notebook_stem, to_jsonable
from affectkit.tools.runner import list_notebooks

record_module = importlib.import_module("affectkit.teach.record")  # affectkit.teach.record is the function


def test_record_merges_atomically(tmp_path, monkeypatch):
    monkeypatch.setenv("AFFECTKIT_RESULTS_DIR", str(tmp_path))
    monkeypatch.setenv("AFFECTKIT_NOTEBOOK", "99_test")
    assert notebook_stem() == "99_test"
    affectkit.record("a", np.float32(0.5))
    affectkit.record("b", {"x": torch.tensor(2.0), "y": [np.int64(1), float("nan")]})
    affectkit.record("table", pd.DataFrame({"k": ["u", "v"], "v": [1.0, 2.0]}))
    data = json.loads((tmp_path / "99_test.json").read_text())
    assert data == {"a": 0.5, "b": {"x": 2.0, "y": [1, None]},
                    "table": [{"k": "u", "v": 1.0}, {"k": "v", "v": 2.0}]}
    assert load("99_test") == data
    assert [p.name for p in tmp_path.iterdir()] == ["99_test.json"], "no temp files left behind"


def test_record_writes_nothing_on_bad_values(tmp_path, monkeypatch):
    monkeypatch.setenv("AFFECTKIT_RESULTS_DIR", str(tmp_path))
    affectkit.record("ok", 1, notebook="nb")
    with pytest.raises(TypeError, match="cannot record"):
        affectkit.record("bad", object(), notebook="nb")
    with pytest.raises(ValueError, match="non-empty"):
        affectkit.record("", 1, notebook="nb")
    assert json.loads((tmp_path / "nb.json").read_text()) == {"ok": 1}


def test_concurrent_records_leave_valid_json(tmp_path, monkeypatch):
    monkeypatch.setenv("AFFECTKIT_RESULTS_DIR", str(tmp_path))
    threads = [threading.Thread(target=affectkit.record, args=(f"k{i}", i), kwargs={"notebook": "nb"})
               for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert isinstance(json.loads((tmp_path / "nb.json").read_text()), dict)


@pytest.fixture
def no_names(monkeypatch):
    """No executor's name, nothing declared, the one-time warning not yet given."""
    for var in ("AFFECTKIT_NOTEBOOK", "JPY_SESSION_NAME", "JPY_PARENT_PID"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(record_module, "_declared", None)
    monkeypatch.setattr(record_module, "_warned", False)
    return monkeypatch


def test_notebook_stem_precedence(no_names, tmp_path):
    monkeypatch = no_names
    monkeypatch.setenv("AFFECTKIT_RESULTS_DIR", str(tmp_path))
    with pytest.warns(UserWarning, match=re.escape(str(tmp_path / "interactive.json"))):
        assert notebook_stem() == "interactive"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert notebook_stem() == "interactive", "warned once only"
    assert affectkit.this_notebook("03_mmd_collapse") == "03_mmd_collapse"
    shell = SimpleNamespace(user_ns={"__vsc_ipynb_file__": "/home/s/03_mine.ipynb"})
    monkeypatch.setitem(sys.modules, "IPython", SimpleNamespace(get_ipython=lambda: shell))
    assert notebook_stem() == "03_mine", "VS Code's file beats the declared name"
    monkeypatch.setenv("JPY_SESSION_NAME", "/srv/notebooks/03_mmd_collapse-Copy1.ipynb")
    assert notebook_stem() == "03_mmd_collapse-Copy1", "JupyterLab's file: a renamed copy gets its own sidecar"
    monkeypatch.setenv("AFFECTKIT_NOTEBOOK", "07_latent_explorer")
    assert notebook_stem() == "07_latent_explorer", "the kit's runner beats everything"
    monkeypatch.delenv("AFFECTKIT_NOTEBOOK")
    monkeypatch.setattr(record_module, "_inherited", lambda var: True)
    assert notebook_stem() == "03_mine", "a session name inherited from a driver notebook is not ours"
    monkeypatch.setattr(shell, "user_ns", {})
    monkeypatch.setenv("JPY_SESSION_NAME", "/srv/notebooks/console-1-0b3f")
    assert notebook_stem() == "03_mmd_collapse", "a console's session name is no notebook"
    affectkit.record("x", 1)
    assert [p.name for p in tmp_path.iterdir()] == ["03_mmd_collapse.json"]


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="reads Linux's /proc")
def test_inherited_session_name_is_detected(no_names):
    monkeypatch = no_names
    name = "/srv/notebooks/driver.ipynb"
    monkeypatch.setenv("JPY_SESSION_NAME", name)
    launcher = subprocess.Popen([sys.executable, "-c", "import time; print('ready', flush=True); time.sleep(30)"],
                                env={**os.environ, "JPY_SESSION_NAME": name}, stdout=subprocess.PIPE, text=True)
    try:
        # until the child has started, /proc shows the environment it was forked with (CI saw the race)
        assert launcher.stdout.readline().strip() == "ready"
        monkeypatch.setenv("JPY_PARENT_PID", str(launcher.pid))  # a kernel that a driver notebook started
        assert record_module._inherited("JPY_SESSION_NAME")
        monkeypatch.setenv("JPY_PARENT_PID", str(os.getpid()))  # started by a process without it: the server
        assert not record_module._inherited("JPY_SESSION_NAME")
    finally:
        launcher.kill()
        launcher.wait()


@pytest.mark.parametrize("bad", ["", " 03", "../03_mmd_collapse", "notebooks/03_mmd_collapse", "a\\b", "..",
                                 "03_mmd_collapse.ipynb", None])
def test_bad_notebook_names(bad, no_names, tmp_path):
    no_names.setenv("AFFECTKIT_RESULTS_DIR", str(tmp_path))
    with pytest.raises(ValueError, match="notebook name must be a plain file stem|without '.ipynb'"):
        affectkit.this_notebook(bad)
    if bad is not None:
        with pytest.raises(ValueError):
            affectkit.record("x", 1, notebook=bad)
    assert list(tmp_path.iterdir()) == [] and record_module._declared is None


NAMED = re.compile(r"""affectkit\.this_notebook\(\s*["']([^"']*)["']\s*\)""")


@pytest.mark.parametrize("path", list_notebooks(), ids=lambda p: p.stem)
def test_each_notebook_declares_its_own_name_in_its_setup_cell(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    sources = ["".join(c["source"]) for c in cells]
    params = next(i for i, c in enumerate(cells) if "parameters" in c["metadata"].get("tags", []))
    setup = next(i for i in range(params + 1, len(cells)) if cells[i]["cell_type"] == "code")
    assert [(i, m) for i, s in enumerate(sources) for m in NAMED.findall(s)] == [(setup, path.stem)], \
        f"{path.name}: call affectkit.this_notebook({path.stem!r}) once, in the cell after the parameters cell"
    assert "this_notebook" not in "".join(sources[:setup] + sources[setup + 1:])
    before = sources[setup][: sources[setup].index("this_notebook")]
    assert "record(" not in "".join(sources[:setup]) + before, "declare the name before recording anything"


def test_to_jsonable_nested():
    assert to_jsonable({1: (np.arange(2), np.bool_(True))}) == {"1": [[0, 1], True]}
    assert to_jsonable(pd.Series({"a": 1})) == {"a": 1}


WRITER = """
import importlib
import sys
rec = importlib.import_module("affectkit.teach.record")
for i in range(int(sys.argv[2])):
    rec.record(f"w{sys.argv[1]}_{i}", i, notebook="shared")
"""


@pytest.mark.parametrize("writers", [2, 4])
def test_concurrent_writers_lose_no_record(tmp_path, writers):
    env = {**os.environ, "AFFECTKIT_RESULTS_DIR": str(tmp_path)}
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(w), "60"], env=env) for w in range(writers)]
    assert all(p.wait(timeout=120) == 0 for p in procs)
    data = json.loads((tmp_path / "shared.json").read_text())
    assert len(data) == writers * 60, f"{writers * 60 - len(data)} records lost"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shared.json"], "no temporary or lock file left"


def test_a_corrupt_sidecar_is_named(tmp_path, monkeypatch):
    rec = importlib.import_module("affectkit.teach.record")
    monkeypatch.setenv("AFFECTKIT_RESULTS_DIR", str(tmp_path))
    (tmp_path / "nb.json").write_text("{truncated")
    with pytest.raises(ValueError, match=r"nb.json is not a valid results file.*delete it"):
        rec.record("x", 1, notebook="nb")
    (tmp_path / "nb.json").write_text("[1, 2]")
    with pytest.raises(ValueError, match=r"nb.json holds a list"):
        rec.load("nb")
