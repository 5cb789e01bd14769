import numpy as np
import pytest
import torch

from affectkit.easum.experiments import (
    DSSetting,
    domain_data,
    domain_separation,
    eta_settings,
    init_settings,
    modality_settings,
    paired_gain,
    run_dg,
    run_ds,
    spl_settings,
    summarize_metrics,
)
from affectkit.easum.models import DGModel
from affectkit.easum.reference import PAPER_ETA


def test_domain_separation_of_an_untrained_model():
    prepared = domain_data("smoke", 0)
    sep = domain_separation(DGModel(prepared["mosi"].train.shapes, "smoke"), prepared)
    assert set(sep) == {"md_total", "probe_acc", "chance"}
    assert sep["md_total"] > 0 and 0 <= sep["probe_acc"] <= 1 and sep["chance"] == 0.25


def test_run_dg_then_ds_rows():
    models = {}
    dg = run_dg({"omega0": 0.0, "mm": 0.1}, "smoke", progress=False, models=models)
    assert dg.setting.tolist() == ["untrained", "omega0", "mm"]
    assert {"md_total", "probe_acc", "chance", "val_acc"} <= set(dg.columns)
    teacher = models[("mm", 0)].model
    assert sorted(teacher.domains.values()) == sorted(PAPER_ETA)
    settings = {**spl_settings(("mosi", "meld")), **modality_settings("mosi", ("L",)), **eta_settings("meld", (2.0,))}
    ds = run_ds(settings, {0: teacher}, "smoke", progress=False)
    assert len(ds) == len(settings) == 8
    row = ds.set_index("setting").loc["meld | eta 2"]
    assert row.eta == 2.0 and row.spl == "soft" and np.isnan(row.mae) and 0 <= row.weighted_f1 <= 1
    assert ds.set_index("setting").loc["mosi | none"].eta == 0.0
    assert ds.set_index("setting").loc["mosi | soft"].eta == PAPER_ETA["mosi"]
    table = summarize_metrics(ds[ds.setting.isin(spl_settings(("mosi", "meld")))])
    assert list(table.columns) == ["domain", "spl", "metric", "mean", "std"]
    assert set(table[table.domain == "mosi"].metric) == {"acc2", "f1", "mae", "corr"}
    assert set(table[table.domain == "meld"].metric) == {"acc", "weighted_f1"}
    assert (table["std"] == 0).all(), "one seed: no spread"
    gain = paired_gain(ds[ds.setting.isin(spl_settings(("mosi", "meld")))]).set_index("domain")
    assert gain.loc["mosi", "metric"] == "mae" and gain.loc["meld", "metric"] == "weighted_f1"
    by = ds.set_index("setting")
    assert np.isclose(gain.loc["mosi", "mean"], by.loc["mosi | none"].mae - by.loc["mosi | soft"].mae)
    assert np.isclose(gain.loc["meld", "mean"], by.loc["meld | soft"].weighted_f1 - by.loc["meld | none"].weighted_f1)
    with pytest.raises(ValueError, match="need both spl = 'soft' and 'hard'"):
        paired_gain(ds[ds.setting == "mosi | soft"], "soft", "hard")
    with pytest.raises(ValueError, match="needs a DG teacher"):
        run_ds(spl_settings(("mosi",), ("soft",)), {}, "smoke", progress=False)


def test_warm_start_unbalanced_runs_and_per_corpus_learning_rates(monkeypatch):
    import affectkit.easum.experiments as ex

    models = {}
    dg = run_dg({"mm": 0.1}, "smoke", progress=False, models=models, untrained=False, balance=False)
    assert dg.balanced.tolist() == [False] and {f"test_acc_{d}" for d in PAPER_ETA} <= set(dg.columns)
    teacher = models[("mm", 0)].model
    seen = {}
    real_fit = ex.fit_ds

    def spy(model, *args, **kwargs):
        seen[(model.task, kwargs["lr"])] = {k: v.clone() for k, v in model.state_dict().items()}
        return real_fit(model, *args, **kwargs)

    monkeypatch.setattr(ex, "fit_ds", spy)
    runs = run_ds(init_settings(("meld",)), {0: teacher}, "smoke", progress=False)
    assert runs.init.tolist() == ["dg", "scratch"]
    start = seen[("emotion", 1e-3)]
    mag = "fusion.mag.gate_a.weight"
    assert not torch.equal(start[mag], teacher.state_dict()[mag]), "the last call was the scratch model"
    warm, _ = ex.train_ds(DSSetting("meld", "none"), domain_data("smoke", 0), teacher, 0, "smoke", epochs=1)
    assert warm.model is not None
    with pytest.raises(ValueError, match="needs a DG teacher"):
        ex.train_ds(DSSetting("meld", "none"), domain_data("smoke", 0), None, 0, "smoke")
    ex.train_ds(DSSetting("meld", "none", init="scratch"), domain_data("smoke", 0), None, 0, "smoke", epochs=1)
    assert ex.training_for("paper").lr_for("iemocap") == 3.5e-5 and ex.training_for("paper").lr_for("mosi") == 1e-5
    lab = ex.training_for("lab")
    assert lab.ds_epochs_for(600) == lab.ds_epochs and lab.ds_epochs_for(48) >= lab.ds_min_steps


def test_ds_setting_names_bad_values():
    with pytest.raises(ValueError, match="the paper gives no eta for corpus 'sst'.*pass eta"):
        DSSetting("sst")
    assert DSSetting("sst", eta=0.3).eta_value == 0.3, "a corpus of one's own, with its eta"
    with pytest.raises(ValueError, match="eta must be in"):
        DSSetting("sst", eta=-1.0)
    with pytest.raises(ValueError, match="spl must be"):
        DSSetting("mosi", "fuzzy")
    with pytest.raises(ValueError, match="text plus any"):
        DSSetting("mosi", modalities="AV")
    with pytest.raises(ValueError, match="init must be"):
        DSSetting("mosi", init="imagenet")


def test_dg_teachers_come_from_saved_models_when_there_are_some(tmp_path, monkeypatch):
    """06's teachers: the DG models saved for this omega, profile and seed (as 05 saves its mm
    models: the same as a training here), else trained here."""
    import torch

    from affectkit import model_store
    from affectkit.config import get_profile
    from affectkit.easum.experiments import dg_teachers, run_dg

    monkeypatch.setenv("AFFECTKIT_CHECKPOINT_DIR", str(tmp_path))
    seeds = get_profile("smoke").seeds
    trained_rows, trained, source = dg_teachers(0.1, profile="smoke")
    assert set(source.values()) == {"trained"} and list(trained_rows.seed) == list(seeds)
    models = {}
    runs = run_dg({"mm": 0.1}, profile="smoke", models=models, untrained=False, progress=False)
    for s in seeds:   # as notebook 05 saves them
        model_store.save_dg_model(models[("mm", s)].model, 0.1, "smoke", s, row=runs[runs.seed == s].iloc[0])
    rows, loaded, source = dg_teachers(0.1, profile="smoke")
    assert set(source.values()) == {"checkpoint"}
    for s in seeds:
        for (k, a), b in zip(loaded[s].state_dict().items(), trained[s].state_dict().values()):
            assert torch.equal(a, b), k
    for col in ("seed", "md_total", "probe_acc", "val_acc"):
        assert list(rows[col]) == list(trained_rows[col]), col
    _, _, source = dg_teachers(0.3, profile="smoke", progress=False)   # another omega: not those models
    assert set(source.values()) == {"trained"}
