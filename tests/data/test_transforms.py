import pytest
import torch

from affectkit.data.transforms import (
    ZNorm,
    feature_noise,
    pad_or_truncate,
    reverse_sequence,
    temporal_zero_out,
)


def test_znorm_uses_train_statistics_only(smoke_world):
    norm = ZNorm().fit(smoke_world.train)
    train = norm.transform(smoke_world.train)
    a = train.x["A"]
    assert torch.allclose(a.mean(0), torch.zeros(a.shape[1]), atol=1e-4)
    assert torch.allclose(a.std(0, unbiased=False), torch.ones(a.shape[1]), atol=1e-3)
    frames = train.x["L"][train.mask["L"]]
    assert torch.allclose(frames.mean(0), torch.zeros(frames.shape[1]), atol=1e-4)
    assert (train.x["L"][~train.mask["L"]] == 0).all(), "padding stays zero"
    test = norm.transform(smoke_world.test)
    expected = (smoke_world.test.x["A"] - norm.mean_["A"]) / norm.std_["A"]
    assert torch.allclose(test.x["A"], expected)


def test_znorm_errors(smoke_world):
    with pytest.raises(RuntimeError, match="before fit"):
        ZNorm().transform(smoke_world.train)
    norm = ZNorm().fit(smoke_world.train.select(["A"]))
    with pytest.raises(ValueError, match="without modality"):
        norm.transform(smoke_world.train)


def test_pad_or_truncate():
    x = torch.arange(12.0).reshape(4, 3)
    padded, mask = pad_or_truncate(x, 6)
    assert padded.shape == (6, 3) and mask.tolist() == [True] * 4 + [False] * 2
    assert torch.equal(padded[:4], x) and (padded[4:] == 0).all()
    cut, mask = pad_or_truncate(x, 2)
    assert torch.equal(cut, x[:2]) and mask.all()
    batch, mask = pad_or_truncate(torch.ones(5, 4, 3), 22)
    assert batch.shape == (5, 22, 3) and mask.shape == (5, 22)
    with pytest.raises(ValueError, match="length"):
        pad_or_truncate(x, 0)
    with pytest.raises(ValueError, match="time, dim"):
        pad_or_truncate(torch.ones(3), 2)


def test_reverse_sequence_keeps_padding_at_the_end():
    x = torch.tensor([[[1.0], [2.0], [3.0], [0.0]], [[4.0], [5.0], [6.0], [7.0]]])
    mask = torch.tensor([[True, True, True, False], [True] * 4])
    out = reverse_sequence(x, mask)
    assert out[..., 0].tolist() == [[3, 2, 1, 0], [7, 6, 5, 4]]
    assert torch.equal(reverse_sequence(x), x.flip(1))
    assert torch.equal(reverse_sequence(reverse_sequence(x, mask), mask), x)
    with pytest.raises(ValueError, match="mask"):
        reverse_sequence(x, mask[:, :2])


def test_feature_noise_matches_easum_eq1():
    g = torch.Generator().manual_seed(0)
    x = torch.full((20000,), 2.0)
    out = feature_noise(x, generator=g)
    # alpha ~ N(1, 1), beta ~ N(1, 1): mean 2 * 1 + 1 = 3, var 4 * 1 + 1 = 5
    assert abs(out.mean().item() - 3.0) < 0.05 and abs(out.var().item() - 5.0) < 0.2
    assert torch.equal(feature_noise(x, alpha_std=0, beta_mean=0, beta_std=0), x)
    with pytest.raises(ValueError, match="alpha_std"):
        feature_noise(x, alpha_std=-1)


def test_temporal_zero_out():
    x = torch.ones(200, 50, 3)
    out = temporal_zero_out(x, p=0.3, generator=torch.Generator().manual_seed(0))
    dropped = (out.sum(-1) == 0).float().mean().item()
    assert abs(dropped - 0.3) < 0.02
    assert ((out == 0).all(-1) | (out == 1).all(-1)).all(), "whole time steps are zeroed"
    assert torch.equal(temporal_zero_out(x, p=0.0), x)
    with pytest.raises(ValueError, match="p must"):
        temporal_zero_out(x, p=1.0)


def test_temporal_zero_out_per_sequence_rates():
    x = torch.ones(3, 200, 2)
    out = temporal_zero_out(x, torch.tensor([0.0, 0.5, 0.9]), generator=torch.Generator().manual_seed(0))
    dropped = (out.abs().sum(-1) == 0).float().mean(1)
    assert dropped[0] == 0 and 0.35 < dropped[1] < 0.65 and dropped[2] > 0.8
    with pytest.raises(ValueError, match="one per sequence"):
        temporal_zero_out(x, torch.tensor([0.1, 0.2]))
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        temporal_zero_out(x, torch.tensor([0.1, 0.2, 1.0]))
