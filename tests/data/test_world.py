"""Properties of the synthetic affect world that the notebooks' lessons rely on."""

import numpy as np
import pytest
import torch

import affectkit
from affectkit.data.labels import IEMOCAP4
from affectkit.probe import linear_probe


def test_shapes_and_sizes_follow_the_profile(smoke_world):
    prof = affectkit.get_profile("smoke")
    assert len(smoke_world.train) == prof.n_train and len(smoke_world.unlabeled) == prof.n_unlabeled
    for ds in smoke_world.splits.values():
        assert ds.x["A"].shape[1:] == prof.shapes["A"]
        assert ds.x["V"].shape[1:] == prof.shapes["V"] and ds.x["L"].shape[1:] == prof.shapes["L"]
        assert ds.classes == IEMOCAP4.classes and ds.x["L"].dtype == torch.float32


def test_paper_shapes_are_cmdm_table3():
    world = affectkit.make_world("smoke", shapes="paper")
    assert world.train.shapes == {"A": (1582,), "V": (18, 342), "L": (22, 1024)}


def test_padding_is_zero_and_lengths_vary(smoke_world):
    ds = smoke_world.train
    for m in ("V", "L"):
        assert (ds.x[m][~ds.mask[m]] == 0).all()
        lengths = ds.mask[m].sum(1)
        assert lengths.min() >= 1 and lengths.unique().numel() > 1
        assert ds.mask[m][:, 0].all(), "real frames come first"


def test_unlabeled_pool_hides_labels_but_keeps_truth(smoke_world):
    pool = smoke_world.unlabeled
    assert (pool.y == -1).all() and (pool.y_true >= 0).all()
    assert torch.isnan(pool.sentiment).all() and not torch.isnan(pool.hidden["sentiment"]).any()


def test_unlabeled_class_balance_differs(lab_world):
    lab = lab_world.train.class_counts() / len(lab_world.train)
    pool = lab_world.unlabeled.class_counts(true=True) / len(lab_world.unlabeled)
    assert 0.5 * np.abs(lab - pool).sum() > 0.15  # total variation distance
    assert pool[:2].sum() >= 0.75 > lab[:2].sum()  # AMI: ~80% neutral or happy


def test_splits_are_speaker_independent(smoke_world):
    speakers = [set(ds.speaker.tolist()) for ds in smoke_world.splits.values()]
    for i in range(len(speakers)):
        for j in range(i + 1, len(speakers)):
            assert not speakers[i] & speakers[j]


def test_sentiment_is_a_function_of_the_state(lab_world):
    ds = lab_world.train
    s = ds.sentiment.numpy()
    assert s.min() >= -3 and s.max() <= 3
    assert np.allclose(s * 3, np.round(s * 3))  # MOSI-like 1/3 steps
    assert np.corrcoef(s, ds.hidden["state"][:, 0].numpy())[0, 1] > 0.9
    happy, sad = IEMOCAP4.classes.index("happy"), IEMOCAP4.classes.index("sad")
    assert s[ds.y.numpy() == happy].mean() > 0 > s[ds.y.numpy() == sad].mean()


def test_same_seed_same_arrays_other_seed_other_arrays():
    a, b = affectkit.make_world("smoke", seed=3), affectkit.make_world("smoke", seed=3)
    c = affectkit.make_world("smoke", seed=4)
    for split in ("train", "unlabeled"):
        for m in ("A", "V", "L"):
            assert torch.equal(a.splits[split].x[m], b.splits[split].x[m])
            assert not torch.equal(a.splits[split].x[m], c.splits[split].x[m])
        assert torch.equal(a.splits[split].y_true, b.splits[split].y_true)


def test_changing_the_pool_size_leaves_the_labeled_splits_alone():
    a = affectkit.make_world("smoke", seed=0)
    b = affectkit.make_world("smoke", seed=0, n_unlabeled=10)
    assert len(b.unlabeled) == 10 and torch.equal(a.train.x["L"], b.train.x["L"])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_probe_ordering(seed):
    """True state > A+V+L > lexical > acoustic > visual (CMDM Table 4's unimodal order)."""
    world = affectkit.make_world("lab", seed=seed)
    ua = {m: linear_probe(world.train, world.test, m)["ua"] for m in ("Z", "A", "V", "L", "AVL")}
    assert ua["Z"] > max(ua[m] for m in ("A", "V", "L", "AVL"))
    assert ua["L"] > ua["A"] > ua["V"]
    assert ua["AVL"] > max(ua["A"], ua["V"], ua["L"])


def test_knobs_do_what_they_say():
    strong_v = affectkit.make_world("lab", seed=0, gain={"L": 1.45, "A": 0.75, "V": 3.0})
    base = affectkit.make_world("lab", seed=0)
    assert (linear_probe(strong_v.train, strong_v.test, "V")["ua"]
            > linear_probe(base.train, base.test, "V")["ua"] + 0.15)


def test_domains_have_own_label_spaces_and_annotations():
    domains = affectkit.make_domains("smoke", seed=0)
    assert list(domains) == ["mosi", "mosei", "meld", "iemocap"]
    assert len(domains["meld"].train.classes) == 7 and len(domains["iemocap"].train.classes) == 6
    for name in ("mosi", "mosei"):
        ds = domains[name].train
        assert (ds.y == -1).all() and not torch.isnan(ds.sentiment).any()
    for name in ("meld", "iemocap"):
        ds = domains[name].train
        assert (ds.y >= 0).all() and torch.isnan(ds.sentiment).all()
        common = domains[name].space.to_common(ds.y.numpy())
        assert np.array_equal(common, ds.hidden["common"].numpy())
    for d in domains.values():
        assert (d.train.domain == d.index).all()
        assert d.train.shapes == affectkit.get_profile("smoke").domain_shapes


def test_domains_differ_in_first_and_second_moments():
    domains = affectkit.make_domains("lab", seed=0)

    def moments(ds):
        frames = ds.x["A"][ds.mask["A"]]
        return frames.mean(0), frames.std(0)

    across_mean, across_std, within_mean, within_std = [], [], [], []
    names = list(domains)
    for i, a in enumerate(names):
        ma, sa = moments(domains[a].train)
        mt, st = moments(domains[a].test)
        within_mean.append((ma - mt).norm())
        within_std.append((sa - st).norm())
        for b in names[i + 1:]:
            mb, sb = moments(domains[b].train)
            across_mean.append((ma - mb).norm())
            across_std.append((sa - sb).norm())
    assert min(across_mean) > 3 * max(within_mean)
    assert np.mean(across_std) > 3 * np.mean(within_std)


def test_no_domain_shift_means_shared_moments():
    domains = affectkit.make_domains("lab", seed=0, domain_shift=0.0, domain_scale=0.0)
    means = [d.train.x["A"][d.train.mask["A"]].mean(0) for d in domains.values()]
    shifted = affectkit.make_domains("lab", seed=0)
    means_shifted = [d.train.x["A"][d.train.mask["A"]].mean(0) for d in shifted.values()]
    assert (means[0] - means[1]).norm() < 0.3 * (means_shifted[0] - means_shifted[1]).norm()


@pytest.mark.parametrize("kwargs, match", [
    ({"profile": "huge"}, "unknown profile"),
    ({"seed": -1}, "seed"),
    ({"n_unlabeled": 0}, "unlabeled"),
    ({"shapes": {"A": (0,)}}, "positive"),
    ({"shapes": {"Q": (3,)}}, "unknown modality"),
    ({"spread": -1.0}, "spread"),
    ({"noise": float("nan")}, "noise"),
    ({"labeled_prior": (1, 2)}, "labeled_prior"),
])
def test_bad_world_arguments_name_the_problem(kwargs, match):
    args = {"profile": "smoke", **kwargs}
    with pytest.raises(ValueError, match=match):
        affectkit.make_world(**args)


def test_unknown_knob_is_a_type_error():
    with pytest.raises(TypeError, match="gian"):
        affectkit.make_world("smoke", gian={"L": 1.0})
    with pytest.raises(TypeError, match="gian"):
        affectkit.make_domains("smoke", gian={"L": 1.0})


def test_bad_domain_arguments():
    with pytest.raises(ValueError, match="domain_shift"):
        affectkit.make_domains("smoke", domain_shift=-1)
    with pytest.raises(ValueError, match="unknown profile"):
        affectkit.make_domains("nope")
