"""Conversations (notebook 10): MELD's dialogue context, in two stages.

MELD is a corpus of conversations, and what was said before (and after) a line
changes what it means: "Oh my God!" after good news is joy, after bad news fear.
Fine-tuning an encoder on long concatenated contexts does not fit two CPU cores;
the two-stage recipe of bc-LSTM, DialogueRNN and COSMIC does:

1. encode every utterance once with the fine-tuned text classifier
   (:meth:`~affectkit.text.models.TextClassifier.encode`, inference only): a vector
   (d,) and the classifier's log-probabilities (k,);
2. train a small model over the sequence of a dialogue's utterance vectors:

       u_t = W [vector_t ; log p_t ; speaker changed_t] (+ speaker_t)             (b, T, h)
       c_t = one transformer layer over u_1..u_T, each turn attending to the turns its
             context allows: itself ("none"), the turns before it ("past"), both sides
             ("both"), at most ``window`` turns away; a learned bias per head and
             distance (how far back or ahead a turn is) and, with ``speakers``, for
             attending to the same speaker
       logits_t = log p_t + V c_t                                                  (b, T, k)

   The residual keeps the utterance's own prediction; the dialogue model learns only
   how the context moves it. Trained with the class-weighted cross-entropy of the
   text classifier through the kit's one loop (:func:`affectkit.loop.fit`).

The pitfall: if the training split's vectors come from a classifier trained on that
split, they are right there far more often than on dev or test, and a dialogue model
trained on them learns to trust the utterance's own prediction too much.
:func:`confidence` and the weighted F1 on train vs dev measure it; the kit handles it by
cross-fitting stage 1 (:mod:`affectkit.text.context`: each half of the training
dialogues encoded by a classifier trained on the other half). ``feature_dropout`` (0.2 by
default, on the model's inputs) also tempers it; :func:`matching_temperature` measures how
much the training logits overstate without reading dev's labels (a diagnostic, not used
by the recipe).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from .. import checks, loop

CONTEXTS = ("none", "past", "both")


@dataclass
class Dialogues:
    """Utterances grouped by dialogue, padded to the longest: ``vector`` (D, T, d), ``logp``
    (D, T, k) log-probabilities, ``speaker`` (D, T) the speaker's index within the dialogue
    (in order of first appearance), ``change`` (D, T) 1.0 where the speaker differs from the
    previous turn's, ``y`` (D, T) classes (-1 on padding or unlabeled), ``mask`` (D, T), ``row``
    (D, T) each turn's row in the source table (-1 on padding)."""

    vector: torch.Tensor
    logp: torch.Tensor
    speaker: torch.Tensor
    change: torch.Tensor
    y: torch.Tensor
    mask: torch.Tensor
    row: torch.Tensor

    def __len__(self):
        return len(self.vector)

    @property
    def n_utterances(self) -> int:
        return int(self.mask.sum())

    def batches(self, batch_size: int, shuffle: bool = False, seed: int = 0, device="cpu"):
        """Batches of dialogues as dicts of tensors on ``device``, cut to the batch's longest dialogue."""
        order = np.random.default_rng(seed).permutation(len(self)) if shuffle else np.arange(len(self))
        for start in range(0, len(self), batch_size):
            idx = torch.as_tensor(order[start:start + batch_size])
            width = int(self.mask[idx].sum(1).max())
            yield {k: getattr(self, k)[idx, :width].to(device) for k in
                   ("vector", "logp", "speaker", "change", "y", "mask", "row")}

    def flat(self, values) -> np.ndarray:
        """Per-turn ``values`` (D, T, ...) back in the source table's row order (n, ...)."""
        values = np.asarray(values)
        rows = self.row.numpy()
        out = np.zeros((self.n_utterances, *values.shape[2:]), values.dtype)
        out[rows[rows >= 0]] = values[rows >= 0]
        return out


def group(frame, vector, logits, max_speakers: int = 9) -> Dialogues:
    """MELD rows (columns ``dialogue``, ``utterance``, ``speaker`` and ``emotion_id`` when labeled) and
    their utterance features (n, d), (n, k) -> :class:`Dialogues`, turns in ``utterance`` order.
    A dialogue's speakers past ``max_speakers - 1`` share the last index."""
    vector, logits = np.asarray(vector, np.float32), np.asarray(logits, np.float32)
    if len(vector) != len(frame) or len(logits) != len(frame):
        raise ValueError(f"{len(frame)} rows but {len(vector)} vectors and {len(logits)} logits")
    logp = torch.log_softmax(torch.as_tensor(logits), -1).numpy()
    labels = frame["emotion_id"].to_numpy() if "emotion_id" in frame else np.full(len(frame), -1)
    groups = [np.asarray(g.sort_values("utterance").index) for _, g in
              frame.reset_index(drop=True).groupby("dialogue", sort=True)]
    n, width = len(groups), max(len(g) for g in groups)
    out = {"vector": np.zeros((n, width, vector.shape[1]), np.float32),
           "logp": np.zeros((n, width, logp.shape[1]), np.float32), "speaker": np.zeros((n, width), np.int64),
           "change": np.zeros((n, width), np.float32), "y": np.full((n, width), -1, np.int64),
           "mask": np.zeros((n, width), bool), "row": np.full((n, width), -1, np.int64)}
    speakers = frame["speaker"].astype(str).to_numpy()
    for i, rows in enumerate(groups):
        seen = {}
        index = [seen.setdefault(s, min(len(seen), max_speakers - 1)) for s in speakers[rows]]
        t = len(rows)
        out["vector"][i, :t], out["logp"][i, :t], out["y"][i, :t] = vector[rows], logp[rows], labels[rows]
        out["speaker"][i, :t], out["mask"][i, :t], out["row"][i, :t] = index, True, rows
        out["change"][i, 1:t] = (speakers[rows][1:] != speakers[rows][:-1]).astype(np.float32)
    return Dialogues(**{k: torch.as_tensor(v) for k, v in out.items()})


def confidence(logits) -> float:
    """The mean probability of the predicted class, (n, k) logits -> float: how sure the encoder is."""
    return float(torch.softmax(torch.as_tensor(np.asarray(logits, np.float32)), -1).max(-1).values.mean())


def context_mask(length: int, context: str, window: int | None) -> torch.Tensor:
    """(T, T) bool, True where turn i may attend to turn j: j == i ("none"), j <= i ("past"),
    any j ("both"); and |i - j| <= ``window`` when given."""
    i, j = torch.arange(length)[:, None], torch.arange(length)[None, :]
    allowed = {"none": i == j, "past": j <= i, "both": torch.ones(length, length, dtype=torch.bool)}[context]
    return allowed if window is None else allowed & ((i - j).abs() <= window)


def _gelu(x: torch.Tensor) -> torch.Tensor:
    # a function of our own, not F.gelu: it keeps torch's transformer layer off its inference fast
    # path, which turns a per-head float attention mask into NaN (torch 2.13)
    return nn.functional.gelu(x)


class DialogueModel(nn.Module):
    """Stage 2: a transformer layer over a dialogue's utterance features, a residual to their
    log-probabilities (module docstring). ``context``: "none", "past" or "both"; ``window``: the
    farthest turn attended to (None: the whole dialogue); ``speakers``: a speaker embedding and a
    same-speaker attention bias per head (the speaker-change flag is always an input)."""

    def __init__(self, dim: int, n_classes: int, hidden: int = 128, heads: int = 4, context: str = "both",
                 window: int | None = None, speakers: bool = True, dropout: float = 0.3,
                 feature_dropout: float = 0.2, max_distance: int = 8, max_speakers: int = 9):
        super().__init__()
        if context not in CONTEXTS:
            raise ValueError(f"context must be one of {CONTEXTS}, got {context!r}")
        self.context, self.speakers, self.heads = context, bool(speakers), checks.count(heads, "heads")
        self.window = None if window is None else checks.count(window, "window", 0)
        self.max_distance = checks.count(max_distance, "max_distance")
        self.drop_in = nn.Dropout(feature_dropout)
        self.inp = nn.Linear(dim + n_classes + 1, hidden)
        self.distance = nn.Parameter(torch.zeros(heads, 2 * self.max_distance + 1))   # j - i, clipped
        self.speaker = nn.Embedding(max_speakers, hidden) if speakers else None
        self.same_speaker = nn.Parameter(torch.zeros(heads)) if speakers else None
        self.layer = nn.TransformerEncoderLayer(hidden, heads, 2 * hidden, dropout, activation=_gelu, batch_first=True)
        self.out = nn.Linear(hidden, n_classes)

    def attention_bias(self, speaker: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """(b * heads, T, T) float: the distance (and same-speaker) bias where allowed, -inf elsewhere."""
        b, t = speaker.shape
        allowed = context_mask(t, self.context, self.window).to(speaker.device)[None] & mask[:, None, :]
        allowed = allowed | torch.eye(t, dtype=torch.bool, device=speaker.device)[None]   # padding sees itself
        steps = torch.arange(t, device=speaker.device)
        offset = (steps[None, :] - steps[:, None]).clamp(-self.max_distance, self.max_distance) + self.max_distance
        bias = self.distance[:, offset][None].expand(b, -1, -1, -1)                      # (b, heads, T, T)
        if self.speakers:
            same = (speaker[:, :, None] == speaker[:, None, :]).float()[:, None]          # (b, 1, T, T)
            bias = bias + same * self.same_speaker[None, :, None, None]
        bias = bias.masked_fill(~allowed[:, None], float("-inf"))
        return bias.reshape(b * self.heads, t, t)

    def forward(self, batch: dict) -> torch.Tensor:
        """A batch of :meth:`Dialogues.batches` -> (b, T, n_classes) logits."""
        logp, mask = batch["logp"], batch["mask"]
        u = self.inp(self.drop_in(torch.cat([batch["vector"], logp, batch["change"][..., None]], -1)))
        if self.speakers:
            u = u + self.speaker(batch["speaker"])
        c = self.layer(u, src_mask=self.attention_bias(batch["speaker"], mask))
        return logp + self.out(c)


class DialogueStep(loop.Step):
    """One step of stage 2: a batch of dialogues, the class-weighted cross-entropy over their
    labeled turns. Validation: ``val_wf1``, weighted F1 on ``val`` (a :class:`Dialogues`)."""

    def __init__(self, model: DialogueModel, train: Dialogues, val: Dialogues | None, weights: torch.Tensor,
                 batch_size: int, seed: int, device):
        super().__init__(model, train, batch_size, seed, device)
        self.val, self.loss_fn = val, nn.CrossEntropyLoss(weight=weights.to(device), ignore_index=-1)

    def terms(self, batch) -> dict:
        logits = self.model(batch)
        return {"loss": self.loss_fn(logits.reshape(-1, logits.shape[-1]), batch["y"].reshape(-1))}

    def validate(self) -> dict:
        if self.val is None:
            return {}
        from sklearn.metrics import f1_score
        pred = predict_dialogues(self.model, self.val, device=self.device).argmax(1)
        truth = self.val.flat(self.val.y.numpy())
        known = truth >= 0
        return {"val_wf1": f1_score(truth[known], pred[known], average="weighted")}


def predict_dialogues(model: DialogueModel, data: Dialogues, batch_size: int = 64, device=None) -> np.ndarray:
    """Logits (n, k) of every utterance, in the source table's row order."""
    def forward(m, b):   # only the real turns: batches differ in length
        return {"logits": m(b)[b["mask"]], "row": b["row"][b["mask"]]}

    out = loop.predict(model, data, forward, batch_size=batch_size, device=device)
    result = np.zeros((len(out["row"]), out["logits"].shape[-1]), np.float32)
    result[out["row"]] = out["logits"]
    return result


def matching_temperature(train_logits, dev_logits, low: float = 0.25, high: float = 20.0) -> float:
    """The temperature T at which the training split's logits / T are as confident as dev's
    (:func:`confidence`; bisection): how much the encoder's training vectors overstate.
    Needs no label of dev."""
    train_logits = np.asarray(train_logits, np.float32)
    target = confidence(dev_logits)
    if confidence(train_logits) <= target:
        return 1.0
    for _ in range(50):
        mid = (low * high) ** 0.5
        low, high = (mid, high) if confidence(train_logits / mid) > target else (low, mid)
    return float((low * high) ** 0.5)


def fit_dialogue(train: Dialogues, val: Dialogues | None = None, n_classes: int = 7, *, epochs: int = 30,
                 lr: float = 1e-3, batch_size: int = 32, weight_power: float = 0.5, seed: int = 0, device="auto",
                 progress: bool = True, **knobs) -> loop.FitResult:
    """Train a :class:`DialogueModel` (``knobs``: its arguments) on ``train`` with AdamW; with ``val``,
    keep the epoch of the best ``val_wf1`` (choose on dev, never on the split you report)."""
    from .models import class_weights

    y = train.flat(train.y.numpy())
    weights = class_weights(y[y >= 0], n_classes, weight_power)

    def build():   # after seeding: the initial weights follow the seed
        return DialogueModel(train.vector.shape[-1], n_classes, **knobs)

    def make_step(model, device):
        return DialogueStep(model, train, val, weights, batch_size, seed, device)

    return loop.fit(build, make_step, epochs, lr, seed=seed, device=device, optimizer="adamw", weight_decay=0.01,
                    objective="loss", select="val_wf1" if val is not None else None, desc="dialogue model",
                    progress=progress)
