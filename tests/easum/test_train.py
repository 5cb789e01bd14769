from dataclasses import replace

import numpy as np
import pytest
import torch

from affectkit.data.domains import make_domains
from affectkit.easum import balance_domains, dg_accuracy, dg_metrics, fit_dg, predict_dg, prepare_domains
from affectkit.easum.models import DGModel


def smoke_domains():
    return make_domains("smoke", seed=0)


def test_prepare_targets_and_pooled_normalisation():
    prepared = prepare_domains(smoke_domains())
    assert set(prepared) == {"mosi", "mosei", "meld", "iemocap"}
    mosi, meld = prepared["mosi"], prepared["meld"]
    assert set(mosi.train.hidden["dg_target"].unique().tolist()) <= {0, 1, 2}
    assert meld.train.hidden["dg_target"].max() < 9
    pooled = torch.cat([e.train.x["A"][e.train.mask["A"]] for e in prepared.values()])
    assert abs(float(pooled.mean())) < 1e-3 and abs(float(pooled.std()) - 1) < 1e-2


def test_balance_brings_every_domain_to_the_largest():
    prepared = prepare_domains(smoke_domains())
    small = {**prepared, "mosi": replace(prepared["mosi"], train=prepared["mosi"].train.subset(np.arange(10)))}
    balanced = balance_domains(small, seed=0)
    sizes = {name: len(e.train) for name, e in balanced.items()}
    assert len(set(sizes.values())) == 1 and sizes["mosi"] == max(len(e.train) for e in prepared.values())
    train = balanced["mosi"].train
    assert torch.equal(train.x["A"][:10], small["mosi"].train.x["A"]), "originals kept"
    assert len(train.hidden["dg_target"]) == len(train)
    assert not train.x["A"][~train.mask["A"]].any(), "augmented padding stays zero"
    flags = train.hidden["augmented"]
    assert not flags[:10].any() and flags[10:].all() and balanced["mosi"].zero_out == 0.1
    # the text is zeroed out after the embedding, in the model: each copy's word vectors are an original's
    copies, originals = train.x["L"][10:].flatten(1), train.x["L"][:10].flatten(1)
    gaps = (copies[:, None] - originals[None]).abs().amax(-1).min(1).values
    assert (gaps == 0).all()
    largest = max(small, key=lambda d: len(small[d].train))
    assert not balanced[largest].train.hidden["augmented"].any()


def test_domain_sizes_follow_the_real_corpora():
    from affectkit.config import EASUM_TRAIN, get_profile

    sizes = {d: n[0] for d, n in get_profile("lab").domain_sizes.items()}
    assert max(sizes, key=sizes.get) == "mosei" and min(sizes, key=sizes.get) == "mosi"
    for d in ("meld", "iemocap"):
        assert abs(sizes[d] / sizes["mosei"] - EASUM_TRAIN[d] / EASUM_TRAIN["mosei"]) < 0.01
    assert sizes["mosi"] < sizes["mosei"] / 10, "MOSI is an order of magnitude smaller: balancing matters"


def test_fit_dg_zeroes_out_only_augmented_copies():
    prepared = balance_domains(prepare_domains(smoke_domains()), seed=0, zero_out=0.5)
    torch.manual_seed(0)
    model = DGModel(prepared["mosi"].train.shapes, "smoke")
    seen = []
    hook = model.fusion.register_forward_pre_hook(lambda mod, args: seen.append(args[0].detach()))
    fit_dg(model, prepared, omega=0.1, epochs=1, batch_size=64, lr=1e-3, device="cpu", progress=False)
    hook.remove()
    zeroed_rows = [(e.abs().sum(-1) == 0).float().mean(1) for e in seen[:4]]  # first step: one batch per domain
    mosei = zeroed_rows[list(prepared).index("mosei")]
    mosi = zeroed_rows[list(prepared).index("mosi")]
    assert (mosei == 0).all(), "the largest domain has no copies"
    assert mosi.max() > 0.2, "MOSI's augmented copies lose tokens"


def test_fit_dg_runs_and_records_moment_distance():
    prepared = prepare_domains(smoke_domains())
    torch.manual_seed(0)
    model = DGModel(prepared["mosi"].train.shapes, "smoke")
    result = fit_dg(model, prepared, omega=0.1, epochs=2, batch_size=16, lr=1e-3, device="cpu", progress=False)
    assert list(result.history.epoch) == [0, 1]
    assert {"mosi", "meld", "md", "task", "total", "val_acc", "val_meld"} <= set(result.history.columns)
    assert (result.history.md > 0).all()
    out = predict_dg(result.model, prepared["meld"].test)
    assert out["rep"].shape == (len(prepared["meld"].test), 12) and out["emotion"].shape[1] == 9
    acc = dg_accuracy(result.model, prepared, "test")
    assert all(0 <= v <= 1 for v in acc.values())
    table = dg_metrics(result.model, prepared, "test")
    assert list(table.columns) == ["domain", "metric", "value"]
    assert set(table[table.domain == "mosi"].metric) == {"acc3", "acc2", "f1", "corr"}
    assert set(table[table.domain == "iemocap"].metric) == {"acc", "weighted_f1"}
    meld_acc = table.query("domain == 'meld' and metric == 'acc'").value.item()
    assert meld_acc == acc["meld"]


def test_fit_ds_with_and_without_a_teacher():
    from affectkit.easum import ds_metrics, fit_ds
    from affectkit.easum.models import DSModel

    prepared = prepare_domains(smoke_domains())
    shapes = prepared["mosi"].train.shapes
    torch.manual_seed(0)
    mosi, meld = prepared["mosi"], prepared["meld"]
    with pytest.raises(ValueError, match="has not been trained"):
        fit_ds(DSModel(shapes, "sentiment", arch="smoke"), DGModel(shapes, "smoke"), mosi.train, mosi.val,
               "sentiment", epochs=1, device="cpu", progress=False)
    pair = {"mosi": mosi, "meld": meld}
    teacher = fit_dg(DGModel(shapes, "smoke"), pair, epochs=1, batch_size=16, device="cpu", progress=False).model
    assert teacher.domains == {0: "mosi", 2: "meld"}
    iemocap = prepared["iemocap"]
    with pytest.raises(ValueError, match=r"iemocap/train: domain index \[3\] was never seen by the DG teacher"):
        fit_ds(DSModel(shapes, "emotion", n_classes=6, arch="smoke"), teacher, iemocap.train, iemocap.val,
               "emotion", epochs=1, device="cpu", progress=False)
    frozen = {k: v.clone() for k, v in teacher.state_dict().items()}
    senti = DSModel(shapes, "sentiment", arch="smoke")
    res = fit_ds(senti, teacher, mosi.train, mosi.val, "sentiment", eta=0.5, epochs=2, batch_size=16,
                 lr=1e-3, device="cpu", progress=False)
    assert res.history.aux.gt(0).all() and "val_mae" in res.history
    assert all(torch.equal(v, teacher.state_dict()[k]) for k, v in frozen.items()), "the DG teacher stays frozen"
    assert {"acc2", "f1", "mae", "corr"} == set(ds_metrics(res.model, mosi.test, "sentiment"))
    emo = DSModel(shapes, "emotion", n_classes=len(meld.space), arch="smoke")
    res = fit_ds(emo, None, meld.train, meld.val, "emotion", epochs=1, batch_size=16, device="cpu",
                 progress=False)
    assert (res.history.aux == 0).all()
    assert {"acc", "weighted_f1"} == set(ds_metrics(res.model, meld.test, "emotion"))
    res = fit_ds(DSModel(shapes, "emotion", n_classes=len(meld.space), arch="smoke"), None, meld.train,
                 meld.val, "emotion", epochs=5, batch_size=16, device="cpu", progress=False, eval_every=2)
    assert res.history.score.notna().tolist() == [False, True, False, True, True], "every 2nd epoch and the last"
    assert res.best_epoch in (1, 3, 4)
    with pytest.raises(ValueError, match="eval_every"):
        fit_ds(emo, None, meld.train, meld.val, "emotion", epochs=1, eval_every=0, progress=False)


def test_fit_dg_matches_k_moments():
    prepared = prepare_domains(smoke_domains())
    torch.manual_seed(0)
    model = DGModel(prepared["mosi"].train.shapes, "smoke")
    result = fit_dg(model, prepared, omega=0.1, epochs=1, batch_size=16, device="cpu", progress=False, k=3)
    assert result.history.md.gt(0).all()


def test_prepared_domains_are_typed():
    """prepare_domains gives one PreparedDomain per domain (attributes, not dicts of dicts);
    balance_domains returns new ones and leaves its input as it was; fit_dg refuses a plain dict."""
    from affectkit.easum import PreparedDomain

    prepared = prepare_domains(smoke_domains())
    mosi = prepared["mosi"]
    assert all(isinstance(d, PreparedDomain) for d in prepared.values())
    assert (mosi.name, mosi.task, mosi.zero_out) == ("mosi", "sentiment", 0.0)
    assert list(mosi.splits) == ["train", "val", "test"] and mosi.shapes == mosi.train.shapes
    balanced = balance_domains(prepared, seed=0)
    assert balanced["mosi"].zero_out == 0.1 and prepared["mosi"].zero_out == 0.0
    assert "augmented" not in prepared["mosi"].train.hidden
    as_dict = {**prepared, "mosi": dict(train=mosi.train, val=mosi.val, test=mosi.test, task=mosi.task)}
    with pytest.raises(TypeError, match="mosi: expected a PreparedDomain"):
        fit_dg(DGModel(mosi.shapes, "smoke"), as_dict, epochs=1, progress=False)
