"""EASUM's two models (Sec. 3.3-3.4): the domain-general (DG) model and the
domain-specific (DS) model, on top of MAG fusion.

- :class:`Fusion`: acoustic and visual sequences resampled to the text's
  length (:func:`~affectkit.easum.mag.align_to`), then MAG per token.
- :class:`MAGEncoder`: where MAG sits, as in MAG-BERT and the official code:
  the encoder's embedding layer (positions, LayerNorm, dropout), then MAG, then
  the encoder's layers.
- :class:`DGModel`: embeddings -> MAG -> ConvBERT layers (``transformers.ConvBertModel``'s
  two halves) -> pooled representation -> a sentiment
  head (3 polarities, shared by the sentiment corpora) and an emotion head
  (the 9 common emotions, shared by the emotion corpora).
  ``L_DG = sum_i L_Di + omega * MD_total`` (EASUM Eq. 11, :func:`dg_loss`).
- :class:`DSModel`: embeddings -> MAG -> DeBERTa layers (``transformers.DebertaV2Model``)
  -> a main head (sentiment intensity, or the corpus's own emotion classes)
  and an auxiliary head (the other task, supervised by the frozen DG model's
  soft pseudo labels). ``L_DS = L_task + eta * KL`` (EASUM Eq. 13, :func:`ds_loss`);
  :func:`warm_start` copies the DG model's fusion and embedding layer into it first.

The encoders are built from configs (no pretrained weights: the kit runs
offline, and the synthetic world's features are not word pieces). The
pooled representation is the mean over real text tokens (the features carry
no [CLS] token).
"""

from __future__ import annotations

from dataclasses import asdict

import torch
from torch import nn
from transformers import ConvBertConfig, ConvBertModel, DebertaV2Config, DebertaV2Model
from transformers.masking_utils import create_bidirectional_mask

from ..config import EASUMArch, get_profile
from ..data.transforms import masked_mean, temporal_zero_out
from .mag import MAG, align_to

N_POLARITIES = 3   # negative, neutral, positive
N_COMMON = 9       # EASUM-9


def check_modalities(modalities: str) -> str:
    """EASUM Table 4's combinations: text plus any of acoustic and visual ("L", "LA", "LV", "LAV")."""
    mods = "".join(m for m in "LAV" if m in modalities)
    if "L" not in mods or set(modalities) - set("LAV") or len(mods) != len(modalities):
        raise ValueError(f"modalities must be text plus any of A and V ('L', 'LA', 'LV', 'LAV'), got {modalities!r}")
    return mods


def modalities_of(shapes: dict) -> str:
    """The modalities a corpus with feature ``shapes`` offers EASUM ("L" plus any of "A", "V");
    ValueError when it has no text (EASUM's encoders read the words, MAG shifts them)."""
    mods = "".join(m for m in "LAV" if m in shapes)
    if "L" not in mods:
        raise ValueError(f"EASUM needs transcripts (the L features): its encoders read the words and MAG shifts "
                         f"them; this data has only {sorted(shapes)}. Train CMDM instead (it works on any modalities)")
    return mods


class Fusion(nn.Module):
    """The inputs of MAG and MAG itself: text projection (identity when the text
    dim is the hidden size), nonverbal alignment to the text's length, the gate.

    ``modalities``: which of "LAV" the model uses (EASUM Table 4's ablation). A
    modality left out enters MAG as silence (zeros): MAG's projections have no
    bias, so it displaces nothing, and with neither A nor V the output is the
    normalised text.

    The encoder's embedding layer runs *between* :meth:`inputs` and :meth:`forward`
    (see :class:`MAGEncoder`): MAG shifts embedded tokens, as in MAG-BERT.

    Shapes: :meth:`inputs` x {"L": (b, T_l, d_l), "A": (b, T_a, d_a), "V": (b, T_v, d_v)},
    mask {m: (b, T_m)} -> text (b, T_l, hidden), acoustic (b, T_l, d_a), visual (b, T_l, d_v).
    """

    def __init__(self, shapes: dict, arch: EASUMArch, modalities: str = "LAV"):
        super().__init__()
        self.modalities = check_modalities(modalities)
        missing = set(self.modalities) - set(shapes)
        if missing:
            raise ValueError(f"the model fuses {self.modalities!r}; shapes are missing {sorted(missing)}")
        for m in self.modalities:
            if len(shapes[m]) != 2:
                raise ValueError(f"EASUM expects a (time, dim) sequence for {m!r}, got {shapes[m]}")
        self.text_len = shapes["L"][0]
        if self.text_len > arch.max_len:
            raise ValueError(f"text length {self.text_len} exceeds the encoder's max_len {arch.max_len}")
        d_l = shapes["L"][1]
        self.text = nn.Identity() if d_l == arch.hidden else nn.Linear(d_l, arch.hidden)
        self.nonverbal_dims = {m: shapes[m][1] if m in shapes else 1 for m in "AV"}
        self.mag = MAG(arch.hidden, self.nonverbal_dims["A"], self.nonverbal_dims["V"], arch.gamma, arch.mag_dropout)

    def _nonverbal(self, m: str, x: dict, mask: dict, like: torch.Tensor) -> torch.Tensor:
        if m not in self.modalities:  # left out: silence
            return like.new_zeros(like.shape[0], self.text_len, self.nonverbal_dims[m])
        if m not in x:
            raise ValueError(f"the model uses modality {m!r} but the batch has only {sorted(x)}")
        return align_to(x[m], self.text_len, mask.get(m))

    def inputs(self, x: dict, mask: dict) -> tuple:
        """(projected text, acoustic, visual), the nonverbal ones resampled to the text's length."""
        if "L" not in x:
            raise ValueError(f"EASUM needs the text sequence 'L'; the batch has {sorted(x)}")
        text = self.text(x["L"])
        return text, self._nonverbal("A", x, mask, text), self._nonverbal("V", x, mask, text)

    def forward(self, embedded: torch.Tensor, acoustic: torch.Tensor, visual: torch.Tensor,
                text_mask: torch.Tensor | None) -> torch.Tensor:
        """MAG on the embedded text: (b, T, hidden) -> (b, T, hidden)."""
        fused = self.mag(embedded, acoustic, visual)
        # padded tokens are zeroed: ConvBERT's span convolution reads neighbours
        # without looking at the attention mask, so garbage there would leak
        return fused if text_mask is None else fused * text_mask.unsqueeze(-1).to(fused)


def head(hidden: int, out: int, dropout: float) -> nn.Sequential:
    """dropout -> dense -> GELU -> dropout -> projection (the official code's heads)."""
    return nn.Sequential(nn.Dropout(dropout), nn.Linear(hidden, hidden), nn.GELU(), nn.Dropout(dropout),
                         nn.Linear(hidden, out))


class MAGEncoder(nn.Module):
    """What the DG and DS models share: embed the text, shift it with MAG, encode.

    The placement follows MAG-BERT and the official EASUM code: the encoder's
    own embedding layer (position embeddings, LayerNorm, dropout) runs on the
    projected text first, then MAG, then the encoder's layers. MAG is *not* fed
    back through the embedding layer. Subclasses build ``self.fusion`` and
    ``self.encoder`` (a transformers model) and say how to call the encoder's
    two halves: ``embed(text, attn)`` (b, T, hidden) -> (b, T, hidden) and
    ``layers(fused, attn)`` (b, T, hidden) -> (b, T, hidden).
    """

    def _embedded(self, x: dict, mask: dict, zero_out: torch.Tensor | None = None):
        text, acoustic, visual = self.fusion.inputs(x, mask)
        text_mask = mask.get("L")
        attn = None if text_mask is None else text_mask.long()
        embedded = self.embed(text, attn)
        if zero_out is not None and self.training:
            embedded = temporal_zero_out(embedded, zero_out)
        return embedded, acoustic, visual, text_mask, attn

    def encode(self, x: dict, mask: dict, zero_out: torch.Tensor | None = None) -> torch.Tensor:
        """The pooled representation (b, hidden). ``zero_out``: (b,) per-row
        probability of EASUM's temporal zero-out on the embedded text (Sec. 3.3;
        training only: 0 for original utterances, the rate for augmented copies)."""
        embedded, acoustic, visual, text_mask, attn = self._embedded(x, mask, zero_out)
        fused = self.fusion(embedded, acoustic, visual, text_mask)
        return masked_mean(self.layers(fused, attn), text_mask)

    @torch.no_grad()
    def explain(self, x: dict, mask: dict) -> dict:
        """MAG's pieces for a batch, in eval mode: {"text": (b, T, hidden) the embedded
        text MAG shifts, "R": (b, T, hidden), "lambda": (b, T), "g_a", "g_v": (b, T, hidden)}."""
        was_training = self.training
        self.eval()
        try:
            embedded, acoustic, visual, _, _ = self._embedded(x, mask)
            return {"text": embedded, **self.fusion.mag.displacement(embedded, acoustic, visual)}
        finally:
            self.train(was_training)


class DGModel(MAGEncoder):
    """The domain-general model: embeddings -> MAG -> ConvBERT layers -> pooled -> sentiment and emotion heads.

    Args: shapes: {"L", "A", "V"} -> (time, dim); arch: :class:`EASUMArch` or a
    profile name; modalities: see :class:`Fusion`.
    ``forward`` returns {"rep": (b, hidden), "sentiment": (b, 3), "emotion": (b, 9)}.
    ``domains``: {domain index: name} of the corpora it was trained on (set by
    :func:`affectkit.easum.dg.fit_dg`; a DS model may only learn from those).
    """

    def __init__(self, shapes: dict, arch="lab", modalities: str = "LAV"):
        super().__init__()
        arch = get_profile(arch).easum_arch if isinstance(arch, str) else arch
        self.arch, self.shapes = arch, {m: tuple(s) for m, s in shapes.items()}
        self.fusion = Fusion(self.shapes, arch, modalities)
        self.domains = {}
        # no vocabulary: the model reads inputs_embeds (special token ids unused)
        config = ConvBertConfig(vocab_size=2, pad_token_id=0, bos_token_id=None, eos_token_id=None,
                                hidden_size=arch.hidden, embedding_size=arch.hidden,
                                num_hidden_layers=arch.dg_layers, num_attention_heads=arch.heads,
                                intermediate_size=arch.intermediate, max_position_embeddings=arch.max_len,
                                hidden_dropout_prob=arch.dropout, attention_probs_dropout_prob=arch.dropout)
        self.encoder = ConvBertModel(config)
        self.heads = nn.ModuleDict({"sentiment": head(arch.hidden, N_POLARITIES, arch.dropout),
                                    "emotion": head(arch.hidden, N_COMMON, arch.dropout)})

    def embed(self, text, attn):
        # ConvBERT's embeddings: + position and token-type embeddings, LayerNorm, dropout
        return self.encoder.embeddings(inputs_embeds=text)

    def layers(self, fused, attn):
        if attn is None:
            attn = torch.ones(fused.shape[:2], dtype=torch.long, device=fused.device)
        mask = create_bidirectional_mask(config=self.encoder.config, inputs_embeds=fused, attention_mask=attn)
        return self.encoder.encoder(fused, attention_mask=mask).last_hidden_state

    def config(self) -> dict:
        """Everything needed to rebuild the model (saved with checkpoints)."""
        return {"shapes": {m: list(s) for m, s in self.shapes.items()}, "arch": asdict(self.arch),
                "modalities": self.fusion.modalities, "domains": {str(k): v for k, v in self.domains.items()}}

    @classmethod
    def from_config(cls, config: dict) -> "DGModel":
        model = cls({m: tuple(s) for m, s in config["shapes"].items()}, EASUMArch(**config["arch"]),
                    config["modalities"])
        model.domains = {int(k): v for k, v in config["domains"].items()}
        return model

    def forward(self, x: dict, mask: dict, zero_out: torch.Tensor | None = None) -> dict:
        rep = self.encode(x, mask, zero_out)
        return {"rep": rep, **{task: h(rep) for task, h in self.heads.items()}}


class DSModel(MAGEncoder):
    """The domain-specific model of one corpus: embeddings -> MAG -> DeBERTa layers -> pooled -> main and auxiliary heads.

    Args:
        shapes: as :class:`DGModel`. task: "sentiment" (main: intensity, 1 output;
            auxiliary: the 9 common emotions) or "emotion" (main: ``n_classes`` of
            the corpus; auxiliary: 3 polarities).
        modalities: see :class:`Fusion` (EASUM Table 4: "L", "LA", "LV", "LAV").
    ``forward`` returns {"rep", "main": (b,) or (b, n_classes), "aux": (b, 9 or 3)}.
    EASUM starts it from the trained DG model (:func:`warm_start`).
    """

    def __init__(self, shapes: dict, task: str, n_classes: int | None = None, arch="lab", modalities: str = "LAV"):
        super().__init__()
        if task not in ("sentiment", "emotion"):
            raise ValueError(f"task must be 'sentiment' or 'emotion', got {task!r}")
        if task == "emotion" and not n_classes:
            raise ValueError("an emotion DS model needs n_classes (its corpus's classes)")
        arch = get_profile(arch).easum_arch if isinstance(arch, str) else arch
        self.arch, self.task, self.shapes = arch, task, {m: tuple(s) for m, s in shapes.items()}
        self.fusion = Fusion(self.shapes, arch, modalities)
        config = DebertaV2Config(vocab_size=2, hidden_size=arch.hidden, num_hidden_layers=arch.ds_layers[task],
                                 num_attention_heads=arch.heads, intermediate_size=arch.intermediate,
                                 max_position_embeddings=arch.max_len, relative_attention=True,
                                 position_buckets=arch.max_len // 2, pos_att_type=["p2c", "c2p"],
                                 hidden_dropout_prob=arch.dropout, attention_probs_dropout_prob=arch.dropout)
        self.encoder = DebertaV2Model(config)
        main_out = 1 if task == "sentiment" else n_classes
        aux_out = N_COMMON if task == "sentiment" else N_POLARITIES
        self.main = head(arch.hidden, main_out, arch.dropout)
        self.aux = head(arch.hidden, aux_out, arch.dropout)

    def config(self) -> dict:
        """Everything needed to rebuild the model (saved with it: :func:`affectkit.saved.save_model`)."""
        return {"shapes": {m: list(s) for m, s in self.shapes.items()}, "task": self.task,
                "n_classes": self.main[-1].out_features if self.task == "emotion" else None,
                "arch": asdict(self.arch), "modalities": self.fusion.modalities}

    @classmethod
    def from_config(cls, config: dict) -> "DSModel":
        return cls({m: tuple(s) for m, s in config["shapes"].items()}, config["task"], config["n_classes"],
                   EASUMArch(**config["arch"]), config["modalities"])

    @property
    def teacher_head(self) -> str:
        """The DG head whose predictions supervise the auxiliary head."""
        return "emotion" if self.task == "sentiment" else "sentiment"

    def embed(self, text, attn):
        # DeBERTa's embeddings: + absolute positions, LayerNorm, padding zeroed, dropout
        if attn is None:
            attn = torch.ones(text.shape[:2], dtype=torch.long, device=text.device)
        return self.encoder.embeddings(inputs_embeds=text, mask=attn)

    def layers(self, fused, attn):
        if attn is None:
            attn = torch.ones(fused.shape[:2], dtype=torch.long, device=fused.device)
        return self.encoder.encoder(fused, attn).last_hidden_state

    def forward(self, x: dict, mask: dict) -> dict:
        rep = self.encode(x, mask)
        main = self.main(rep)
        return {"rep": rep, "main": main.squeeze(-1) if self.task == "sentiment" else main, "aux": self.aux(rep)}


WARM_START_PARTS = ("fusion.", "encoder.embeddings.")


def warm_start(model: nn.Module, source: nn.Module) -> list:
    """Copy the DG model's fusion and embedding layer into a DS model; return the names copied.

    EASUM's DS model starts from the DG model (Fig. 1: the fusion is loaded from
    phase 1 and trained further). What the kit copies is what EASUM means by
    that: the weights under ``fusion.`` (the text projection and MAG) and
    ``encoder.embeddings.`` (positions and their LayerNorm), where name and shape
    match. The encoder layers (ConvBERT in the DG model, DeBERTa in the DS model)
    and the heads keep their initialisation: ConvBERT and DeBERTa layers happen
    to share some names and shapes (the feed-forward ``intermediate.dense``,
    ``output.dense``, their LayerNorms), and copying those would put trained
    feed-forward weights beside random attention. (The official code copies
    every key of the DG state dict that matches one of the DS model; the kit
    names the parts instead, so that a name two different encoders happen to
    share never decides what is copied.)

    Raises ValueError if no fusion or embedding weight matches (e.g. other sizes).
    """
    target = model.state_dict()
    shared = {k: v for k, v in source.state_dict().items()
              if k.startswith(WARM_START_PARTS) and k in target and target[k].shape == v.shape}
    if not shared:
        raise ValueError(f"{type(source).__name__} and {type(model).__name__} share no fusion or embedding "
                         "weight of the same name and shape (another profile or hidden size?)")
    model.load_state_dict(shared, strict=False)
    return sorted(shared)
