import numpy as np
import pytest
import torch

from affectkit.data.dataset import MultimodalDataset, to_device


def make(n=6, **over):
    rng = np.random.default_rng(0)
    args = dict(x={"A": rng.normal(size=(n, 5)), "L": rng.normal(size=(n, 4, 3))},
                y=np.arange(n) % 3, classes=("a", "b", "c"))
    args.update(over)
    return MultimodalDataset(**args)


def test_defaults_and_views():
    ds = make()
    assert len(ds) == 6 and ds.modalities == ("A", "L")
    assert ds.shapes == {"A": (5,), "L": (4, 3)}
    assert ds.mask["L"].all() and "A" not in ds.mask
    assert torch.equal(ds.y_true, ds.y) and torch.isnan(ds.sentiment).all()
    sub = ds.subset([0, 2])
    assert len(sub) == 2 and torch.equal(sub.x["A"], ds.x["A"][[0, 2]])
    assert ds.select(["L"]).modalities == ("L",)
    assert list(ds.class_counts()) == [2, 2, 2]
    assert "n=6" in repr(ds)


def test_batches_cover_everything_once_and_shuffle_is_seeded():
    ds = make(n=10)
    seen = torch.cat([b["index"] for b in ds.batches(batch_size=4, shuffle=True, seed=1)])
    assert sorted(seen.tolist()) == list(range(10))
    again = torch.cat([b["index"] for b in ds.batches(batch_size=4, shuffle=True, seed=1)])
    assert torch.equal(seen, again)
    batch = next(ds.batches(batch_size=4))
    assert batch["x"]["L"].shape == (4, 4, 3) and batch["mask"]["L"].shape == (4, 4)
    assert sum(1 for _ in ds.batches(batch_size=4, drop_last=True)) == 2
    assert to_device(batch, "cpu")["y"].device.type == "cpu"


def test_works_with_a_torch_dataloader():
    loader = torch.utils.data.DataLoader(make(n=5), batch_size=2)
    first = next(iter(loader))
    assert first["x"]["A"].shape == (2, 5) and first["y"].tolist() == [0, 1]


@pytest.mark.parametrize("over, match", [
    ({"x": {}}, "non-empty"),
    ({"y": np.array([], dtype=int), "x": {"A": np.zeros((0, 5))}}, "empty split"),
    ({"x": {"A": np.zeros((5, 5))}}, "has 5 samples but y has 6"),
    ({"x": {"A": np.full((6, 5), np.nan)}}, "NaN or inf"),
    ({"x": {"A": np.full((6, 5), np.inf)}}, "NaN or inf"),
    ({"x": {"A": np.zeros((6, 2, 2, 2))}}, "must be"),
    ({"y": np.array([0, 1, 2, 3, 0, 1])}, "outside"),
    ({"y": np.array([0, 1, 2, -2, 0, 1])}, "outside"),
    ({"mask": {"L": np.ones((6, 5), bool)}}, "mask"),
    ({"mask": {"A": np.ones((6, 5), bool)}}, "not sequences"),
    ({"classes": ()}, "classes"),
    ({"sentiment": np.zeros(4)}, "sentiment has 4"),
])
def test_bad_input_names_the_problem(over, match):
    with pytest.raises(ValueError, match=match):
        make(**over)


def test_wrong_types():
    with pytest.raises(TypeError, match="must be an array, tensor or list"):
        make(x={"A": "features"})
    assert make(x={"A": [[1.0, 2.0]] * 6}).shapes == {"A": (2,)}
    with pytest.raises(ValueError, match="batch_size"):
        next(make().batches(batch_size=0))


def test_one_pass_over_joined_batches_is_one_pass_per_batch():
    """CMDM's step joins its labeled and unlabeled batch, EASUM's DG step its domains'
    batches: the joined forward pass gives each batch what its own pass gives."""
    import affectkit
    from affectkit.cmdm import CMDM
    from affectkit.data.dataset import join_batches, split_rows
    from affectkit.easum.models import DGModel

    world = affectkit.make_world("smoke", seed=0)
    a, b = next(world.train.batches(16)), next(world.unlabeled.batches(24))
    torch.manual_seed(0)
    model = CMDM(world.train.shapes, len(world.classes), "smoke").eval()
    x, mask, sizes = join_batches([a, b])
    assert sizes == [16, 24] and x["V"].shape[0] == 40
    with torch.no_grad():
        joined = split_rows(model(x, mask), sizes)
        alone = [model(a["x"], a["mask"]), model(b["x"], b["mask"])]
    for j, s in zip(joined, alone):
        for key in ("logits",):
            assert torch.allclose(j[key], s[key], atol=1e-5)
        for m in s["latents"]:
            assert torch.allclose(j["latents"][m], s["latents"][m], atol=1e-5)
            assert torch.allclose(j["recon"][m], s["recon"][m], atol=1e-5)

    domains = affectkit.make_domains("smoke", seed=0)
    parts = [next(d.train.batches(8)) for d in list(domains.values())[:3]]
    dg = DGModel(next(iter(domains.values())).train.shapes, "smoke").eval()
    x, mask, sizes = join_batches(parts)
    with torch.no_grad():
        joined = split_rows(dg(x, mask), sizes)
        for j, p in zip(joined, parts):
            s = dg(p["x"], p["mask"])
            assert all(torch.allclose(j[k], s[k], atol=1e-5) for k in s)


def test_join_batches_refuses_batches_of_other_modalities():
    import affectkit
    from affectkit.data.dataset import join_batches, split_rows

    world = affectkit.make_world("smoke", seed=0)
    a = next(world.train.batches(8))
    b = next(world.train.select(("A",)).batches(8))
    with pytest.raises(ValueError, match="same modalities"):
        join_batches([a, b])
    with pytest.raises(TypeError, match="cuts tensors"):
        split_rows([torch.zeros(3)], [3])


def test_all_finite_finds_a_nan_in_any_block():
    from affectkit.data.dataset import all_finite

    v = torch.zeros(50, 4, 3)
    assert all_finite(v, block=24)
    v[49, 3, 2] = float("nan")
    assert not all_finite(v, block=24) and not all_finite(v)
    v[49, 3, 2] = float("inf")
    assert not all_finite(v, block=1)


def test_paper_sized_worlds_are_built_a_block_at_a_time(monkeypatch):
    """Above BLOCK_VALUES values the features are drawn a block of utterances at a time
    (so the paper world's temporaries stay small): still seeded, finite, shaped; below
    it one block, the same draws as ever (the lab world is unchanged)."""
    import affectkit
    from affectkit.data import world as W

    whole = affectkit.make_world("smoke", seed=0)
    monkeypatch.setattr(W, "BLOCK_VALUES", 200)
    a, b = affectkit.make_world("smoke", seed=0), affectkit.make_world("smoke", seed=0)
    for name, ds in a.splits.items():
        for m, x in ds.x.items():
            assert x.shape == whole.splits[name].x[m].shape and torch.isfinite(x).all()
            assert torch.equal(x, b.splits[name].x[m])
            if x.ndim == 3:
                assert torch.equal(ds.mask[m], whole.splits[name].mask[m])   # lengths are drawn before the blocks
                assert (x[~ds.mask[m]] == 0).all()
