"""A text classifier fine-tuned on its task: transformer encoder, mean pooling, linear head.

The CMDM paper keeps its word embeddings frozen and learns only the DAE and
classifier on top (notebook 08 rebuilds that). On real MELD text, updating the
encoder itself is what moves weighted F1 the most, so the kit's best text-only
model is this one:

    tokens (batch, T) -> encoder -> h (batch, T, d) -> mean over real tokens (batch, d)
                      -> dropout -> linear -> logits (batch, n_classes)

trained with class-weighted cross-entropy (weights = sqrt(n / (k * n_c)): half way,
on a log scale, between none and fully balanced) and AdamW with a one-cycle
learning rate. Batches group utterances of similar length, so a batch of
short utterances is not padded to the longest one in the corpus.
"""
from __future__ import annotations

import math
import warnings

import numpy as np
import torch
from torch import nn

from .. import loop
from ..data.transforms import masked_mean
from ..progress import bar as progress_bar


class TextClassifier(nn.Module):
    """Encoder + masked mean pooling + linear head.

    Args:
        model: a transformers model directory or hub name (default: the kit's
            offline all-MiniLM-L6-v2, see :func:`affectkit.features.lexical.resolve_model`).
        n_classes: number of classes.
        dropout: before the head.
        frozen_layers: keep the embeddings and the first ``frozen_layers``
            transformer layers as they were pre-trained (no gradient, no dropout)
            and fine-tune only the layers above them and the head. Their output
            never changes, so :func:`fit_text_classifier` computes it once per
            utterance (:meth:`lower`) and each step runs only :meth:`upper`.
            0 (default): fine-tune everything. Needs a BERT-like encoder
            (``embeddings`` and ``encoder.layer``).
    """

    def __init__(self, n_classes: int, model: str | None = None, dropout: float = 0.1,
                 max_length: int = 48, frozen_layers: int = 0):
        super().__init__()
        from .. import checks
        from ..features.lexical import DEFAULT_MODEL, load_encoder

        self.tokenizer, self.encoder = load_encoder(model or DEFAULT_MODEL)
        self.max_length = max_length
        self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(self.encoder.config.hidden_size, n_classes))
        self.frozen_layers = checks.count(frozen_layers, "frozen_layers", 0)
        if frozen_layers:
            layers = self.layers()
            if frozen_layers >= len(layers):
                raise ValueError(f"frozen_layers={frozen_layers}: the encoder has {len(layers)} layers; "
                                 "freeze fewer so that at least one is fine-tuned")
            for module in (self.encoder.embeddings, *layers[:frozen_layers]):
                module.requires_grad_(False)
            self.train(self.training)

    def layers(self) -> nn.ModuleList:
        """The encoder's transformer layers (BERT-like encoders)."""
        layers = getattr(getattr(self.encoder, "encoder", None), "layer", None)
        if not isinstance(layers, nn.ModuleList) or not hasattr(self.encoder, "embeddings"):
            raise ValueError(f"frozen_layers needs a BERT-like encoder (.embeddings and .encoder.layer); "
                             f"{type(self.encoder).__name__} is not one: use frozen_layers=0")
        return layers

    def train(self, mode: bool = True):
        """As ``nn.Module.train``; the frozen part stays in eval mode (no dropout), so
        that what :meth:`lower` cached is what a training step would compute."""
        super().train(mode)
        if self.frozen_layers:
            for module in (self.encoder.embeddings, *self.layers()[:self.frozen_layers]):
                module.eval()
        return self

    @torch.no_grad()
    def lower(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """The frozen part: (batch, T) ids and mask -> (batch, T, d) hidden states
        after the embeddings and the first ``frozen_layers`` layers."""
        h = self.encoder.embeddings(input_ids=input_ids)
        return self._layers(h, attention_mask, self.layers()[:self.frozen_layers])

    def upper(self, h: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """The fine-tuned part: (batch, T, d) output of :meth:`lower` -> (batch, n_classes) logits."""
        h = self._layers(h, attention_mask, self.layers()[self.frozen_layers:])
        return self.head(masked_mean(h, attention_mask))

    @staticmethod
    def _layers(h, attention_mask, layers):
        # padding gets a large negative score before the softmax: (batch, 1, 1, T), added to every query
        bias = (1.0 - attention_mask[:, None, None, :].to(h.dtype)) * torch.finfo(h.dtype).min
        for layer in layers:
            out = layer(h, bias)
            h = out[0] if isinstance(out, tuple) else out   # a tuple in older transformers
        return h

    def tokenize(self, texts) -> dict:
        from ..features.lexical import check_texts
        return self.tokenizer(check_texts(texts), padding=True, truncation=True, max_length=self.max_length,
                              return_tensors="pt")

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """(batch, T) token ids and mask -> (batch, n_classes) logits."""
        if self.frozen_layers:
            return self.upper(self.lower(input_ids, attention_mask), attention_mask)
        h = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        pooled = masked_mean(h, attention_mask)
        return self.head(pooled)

    def predict_proba(self, texts, batch_size: int = 128, progress: bool = False) -> np.ndarray:
        """Class probabilities (n, n_classes) for a list of texts, on the model's device."""
        from ..features.lexical import check_texts
        texts = check_texts(texts)
        proba = np.zeros((len(texts), self.head[-1].out_features), np.float32)
        if not texts:
            return proba
        was_training = self.training
        out = loop.predict(self, TextSplit(texts, self.tokenize, progress),
                           lambda clf, b: {"proba": clf(b["input_ids"], b["attention_mask"]).softmax(-1),
                                           "index": b["index"]},
                           batch_size=batch_size, device=next(self.parameters()).device)
        self.train(was_training)
        proba[out["index"]] = out["proba"]   # back in the order of ``texts``
        return proba

    @torch.no_grad()
    def encode(self, texts, batch_size: int = 128, progress: bool = False) -> dict:
        """What a dialogue model reads of each utterance (notebook 10): {"pooled": (n, d) the
        mean of the encoder's last hidden states, "logits": (n, n_classes)}, in eval mode."""
        from ..features.lexical import check_texts
        texts = check_texts(texts)
        dim, k = self.encoder.config.hidden_size, self.head[-1].out_features
        if not texts:
            return {"pooled": np.zeros((0, dim), np.float32), "logits": np.zeros((0, k), np.float32)}
        was_training = self.training

        def forward(clf, b):
            mask = b["attention_mask"]
            if clf.frozen_layers:
                h = clf._layers(clf.lower(b["input_ids"], mask), mask, clf.layers()[clf.frozen_layers:])
            else:
                h = clf.encoder(input_ids=b["input_ids"], attention_mask=mask).last_hidden_state
            pooled = masked_mean(h, mask)
            return {"pooled": pooled, "logits": clf.head(pooled), "index": b["index"]}

        out = loop.predict(self, TextSplit(texts, self.tokenize, progress), forward, batch_size=batch_size,
                           device=next(self.parameters()).device)
        self.train(was_training)
        pooled, logits = np.zeros((len(texts), dim), np.float32), np.zeros((len(texts), k), np.float32)
        pooled[out["index"]], logits[out["index"]] = out["pooled"], out["logits"]
        return {"pooled": pooled, "logits": logits}

    def predict(self, texts, batch_size: int = 128) -> np.ndarray:
        """Predicted class ids (n,)."""
        return self.predict_proba(texts, batch_size).argmax(1)


def class_weights(y: np.ndarray, n_classes: int, power: float = 0.5) -> torch.Tensor:
    """(n / (k * n_c)) ** power per class: 0 = unweighted, 1 = balanced. Classes absent
    from ``y`` get weight 0 (they cannot be learned from it anyway)."""
    counts = np.bincount(np.asarray(y), minlength=n_classes).astype(float)
    w = np.zeros(n_classes)
    seen = counts > 0
    w[seen] = (counts.sum() / (n_classes * counts[seen])) ** power
    return torch.tensor(w, dtype=torch.float32)


def sorted_chunks(lengths, batch_size: int) -> list[np.ndarray]:
    """Indices in order of length, in chunks of ``batch_size`` (little padding per batch; for
    passes where the order does not matter: prediction, the frozen layers' cache)."""
    order = np.argsort(np.asarray(lengths), kind="stable")
    return [order[i:i + batch_size] for i in range(0, len(order), batch_size)]


def length_mask(lengths) -> torch.Tensor:
    """(batch, T) attention mask, 1 on each item's first ``length`` positions, T the longest."""
    lengths = torch.as_tensor(lengths)
    return (torch.arange(int(lengths.max()))[None, :] < lengths[:, None]).long()


def length_batches(lengths, batch_size: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Shuffled batches of similar-length items: sort by length plus noise, cut, shuffle the batches."""
    lengths = np.asarray(lengths, dtype=float)
    keys = lengths + rng.uniform(0, 4, size=len(lengths))
    order = np.argsort(keys, kind="stable")
    batches = [order[i:i + batch_size] for i in range(0, len(order), batch_size)]
    rng.shuffle(batches)
    return batches


class TextSplit:
    """Texts as a split for :func:`affectkit.loop.predict`: tokenized batches of
    similar length (sorted by characters), each with the ``index`` of its texts."""

    def __init__(self, texts: list, tokenize, progress: bool = False):
        self.texts, self.tokenize, self.progress = texts, tokenize, progress

    def batches(self, batch_size: int, device=None):
        for idx in progress_bar(sorted_chunks([len(t) for t in self.texts], batch_size), desc="predict",
                                disable=not self.progress, leave=False):
            b = self.tokenize([self.texts[j] for j in idx])
            yield {"input_ids": b["input_ids"].to(device), "attention_mask": b["attention_mask"].to(device),
                   "index": torch.as_tensor(idx)}


def fit_text_classifier(texts, y, n_classes: int, *, val=None, model: str | None = None,
                        epochs: int = 2, lr: float = 8e-5, batch_size: int = 32, max_length: int = 48,
                        weight_power: float = 0.5, weight_decay: float = 0.01, seed: int = 0,
                        device="auto", progress: bool = True, metric=None,
                        warn_truncation: bool = True, frozen_layers: int = 0) -> loop.FitResult:
    """Fine-tune :class:`TextClassifier` on ``texts`` (n,) with labels ``y`` (n,).

    Args:
        val: optional (texts, y) scored after every epoch with ``metric(y, pred)``
            (default: weighted F1); the model of the last epoch is returned either
            way (choose ``epochs`` on dev, then retrain; no selection on the split
            you report).
        epochs, lr, batch_size: AdamW with a one-cycle schedule (10% warm-up).
        weight_power: class weights (see :func:`class_weights`).
        warn_truncation: warn when training texts are longer than ``max_length``
            tokens (their ends are cut). A caller that chose ``max_length`` knowing
            this (notebook 08 prints the count instead) passes False; the count is
            ``notes["truncated"]`` of the result either way.
        frozen_layers: fine-tune only the layers above the first ``frozen_layers``
            (see :class:`TextClassifier`); their outputs are computed once per
            training text before the first epoch, so a step costs only the upper
            layers' forward and backward pass.
    Returns: :class:`~affectkit.loop.FitResult` (no selection: ``best_score`` is NaN);
        ``history``: per epoch ``loss``, ``seconds`` (and ``val_score`` with ``val``);
        ``notes["truncated"]``: the training texts longer than ``max_length`` tokens.
    """
    from sklearn.metrics import f1_score

    from .. import checks
    from ..features.lexical import check_texts

    texts, y = check_texts(texts), checks.as_int_array(y, "y")
    n_classes, batch_size = checks.count(n_classes, "n_classes", 2), checks.count(batch_size, "batch_size")
    if len(texts) != len(y):
        raise ValueError(f"{len(texts)} texts but {len(y)} labels")
    if len(texts) == 0:
        raise ValueError("no training texts")
    if y.min() < 0 or y.max() >= n_classes:
        raise ValueError(f"labels must be in [0, {n_classes}), got {y.min()}..{y.max()}")
    metric = metric or (lambda t, p: f1_score(t, p, average="weighted"))
    steps = epochs * math.ceil(len(texts) / batch_size)

    def build():   # after seeding (in loop.fit): the head's initial weights follow the seed
        return TextClassifier(n_classes, model, max_length=max_length, frozen_layers=frozen_layers)

    def make_step(clf, device):
        loss_fn = nn.CrossEntropyLoss(weight=class_weights(y, n_classes, weight_power).to(device))
        return TextStep(clf, texts, y, loss_fn, batch_size, seed, device, val, metric,
                        warn_truncation=warn_truncation, progress=progress)

    result = loop.fit(build, make_step, epochs, lr, seed=seed, device=device, optimizer="adamw",
                      weight_decay=weight_decay, schedule=lambda optimizer: one_cycle(optimizer, lr, steps),
                      objective="loss", desc="fine-tune", progress=progress, bar="steps", timed=True)
    result.model.eval()
    return result


def one_cycle(optimizer, lr: float, steps: int):
    """A one-cycle learning rate: warm up over 10% of the ``steps`` (at least 2), then anneal."""
    if steps >= 3:
        return torch.optim.lr_scheduler.OneCycleLR(optimizer, lr, total_steps=steps,
                                                   pct_start=min(0.5, max(0.1, 2 / steps)))
    return torch.optim.lr_scheduler.LambdaLR(optimizer, lambda _: 1.0)   # too few steps for a schedule


class TextStep(loop.Step):
    """One fine-tuning step: a batch of texts of similar length, padded, and the
    class-weighted cross-entropy of their logits. Terms: ``loss`` (the epoch mean
    is weighted by batch size); validation: ``val_score`` = ``metric`` on ``val``.
    Texts longer than the model's ``max_length`` tokens are cut (their last token kept);
    with frozen layers, their outputs are computed once here (:meth:`cache_lower`)."""

    def __init__(self, clf: TextClassifier, texts: list, y, loss_fn, batch_size: int, seed: int, device,
                 val=None, metric=None, warn_truncation: bool = True, progress: bool = False):
        super().__init__(clf, None, batch_size, seed, device)
        self.y, self.loss_fn, self.val, self.metric = y, loss_fn, val, metric
        self.tokens, self.truncated = truncate(clf.tokenizer(texts)["input_ids"], clf.max_length)
        if self.truncated and warn_truncation:
            warnings.warn(f"{self.truncated} of {len(texts)} training texts are longer than "
                          f"max_length={clf.max_length} tokens; their ends were cut", stacklevel=2)
        self.lengths = [len(t) for t in self.tokens]
        self.rng = np.random.default_rng(seed)   # the order of the length-grouped batches
        self.pad = clf.tokenizer.pad_token_id
        self.cache = None   # per text: (T_i, d) output of the frozen layers, see cache_lower
        if clf.frozen_layers:
            self.cache_lower(progress)

    def cache_lower(self, progress: bool = False, batch_size: int = 256):
        """Run the frozen layers once over every training text and keep each text's
        (T_i, d) hidden states; :meth:`terms` then runs only the upper layers."""
        self.cache = [None] * len(self.tokens)
        for idx in progress_bar(sorted_chunks(self.lengths, batch_size), desc="frozen layers",
                                disable=not progress, leave=False):
            ids, mask = self.pad_batch(idx)
            h = self.model.lower(ids, mask)
            for row, j in enumerate(idx):
                self.cache[j] = h[row, : self.lengths[j]]

    def pad_batch(self, idx):
        """Token ids (batch, T) padded to the batch's longest text, and its mask (batch, T)."""
        width = max(self.lengths[i] for i in idx)
        ids = torch.full((len(idx), width), self.pad, dtype=torch.long)
        for row, i in enumerate(idx):
            ids[row, : self.lengths[i]] = torch.tensor(self.tokens[i])
        return ids.to(self.device), length_mask([self.lengths[i] for i in idx]).to(self.device)

    def batches(self, epoch):
        return length_batches(self.lengths, self.batch_size, self.rng)

    def terms(self, idx) -> dict:
        if self.cache is None:
            logits = self.model(*self.pad_batch(idx))
        else:   # the frozen layers' outputs, padded: only the upper layers run
            mask = length_mask([self.lengths[i] for i in idx])
            h = nn.utils.rnn.pad_sequence([self.cache[i] for i in idx], batch_first=True)
            logits = self.model.upper(h, mask.to(self.device))
        return {"loss": self.loss_fn(logits, torch.as_tensor(self.y[idx], device=self.device))}

    def weight(self, idx) -> float:
        return len(idx)

    def validate(self) -> dict:
        if self.val is None:
            return {}
        return {"val_score": self.metric(np.asarray(self.val[1]), self.model.predict(self.val[0]))}

    def notes(self) -> dict:
        return {"truncated": self.truncated}


def truncate(tokens: list, max_length: int) -> tuple[list, int]:
    """Token id lists cut to ``max_length`` (keeping the last, [SEP]), and how many were cut."""
    cut = sum(len(t) > max_length for t in tokens)
    return [t[: max_length - 1] + t[-1:] if len(t) > max_length else t for t in tokens], cut
