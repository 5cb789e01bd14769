"""The per-modality deep auto-encoders of CMDM (Sec. 3.1, Figs. 3-4, Table 3).

- :class:`VectorDAE`: utterance-level vectors (IS10 acoustic functionals):
  stacked linear layers and a symmetric decoder, 1582 -> 512 -> 256 -> 128 -> ... -> 1582.
- :class:`SequenceDAE`: frame/word sequences (faces, words): a transformer
  encoder without embedding layer, 2-D convolutions over (time x feature)
  with one input channel, flatten, linear layers to the latent; the decoder
  mirrors it (linear, reshape, deconvolutions, transformer decoder, a final
  linear layer) and reconstructs the **reversed** input sequence.
  **No positional encoding** (the paper names none, and the kit adds none):
  the transformers' self-attention is order-blind (permuting the frames
  permutes its output the same way), so only the convolutions and
  deconvolutions, which slide over the time axis, see which frame comes where.

Every module returns ``(z, x_hat)``: the latent (batch, latent) and the
reconstruction, shaped like the input.
"""

from __future__ import annotations

import warnings

from torch import nn
from torch.nn.attention import SDPBackend, sdpa_kernel

from ..data.transforms import reverse_sequence


def mlp(sizes, last_activation=False) -> nn.Sequential:
    """Linear layers with ReLU between them: sizes (d0, d1, ..., dk)."""
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(a, b))
        if i < len(sizes) - 2 or last_activation:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


class VectorDAE(nn.Module):
    """Stacked linear auto-encoder (CMDM Fig. 3, Table 3 row A).

    Args:
        in_dim: input dim (paper: 1582). hidden: encoder widths (paper: (512, 256)).
        latent: latent dim (paper: 128).
    Shapes: x (batch, in_dim) -> z (batch, latent), x_hat (batch, in_dim).
    """

    def __init__(self, in_dim: int, hidden=(512, 256), latent: int = 128):
        super().__init__()
        sizes = (in_dim, *hidden, latent)
        self.in_dim, self.latent = in_dim, latent
        self.encoder = mlp(sizes)
        self.decoder = mlp(sizes[::-1])
        self.shapes = [("input", (in_dim,))] + [(f"linear {i + 1}", (s,)) for i, s in enumerate(sizes[1:])]

    def forward(self, x, mask=None):
        z = self.encode(x)
        return z, self.decoder(z)

    def encode(self, x, mask=None):
        """(batch, in_dim) -> (batch, latent)."""
        if x.ndim != 2 or x.shape[1] != self.in_dim:
            raise ValueError(f"VectorDAE expects (batch, {self.in_dim}), got {tuple(x.shape)}")
        return self.encoder(x)

    def target(self, x, mask=None):
        """What the decoder should output: the input itself."""
        return x


def conv_out(size: int, k: int, s: int, p: int) -> int:
    return (size + 2 * p - k) // s + 1


def pick_heads(dim: int, heads: int) -> int:
    """The divisor of ``dim`` closest to ``heads`` (ties: more heads).

    Table 3's visual transformer asks for h = 4 with e = 342, which
    ``nn.MultiheadAttention`` cannot build (342 % 4 != 0): it gets 3 heads.
    """
    if dim % heads == 0:
        return heads
    best = min((d for d in range(1, dim + 1) if dim % d == 0), key=lambda d: (abs(d - heads), -d))
    warnings.warn(f"{heads} heads do not divide the model dim {dim}; using {best} heads", stacklevel=3)
    return best


class SequenceDAE(nn.Module):
    """Transformer + convolution auto-encoder for sequences (CMDM Fig. 4, Table 3 rows V, L).

    The transformers get no positional encoding (the kit's choice; the paper
    names none): their attention sees the frames as a set, and the order of
    the frames reaches the latent only through the convolutions.

    Args:
        seq_len, dim: the fixed input length and feature dim (paper V: 18 x 342, L: 22 x 1024).
        heads, blocks: transformer heads h and blocks b (paper: 4 and 2); ``e = dim``.
        convs: (kernel, stride, padding, channels) per conv layer, applied to
            the (1, seq_len, dim) image; the deconvolutions invert them exactly.
        hidden: linear widths between the flattened conv output and the latent
            (paper V: (), L: (512,)).
        latent: latent dim (paper: 128).
        dropout: transformer dropout.
        reverse_target: reconstruct the reversed sequence (the paper) or, for
            comparison, the sequence as it is.
    Shapes: x (batch, seq_len, dim), mask (batch, seq_len) bool ->
        z (batch, latent), x_hat (batch, seq_len, dim) (the reversed sequence).
    """

    def __init__(self, seq_len: int, dim: int, heads: int = 4, blocks: int = 2,
                 convs=((4, 2, 1, 16), (5, 2, 1, 64), (3, 3, 1, 32)), hidden=(), latent: int = 128,
                 dropout: float = 0.1, reverse_target: bool = True):
        super().__init__()
        self.seq_len, self.dim, self.latent = seq_len, dim, latent
        self.reverse_target = reverse_target
        h = pick_heads(dim, heads)
        enc_layer = nn.TransformerEncoderLayer(dim, h, dim_feedforward=2 * dim, dropout=dropout,
                                               batch_first=True)
        self.transformer_encoder = nn.TransformerEncoder(enc_layer, blocks, enable_nested_tensor=False)
        # the image sizes through the conv stack, to invert it exactly
        sizes, channels = [(seq_len, dim)], [1]
        down, up = [], []
        for k, s, p, c in convs:
            H, W = sizes[-1]
            out = (conv_out(H, k, s, p), conv_out(W, k, s, p))
            if min(out) < 1:
                raise ValueError(f"conv (k={k}, s={s}, p={p}) shrinks {H} x {W} to nothing")
            down += [nn.Conv2d(channels[-1], c, k, s, p), nn.ReLU()]
            sizes.append(out)
            channels.append(c)
        self.conv = nn.Sequential(*down)
        for i in range(len(convs) - 1, -1, -1):
            k, s, p, _ = convs[i]
            (H, W), (h_in, w_in) = sizes[i], sizes[i + 1]
            pad = (H - ((h_in - 1) * s - 2 * p + k), W - ((w_in - 1) * s - 2 * p + k))
            up.append(nn.ConvTranspose2d(channels[i + 1], channels[i], k, s, p, output_padding=pad))
            if i > 0:
                up.append(nn.ReLU())
        self.deconv = nn.Sequential(*up)
        self.grid = (channels[-1], *sizes[-1])
        flat = channels[-1] * sizes[-1][0] * sizes[-1][1]
        self.to_latent = mlp((flat, *hidden, latent))
        self.from_latent = mlp((latent, *hidden[::-1], flat), last_activation=True)
        dec_layer = nn.TransformerDecoderLayer(dim, h, dim_feedforward=2 * dim, dropout=dropout,
                                               batch_first=True)
        self.transformer_decoder = nn.TransformerDecoder(dec_layer, blocks)
        self.output = nn.Linear(dim, dim)
        self.heads = h
        self.shapes = ([("input", (1, seq_len, dim))]
                       + [(f"conv {i + 1}", (c, *hw)) for i, (c, hw) in enumerate(zip(channels[1:], sizes[1:]))]
                       + [("flatten", (flat,))]
                       + [(f"linear {i + 1}", (n,)) for i, n in enumerate((*hidden, latent))])

    def check(self, x, mask):
        if x.ndim != 3 or x.shape[2] != self.dim:
            raise ValueError(f"SequenceDAE expects (batch, time, {self.dim}), got {tuple(x.shape)}")
        if x.shape[1] != self.seq_len:
            raise ValueError(f"sequence length {x.shape[1]} != the model's fixed length {self.seq_len}: "
                             "pad or truncate first (affectkit.data.transforms.pad_or_truncate)")
        if mask is not None and mask.shape != x.shape[:2]:
            raise ValueError(f"mask must be {tuple(x.shape[:2])}, got {tuple(mask.shape)}")

    def encode(self, x, mask=None):
        """(batch, T, dim) -> (batch, latent). Padding frames are masked out of attention."""
        if x.device.type == "cpu":
            with sdpa_kernel(SDPBackend.MATH):
                return self._encode(x, mask)
        return self._encode(x, mask)

    def _encode(self, x, mask=None):
        self.check(x, mask)
        pad = None if mask is None else ~mask
        h = self.transformer_encoder(x, src_key_padding_mask=pad)
        if mask is not None:
            h = h * mask.unsqueeze(-1)
        return self.to_latent(self.conv(h.unsqueeze(1)).flatten(1))

    def decode(self, z):
        """(batch, latent) -> (batch, T, dim), the reversed sequence."""
        grid = self.from_latent(z).view(-1, *self.grid)
        seq = self.deconv(grid).squeeze(1)                       # (batch, T, dim)
        # the decoder attends over the up-sampled latent (it is its own memory)
        return self.output(self.transformer_decoder(seq, seq))

    def forward(self, x, mask=None):
        if x.device.type == "cpu":
            # at these head sizes plain attention is ~2x faster on a CPU than the fused kernel
            with sdpa_kernel(SDPBackend.MATH):
                z = self._encode(x, mask)
                return z, self.decode(z)
        z = self._encode(x, mask)
        return z, self.decode(z)

    def target(self, x, mask=None):
        """The reversed input (Srivastava et al.): frame 0 of the target is the last
        real frame; the input itself with ``reverse_target=False``."""
        return reverse_sequence(x, mask) if self.reverse_target else x
