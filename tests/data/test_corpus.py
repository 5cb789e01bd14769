"""The experiment runners on data that is not the synthetic world: tiny IEMOCAP
and MMSA files in the corpora's own formats (invented numbers), and a corpus
written and read back as .npz."""

import pickle

import numpy as np
import pytest

from affectkit.cmdm.experiments import Setting, run_settings, table5_settings
from affectkit.cmdm.objectives import CMDMLoss
from affectkit.data.corpus import Corpus, from_iemocap, from_mmsa, load_corpus, save_corpus, space_for
from affectkit.data.iemocap import load_iemocap
from affectkit.data.mmsa import load_mmsa
from affectkit.easum.experiments import DSSetting, run_dg, run_ds

from ..corpora import mmsa_split


def iemocap_file(path, rng, per_dialogue=8):
    """Five sessions, two dialogues each, labels drawn from IEMOCAP-6 with a class signal in the features."""
    vids = [f"Ses0{s}{g}_impro0{d}" for s in range(1, 6) for g, d in (("F", 1), ("M", 2))]
    fields = [{} for _ in range(7)]
    for vid in vids:
        labels = rng.integers(0, 6, per_dialogue)
        signal = np.eye(6)[labels]
        fields[0][vid] = [f"{vid}_{i}" for i in range(per_dialogue)]
        fields[1][vid] = ["F" if i % 2 else "M" for i in range(per_dialogue)]
        fields[2][vid] = labels.tolist()
        for k, dim in ((3, 10), (4, 7), (5, 6)):
            fields[k][vid] = (np.pad(signal, ((0, 0), (0, dim - 6))) * 2 + rng.normal(size=(per_dialogue, dim))).tolist()
        fields[6][vid] = [f"invented line {i}" for i in range(per_dialogue)]
    path.write_bytes(pickle.dumps((*fields, vids[:8], vids[8:])))
    return path


@pytest.fixture(scope="module")
def iemocap(tmp_path_factory):
    path = iemocap_file(tmp_path_factory.mktemp("iemocap") / "IEMOCAP_features.pkl", np.random.default_rng(0))
    return from_iemocap(load_iemocap(path))


@pytest.fixture(scope="module")
def mosi(tmp_path_factory):
    rng = np.random.default_rng(1)
    blob = {s: mmsa_split(n, rng) for s, n in (("train", 24), ("valid", 12), ("test", 12))}
    path = tmp_path_factory.mktemp("mmsa") / "mosi.pkl"
    path.write_bytes(pickle.dumps(blob))
    return from_mmsa(load_mmsa(path), "mosi")


def test_iemocap_corpus_is_speaker_independent(iemocap):
    assert iemocap.task == "emotion" and iemocap.classes == ("neutral", "happy", "angry", "sad")
    assert iemocap.train.shapes == {"A": (7,), "V": (6,), "L": (10,)} and iemocap.unlabeled is None
    assert len(iemocap.train) > len(iemocap.val) > 0 and len(iemocap.test) > 0
    assert int(iemocap.train.y.min()) >= 0, "frustrated is dropped, excited merged into happy"


def test_cmdm_runner_takes_a_corpus(iemocap):
    settings = {"AVL vanilla": Setting(), "AVL matched": Setting(CMDMLoss(sigma="median")),
                "L only": Setting(CMDMLoss(matching=False, unpaired=False), modalities="L")}
    rows = run_settings(settings, profile="smoke", seeds=(0, 1), data=iemocap, progress=False)
    assert len(rows) == 6 and set(rows.setting) == set(settings)
    assert rows.ua.between(0, 1).all() and rows.n_labeled.eq(len(iemocap.train)).all()
    with pytest.raises(ValueError, match="needs an unlabeled pool; iemocap has none"):
        run_settings(table5_settings(combos=("AVL",)), profile="smoke", seeds=(0,), data=iemocap, progress=False)


def test_cmdm_semi_supervised_on_a_corpus_with_a_pool(iemocap):
    pool = iemocap.train.subset(np.arange(len(iemocap.train)), name="pool")
    pool = pool.__class__(**{**pool.__dict__, "y": np.full(len(pool), -1)})
    with_pool = Corpus("iemocap+pool", iemocap.train, iemocap.val, iemocap.test, unlabeled=pool, space=iemocap.space)
    rows = run_settings(table5_settings(CMDMLoss(sigma="median"), combos=("AVL",)), profile="smoke", seeds=(0,),
                        data=with_pool, progress=False)
    assert list(rows.setting) == ["AVL fully", "AVL semi"] and rows.n_unlabeled.iloc[1] > 0


def test_easum_runners_take_corpora(mosi):
    assert mosi.task == "sentiment" and mosi.train.shapes == {"L": (4, 8), "A": (6, 5), "V": (6, 3)}
    models = {}
    dg = run_dg({"matched": 0.1}, profile="smoke", seeds=(0,), data={"mosi": mosi}, progress=False,
                models=models)
    assert list(dg.setting) == ["untrained", "matched"] and "test_acc_mosi" in dg
    teachers = {0: models[("matched", 0)].model}
    ds = run_ds({"soft": DSSetting("mosi", "soft"), "none": DSSetting("mosi", "none", init="scratch")}, teachers,
                profile="smoke", seeds=(0,), data={"mosi": mosi}, progress=False)
    assert set(ds.columns) >= {"mae", "corr", "acc2"} and ds.mae.notna().all()


def test_vectors_become_one_step_sequences_for_easum(iemocap):
    dg = run_dg({"matched": 0.1}, profile="smoke", seeds=(0,), data=iemocap, progress=False, untrained=False)
    assert dg.val_acc.between(0, 1).all()
    with pytest.raises(ValueError, match=r"no eta for corpus 'iemocap-2'"):
        DSSetting("iemocap-2", "soft")


def test_corpus_npz_round_trip(iemocap, tmp_path):
    path = save_corpus(iemocap, tmp_path / "iemocap.npz")
    back = load_corpus(path)
    assert back.classes == iemocap.classes and back.task == "emotion" and back.splits.keys() == iemocap.splits.keys()
    for split, ds in iemocap.splits.items():
        assert np.array_equal(back.splits[split].x["A"].numpy(), ds.x["A"].numpy())
        assert np.array_equal(back.splits[split].y.numpy(), ds.y.numpy())
    assert back.space.common == {"neutral": "neutral", "happy": "happy", "angry": "angry", "sad": "sad"}


def test_bad_input_corpora(tmp_path, iemocap):
    with pytest.raises(FileNotFoundError, match=r"no corpus file at .*none\.npz"):
        load_corpus(tmp_path / "none.npz")
    np.savez(tmp_path / "other.npz", a=np.zeros(2))
    with pytest.raises(ValueError, match=r"other\.npz: not an affectkit corpus"):
        load_corpus(tmp_path / "other.npz")
    with pytest.raises(ValueError, match=r"a corpus file must end in \.npz"):
        save_corpus(iemocap, tmp_path / "x.csv")
    with pytest.raises(ValueError, match=r"task must be 'emotion' or 'sentiment'"):
        Corpus("c", iemocap.train, iemocap.val, iemocap.test, task="mood")
    with pytest.raises(ValueError, match=r"the val split has shapes"):
        Corpus("c", iemocap.train, iemocap.val.select(["A"]), iemocap.test)
    with pytest.raises(ValueError, match=r"test_session 9 is not among"):
        from_iemocap(load_iemocap(iemocap_file(tmp_path / "i.pkl", np.random.default_rng(0))), test_session=9)
    assert space_for("mine", ["Joy", "anger", "bored"]).common == {"Joy": "happy", "anger": "angry"}
