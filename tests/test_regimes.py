"""affectkit.regimes: the explore-then-confirm search over the world's knobs (notebook 11)."""

import numpy as np
import pandas as pd
import pytest

from affectkit import regimes
from affectkit.cmdm.experiments import Setting, labeled_count, run_settings
from affectkit.easum.experiments import DSSetting, train_ds
from affectkit.easum.prepare import domain_data
from affectkit.teach.lessons.semi import SEMI_LOSS


def _runs(gains: dict, metric="ua", base=0.5):
    """Runs whose "with" arm beats "without" by ``gains[(value, seed)]``."""
    rows = []
    for (value, seed), g in gains.items():
        rows += [{"value": value, "arm": "without", "seed": seed, metric: base},
                 {"value": value, "arm": "with", "seed": seed, metric: base + g}]
    return pd.DataFrame(rows)


def test_gains_curve_and_pick():
    runs = _runs({(0.1, 0): 0.02, (0.1, 1): -0.01, (1.0, 0): 0.05, (1.0, 1): 0.03})
    gains = regimes.paired_gains(runs, "ua")
    assert sorted(gains.gain.round(6)) == [-0.01, 0.02, 0.03, 0.05]
    c = regimes.curve(gains).set_index("value")
    assert c.loc[0.1, "mean"] == pytest.approx(0.005) and c.loc[0.1, "std"] == pytest.approx(0.015)
    assert c.loc[0.1, "better_on"] == 1 and c.loc[1.0, "better_on"] == 2 and c.loc[1.0, "worst"] == pytest.approx(0.03)
    assert regimes.pick(regimes.curve(gains)) == 1.0


def test_lower_is_better_turns_the_gain_around():
    runs = _runs({(8, 0): 0.1}, metric="mae", base=1.0)   # "with" has the larger error
    assert regimes.paired_gains(runs, "mae", higher_is_better=False).gain.item() == pytest.approx(-0.1)


def test_clear_errors():
    with pytest.raises(ValueError, match="missing"):
        regimes.paired_gains(pd.DataFrame({"value": [1], "seed": [0], "ua": [0.5]}), "ua")
    with pytest.raises(ValueError, match="both arms"):
        regimes.paired_gains(pd.DataFrame({"value": [1], "arm": ["with"], "seed": [0], "ua": [0.5]}), "ua")
    with pytest.raises(ValueError, match="nothing explored"):
        regimes.pick(regimes.curve(pd.DataFrame({"value": [], "seed": [], "gain": []})))
    with pytest.raises(ValueError, match="fresh seeds"):
        regimes.seeds("lab", first=999)
    with pytest.raises(ValueError, match="label fraction"):
        labeled_count(100, 4, 0.0)
    with pytest.raises(ValueError, match="unknown corpus"):
        regimes.soft_by_size([0.5], "nope", {}, "smoke", (0,))
    with pytest.raises(ValueError, match=r"shares of the train split"):
        regimes.soft_by_size([1.5], "mosei", {}, "smoke", (0,))
    with pytest.raises(ValueError, match="at least one point"):
        regimes.semi_by_labels([], SEMI_LOSS, "smoke", (0,))
    with pytest.raises(TypeError, match="list of grid points"):
        regimes.semi_by_labels(0.1, SEMI_LOSS, "smoke", (0,))
    with pytest.raises(ValueError, match="domain shifts"):
        regimes.mm_by_shift([1.0, float("nan")], 0.1, "smoke", (0,))
    with pytest.raises(ValueError, match="domain shifts"):
        regimes.mm_by_shift([-1.0], 0.1, "smoke", (0,))
    with pytest.raises(ValueError, match="twice"):
        regimes.semi_by_labels([0.1, 0.1], SEMI_LOSS, "smoke", (0,))
    with pytest.raises(ValueError, match="same number of labeled"):
        regimes.labels_settings([0.001, 0.002], SEMI_LOSS, "smoke")
    with pytest.raises(TypeError, match="CMDMLoss"):
        regimes.semi_by_labels([0.1], "ce", "smoke", (0,))
    with pytest.raises(ValueError, match="distinct"):
        regimes.semi_by_labels([0.1], SEMI_LOSS, "smoke", [])
    with pytest.raises(ValueError, match="epochs"):
        regimes.semi_by_labels([0.1], SEMI_LOSS, "smoke", (0,), epochs=0)
    with pytest.raises(ValueError, match=r"\(shift, seed\)"):
        regimes.soft_by_size([0.5], "mosei", {(1.0, 0): None}, "smoke", (0,))
    with pytest.raises(TypeError, match="higher_is_better"):
        regimes.paired_gains(_runs({(0.1, 0): 0.01}), "ua", higher_is_better="no")
    with pytest.raises(ValueError, match="more than once"):
        regimes.paired_gains(pd.concat([_runs({(0.1, 0): 0.01})] * 2), "ua")
    with pytest.raises(ValueError, match="both arms at"):
        regimes.paired_gains(_runs({(0.1, 0): 0.01, (0.1, 1): 0.02}).iloc[:-1], "ua")
    with pytest.raises(ValueError, match="unknown corpus"):
        regimes.metric_of("imdb")


def test_seeds_never_overlap_and_confirm_once_when_picked_is_default():
    explore, fresh = regimes.seeds("lab", first=3)
    assert explore == (3, 4) and fresh == (1000, 1001, 1002) and not set(explore) & set(fresh)
    assert regimes.seeds("smoke") == ((0,), (1000,)) and regimes.seeds("lab", first=np.int64(2))[0] == (2, 3)
    assert regimes.to_confirm(0.1, 0.1) == [0.1] and regimes.to_confirm(0.03, 0.1) == [0.03, 0.1]


def test_outcome_is_plain_data():
    explored = regimes.paired_gains(_runs({(0.1, 0): 0.02, (1.0, 0): 0.05}), "ua")
    fresh = regimes.paired_gains(_runs({(1.0, 1000): -0.01, (0.1, 1000): 0.01}), "ua")
    o = regimes.outcome([0.1, 1.0], 0.1, explored, fresh)
    assert o["picked"] == 1.0 and o["default"] == 0.1 and o["explore_seeds"] == [0] and o["fresh_seeds"] == [1000]
    assert {(r["value"], r["seed"]) for r in o["fresh_gains"]} == {(1.0, 1000), (0.1, 1000)}
    assert all(type(r["gain"]) is float for r in o["explore_gains"])
    with pytest.raises(ValueError, match="overlap"):
        regimes.outcome([0.1, 1.0], 0.1, explored, explored)
    with pytest.raises(ValueError, match="holds the default"):
        regimes.outcome([0.1, 1.0], 0.5, explored, fresh)


def test_semi_by_labels_trains_both_arms_at_each_budget():
    runs = regimes.semi_by_labels([0.1, 1.0], SEMI_LOSS, "smoke", (0,), epochs=1, progress=False, workers=1)
    assert set(zip(runs.value, runs.arm)) == {(v, a) for v in (0.1, 1.0) for a in ("with", "without")}
    by = runs.set_index(["value", "arm"])
    assert by.loc[(0.1, "with"), "n_labeled"] == labeled_count(96, 4, 0.1) and by.loc[(1.0, "without"), "n_labeled"] == 96
    assert by.loc[(0.1, "with"), "n_unlabeled"] > 0 and by.loc[(0.1, "without"), "n_unlabeled"] == 0


def test_world_knobs_reach_the_pool_and_only_the_pool():
    """The pool's shift changes what a semi-supervised model learns from, not the labeled splits."""
    settings = {"fully": Setting(SEMI_LOSS), "semi": Setting(SEMI_LOSS, semi=True)}
    kw = dict(profile="smoke", seeds=(0,), epochs=1, progress=False, workers=1)
    shifted, unshifted = run_settings(settings, **kw), run_settings(settings, unlabeled_shift=0.0, **kw)
    a, b = shifted.set_index("setting"), unshifted.set_index("setting")
    assert a.loc["fully", "ua"] == b.loc["fully", "ua"] and a.loc["fully", "rec_mse"] == b.loc["fully", "rec_mse"]
    assert a.loc["semi", "rec_mse"] != b.loc["semi", "rec_mse"]
    with pytest.raises(TypeError, match="unknown world knobs"):
        run_settings(settings, unlabeled_shfit=0.0, **kw)
    with pytest.raises(ValueError, match="data given"):
        run_settings(settings, data=object(), unlabeled_shift=0.0, **kw)


def test_soft_by_size_trains_on_the_first_utterances():
    from affectkit.easum.experiments import run_dg

    models = {}
    run_dg({"mm": 0.1}, "smoke", (0,), progress=False, models=models, untrained=False, workers=1)
    runs = regimes.soft_by_size([0.25, 1.0], "mosei", {0: models[("mm", 0)].model}, "smoke", (0,), progress=False,
                                workers=1)
    assert dict(zip(zip(runs.value, runs.arm), runs.n_train)) == {(0.25, "with"): 12, (0.25, "without"): 12,
                                                                  (1.0, "with"): 48, (1.0, "without"): 48}
    assert regimes.metric_of("mosei") == ("mae", False) and regimes.metric_of("meld") == ("weighted_f1", True)


def test_a_ds_setting_names_a_size_the_corpus_has():
    with pytest.raises(ValueError, match="n_train"):
        DSSetting("mosei", "none", n_train=0)
    prepared = domain_data("smoke", 0)
    with pytest.raises(ValueError, match="train split has 48"):
        train_ds(DSSetting("mosei", "none", init="scratch", n_train=49), prepared, None, 0, "smoke")
    _, row = train_ds(DSSetting("mosei", "none", init="scratch", n_train=10), prepared, None, 0, "smoke")
    assert row["n_train"] == 10 and np.isfinite(row["mae"])


def test_the_prediction_exercises_judge_the_pair(capsys):
    from affectkit.teach import lessons

    stem = "11_when_it_helps"
    assert lessons.check(stem, 1, (0.0, [0.01, 0.03]), profile="lab") is True
    assert "off by" in capsys.readouterr().out
    assert lessons.check(stem, 2, (0.02, np.array([0.01, 0.03])), profile="lab") is True
    assert "inside the seeds' spread" in capsys.readouterr().out
    for bad in (0.1, (0.1,), ("soon", [0.1]), (0.1, []), (0.1, [float("nan")]), (0.1, "0.1")):
        assert lessons.check(stem, 1, bad, profile="lab") is False, bad
