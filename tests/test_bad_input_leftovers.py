"""Bad input, the audit's leftovers: NaN knobs and labels, NaN logits, empty
transcripts, sidecar values JSON cannot hold, NumPy scalars as knobs, and the
errors that surfaced in a library's words (unhashable profile, SVD, IndexError,
OpenCV, ragged arrays). Each case asserts the kit's own message, or that the
input is accepted and handled as its Python equivalent."""

import json
import pickle

import numpy as np
import pytest
import torch

from affectkit import checks, cmdm, easum, latent, loop, metrics
from affectkit.cmdm.model import CMDM
from affectkit.cmdm.objectives import CMDMLoss
from affectkit.cmdm.train import CMDMStep
from affectkit.config import get_profile, seed_everything
from affectkit.data.dataset import MultimodalDataset
from affectkit.data.labels import MELD7
from affectkit.data.mmsa import load_mmsa, mmsa_dataset
from affectkit.data.transforms import ZNorm, feature_noise, pad_or_truncate
from affectkit.easum.prepare import balance_domains
from affectkit.features import sample_clip, visual
from affectkit.features.lexical import WordEmbedder
from affectkit.teach.record import record
from tests.corpora import mmsa_split

nan, inf = float("nan"), float("inf")


def dataset(**over):
    base = dict(x={"A": np.zeros((4, 3)), "V": np.zeros((4, 5, 2))}, y=[0, 1, 0, 1], classes=("a", "b"))
    return MultimodalDataset(**{**base, **over})


# -- 1. NaN knobs and labels ----------------------------------------------------------

@pytest.mark.parametrize("knob, value", [("alpha_std", nan), ("beta_std", inf), ("alpha_mean", nan),
                                         ("beta_mean", -inf), ("alpha_std", np.float64(nan))])
def test_feature_noise_refuses_a_nan_or_inf_knob(knob, value):
    with pytest.raises(ValueError, match=rf"{knob} must be finite"):
        feature_noise(torch.ones(2, 3, 4), **{knob: value})


def test_augmentation_knobs_refuse_nan():
    with pytest.raises(ValueError, match=r"eps must be finite"):
        ZNorm(eps=nan)
    with pytest.raises(ValueError, match=r"noise_std must be finite"):
        balance_domains({}, noise_std=nan)
    with pytest.raises(ValueError, match=r"zero_out must be finite"):
        balance_domains({}, zero_out=nan)


def write_mmsa(path, **train):
    rng = np.random.default_rng(0)
    data = {s: mmsa_split(4, rng) for s in ("train", "valid", "test")}
    data["train"].update(train)
    path.write_bytes(pickle.dumps(data))
    return path


def test_mmsa_refuses_nan_regression_labels(tmp_path):
    """MMSA annotates every utterance: a NaN label is a damaged file, not "not annotated"."""
    with pytest.raises(ValueError, match=r"split 'train': regression_labels holds NaN or inf in 1 of 4 rows "
                                         r"\(first: row 2\)"):
        load_mmsa(write_mmsa(tmp_path / "m.pkl", regression_labels=np.array([0.5, -1.0, nan, 2.0])))


def test_nan_sentiment_still_means_not_annotated():
    """The dataset's documented marker is kept: NaN sentiment is accepted, inf refused."""
    ds = dataset(sentiment=[0.5, nan, -1.0, nan])
    assert int(torch.isnan(ds.sentiment).sum()) == 2
    with pytest.raises(ValueError, match=r"sentiment must lie in \[-3, 3\]"):
        dataset(sentiment=[0.5, inf, -1.0, 0.0])


# -- 2. NaN logits ----------------------------------------------------------------------

def test_hard_pseudo_labels_refuse_nan_teacher_logits():
    """The argmax of a NaN row is a class: the loss was finite and trained on nothing."""
    aux, teacher = np.zeros((4, 3)), np.full((4, 3), nan)
    with pytest.raises(ValueError, match=r"^teacher_logits hold NaN or inf values"):
        easum.hard_label_ce(aux, teacher)
    with pytest.raises(ValueError, match=r"^aux_logits hold NaN or inf values"):
        easum.hard_label_ce(teacher, aux)
    out = {"main": torch.zeros(4), "aux": torch.zeros(4, 3)}
    terms = easum.ds_loss(out, torch.zeros(4), torch.as_tensor(teacher), "sentiment", pseudo="hard")
    assert torch.isnan(terms["aux"]), "inside a step: NaN, which the loop names as a diverged term"


# -- 3. empty transcripts -------------------------------------------------------------

def test_word_embedder_names_an_empty_text():
    emb = WordEmbedder(max_words=4, cache_dir=False, progress=False)
    with pytest.raises(ValueError, match=r"texts\[1\] is empty \(no words; 2 of 3 texts are\).*allow_empty=True"):
        emb(["a line", " \t ", ""])
    with pytest.raises(TypeError, match=r"allow_empty is a switch"):
        emb(["a line"], allow_empty="yes")
    assert emb._enc is None, "refused before the encoder was loaded"


# -- 4. sidecar values JSON cannot hold -------------------------------------------------

@pytest.fixture
def sidecar(tmp_path, monkeypatch):
    monkeypatch.setenv("AFFECTKIT_RESULTS_DIR", str(tmp_path))
    record("ok", 1, notebook="nb")
    yield tmp_path / "nb.json"
    assert json.loads((tmp_path / "nb.json").read_text()) == {"ok": 1}, "nothing written"


def test_record_refuses_keys_that_collide_in_json(sidecar):
    with pytest.raises(ValueError, match=r"scores has keys 1 and '1', both written '1' in JSON"):
        record("scores", {1: 0.5, "1": 0.7}, notebook="nb")
    with pytest.raises(ValueError, match=r"scores\['a'\]\[0\] has keys True and 'True'"):
        record("scores", {"a": [{True: 1, "True": 2}]}, notebook="nb")


def test_record_refuses_a_value_that_holds_itself(sidecar):
    loop = [1, 2]
    loop.append(loop)
    with pytest.raises(ValueError, match=r"runs\[2\] refers back to a list or dict that contains it"):
        record("runs", loop, notebook="nb")
    again = {"a": 1}
    again["b"] = {"c": again}
    with pytest.raises(ValueError, match=r"runs\['b'\]\['c'\] refers back"):
        record("runs", again, notebook="nb")


def test_record_writes_a_shared_value_twice(tmp_path, monkeypatch):
    monkeypatch.setenv("AFFECTKIT_RESULTS_DIR", str(tmp_path))
    shared = [1, 2]
    record("pair", {"a": shared, "b": [shared, shared]}, notebook="nb")
    assert json.loads((tmp_path / "nb.json").read_text())["pair"] == {"a": [1, 2], "b": [[1, 2], [1, 2]]}


# -- 5. NumPy scalars where Python numbers are accepted ---------------------------------

def test_checks_accept_numpy_scalars_and_return_python_numbers():
    for value in (np.int64(2), np.array(2), np.uint8(2), torch.tensor(2)):
        assert checks.count(value, "n") == 2 and type(checks.count(value, "n")) is int
    for value in (np.float64(0.5), np.float32(0.5), np.array(0.5)):
        assert checks.number(value, "x") == 0.5 and type(checks.number(value, "x")) is float
    assert checks.seed(np.int64(7)) == 7
    with pytest.raises(TypeError, match=r"n must be an integer"):
        checks.count(np.bool_(True), "n")
    with pytest.raises(TypeError, match=r"n must be an integer"):
        checks.count(np.array([1, 2]), "n")
    with pytest.raises(ValueError, match=r"x must be finite"):
        checks.number(np.array(nan), "x")


class OneBatch(loop.Step):
    """The smallest method: one batch an epoch, the squared output as the loss."""

    def batches(self, epoch):
        return [torch.ones(1, 1)]

    def terms(self, batch) -> dict:
        return {"total": self.model(batch).pow(2).sum()}


def test_numpy_knobs_train_and_batch(smoke_world):
    ds = smoke_world.train
    first = next(ds.batches(np.int64(8), shuffle=True, seed=np.int64(1)))
    assert torch.equal(first["index"], next(ds.batches(8, shuffle=True, seed=1))["index"])
    out, mask = pad_or_truncate(torch.ones(3, 2), np.int64(4))
    assert out.shape == (4, 2) and mask.sum() == 3
    seed_everything(np.int64(3))
    result = loop.fit(torch.nn.Linear(1, 1), lambda model, device: OneBatch(model, batch_size=np.int64(4), seed=np.int64(2)),
                      np.int64(2), np.array(0.1), seed=np.int64(2), weight_decay=np.float64(0.0), eval_every=np.array(1),
                      device="cpu", progress=False)
    assert len(result.history) == 2
    step = CMDMStep(CMDM(ds.shapes, 4, "smoke"), ds, smoke_world.val, smoke_world.unlabeled, CMDMLoss(),
                    np.int64(16), np.int64(2), "cpu")   # torch.Generator().manual_seed refuses np.int64
    assert (step.batch_size, step.seed) == (16, 2) and type(step.seed) is int


def test_mmd_sigma_takes_numpy_scalars():
    p, q = torch.randn(6, 3, generator=torch.Generator().manual_seed(0)), torch.zeros(6, 3)
    want = cmdm.mmd(p, q, 1.5)
    for sigma in (np.float64(1.5), np.float32(1.5), np.array(1.5), [np.float64(1.5)]):
        assert torch.allclose(cmdm.mmd(p, q, sigma), want)
    with pytest.raises(ValueError, match=r"sigma must be a scalar, got a NumPy array of shape \(2,\)"):
        cmdm.mmd(p, q, np.array([1.0, 2.0]))
    loss = CMDMLoss(sigma=np.array(2.0), alpha=np.float64(0.5), omega=np.array(0.3))
    assert (loss.sigma, loss.alpha, loss.omega) == (2.0, 0.5, 0.3) and type(loss.sigma) is float


# -- 6. the kit's words, not a library's --------------------------------------------------

def test_get_profile_refuses_an_unhashable_profile():
    for bad in (["lab"], {"name": "lab"}):
        with pytest.raises(TypeError, match=r"profile must be a profile name, one of \[.*'lab'.*\], or a Profile"):
            get_profile(bad)


def test_latent_measures_refuse_nan_latents():
    z = np.random.default_rng(0).normal(size=(6, 3))
    z[4, 1] = nan
    for measure in (metrics.effective_rank, metrics.latent_spread):
        with pytest.raises(ValueError, match=r"latents have NaN or inf values in 1 of 6 rows \(first: row 4\)"):
            measure(z)
    with pytest.raises(ValueError, match=r"latents have NaN or inf"):
        metrics.effective_rank(torch.full((4, 2), inf, requires_grad=True))
    with pytest.raises(ValueError, match=r"latents have NaN or inf"):
        latent.project(z, "pca")
    with pytest.raises(TypeError, match=r"latents must be a numeric \(n, d\) array"):
        metrics.latent_spread([["a", "b"], ["c", "d"]])


def test_labels_beyond_the_classes_are_named():
    z = np.zeros((4, 2))
    with pytest.raises(ValueError, match=r"labels \[5\] have no class: the 3 classes \('a', 'b', 'c'\) are 0\.\.2"):
        latent.stack({"A": z}, [0, 1, 5, 2], classes=("a", "b", "c"))
    _, frame = latent.stack({"A": z}, [0, 1, -1, 2], classes=("a", "b", "c"))
    assert frame["emotion"].tolist() == ["a", "b", "unlabeled", "c"], "-1 is unlabeled, not the last class"
    with pytest.raises(ValueError, match=r"y has labels \[2\] outside -1\.\.1 \(2 classes\)"):
        dataset(y=[0, 1, 2, 1])
    with pytest.raises(ValueError, match=r"indices \[7\] outside MELD-7's 7 classes"):
        MELD7.decode([0, 7])
    with pytest.raises(ValueError, match=r"y_true has labels \[3\] outside 0\.\.2 \(n_classes=3\)"):
        metrics.confusion([0, 3], [0, 1], n_classes=3)


@pytest.fixture(scope="module")
def frames():
    return visual.read_frames(sample_clip().video, every=10)[0][:2]


def test_float_frames_are_converted(frames):
    want = visual.detect_faces(frames)
    for scaled in ([f / 255.0 for f in frames], [f.astype(np.float32) for f in frames]):
        got = visual.detect_faces(scaled)
        assert np.array_equal(got.boxes, want.boxes) and np.array_equal(got.crops, want.crops)
    crops = want.crops
    assert torch.equal(visual.encode_faces(crops / 255.0), visual.encode_faces(crops))


@pytest.mark.parametrize("frame, exc, match", [
    (np.full((40, 40), 300.0), ValueError, r"frames\[0\] holds values in \[300, 300\]; pixels lie in \[0, 255\]"),
    (np.full((40, 40), nan, np.float32), ValueError, r"frames\[0\] holds NaN or inf values"),
    (np.zeros(40), ValueError, r"frames\[0\] must be \(height, width\) grey or \(height, width, 3\) BGR"),
    (np.zeros((40, 40), bool), TypeError, r"frames\[0\] must hold pixel values"),
], ids=["above_255", "nan", "1d", "bool"])
def test_bad_frames_are_named(frame, exc, match):
    with pytest.raises(exc, match=match):
        visual.detect_faces([frame])


def test_ragged_features_name_the_modality(tmp_path):
    with pytest.raises(TypeError, match=r"split: x\['V'\] is a ragged list"):
        dataset(x={"V": [np.zeros((5, 2)), np.zeros((3, 2)), np.zeros((5, 2)), np.zeros((5, 2))]})
    with pytest.raises(TypeError, match=r"split: mask\['V'\] is a ragged list"):
        dataset(mask={"V": [[1] * 5, [1] * 5, [1] * 3, [1] * 5]})
    vision = [np.zeros((6, 3))] * 4
    vision[3] = np.zeros((2, 3))
    with pytest.raises(ValueError, match=r"split 'train': vision is ragged: entry 0 has shape \(6, 3\), "
                                         r"entry 3 \(2, 3\)"):
        load_mmsa(write_mmsa(tmp_path / "m.pkl", vision=vision))
    assert len(mmsa_dataset(load_mmsa(write_mmsa(tmp_path / "ok.pkl"))["train"])) == 4
