"""Linear probes on pooled features."""

import matplotlib
import numpy as np
import pytest
import torch

from affectkit.data.dataset import MultimodalDataset
from affectkit.data.domains import feature_moments
from affectkit.probe import knob_sweep, linear_probe, pooled_features

matplotlib.use("Agg")


def test_pooling_ignores_padding():
    x = torch.zeros(1, 4, 2)
    x[0, :2] = torch.tensor([[1.0, 3.0], [3.0, 5.0]])
    ds = MultimodalDataset(x={"L": x, "A": torch.ones(1, 3)}, y=[0], classes=("a",),
                           mask={"L": torch.tensor([[True, True, False, False]])})
    assert pooled_features(ds, "L").tolist() == [[2.0, 4.0]]
    assert pooled_features(ds, ["A", "L"]).shape == (1, 5)
    with pytest.raises(ValueError, match="no modality 'V'"):
        pooled_features(ds, "V")
    with pytest.raises(ValueError, match="hidden affect state"):
        pooled_features(ds, "Z")


def test_probe_is_better_than_chance_and_needs_labels(smoke_world):
    r = linear_probe(smoke_world.train, smoke_world.train, "Z")
    assert r["ua"] > 0.5 and 0 <= r["wa"] <= 1
    with pytest.raises(ValueError, match="no labeled samples"):
        linear_probe(smoke_world.unlabeled, smoke_world.test, "A")


def test_knob_sweep_is_tidy():
    df = knob_sweep("speaker", [0.0, 0.5], ["A", "L"], profile="smoke")
    assert list(df.columns) == ["speaker", "modalities", "wa", "ua"] and len(df) == 4


def test_feature_moments_relative(smoke_world):
    table = feature_moments({"train": smoke_world.train, "test": smoke_world.test}, "L", relative=True)
    assert set(table.group) == {"train", "test"} and len(table) == 2 * smoke_world.train.shapes["L"][1]
    assert np.isfinite(table[["mean", "std"]].to_numpy()).all()
    with pytest.raises(ValueError, match="no modality"):
        feature_moments({"x": smoke_world.train.select(["A"])}, "L")
