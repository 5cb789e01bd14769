"""The kit's figures: titles, labels, one palette."""

import matplotlib
import numpy as np
import pytest

from affectkit.data.domains import feature_moments
from affectkit.teach import plots

matplotlib.use("Agg")


def _titled(fig):
    axes = fig.get_axes()
    return axes and all(ax.get_xlabel() and ax.get_ylabel() for ax in axes if ax.get_title())


def test_figures_have_titles_and_labels(smoke_world):
    import pandas as pd

    figs = [
        plots.class_balance({"train": smoke_world.train, "pool": smoke_world.unlabeled}),
        plots.moment_bars(feature_moments({"a": smoke_world.train}, "A"), relative=False),
        plots.metric_bars(pd.DataFrame({"m": ["A", "L"], "ua": [0.5, 0.6]}), "m", "ua", title="t", chance=0.25),
        plots.line(pd.DataFrame({"k": [0, 1], "ua": [0.5, 0.6]}), "k", "ua", title="t"),
    ]
    for fig in figs:
        assert any(ax.get_title() for ax in fig.get_axes()) and _titled(fig)
    heat = plots.sample_heatmaps(smoke_world.train, 0)
    assert "true class" in heat._suptitle.get_text()
    with pytest.raises(ValueError, match="index"):
        plots.sample_heatmaps(smoke_world.train, 10_000)
    matplotlib.pyplot.close("all")


def test_training_figures_have_labels():
    import numpy as np
    import pandas as pd

    from affectkit.teach import plots

    history = pd.DataFrame({"epoch": [0, 1, 2], "cls": [1.2, 0.8, 0.6], "u_pair": [3.9, 3.5, 3.2]})
    ax = plots.loss_curves(history).axes[0]
    assert ax.get_xlabel() == "epoch" and ax.get_title() and len(ax.get_lines()) >= 2
    assert "u_: unlabeled" in ax.get_legend().get_title().get_text()
    labeled_only = plots.loss_curves(history[["epoch", "cls"]]).axes[0]
    assert labeled_only.get_legend().get_title().get_text() == "term", "no pool terms, no pool in the legend"
    with pytest.raises(ValueError, match="none of the loss columns"):
        plots.loss_curves(pd.DataFrame({"epoch": [0], "x": [1]}))
    fig = plots.confusion_matrices({"a": np.eye(2) * 5, "b": [[1, 1], [0, 2]]}, ["neu", "hap"])
    assert [a.get_xlabel() for a in fig.axes] == ["predicted", "predicted"]
    with pytest.raises(ValueError, match="expected 2 x 2"):
        plots.confusion_matrices({"a": np.eye(3)}, ["neu", "hap"])
    x = np.random.default_rng(0).normal(size=(5, 4))
    fig = plots.reconstruction_heatmaps(x, x[::-1], x * 0.5, length=3)
    assert [a.get_title() for a in fig.axes[:3]] == ["input", "target (reversed input)", "reconstruction"]


def test_representation_maps_and_mag_gate():
    rng = np.random.default_rng(0)
    reps = {"omega = 0": rng.normal(size=(30, 5)), "moment matching": rng.normal(size=(30, 5))}
    colour = {"domain": ["mosi", "meld", "iemocap"] * 10, "class": np.arange(30) % 4}
    fig = plots.representation_maps(reps, colour)
    assert len(fig.axes) == 4
    assert fig.axes[1].get_title() == "omega = 0: coloured by class" and fig.axes[0].get_xlabel() == "PC 1"
    assert fig.axes[0].get_legend() is not None
    with pytest.raises(ValueError, match="colourings of another length"):
        plots.representation_maps(reps, {"domain": ["mosi"] * 29})
    fig = plots.mag_gate(rng.random(6), rng.random(6) * 3, np.clip(rng.random(6) * 2, 0, 1))
    top, bottom = fig.axes
    assert top.get_ylabel() == "L2 norm" and bottom.get_xlabel() == "text token" and bottom.get_ylim()[1] > 1


def test_line_band_is_the_seed_std_and_a_palette_keeps_colours():
    import matplotlib.colors as mcolors
    import pandas as pd

    from affectkit.teach import plots

    df = pd.DataFrame({"x": [0, 0, 0, 1, 1, 1], "y": [1.0, 2.0, 3.0, 2.0, 2.0, 2.0], "setting": "mm"})
    ax = plots.line(df, x="x", y="y", hue="setting", palette={"mm": "#ff0000"}).axes[0]
    band = ax.collections[0].get_paths()[0].vertices[:, 1]
    std0 = np.std([1.0, 2.0, 3.0], ddof=1)   # seaborn's "sd": the sample std of the rows at an x
    assert np.isclose(band.max(), 2 + std0) and np.isclose(band.min(), 2 - std0), "band = mean ± std"
    assert mcolors.to_hex(ax.get_lines()[0].get_color()) == "#ff0000"
    bars = plots.metric_bars(df, x="setting", y="y", palette={"mm": "#00ff00"}).axes[0]
    assert mcolors.to_hex(bars.patches[0].get_facecolor()) == "#00ff00"
