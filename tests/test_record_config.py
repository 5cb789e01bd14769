import json
import threading

import numpy as np
import pandas as pd
import pytest
import torch

import affectkit
from affectkit.config import get_profile, resolve_device, seed_everything
from affectkit.record import load, notebook_stem, to_jsonable


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


def test_to_jsonable_nested():
    assert to_jsonable({1: (np.arange(2), np.bool_(True))}) == {"1": [[0, 1], True]}
    assert to_jsonable(pd.Series({"a": 1})) == {"a": 1}


def test_profiles():
    lab = get_profile("lab")
    assert lab.name == "lab" and get_profile(lab) is lab
    paper = get_profile("paper")
    assert paper.shapes == {"A": (1582,), "V": (18, 342), "L": (22, 1024)}
    assert paper.domain_shapes == {"L": (40, 768), "A": (157, 64), "V": (32, 64)}
    assert paper.domain_sizes["mosi"] == (1284, 229, 686)
    assert paper.n_unlabeled == 20000
    with pytest.raises(ValueError, match="unknown profile 'fast'"):
        get_profile("fast")


def test_bad_profile_sizes():
    with pytest.raises(ValueError, match="n_train must be a positive int"):
        affectkit.config.Profile(name="x", n_train=0, n_val=1, n_test=1, n_unlabeled=1, speakers=(1, 1, 1, 1),
                                 shapes={"A": (2,)}, domain_sizes={}, domain_shapes={"A": (2,)},
                                 epochs=1, batch_size=1)


def test_seed_everything_repeats_draws():
    seed_everything(7)
    a = (torch.rand(3), np.random.rand(3))
    seed_everything(7)
    b = (torch.rand(3), np.random.rand(3))
    assert torch.equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    with pytest.raises(ValueError, match="seed"):
        seed_everything(-1)


def test_resolve_device():
    assert resolve_device("auto").type in ("cpu", "cuda")
    assert resolve_device("cpu").type == "cpu"
    with pytest.raises(ValueError, match="device"):
        resolve_device("tpu-please")
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="no CUDA"):
            resolve_device("cuda")
