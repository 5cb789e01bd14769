"""One visual language: a class, a corpus and a modality keep their colour in every figure.

Checked from the library's mapping (:mod:`affectkit.teach.palette`) and from the
artists every plot function draws: the same level gets the same colour whatever
is drawn beside it and in whatever order.
"""

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex

from affectkit.data.labels import EASUM9, IEMOCAP4, IEMOCAP6, MELD7
from affectkit.teach import palette as pal
from affectkit.teach import plots

matplotlib.use("Agg")


def test_every_label_space_has_a_fixed_colour_per_emotion():
    for space in (IEMOCAP4, IEMOCAP6, MELD7):
        got = pal.colours(space.classes, "emotion")
        assert len(set(got.values())) == len(space.classes), f"{space.name}: two classes share a colour"
        for name, colour in got.items():
            assert colour == pal.EMOTION[pal.emotion_key(name)]
    # the same emotion under two names: MELD's joy is IEMOCAP's happy
    assert pal.colours(["joy"])["joy"] == pal.colours(["happy"])["happy"]
    assert pal.colours(["anger"], "emotion")["anger"] == pal.colours(["angry"], "emotion")["angry"]
    assert len(set(pal.colours(EASUM9, "emotion").values())) == 9


def test_palettes_are_separate_and_order_free():
    emotions, domains, mods = set(pal.EMOTION.values()), set(pal.DOMAIN.values()), set(pal.MODALITY.values())
    assert not emotions & domains and not emotions & mods and not domains & mods, \
        "a colour must mean one variable"
    a = pal.colours(["sad", "angry", "neutral"])
    b = pal.colours(["neutral", "happy", "angry", "sad"])
    assert all(a[k] == b[k] for k in a)
    assert pal.colours(["L", "A"]) == {"L": pal.MODALITY["L"], "A": pal.MODALITY["A"]}
    assert pal.colours(["iemocap", "mosi"])["mosi"] == pal.DOMAIN["mosi"]
    assert pal.for_column("modalities", ["A", "AVL"])["AVL"] == pal.MODALITY["AVL"]
    assert pal.for_column("setting", ["vanilla", "mmd"]) == pal.colours(["vanilla", "mmd"], "series")
    with pytest.raises(ValueError, match="no fixed emotion colour"):
        pal.colours(["happy", "bored"], "emotion")
    with pytest.raises(ValueError, match="kind must be"):
        pal.colours(["a"], "flavour")


def _scatter_colours(ax) -> dict:
    """legend label -> face colour of the scatter collections of an axes."""
    return {c.get_label(): to_hex(c.get_facecolor()[0]) for c in ax.collections if c.get_offsets().size}


def test_latent_figures_colour_classes_and_domains_from_the_palette():
    rng = np.random.default_rng(0)
    for classes in (IEMOCAP4.classes, tuple(reversed(IEMOCAP4.classes))):
        frame = pd.DataFrame({"emotion": np.array(classes)[np.arange(40) % 4]})
        fig = plots.latent_maps({"m": (rng.normal(size=(40, 2)), frame)}, colour="emotion")
        got = _scatter_colours(fig.axes[0])
        assert got == {c: pal.EMOTION[c] for c in classes}
        plt.close(fig)
    frame = pd.DataFrame({"domain": ["meld", "mosi"] * 10})
    fig = plots.latent_maps({"m": (rng.normal(size=(20, 2)), frame)}, colour="domain")
    assert _scatter_colours(fig.axes[0]) == {"meld": pal.DOMAIN["meld"], "mosi": pal.DOMAIN["mosi"]}
    latents = {"vanilla": {m: rng.normal(size=(12, 3)) for m in "AVL"}}
    fig = plots.latent_pca(latents, np.arange(12) % 4, IEMOCAP4.classes)
    colours = {to_hex(c.get_facecolor()[0]) for c in fig.axes[0].collections if c.get_offsets().size}
    assert colours == {pal.EMOTION[c] for c in IEMOCAP4.classes}
    markers = {h.get_marker() for h in fig.axes[0].get_legend().legend_handles}
    assert {pal.MODALITY_MARKERS[m] for m in "AVL"} <= markers, "one marker per modality"
    plt.close("all")


def test_bars_and_lines_colour_modalities_from_the_palette():
    df = pd.DataFrame({"modalities": ["L", "A", "V"], "ua": [0.6, 0.5, 0.4]})
    fig = plots.metric_bars(df, "modalities", "ua", title="t")
    bars = [to_hex(p.get_facecolor()) for p in fig.axes[0].patches]
    assert bars == [pal.MODALITY[m] for m in ("L", "A", "V")]
    sweep = pd.DataFrame({"speaker": [0, 1, 0, 1], "ua": [.5, .4, .6, .5], "modalities": ["A", "A", "L", "L"]})
    fig = plots.line(sweep, "speaker", "ua", hue="modalities")
    lines = {ln.get_label(): to_hex(ln.get_color()) for ln in fig.axes[0].get_lines() if ln.get_label() in "AL"}
    assert lines == {"A": pal.MODALITY["A"], "L": pal.MODALITY["L"]}
    plt.close("all")


def test_legends_sit_outside_the_data_and_zoom_says_so():
    df = pd.DataFrame({"setting": ["a", "a", "b", "b"], "mode": ["x", "y", "x", "y"], "ua": [.70, .71, .72, .73]})
    fig = plots.metric_bars(df, "setting", "ua", hue="mode", title="t", zoomed=True, paper={"a": 0.74})
    ax = fig.axes[0]
    fig.canvas.draw()
    legend = ax.get_legend().get_window_extent()
    assert legend.x0 >= ax.get_window_extent().x1 - 1, "the legend covers the data"
    assert ax.get_ylim()[0] > 0.5 and "not from 0" in ax.get_ylabel()
    assert "paper" in [t.get_text() for t in ax.get_legend().get_texts()]
    plt.close("all")


def test_confusion_matrices_stay_readable():
    m = np.random.default_rng(0).integers(0, 50, size=(7, 7))
    fig = plots.confusion_matrices({"a": m, "b": m, "c": m, "d": m}, MELD7.classes)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert len(texts) == 49 and all(len(t) <= 3 for t in texts), "one short number per cell"
    w, h = fig.get_size_inches()
    assert w / 3 >= 0.5 * 7, "at least half an inch per cell"
    plt.close("all")
