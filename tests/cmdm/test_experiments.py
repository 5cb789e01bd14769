"""CMDM's grids as tidy tables over seeds; normalisation from the train split."""

import matplotlib

from affectkit.cmdm.experiments import VANILLA, Setting, prepare, run_settings, summarize
from affectkit.cmdm.objectives import CMDMLoss

matplotlib.use("Agg")


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
