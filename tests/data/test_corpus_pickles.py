"""MMSA and IEMOCAP loaders on small invented files in the corpora's formats."""

import pickle
import warnings

import numpy as np
import pytest

from affectkit.data.iemocap import four_class, load_iemocap, session_folds
from affectkit.data.mmsa import load_mmsa, mmsa_dataset
from affectkit.data.pickles import PickleWarning, UnsafePickleError, load_pickle, to_npz

from ..corpora import mmsa_split


def test_mmsa_pickle_npz_and_dataset(tmp_path):
    rng = np.random.default_rng(0)
    blob = {s: mmsa_split(n, rng) for s, n in (("train", 5), ("valid", 3), ("test", 4))}
    path = tmp_path / "mosi.pkl"
    path.write_bytes(pickle.dumps(blob))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the restricted unpickler needs no warning
        data = load_mmsa(path)
    with pytest.warns(PickleWarning, match="runs any code"):
        assert load_mmsa(path, trust_pickle=True).keys() == data.keys()
    assert data["train"]["audio"][0, 0, 0] == 0.0, "-inf audio set to 0"
    assert data["test"]["regression_labels"].shape == (4,)
    again = load_mmsa(to_npz(data, tmp_path / "mosi.npz"))  # no pickle, no warning
    assert np.allclose(again["valid"]["text"], data["valid"]["text"]) and again["train"]["id"][2] == "clip$_$2"
    ds = mmsa_dataset(data["train"], "mosi/train")
    assert ds.shapes == {"L": (4, 8), "A": (6, 5), "V": (6, 3)} and len(ds) == 5
    assert ds.mask["A"][0].tolist() == [True] * 4 + [False] * 2 and ds.mask["L"][0].tolist() == [True] * 3 + [False]
    assert (ds.y == -1).all() and np.allclose(ds.sentiment.numpy(), data["train"]["regression_labels"])


def test_mmsa_bad_files(tmp_path):
    rng = np.random.default_rng(0)
    blob = {s: mmsa_split(3, rng) for s in ("train", "valid")}
    (tmp_path / "a.pkl").write_bytes(pickle.dumps(blob))
    with pytest.raises(ValueError, match=r"a.pkl: missing splits \['test'\]"):
        load_mmsa(tmp_path / "a.pkl")
    blob["test"] = mmsa_split(3, rng)
    blob["test"]["audio"] = blob["test"]["audio"][:2]
    (tmp_path / "b.pkl").write_bytes(pickle.dumps(blob))
    with pytest.raises(ValueError, match=r"b.pkl: split 'test' has 3 labels but \{'audio': 2\}"):
        load_mmsa(tmp_path / "b.pkl")
    del blob["test"]["vision"]
    (tmp_path / "c.pkl").write_bytes(pickle.dumps(blob))
    with pytest.raises(ValueError, match=r"split 'test' lacks keys \['vision'\]"):
        load_mmsa(tmp_path / "c.pkl")
    with pytest.raises(ValueError, match="explicitly"):
        load_pickle(None)


def iemocap_blob(rng):
    dialogues = {"Ses01F_impro01": [0, 4, 5], "Ses02M_script01": [2, 3], "Ses05F_impro02": [1, 0, 2]}
    fields = [{} for _ in range(7)]
    for vid, labels in dialogues.items():
        n = len(labels)
        fields[0][vid] = [f"{vid}_{i}" for i in range(n)]
        fields[1][vid] = ["F", "M"][:1] * n
        fields[2][vid] = labels
        fields[3][vid] = rng.normal(size=(n, 10)).tolist()
        fields[4][vid] = rng.normal(size=(n, 7)).tolist()
        fields[5][vid] = rng.normal(size=(n, 6)).tolist()
        fields[6][vid] = [f"invented line {i}" for i in range(n)]
    return (*fields, ["Ses01F_impro01", "Ses02M_script01"], ["Ses05F_impro02"])


def test_iemocap_four_classes_and_folds(tmp_path):
    path = tmp_path / "IEMOCAP_features.pkl"
    path.write_bytes(pickle.dumps(iemocap_blob(np.random.default_rng(0))))
    data = load_iemocap(path)
    assert data["text"].shape == (8, 10) and data["audio"].shape == (8, 7) and data["visual"].shape == (8, 6)
    assert data["session"].tolist() == [1, 1, 1, 2, 2, 5, 5, 5] and data["train"].sum() == 5
    four = four_class(data)
    assert len(four["label"]) == 7, "frustrated dropped"
    assert four["label"].tolist() == [1, 1, 0, 2, 3, 1, 0], "excited merged into happy (IEMOCAP-4: neu, hap, ang, sad)"
    folds = session_folds(four["session"])
    assert [f[0] for f in folds] == [1, 2, 5] and sorted(np.concatenate([f[2] for f in folds]).tolist()) == list(range(7))
    again = load_iemocap(to_npz(data, tmp_path / "iemocap.npz"))
    assert np.array_equal(again["label6"], data["label6"]) and again["dialogue"][0] == "Ses01F_impro01"


def test_iemocap_bad_files(tmp_path):
    blob = list(iemocap_blob(np.random.default_rng(0)))
    blob[4] = {**blob[4], "Ses05F_impro02": blob[4]["Ses05F_impro02"][:2]}
    (tmp_path / "a.pkl").write_bytes(pickle.dumps(tuple(blob)))
    with pytest.raises(ValueError, match="Ses05F_impro02' has 3 labels but"):
        load_iemocap(tmp_path / "a.pkl")
    (tmp_path / "b.pkl").write_bytes(pickle.dumps(tuple(blob[:5])))
    with pytest.raises(ValueError, match="expected a tuple of 9 fields"):
        load_iemocap(tmp_path / "b.pkl")


class Hostile:
    """A pickle payload that would create a file when unpickled."""

    def __init__(self, target):
        self.target = str(target)

    def __reduce__(self):
        return (open, (self.target, "w"))


@pytest.mark.parametrize("loader", ["mmsa", "iemocap"])
def test_a_hostile_pickle_runs_nothing(tmp_path, loader):
    target = tmp_path / "pwned"
    blob = {"train": Hostile(target)} if loader == "mmsa" else (Hostile(target),) * 9
    path = tmp_path / "evil.pkl"
    path.write_bytes(pickle.dumps(blob))
    load = load_mmsa if loader == "mmsa" else load_iemocap
    with pytest.raises(UnsafePickleError, match=r"evil.pkl: refuses to load io.open.*trust_pickle=True"):
        load(path)
    assert not target.exists(), "the payload ran"


def test_restricted_unpickler_admits_arrays_and_plain_data(tmp_path):
    from collections import OrderedDict

    plain = {"a": np.arange(6, dtype=np.float32).reshape(2, 3), "b": [1, 2.5, "x", None, True],
             "c": (np.float64(1.5), np.int64(3)), "d": np.array(["s1", "s2"])}
    for protocol in (2, pickle.HIGHEST_PROTOCOL):
        path = tmp_path / f"plain{protocol}.pkl"
        path.write_bytes(pickle.dumps(plain, protocol=protocol))
        back = load_pickle(path)
        assert np.array_equal(back["a"], plain["a"]) and back["b"] == plain["b"] and back["c"] == plain["c"]
        assert back["d"].tolist() == ["s1", "s2"]
    path = tmp_path / "ordered.pkl"
    path.write_bytes(pickle.dumps(OrderedDict(a=1)))
    with pytest.raises(UnsafePickleError, match="collections.OrderedDict"):
        load_pickle(path)
    with pytest.warns(PickleWarning):
        assert load_pickle(path, trust_pickle=True) == {"a": 1}
    with pytest.raises(TypeError, match="trust_pickle"):
        load_pickle(path, trust_pickle="yes")
