import pytest
import torch

from affectkit.cmdm.dae import SequenceDAE, VectorDAE, pick_heads

TABLE3_V = [("input", (1, 18, 342)), ("conv 1", (16, 9, 171)), ("conv 2", (64, 4, 85)),
            ("conv 3", (32, 2, 29)), ("flatten", (1856,)), ("linear 1", (128,))]
TABLE3_L = [("input", (1, 22, 1024)), ("conv 1", (64, 11, 512)), ("conv 2", (4, 4, 171)),
            ("flatten", (2736,)), ("linear 1", (512,)), ("linear 2", (128,))]


def test_vector_dae_is_table3_row_a():
    dae = VectorDAE(1582)
    assert [s for _, s in dae.shapes] == [(1582,), (512,), (256,), (128,)]
    z, x_hat = dae(torch.randn(2, 1582))
    assert z.shape == (2, 128) and x_hat.shape == (2, 1582)
    assert [m.out_features for m in dae.decoder if isinstance(m, torch.nn.Linear)] == [256, 512, 1582]


def test_visual_dae_is_table3_row_v():
    with pytest.warns(UserWarning, match="using 3 heads"):
        dae = SequenceDAE(18, 342, heads=4, convs=((4, 2, 1, 16), (5, 2, 1, 64), (3, 3, 1, 32)), hidden=())
    assert dae.shapes == TABLE3_V
    x, mask = torch.randn(2, 18, 342), torch.ones(2, 18, dtype=torch.bool)
    z, x_hat = dae(x, mask)
    assert z.shape == (2, 128) and x_hat.shape == (2, 18, 342)
    assert [m.out_channels for m in dae.deconv if isinstance(m, torch.nn.ConvTranspose2d)] == [64, 16, 1]


def test_lexical_dae_is_table3_row_l():
    dae = SequenceDAE(22, 1024, heads=4, convs=((4, 2, 1, 64), (4, 3, 1, 4)), hidden=(512,))
    assert dae.shapes == TABLE3_L and dae.heads == 4
    z, x_hat = dae(torch.randn(2, 22, 1024))
    assert z.shape == (2, 128) and x_hat.shape == (2, 22, 1024)


def test_target_is_the_reversed_sequence_unless_asked():
    x = torch.arange(6.0).view(1, 3, 2)
    mask = torch.tensor([[True, True, False]])
    dae = SequenceDAE(3, 2, heads=2, convs=((1, 1, 0, 2),), latent=4)
    assert dae.target(x, mask)[0, :, 0].tolist() == [2.0, 0.0, 0.0]
    dae_fwd = SequenceDAE(3, 2, heads=2, convs=((1, 1, 0, 2),), latent=4, reverse_target=False)
    assert torch.equal(dae_fwd.target(x, mask), x)


def test_padding_does_not_change_the_latent_of_real_frames():
    torch.manual_seed(0)
    dae = SequenceDAE(6, 8, heads=2, convs=((2, 2, 0, 4),), latent=5, dropout=0.0).eval()
    x = torch.randn(1, 6, 8)
    mask = torch.tensor([[True] * 4 + [False] * 2])
    x[0, 4:] = 0
    other = x.clone()
    other[0, 4:] = 7.0   # garbage in the padding
    assert torch.allclose(dae.encode(x, mask), dae.encode(other, mask), atol=1e-5)


def test_pick_heads():
    assert pick_heads(1024, 4) == 4
    with pytest.warns(UserWarning):
        assert pick_heads(342, 4) == 3


@pytest.mark.parametrize("make, x, match", [
    (lambda: VectorDAE(10, hidden=(8,), latent=4), torch.randn(2, 11), r"\(batch, 10\)"),
    (lambda: SequenceDAE(6, 8, heads=2, convs=((2, 2, 0, 4),), latent=5), torch.randn(2, 7, 8), "fixed length 6"),
    (lambda: SequenceDAE(6, 8, heads=2, convs=((2, 2, 0, 4),), latent=5), torch.randn(2, 6, 9), "time, 8"),
])
def test_bad_input(make, x, match):
    with pytest.raises(ValueError, match=match):
        make()(x)


def test_conv_that_shrinks_to_nothing():
    with pytest.raises(ValueError, match="to nothing"):
        SequenceDAE(2, 4, heads=2, convs=((5, 2, 0, 4),))
