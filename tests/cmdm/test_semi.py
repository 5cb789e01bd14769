import numpy as np
import pytest
import torch

from affectkit.cmdm.experiments import (
    Setting,
    balanced_pool,
    budget,
    labeled_subset,
    run_settings,
    table5_settings,
    table7_settings,
    train_dae,
    unimodal_settings,
    unlabeled_sweep_settings,
)
from affectkit.cmdm.model import make_dae
from affectkit.cmdm.objectives import CMDMLoss, masked_mse
from affectkit.cmdm.pool import balance_pool, balance_report, balanced_indices
from affectkit.cmdm.train import fit_autoencoder


def test_balanced_indices_sub_and_over_sample():
    labels = np.array([0] * 80 + [1] * 15 + [2] * 5)
    idx = balanced_indices(labels, 3, per_class=20, seed=0)
    assert np.bincount(labels[idx], minlength=3).tolist() == [20, 20, 20]
    assert len(set(idx[labels[idx] == 0])) == 20, "a large class is sub-sampled without replacement"
    assert set(np.flatnonzero(labels == 2)) <= set(idx), "a small class keeps all its samples"
    with pytest.warns(UserWarning, match="class 3"):
        idx = balanced_indices(labels, 4, per_class=10)
    assert len(idx) == 30
    with pytest.raises(ValueError, match=r"lie in \[0, 2\)"):
        balanced_indices(labels, 2, 10)
    with pytest.raises(ValueError, match="per_class"):
        balanced_indices(labels, 3, 0)


def test_balance_pool_and_report(smoke_world):
    pool = smoke_world.unlabeled
    guess = pool.y_true.numpy()
    balanced = balance_pool(pool, guess, seed=1)
    assert len(balanced) == (len(pool) // 4) * 4
    assert set(np.bincount(balanced.y_true.numpy(), minlength=4)) == {len(pool) // 4}
    report = balance_report(pool, balanced, guess, balanced.y_true.numpy())
    assert np.allclose(report["balanced (true)"], 0.25) and np.isclose(report["pool (true)"].sum(), 1)
    with pytest.raises(ValueError, match="pseudo labels for a pool"):
        balance_pool(pool, guess[:-1])


def test_label_budget_keeps_the_step_count(smoke_world):
    assert budget(6, 2400, 600, 128) == 23 and budget(6, 2400, 2400, 128) == 6
    assert len(labeled_subset(smoke_world.train, 10)) == 10
    assert labeled_subset(smoke_world.train, None) is smoke_world.train
    with pytest.raises(ValueError, match="n_labeled"):
        labeled_subset(smoke_world.train, 10_000)


def test_balanced_pool_and_semi_rows(smoke_world):
    sel = balanced_pool(smoke_world, seed=0, n_labeled=48)
    assert len(sel["pseudo"]) == len(smoke_world.unlabeled) and 0 <= sel["pseudo_acc"] <= 1
    df = run_settings({"semi": Setting(CMDMLoss(sigma="median"), semi=True, balanced=True, n_labeled=48)},
                      profile="smoke", progress=False)
    assert df.n_labeled.tolist() == [48] and df.n_unlabeled.tolist() == [len(sel["indices"])]


def test_experiment_grids():
    t7 = table7_settings()
    assert len(t7) == 6 and sum(s.semi for s in t7.values()) == 2
    assert not t7["fully | - | -"].loss.uses_unlabeled and t7["semi | rec | mmd"].loss.unpaired
    # CMDM Sec. 4.2: the semi-supervised rows learn from the class-balanced pool
    assert all(s.balanced == s.semi for s in t7.values()), {n: s.balanced for n, s in t7.items()}
    assert not any(s.balanced for s in table7_settings(balanced=False).values())
    with_set = table7_settings(set_form=("fully",))
    assert len(with_set) == 8 and with_set["fully | rec | mmd (set)"].loss.form == "set"
    assert with_set["fully | - | mmd (set)"].labels == {"setting7": "fully", "form": "set", "reconstruction": False,
                                                        "mmd": True}
    assert with_set["fully | - | mmd"].loss.form == "paired" and with_set["fully | - | -"].labels["form"] == "-"
    with pytest.raises(ValueError, match="set_form"):
        table7_settings(set_form=("both",))
    uni = unimodal_settings(n_labeled=100)
    assert [s.modalities for s in uni.values()] == ["A", "V", "L"] and not uni["A fully"].loss.matching
    t5 = table5_settings(combos=("AL",))
    assert set(t5) == {"AL fully", "AL semi"} and t5["AL semi"].balanced and t5["AL semi"].semi
    sweep = unlabeled_sweep_settings(sizes=(10, 20))
    assert [s.n_unlabeled for s in sweep.values()] == [10, 20]


def test_masked_mse_ignores_padding():
    pred, target = torch.zeros(2, 3, 4), torch.ones(2, 3, 4)
    mask = torch.tensor([[True, True, False], [True, False, False]])
    pred[~mask] = 100.0
    assert masked_mse(pred, target, mask).item() == pytest.approx(1.0)
    with pytest.raises(ValueError, match="differ"):
        masked_mse(pred, target[:, :2], mask)


def test_fit_autoencoder_learns_the_vector(smoke_world):
    from affectkit.cmdm.experiments import prepare

    splits = prepare(smoke_world, "A")
    dae = make_dae("A", splits["train"].shapes["A"], "smoke")
    res = fit_autoencoder(dae, splits["train"], splits["val"], "A", epochs=8, batch_size=16, lr=3e-3,
                          device="cpu", progress=False)
    assert list(res.history.columns) == ["epoch", "train_mse", "val_mse"]
    assert res.history.train_mse.iloc[-1] < res.history.train_mse.iloc[0]
    assert res.best_score == res.history.val_mse.min()
    with pytest.raises(ValueError, match="no modality 'L'"):
        fit_autoencoder(dae, splits["train"], splits["val"], "L", epochs=1)


def test_train_dae_row(smoke_world):
    _, row, test = train_dae(smoke_world, "L", seed=0, latent=4, reverse_target=False)
    assert row["latent"] == 4 and row["reverse_target"] is False and 0 <= row["probe_ua"] <= 1
    assert test["latents"].shape == (len(smoke_world.test), 4)
    assert test["recon"].shape == test["target"].shape
