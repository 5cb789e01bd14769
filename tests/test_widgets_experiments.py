import matplotlib
import pytest

from affectkit import widgets
from affectkit.experiments import VANILLA, Setting, prepare, run_settings, summarize
from affectkit.objectives import CMDMLoss

matplotlib.use("Agg")


def test_mmd_view_grows_with_the_shift():
    _, near = widgets.mmd_view(shift=0.0, sigma=1.0, n=100)
    fig, far = widgets.mmd_view(shift=3.0, sigma=1.0, n=100)
    assert far > near + 0.3 and abs(near) < 0.05
    assert all(ax.get_title() for ax in fig.get_axes()[:2])
    with pytest.raises(ValueError, match="n must be"):
        widgets.mmd_view(n=1)


def test_bandwidth_curve_vanishes_at_both_ends():
    curve = widgets.mmd_bandwidth_curve(shift=1.0, sigmas=[0.01, 1.0, 100.0], n=100)
    values = [row["mmd"] for row in curve]
    assert values[1] > 10 * max(abs(values[0]), abs(values[2]))


def test_interact_renders_the_default_view_headless(monkeypatch):
    monkeypatch.setenv("AFFECTKIT_HEADLESS", "1")
    assert widgets.interact(widgets.mmd_view, shift=(0, 4, 0.5)) == widgets.mmd_view()[1]


def test_run_settings_and_summary(smoke_world):
    keep = {}
    settings = {"vanilla": Setting(VANILLA), "full": Setting(CMDMLoss(), semi=True, n_unlabeled=32,
                                                               labels={"kind": "semi"})}
    df = run_settings(settings, profile="smoke", seeds=(0, 1), progress=False, keep=keep)
    assert len(df) == 4 and set(df.setting) == {"vanilla", "full"}
    assert {"ua", "wa", "wap", "spread", "effective_rank", "rec_mse", "kind"} <= set(df.columns)
    table = summarize(df)
    assert list(table.setting) == ["vanilla", "full"] and "ua_std" in table
    assert set(keep) == {"vanilla", "full"} and keep["full"]["latents"]["A"].shape[0] == len(smoke_world.test)


def test_prepare_normalises_with_train_statistics(smoke_world):
    splits = prepare(smoke_world, "AL")
    assert splits["train"].modalities == ("A", "L") and set(splits) == {"train", "val", "test", "unlabeled"}
    assert abs(float(splits["train"].x["A"].mean())) < 1e-4
