import pytest
import torch

from affectkit.cmdm.model import CMDM
from affectkit.cmdm.objectives import CMDMLoss, reconstruction
from affectkit.cmdm.train import TrainingDiverged, evaluate, fit, load_checkpoint, predict, save_checkpoint
from affectkit.data.transforms import ZNorm


@pytest.fixture(scope="module")
def smoke(smoke_world):
    zn = ZNorm().fit(smoke_world.train)
    return {k: zn.transform(v) for k, v in smoke_world.splits.items()}


def test_forward_shapes(smoke):
    ds = smoke["train"]
    model = CMDM(ds.shapes, len(ds.classes), "smoke")
    b = next(ds.batches(5))
    out = model(b["x"], b["mask"])
    assert out["logits"].shape == (5, 4)
    assert {m: z.shape for m, z in out["latents"].items()} == {m: (5, 8) for m in "AVL"}
    assert out["recon"]["V"].shape == b["x"]["V"].shape
    assert torch.equal(out["target"]["A"], b["x"]["A"])


def test_losses_switch_off_and_reconstruction_ignores_padding(smoke):
    ds = smoke["train"]
    model = CMDM(ds.shapes, 4, "smoke")
    b = next(ds.batches(6))
    out = model(b["x"], b["mask"])
    off = CMDMLoss(reconstruction=False, matching=False, unpaired=False).supervised_terms(out, b["y"], b["mask"])
    assert off["rec"] == 0 and off["pair"] == 0 and torch.isclose(off["total"], off["cls"])
    full = CMDMLoss().supervised_terms(out, b["y"], b["mask"], torch.Generator().manual_seed(0))
    assert full["rec"] > 0 and full["pair"] > 0 and full["unpair"] < 0
    garbage = {**out, "recon": {m: r.clone() for m, r in out["recon"].items()}}
    garbage["recon"]["L"][~b["mask"]["L"]] = 1e3
    assert torch.isclose(reconstruction(garbage, b["mask"]), reconstruction(out, b["mask"]))


def test_fit_semi_supervised_records_every_component(smoke):
    model = CMDM(smoke["train"].shapes, 4, "smoke")
    result = fit(model, smoke["train"], smoke["val"], smoke["unlabeled"], epochs=2, batch_size=16,
                 progress=False)
    cols = {"cls", "rec", "pair", "unpair", "u_rec", "u_pair", "u_unpair", "total", "val_ua", "val_wa"}
    assert cols <= set(result.history.columns) and len(result.history) == 2
    assert result.best_score == result.history.val_ua.max()
    scores = evaluate(result.model, smoke["test"])
    assert set(scores) == {"wa", "ua", "wap"}
    assert predict(result.model, smoke["test"])["latents"]["A"].shape == (len(smoke["test"]), 8)


def test_fit_is_reproducible(smoke):
    runs = []
    for _ in range(2):
        torch.manual_seed(0)
        model = CMDM(smoke["train"].shapes, 4, "smoke")
        runs.append(fit(model, smoke["train"], smoke["val"], epochs=1, batch_size=16, progress=False).history)
    assert runs[0].equals(runs[1])


def test_divergence_names_the_component(smoke):
    model = CMDM(smoke["train"].shapes, 4, "smoke")
    with torch.no_grad():
        model.daes["A"].encoder[0].weight.fill_(float("nan"))
    with pytest.raises(TrainingDiverged, match=r"loss component \w+ is nan at epoch 0, step 0"):
        fit(model, smoke["train"], smoke["val"], epochs=1, batch_size=16, progress=False)


def test_checkpoint_round_trip(smoke, tmp_path):
    model = CMDM(smoke["train"].shapes, 4, "smoke").eval()
    path = save_checkpoint(tmp_path / "m.pt", model, {"seed": 3})
    loaded, extra = load_checkpoint(path)
    b = next(smoke["test"].batches(4))
    assert extra == {"seed": 3}
    assert torch.allclose(model(b["x"], b["mask"])["logits"], loaded.eval()(b["x"], b["mask"])["logits"])
    with pytest.raises(FileNotFoundError, match="no checkpoint"):
        load_checkpoint(tmp_path / "missing.pt")


def test_bad_input(smoke):
    model = CMDM(smoke["train"].select(["A", "L"]).shapes, 4, "smoke")
    b = next(smoke["train"].batches(4))
    with pytest.raises(ValueError, match="built for"):
        model(b["x"], b["mask"])
    with pytest.raises(ValueError, match="modalities"):
        fit(model, smoke["train"], smoke["val"], epochs=1, progress=False)
    with pytest.raises(ValueError, match="at least two modalities"):
        single = CMDM(smoke["train"].select(["A"]).shapes, 4, "smoke")
        out = single({"A": b["x"]["A"]})
        CMDMLoss().supervised_terms(out, b["y"])
    with pytest.raises(ValueError, match="unpaired"):
        CMDMLoss(matching=False, unpaired=True)
    with pytest.raises(ValueError, match="unlabeled samples"):
        fit(CMDM(smoke["train"].shapes, 4, "smoke"), smoke["unlabeled"], smoke["val"], epochs=1, progress=False)


@pytest.mark.parametrize("n_train, n_pool", [(2 * 16 + 1, 3 * 16 + 1), (2 * 16, 1), (1, 16 + 1)])
def test_fit_takes_any_size_with_the_full_loss(smoke, n_train, n_pool):
    # a last (or only) batch of one utterance: a pair needs two, so its matching terms are 0
    loss = CMDMLoss(matching=True, unpaired=True, sigma="median")
    for form in ("paired", "set"):
        model = CMDM(smoke["train"].shapes, 4, "smoke")
        result = fit(model, smoke["train"].subset(range(n_train)), smoke["val"],
                     smoke["unlabeled"].subset(range(n_pool)), loss=loss.replace(form=form), epochs=1,
                     batch_size=16, progress=False)
        assert len(result.history) == 1 and result.history["total"].notna().all()


def test_a_single_utterance_has_no_matching_terms(smoke):
    model = CMDM(smoke["train"].shapes, 4, "smoke")
    b = next(smoke["train"].batches(1))
    terms = CMDMLoss().supervised_terms(model(b["x"], b["mask"]), b["y"], b["mask"])
    assert terms["pair"] == 0 and terms["unpair"] == 0 and terms["rec"] > 0
