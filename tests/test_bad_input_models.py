"""Bad input, model surface: the losses of both papers, the training loops,
checkpoints and the model store. Each case asserts the exception type and that
the message names the argument at fault."""

import os

import numpy as np
import pytest
import torch

import affectkit
from affectkit import checkpoints, cmdm, easum, model_store
from affectkit.cmdm.dae import VectorDAE
from affectkit.cmdm.model import CMDM
from affectkit.cmdm.objectives import CMDMLoss
from affectkit.cmdm.train import fit, fit_autoencoder
from affectkit.easum import fit_dg, fit_ds, prepare_domains
from affectkit.easum.models import DGModel, DSModel

P, Q = torch.randn(6, 3), torch.randn(6, 3)
NAN = torch.full((6, 3), float("nan"))
nan = float("nan")

LOSSES = [
    ("kernel_sigma_zero", lambda: cmdm.gaussian_kernel(P, Q, 0.0), ValueError, r"sigma must be positive"),
    ("kernel_sigma_negative", lambda: cmdm.gaussian_kernel(P, Q, -1.0), ValueError, r"sigma must be positive"),
    ("kernel_sigma_nan", lambda: cmdm.gaussian_kernel(P, Q, nan), ValueError, r"sigma must be positive and finite"),
    ("kernel_sigma_inf", lambda: cmdm.gaussian_kernel(P, Q, float("inf")), ValueError, r"sigma must be positive"),
    ("kernel_sigma_bool", lambda: cmdm.gaussian_kernel(P, Q, True), TypeError, r"sigma must be a positive number"),
    ("kernel_sigma_rule", lambda: cmdm.gaussian_kernel(P, Q, "mean"), ValueError, r"sigma must be .*'median'"),
    ("kernel_sigma_empty", lambda: cmdm.gaussian_kernel(P, Q, []), ValueError, r"sigma must not be an empty"),
    ("kernel_sigma_list_zero", lambda: cmdm.gaussian_kernel(P, Q, [1.0, 0.0]), ValueError, r"sigma must be positive"),
    ("kernel_sigma_tensor", lambda: cmdm.gaussian_kernel(P, Q, torch.ones(2)), ValueError, r"sigma must be a scalar"),
    ("kernel_dims", lambda: cmdm.gaussian_kernel(P, torch.randn(6, 4)), ValueError, r"x and y must have the same dim"),
    ("mmd_nan_p", lambda: cmdm.mmd(NAN, Q), ValueError, r"^p hold NaN"),
    ("mmd_nan_q", lambda: cmdm.mmd(P, NAN), ValueError, r"^q hold NaN"),
    ("mmd_nan_median", lambda: cmdm.mmd(NAN, Q, "median"), ValueError, r"x or y holds NaN"),
    ("mmd_one_sample", lambda: cmdm.mmd(P[:1], Q), ValueError, r"needs >= 2 samples per side, got 1 and 6"),
    ("mmd_3d", lambda: cmdm.mmd(P.unsqueeze(0), Q), ValueError, r"p must be \(n, dim\)"),
    ("mmd_text", lambda: cmdm.mmd([["a", "b"]], Q), TypeError, r"p must be a numeric array"),
    ("mmd_sigma_nan", lambda: cmdm.mmd(P, Q, nan), ValueError, r"sigma must be positive and finite"),
    ("paired_sigma_zero", lambda: cmdm.paired_discrepancy(P, Q, 0), ValueError, r"sigma must be positive"),
    ("paired_sigma_negative", lambda: cmdm.paired_discrepancy(P, Q, -2.0), ValueError, r"sigma must be positive"),
    ("paired_sigma_nan", lambda: cmdm.paired_discrepancy(P, Q, nan), ValueError, r"sigma must be positive"),
    ("paired_shapes", lambda: cmdm.paired_discrepancy(P, Q[:4]), ValueError, r"paired latents must have the same"),
    ("paired_nan", lambda: cmdm.paired_discrepancy(P, NAN), ValueError, r"^q hold NaN"),
    ("matching_form", lambda: cmdm.matching_terms({"A": P, "L": Q}, form="pairs"), ValueError, r"form must be one"),
    ("matching_one", lambda: cmdm.matching_terms({"A": P}), ValueError, r"at least two modalities"),
    ("matching_anchor", lambda: cmdm.matching_terms({"A": P, "L": Q}, anchor="V"), ValueError, r"anchor 'V'"),
    ("derangement_one", lambda: cmdm.derangement(1), ValueError, r"at least 2 utterances"),
    ("cmdm_sigma_zero", lambda: CMDMLoss(sigma=0.0), ValueError, r"CMDMLoss\.sigma must be positive"),
    ("cmdm_sigma_negative", lambda: CMDMLoss(sigma=-1.0), ValueError, r"CMDMLoss\.sigma must be positive"),
    ("cmdm_sigma_nan", lambda: CMDMLoss(sigma=nan), ValueError, r"CMDMLoss\.sigma must be positive"),
    ("cmdm_sigma_rule", lambda: CMDMLoss(sigma="auto"), ValueError, r"CMDMLoss\.sigma"),
    ("cmdm_alpha_nan", lambda: CMDMLoss(alpha=nan), ValueError, r"CMDMLoss\.alpha must be >= 0 and finite"),
    ("cmdm_beta_negative", lambda: CMDMLoss(beta=-0.1), ValueError, r"CMDMLoss\.beta"),
    ("cmdm_omega_text", lambda: CMDMLoss(omega="0.3"), TypeError, r"CMDMLoss\.omega must be a number"),
    ("cmdm_switch", lambda: CMDMLoss(matching="yes"), TypeError, r"CMDMLoss\.matching is a switch"),
    ("cmdm_form", lambda: CMDMLoss(form="sets"), ValueError, r"CMDMLoss\.form"),
    ("cmdm_unpaired_alone", lambda: CMDMLoss(matching=False), ValueError, r"unpaired term only makes sense"),
    ("md_empty_a", lambda: easum.moment_distance(torch.zeros(0, 3), Q), ValueError, r"domain a has no samples"),
    ("md_empty_b", lambda: easum.moment_distance(P, torch.zeros(0, 3)), ValueError, r"domain b has no samples"),
    ("md_k_zero", lambda: easum.moment_distance(P, Q, k=0), ValueError, r"k must be a positive int"),
    ("md_k_bool", lambda: easum.moment_distance(P, Q, k=True), ValueError, r"k must be a positive int"),
    ("md_dims", lambda: easum.moment_distance(P, torch.randn(5, 2)), ValueError, r"a and b must have the same dim"),
    ("md_nan", lambda: easum.moment_distance(NAN, Q), ValueError, r"^a hold NaN"),
    ("md_total_one", lambda: easum.moment_distance_total([P]), ValueError, r"at least two domains"),
    ("kl_shapes", lambda: easum.soft_label_kl(torch.zeros(4, 3), torch.zeros(4, 9)), ValueError, r"aux logits"),
    ("kl_1d", lambda: easum.soft_label_kl(torch.zeros(4), torch.zeros(4)), ValueError, r"aux_logits must be \(n, dim\)"),
    ("kl_one_class", lambda: easum.soft_label_kl(torch.zeros(4, 1), torch.zeros(4, 1)), ValueError,
     r"aux_logits must be \(batch >= 1, classes >= 2\)"),
    ("kl_nan_teacher", lambda: easum.soft_label_kl(np.zeros((4, 3)), np.full((4, 3), nan)), ValueError,
     r"teacher_logits hold NaN"),
    ("ce_shapes", lambda: easum.hard_label_ce(torch.zeros(4, 3), torch.zeros(5, 3)), ValueError, r"aux logits"),
]


@pytest.mark.parametrize("make, exc, match", [c[1:] for c in LOSSES], ids=[c[0] for c in LOSSES])
def test_bad_input_losses(make, exc, match):
    with pytest.raises(exc, match=match):
        make()


def test_soft_label_kl_takes_numpy():
    """Numpy logits give the same loss as tensors (no AttributeError)."""
    a, t = np.random.default_rng(0).normal(size=(2, 4, 3))
    assert easum.soft_label_kl(a, t).item() == pytest.approx(
        easum.soft_label_kl(torch.tensor(a, dtype=torch.float32), torch.tensor(t, dtype=torch.float32)).item())


@pytest.fixture(scope="module")
def smoke():
    world = affectkit.make_world("smoke", seed=0)
    return {"train": world.train, "val": world.val, "pool": world.unlabeled,
            "model": CMDM(world.train.shapes, 4, "smoke")}


def cmdm_fit(smoke, **kw):
    args = dict(model=smoke["model"], train=smoke["train"], val=smoke["val"], epochs=1, progress=False)
    args.update(kw)
    return lambda: fit(**args)


def val_without_labels(smoke):
    val = smoke["val"]
    return val.subset(np.arange(len(val))).__class__(**{**val.__dict__, "y": np.full(len(val), -1)})


TRAINING = [
    ("epochs_zero", dict(epochs=0), ValueError, r"epochs must be >= 1, got 0"),
    ("epochs_negative", dict(epochs=-2), ValueError, r"epochs must be >= 1"),
    ("epochs_float", dict(epochs=2.5), TypeError, r"epochs must be an integer"),
    ("batch_zero", dict(batch_size=0), ValueError, r"batch_size must be >= 1"),
    ("lr_zero", dict(lr=0.0), ValueError, r"lr must be in \(0"),
    ("lr_nan", dict(lr=nan), ValueError, r"lr must be finite"),
    ("eval_every_zero", dict(eval_every=0), ValueError, r"eval_every must be >= 1"),
    ("seed_bool", dict(seed=True), TypeError, r"seed must be an integer"),
    ("patience_zero", dict(patience=0), ValueError, r"patience must be >= 1"),
    ("train_not_dataset", dict(train=np.zeros((4, 3))), TypeError, r"must be MultimodalDatasets"),
]


@pytest.mark.parametrize("over, exc, match", [c[1:] for c in TRAINING], ids=[c[0] for c in TRAINING])
def test_bad_input_fit(smoke, over, exc, match):
    with pytest.raises(exc, match=match):
        cmdm_fit(smoke, **over)()


def test_bad_input_fit_data(smoke):
    small = CMDM(smoke["train"].shapes, 2, "smoke")
    with pytest.raises(ValueError, match=r"has class 3 .* only 2 outputs: build it with n_classes=4"):
        cmdm_fit(smoke, model=small)()
    with pytest.raises(ValueError, match=r"val: the validation split has no labeled samples"):
        cmdm_fit(smoke, val=val_without_labels(smoke))()
    with pytest.raises(ValueError, match=r"labeled train split has unlabeled samples"):
        cmdm_fit(smoke, train=smoke["pool"])()
    with pytest.raises(ValueError, match=r"has modalities"):
        cmdm_fit(smoke, train=smoke["train"].select(["A", "L"]))()


def test_bad_input_fit_autoencoder(smoke):
    dae = VectorDAE(smoke["train"].shapes["A"][0], (8,), 4)
    with pytest.raises(ValueError, match=r"epochs must be >= 1"):
        fit_autoencoder(dae, smoke["train"], smoke["val"], "A", epochs=0, progress=False)
    with pytest.raises(ValueError, match=r"has no modality 'Q'"):
        fit_autoencoder(dae, smoke["train"], smoke["val"], "Q", epochs=1, progress=False)


@pytest.fixture(scope="module")
def dg_setup():
    prepared = prepare_domains(affectkit.make_domains("smoke", seed=0))
    shapes = next(iter(prepared.values())).train.shapes
    return {"prepared": prepared, "dg": DGModel(shapes, "smoke"), "shapes": shapes}


DG = [
    ("dg_epochs_zero", dict(epochs=0), ValueError, r"epochs must be >= 1"),
    ("dg_omega_negative", dict(omega=-0.1), ValueError, r"omega must be in \[0"),
    ("dg_omega_nan", dict(omega=nan), ValueError, r"omega must be finite"),
    ("dg_lr_negative", dict(lr=-1e-4), ValueError, r"lr must be in"),
    ("dg_weight_decay", dict(weight_decay=-1.0), ValueError, r"weight_decay"),
    ("dg_prepared_empty", dict(prepared={}), ValueError, r"prepared must be a non-empty dict"),
]


@pytest.mark.parametrize("over, exc, match", [c[1:] for c in DG], ids=[c[0] for c in DG])
def test_bad_input_fit_dg(dg_setup, over, exc, match):
    args = dict(model=dg_setup["dg"], prepared=dg_setup["prepared"], epochs=1, progress=False)
    with pytest.raises(exc, match=match):
        fit_dg(**{**args, **over})


DS = [
    ("ds_eval_every_zero", dict(eval_every=0), ValueError, r"eval_every must be >= 1"),
    ("ds_epochs_zero", dict(epochs=0), ValueError, r"epochs must be >= 1"),
    ("ds_eta_negative", dict(eta=-0.5), ValueError, r"eta must be in \[0"),
    ("ds_task_mismatch", dict(task="emotion"), ValueError, r"built for task 'sentiment'"),
    ("ds_task_unknown", dict(task="mood"), ValueError, r"task must be 'sentiment' or 'emotion'"),
]


@pytest.mark.parametrize("over, exc, match", [c[1:] for c in DS], ids=[c[0] for c in DS])
def test_bad_input_fit_ds(dg_setup, over, exc, match):
    mosi = dg_setup["prepared"]["mosi"]
    args = dict(model=DSModel(dg_setup["shapes"], "sentiment", arch="smoke"), teacher=None, train=mosi.train,
                val=mosi.val, task="sentiment", epochs=1, progress=False)
    with pytest.raises(exc, match=match):
        fit_ds(**{**args, **over})


class Opaque:
    pass


CHECKPOINTS = [
    ("extra_object", dict(extra={"thing": Opaque()}), TypeError, r"extra\['thing'\]: a Opaque cannot go"),
    ("extra_function", dict(extra={"f": len}), TypeError, r"extra\['f'\]"),
    ("extra_object_array", dict(extra={"ids": np.array(["a", 1], dtype=object)}), TypeError,
     r"extra\['ids'\]: a NumPy array of object"),
    ("extra_nested", dict(extra={"a": [{"b": Opaque()}]}), TypeError, r"extra\['a'\]\[0\]\['b'\]"),
    ("extra_key", dict(extra={(1, 2): 3}), TypeError, r"extra: checkpoint keys must be str or int"),
    ("config_object", dict(config={"arch": Opaque()}), TypeError, r"config\['arch'\]"),
    ("model_not_module", dict(model={"w": torch.zeros(2)}), TypeError, r"model must be a torch\.nn\.Module"),
]


@pytest.mark.parametrize("over, exc, match", [c[1:] for c in CHECKPOINTS], ids=[c[0] for c in CHECKPOINTS])
def test_bad_input_checkpoint_save(tmp_path, over, exc, match):
    args = dict(path=tmp_path / "m.pt", kind="cmdm", config={}, model=torch.nn.Linear(2, 2), extra=None)
    with pytest.raises(exc, match=match):
        checkpoints.save(**{**args, **over})
    assert os.listdir(tmp_path) == [], "a refused save writes nothing, not even a temporary file"


def test_bad_input_checkpoint_load(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"no checkpoint at .*missing\.pt"):
        checkpoints.load(tmp_path / "missing.pt", "cmdm")
    (tmp_path / "junk.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(ValueError, match=r"junk\.pt is not a readable affectkit checkpoint"):
        checkpoints.load(tmp_path / "junk.pt", "cmdm")
    good = checkpoints.save(tmp_path / "good.pt", "cmdm", {}, torch.nn.Linear(2, 2))
    (tmp_path / "cut.pt").write_bytes(good.read_bytes()[:100])
    with pytest.raises(ValueError, match=r"cut\.pt is not a readable affectkit checkpoint"):
        checkpoints.load(tmp_path / "cut.pt", "cmdm")
    with pytest.raises(ValueError, match=r"good\.pt holds a 'cmdm' model, not a 'easum-dg'"):
        checkpoints.load(good, "easum-dg")


@pytest.mark.parametrize("args, match", [
    (("cmdm-v2", "smoke", 0), r"kind must be one of"),
    (("cmdm", "smoke", 0.5), r"seed must be an integer"),
    (("cmdm", "smoke", -1), r"seed must be >= 0"),
], ids=["kind", "seed_fraction", "seed_negative"])
def test_bad_input_model_key(args, match):
    with pytest.raises((ValueError, TypeError), match=match):
        model_store.model_key(*args)


def test_model_path_stays_in_its_folder(tmp_path, monkeypatch):
    """Whatever a setting holds (a name with '../'), the file is a hash in the kind's folder."""
    monkeypatch.setenv("AFFECTKIT_CHECKPOINT_DIR", str(tmp_path))
    path = model_store.model_path("cmdm", "smoke", 0, setting="../../etc/passwd")
    assert path.resolve().parent == (tmp_path / "cmdm").resolve() and len(path.stem) == 16


def test_bad_input_failed_save_leaves_no_temp_and_keeps_the_old_file(tmp_path, monkeypatch):
    path = checkpoints.save(tmp_path / "m.pt", "cmdm", {"v": 1}, torch.nn.Linear(2, 2))
    before = path.read_bytes()

    def broken(obj, f, *a, **k):
        with open(f, "wb") as fh:
            fh.write(b"half")
        raise OSError("disk full")

    monkeypatch.setattr(checkpoints.torch, "save", broken)
    with pytest.raises(OSError, match="disk full"):
        checkpoints.save(path, "cmdm", {"v": 2}, torch.nn.Linear(2, 2))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.pt"] and path.read_bytes() == before


def test_concurrent_saves_to_one_path_use_their_own_temp_files(tmp_path):
    """Eight threads save to one path (a fixed temp name would let them collide): the file
    that remains is one whole checkpoint, and no temp file is left."""
    from concurrent.futures import ThreadPoolExecutor

    def save(i):
        return checkpoints.save(tmp_path / "m.pt", "cmdm", {"writer": i}, torch.nn.Linear(64, 64))

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(save, range(8)))
    assert [p.name for p in tmp_path.iterdir()] == ["m.pt"]
    assert checkpoints.load(tmp_path / "m.pt", "cmdm")["config"]["writer"] in range(8)


def test_numpy_extras_are_converted_and_load_back(tmp_path):
    extra = {"latents": np.ones((3, 2), np.float32), "seed": np.int64(4), "ids": ["a", "b"]}
    path = checkpoints.save(tmp_path / "m.pt", "cmdm", {}, torch.nn.Linear(2, 2), extra)
    back = checkpoints.load(path, "cmdm")["extra"]
    assert torch.equal(back["latents"], torch.ones(3, 2)) and back["seed"] == 4 and back["ids"] == ["a", "b"]
