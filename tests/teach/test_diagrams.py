"""The two architectures, drawn from the models."""

import matplotlib
import matplotlib.pyplot as plt

from affectkit.cmdm import CMDM
from affectkit.config import PROFILES
from affectkit.easum import DGModel, DSModel
from affectkit.teach import diagrams, figure_audit

matplotlib.use("Agg")


def test_diagrams_are_drawn_from_the_models():
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = CMDM(PROFILES["paper"].shapes, 4, "paper")
    fig = diagrams.cmdm(model)
    text = " ".join(t.get_text() for t in fig.axes[0].texts)
    assert "1582" in text and "18 x 342" in text and "22 x 1024" in text and "128-d" in text
    for eq in ("Eq. 2", "Eq. 5", "Eq. 7", "Eq. 8", "Eq. 9"):
        assert eq in text, eq
    assert figure_audit.problems(fig) == []
    shapes = {"L": (6, 12), "A": (4, 5), "V": (4, 7)}
    dg, ds = DGModel(shapes, "smoke"), DSModel(shapes, "emotion", n_classes=7, arch="smoke")
    fig = diagrams.easum(dg, ds)
    text = " ".join(t.get_text() for t in fig.axes[0].texts)
    assert f"{dg.encoder.config.num_hidden_layers} layers" in text and "frozen" in text and "KL" in text
    assert "aux head: 3 polarities" in text
    plt.close("all")
