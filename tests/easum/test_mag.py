import pytest
import torch

from affectkit.easum.mag import MAG, align_to


def inputs(b=3, t=5, dims=(16, 6, 4), seed=0):
    g = torch.Generator().manual_seed(seed)
    return tuple(torch.randn(b, t, d, generator=g) for d in dims)


def test_shapes_and_lambda_bound():
    mag = MAG(16, 6, 4, gamma=1.0, dropout=0.0)
    text, a, v = inputs()
    assert mag(text, a, v).shape == (3, 5, 16)
    parts = mag.displacement(text, a * 100, v * 100)  # a huge displacement is cut to the token's norm
    assert parts["lambda"].shape == (3, 5) and (parts["lambda"] <= 1).all() and (parts["lambda"] >= 0).all()
    shifted = parts["lambda"].unsqueeze(-1) * parts["R"]
    assert (shifted.norm(dim=-1) <= text.norm(dim=-1) * (1 + 1e-5)).all()


def test_zero_nonverbal_input_leaves_the_text_up_to_normalisation():
    mag = MAG(16, 6, 4, dropout=0.0)
    text, a, v = inputs()
    out = mag(text, torch.zeros_like(a), torch.zeros_like(v))
    assert torch.allclose(out, mag.norm(text), atol=1e-6)
    assert torch.isfinite(mag.displacement(text, a * 0, v * 0)["lambda"]).all(), "zero-norm guard"


def test_gamma_scales_the_shift_and_bad_shapes_fail():
    text, a, v = inputs()
    small = MAG(16, 6, 4, gamma=1e-3, dropout=0.0)
    parts = small.displacement(text, a, v)
    expected = text.norm(dim=-1) / (parts["R"].norm(dim=-1) + 1e-6) * 1e-3
    assert torch.allclose(parts["lambda"], expected.clamp(max=1.0)) and (parts["lambda"] < 1).all()
    with pytest.raises(ValueError, match="one nonverbal vector per text token"):
        small(text, a[:, :3], v)
    with pytest.raises(ValueError, match=r"acoustic must be \(batch, T, 6\)"):
        small(text, v, v)
    with pytest.raises(ValueError, match="gamma"):
        MAG(4, 4, 4, gamma=0)


def test_align_to_averages_real_frames():
    x = torch.arange(8.0).view(1, 8, 1)
    mask = torch.tensor([[True] * 4 + [False] * 4])
    out = align_to(x, 4, mask)
    assert out.shape == (1, 4, 1)
    assert out.flatten().tolist() == [0.5, 2.5, 0.0, 0.0]
    assert align_to(x, 2).flatten().tolist() == [1.5, 5.5]
