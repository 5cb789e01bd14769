import matplotlib
import numpy as np
import pytest
import torch

from affectkit import checkpoints, latent
from affectkit.cmdm.train import load_checkpoint, save_checkpoint
from affectkit.easum import load_dg, save_dg
from affectkit.easum.models import DGModel
from affectkit.teach import plots, widgets

matplotlib.use("Agg")


def clouds(separate: bool, n=60, seed=0):
    """Two modalities' latents of 3 emotions; modalities apart or mixed."""
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % 3
    centres = rng.normal(size=(3, 4)) * 4
    lat = {m: centres[labels] + rng.normal(size=(n, 4)) + (10.0 * i if separate else 0.0)
           for i, m in enumerate("AL")}
    return lat, labels


def test_stack_and_scores_see_modality_mixing():
    sep_z, sep_frame = latent.stack(*clouds(True), classes=["neu", "hap", "ang"])
    mix_z, mix_frame = latent.stack(*clouds(False), classes=["neu", "hap", "ang"])
    assert sep_z.shape == (120, 4) and list(sep_frame.columns) == ["modality", "emotion", "utterance"]
    assert sep_frame.emotion.iloc[1] == "hap" and sep_frame.modality.iloc[-1] == "L"
    sep, mix = latent.map_scores(sep_z, sep_frame), latent.map_scores(mix_z, mix_frame)
    assert sep["silhouette_modality"] > 0.5 > mix["silhouette_modality"]
    assert mix["knn_accuracy"] > 0.9 and mix["silhouette_emotion"] > sep["silhouette_emotion"]
    xy = latent.project(mix_z, "pca")
    assert xy.shape == (120, 2) and 0.5 < latent.trustworthiness(mix_z, xy) <= 1


def test_umap_projection_is_seeded():
    z, _ = latent.stack(*clouds(False, n=40))
    a, b = latent.project(z, "umap", n_neighbors=10, seed=3), latent.project(z, "umap", n_neighbors=10, seed=3)
    assert a.shape == (80, 2) and np.allclose(a, b)


def test_latent_input_errors_name_the_problem():
    z = np.random.default_rng(0).normal(size=(20, 3))
    bad = z.copy()
    bad[4, 1] = np.nan
    with pytest.raises(ValueError, match="NaN or inf values in 1 of 20 rows \\(first: row 4\\)"):
        latent.project(bad, "pca")
    with pytest.raises(ValueError, match="n_neighbors = 30 needs"):
        latent.project(z, "umap", n_neighbors=30)
    with pytest.raises(ValueError, match="method must be"):
        latent.project(z, "tsne")
    with pytest.raises(ValueError, match="colouring 'groups' has 19 values for 20 points"):
        latent.silhouette(z, np.arange(19) % 2)
    with pytest.raises(ValueError, match="no latents for modalities \\['V'\\]"):
        latent.stack({"A": z}, np.zeros(20, int), modalities="AV")


def test_latent_maps_and_the_explorer_view():
    z, frame = latent.stack(*clouds(True), classes=["neu", "hap", "ang"])
    fig = plots.latent_maps({"a": (z[:, :2], frame), "b": (z[:, 2:], frame)}, "modality", scores={"a": {"knn": 0.5}})
    assert len(fig.axes) == 2 and "knn 0.50" in fig.axes[0].get_title() and fig.axes[1].get_legend()
    with pytest.raises(ValueError, match="no column 'domain'"):
        plots.latent_maps({"a": (z[:, :2], frame)}, "domain")
    fig, numbers = widgets.latent_view({"sep": (z, frame)}, colour="emotion", projection="pca", modalities="A")
    assert set(numbers) == {"silhouette_emotion", "knn_accuracy", "trustworthiness"}, "one modality: no modality score"
    with pytest.raises(ValueError, match="no model 'x'"):
        widgets.latent_view({"sep": (z, frame)}, model="x")


def test_checkpoints_check_kind_and_version(tmp_path, smoke_world):
    from affectkit.cmdm.model import CMDM

    shapes = {"L": (8, 12), "A": (8, 8), "V": (6, 8)}
    torch.manual_seed(0)
    dg = DGModel(shapes, "smoke")
    dg.domains = {0: "mosi", 2: "meld"}
    path = save_dg(tmp_path / "dg.pt", dg, {"latents": torch.ones(3, 2), "profile": "smoke"})
    loaded, extra = load_dg(path)
    assert loaded.domains == dg.domains and extra["profile"] == "smoke" and torch.equal(extra["latents"], torch.ones(3, 2))
    x = {m: torch.randn(2, *s) for m, s in shapes.items()}
    mask = {m: torch.ones(2, s[0], dtype=torch.bool) for m, s in shapes.items()}
    assert torch.allclose(loaded.eval()(x, mask)["rep"], dg.eval()(x, mask)["rep"])
    with pytest.raises(ValueError, match="holds a 'easum-dg' model, not a 'cmdm' model"):
        load_checkpoint(path)
    cmdm = CMDM(smoke_world.train.shapes, len(smoke_world.classes), "smoke")
    old = tmp_path / "old.pt"
    torch.save({"config": cmdm.config(), "state": cmdm.state_dict(), "extra": {}}, old)  # before versions
    with pytest.raises(ValueError, match="format version 0"):
        load_checkpoint(old)
    assert not list(tmp_path.glob(".*.tmp")), "no temporary file left"
    save_checkpoint(tmp_path / "c.pt", cmdm)
    with pytest.raises(ValueError, match="not a 'easum-dg' model"):
        load_dg(tmp_path / "c.pt")


def test_checkpoint_dir_follows_the_runner(monkeypatch, tmp_path):
    monkeypatch.delenv("AFFECTKIT_CHECKPOINT_DIR", raising=False)
    monkeypatch.setenv("AFFECTKIT_RESULTS_DIR", str(tmp_path / "build" / "results"))
    assert checkpoints.checkpoint_dir() == (tmp_path / "build" / "checkpoints").resolve()
    monkeypatch.setenv("AFFECTKIT_CHECKPOINT_DIR", str(tmp_path / "ck"))
    assert checkpoints.checkpoint_dir() == tmp_path / "ck"
