"""The explorers for ipywidgets: a static figure under any executor, sliders below."""

import ipywidgets
import matplotlib
import matplotlib.pyplot as plt
import pytest
from matplotlib.figure import Figure

from affectkit.teach import widgets

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


def _interact(monkeypatch):
    """Run interact on mmd_view with IPython's display replaced by a list."""
    shown = []
    monkeypatch.setattr(widgets, "display", shown.append)
    value = widgets.interact(widgets.mmd_view, shift=(0.0, 4.0, 0.5), sigma=(0.05, 10.0, 0.05),
                             n=ipywidgets.fixed(50))
    return value, shown


def test_interact_draws_the_default_view_once_then_adds_sliders(monkeypatch):
    monkeypatch.delenv("AFFECTKIT_HEADLESS", raising=False)
    value, shown = _interact(monkeypatch)
    fig, expected = widgets.mmd_view(n=50)
    plt.close(fig)
    assert value == expected
    figures = [x for x in shown if isinstance(x, Figure)]
    assert len(figures) == 1 and shown[0] is figures[0], "the default view is displayed once, first"
    assert not plt.fignum_exists(figures[0].number), "closed, so the inline backend does not draw it again"
    box = shown[1]
    sliders = {c.description: c for c in box.children if isinstance(c, ipywidgets.FloatSlider)}
    assert sliders.keys() == {"shift", "sigma"} and sliders["shift"].value == 1.0 and sliders["sigma"].value == 1.0
    out = box.children[-1]
    assert isinstance(out, ipywidgets.Output) and out.outputs == (), "nothing drawn into a widget while the cell runs"
    sliders["shift"].value = 3.0  # what a front-end does when the slider moves
    assert len(shown) == 3 and isinstance(shown[2], Figure) and "3.00 apart" in shown[2].axes[0].get_title()
    assert not plt.fignum_exists(shown[2].number)


def test_interact_in_the_runner_gallery_draws_without_sliders(monkeypatch):
    monkeypatch.setenv("AFFECTKIT_HEADLESS", "1")
    value, shown = _interact(monkeypatch)
    assert len(shown) == 1 and isinstance(shown[0], Figure) and value == pytest.approx(0.226, abs=0.01)


def test_interact_names_an_unknown_parameter():
    with pytest.raises(ValueError, match=r"no parameter \['shfit'\]"):
        widgets.interact(widgets.mmd_view, shfit=(0.0, 4.0))
