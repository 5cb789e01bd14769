"""A trained model kept with everything predicting needs, and its predictions for new clips.

A saved model is a folder (``affectkit train cmdm|easum --save DIR``):

    model.pt    the weights and the config that rebuilds the model, the normalisation
                statistics of its training data (CMDM Sec. 3.1 z-normalises every feature
                with the train split's mean and std; new clips get the same), its classes
                (``torch.load(weights_only=True)``: no code is unpickled)
    card.json   the model card: method and setting, classes, modalities, how the features
                were made, profile, seed, epochs, the corpus it learned from (name, file,
                SHA-256, sizes) and its test scores (UA, WA, chance, confusion matrix)
    card.md     the same card for people

:func:`load_model` reads the folder back; :func:`predict` runs it on a folder of clips
(extracting what it needs with the corpus's recipe) or on features already extracted:
one row per clip, the predicted class and one probability per class.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from . import checkpoints, metrics
from .data.transforms import ZNorm
from .files import atomic_write

KINDS = {"cmdm": "cmdm", "easum": "easum-ds"}   # method -> checkpoint kind


def fingerprint(path) -> str:
    """SHA-256 of a file's bytes (the corpus a model learned from)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def test_scores(truth, pred, classes) -> dict:
    """What a model card reports for a labeled split: n, UA, WA, WAP, the chance levels
    (UA of a constant guess is 1 / classes; WA of always guessing the largest class) and
    the confusion matrix (rows: true class, columns: predicted; counts)."""
    truth, pred = np.asarray(truth), np.asarray(pred)
    counts = np.bincount(truth[truth >= 0], minlength=len(classes))
    return {"n": int(len(truth)), "ua": metrics.ua(truth, pred), "wa": metrics.wa(truth, pred),
            "wap": metrics.wap(truth, pred), "chance_ua": 1.0 / len(classes),
            "majority_wa": float(counts.max() / max(1, counts.sum())), "classes": list(classes),
            "confusion": metrics.confusion(truth, pred, len(classes), normalize=False).astype(int).tolist()}


@dataclass
class SavedModel:
    """A trained model, its normalisation statistics and its card (``card["classes"]``,
    ``card["modalities"]``, ``card["features"]``: how clips become its inputs)."""

    method: str
    model: torch.nn.Module
    norm: ZNorm
    card: dict

    @property
    def classes(self) -> tuple:
        return tuple(self.card["classes"])

    @property
    def modalities(self) -> str:
        return self.card["modalities"]

    def outputs(self, ds, device="cpu") -> np.ndarray:
        """The model's main output on a split of *raw* features (as ``extract`` writes them; the
        model's own normalisation is applied here): class logits (n, classes), or for an EASUM
        sentiment model the intensities (n,)."""
        from . import loop

        missing = [m for m in self.modalities if m not in ds.x]
        if missing:
            raise ValueError(f"the model reads modalities {self.modalities!r}; the data lacks {missing}")
        ds = ds.select(list(self.modalities))
        if self.method == "easum":
            ds = ds.with_features({m: v.unsqueeze(1) if v.ndim == 2 else v for m, v in ds.x.items()})
        shapes, want = ds.shapes, {m: list(s) for m, s in self.model.shapes.items()}
        wrong = {m: (list(shapes[m]), want[m]) for m in want if list(shapes[m]) != list(want[m])}
        if wrong:
            raise ValueError(f"feature shapes differ from the model's (got, want): {wrong}; extract the clips "
                             f"with the recipe of the model card")
        ds = self.norm.transform(ds)
        key = "logits" if self.method == "cmdm" else "main"

        def forward(model, batch):
            if self.method == "cmdm":
                return {key: model(batch["x"], batch["mask"], decode=False)[key]}
            return {key: model(batch["x"], batch["mask"])[key]}

        return loop.predict(self.model, ds, forward, device=device)[key]

    def probabilities(self, ds, device="cpu") -> np.ndarray:
        """Class probabilities (n, classes) of a split of raw features (see :meth:`outputs`)."""
        if self.card.get("task") == "sentiment":
            raise ValueError("a sentiment model predicts an intensity, not classes: use outputs()")
        return torch.softmax(torch.as_tensor(self.outputs(ds, device)), dim=1).numpy()


def save_model(folder, method: str, model, norm: ZNorm, card: dict) -> Path:
    """Write ``model`` (a CMDM, or an EASUM DS model), its train statistics ``norm`` and
    ``card`` into ``folder`` (created; files replaced atomically). Returns the folder."""
    if method not in KINDS:
        raise ValueError(f"method must be one of {sorted(KINDS)}, got {method!r}")
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"{folder} is a file; --save takes a folder (it gets model.pt, card.json, card.md)")
    folder.mkdir(parents=True, exist_ok=True)
    card = {"affectkit": _version(), "method": method,
            "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            **card, "shapes": {m: list(s) for m, s in model.shapes.items()}}
    stats = {"mean": {m: v for m, v in norm.mean_.items()}, "std": {m: v for m, v in norm.std_.items()}}
    checkpoints.save(folder / "model.pt", KINDS[method], model.config(), model, {"norm": stats, "card": card})
    text = json.dumps(card, indent=2, default=_plain)
    with atomic_write(folder / "card.json", suffix=".json") as tmp:
        Path(tmp).write_text(text + "\n", encoding="utf-8")
    with atomic_write(folder / "card.md", suffix=".md") as tmp:
        Path(tmp).write_text(card_markdown(card), encoding="utf-8")
    return folder


def load_model(folder, device="cpu") -> SavedModel:
    """The model saved in ``folder`` by :func:`save_model` (``affectkit train ... --save``)."""
    folder = Path(folder)
    if not (folder / "model.pt").is_file():
        inside = sorted(p.parent.name for p in folder.glob("*/model.pt")) if folder.is_dir() else []
        if inside:
            raise FileNotFoundError(f"{folder} holds one model per corpus ({inside}): pass {folder}/<corpus>")
        raise FileNotFoundError(f"no saved model in {folder} (no model.pt): save one with "
                                f"`affectkit train cmdm|easum --data corpus.npz --save {folder}`")
    kinds = {v: k for k, v in KINDS.items()}
    blob = None
    for kind in kinds:
        try:
            blob = checkpoints.load(folder / "model.pt", kind, device)
            break
        except ValueError as err:
            if "holds a" not in str(err):
                raise
    if blob is None:
        raise ValueError(f"{folder / 'model.pt'} holds neither a CMDM nor an EASUM DS model")
    method = kinds[kind]
    if method == "cmdm":
        from .cmdm.model import build_cmdm
        model = build_cmdm(blob["config"])
    else:
        from .easum.models import DSModel
        model = DSModel.from_config(blob["config"])
    model.load_state_dict(blob["state"])
    norm = ZNorm()
    norm.mean_ = dict(blob["extra"]["norm"]["mean"])
    norm.std_ = dict(blob["extra"]["norm"]["std"])
    return SavedModel(method, model.to(device).eval(), norm, blob["extra"]["card"])


def predict(model, clips, labels=None, jobs: int = 1, progress: bool = True,
            device="cpu") -> pd.DataFrame:
    """Label new clips with a saved model.

    Args:
        model: a :class:`SavedModel` or the folder of one.
        clips: a folder of clips (every sound / video stem in it, or the clips ``labels``
            lists), or a :class:`~affectkit.data.dataset.MultimodalDataset` of raw features.
        labels: a CSV with a ``clip`` column (``transcript`` when the model reads words;
            ``label``, ``speaker``, ``split`` are kept when present); needed for a model
            that reads transcripts. Without it the clips are the folder's file stems.
        jobs: worker processes for the clips' sound and faces (1: in this process; more
            needs the ``if __name__ == "__main__":`` guard in a script).
    Returns: one row per clip that could be used: "clip", "predicted", "p_<class>" per class
        (summing to 1; an EASUM sentiment model: "sentiment", the intensity in [-3, 3]), and
        "label" where ``labels`` gives one, and "missing" where a clip lacked a face or sound
        (it is predicted from the rest: the missing modality sits at the training mean).
        ``.attrs["skipped"]``:
        {clip: reason} of the clips left out.
    """
    from .data.dataset import MultimodalDataset

    model = model if isinstance(model, SavedModel) else load_model(model, device)
    if isinstance(clips, MultimodalDataset):
        names, truth, skipped, ds, missing = [f"{i}" for i in range(len(clips))], None, {}, clips, None
    else:
        names, truth, skipped, ds, missing = _extracted(model, clips, labels, jobs, progress)
    if model.card.get("task") == "sentiment":   # an EASUM model of a MOSI / MOSEI-like corpus
        frame = pd.DataFrame({"clip": names, "sentiment": model.outputs(ds, device)})
    else:
        probs = model.probabilities(ds, device)
        frame = pd.DataFrame({"clip": names, "predicted": [model.classes[i] for i in probs.argmax(1)]})
        for j, c in enumerate(model.classes):
            frame[f"p_{c}"] = probs[:, j]
    if truth is not None and any(truth):
        frame["label"] = truth
    if missing is not None and any(missing):
        frame["missing"] = missing   # what the clip lacked; it was predicted from the rest
    frame.attrs["skipped"] = skipped
    return frame


def _extracted(model: SavedModel, folder, labels, jobs, progress) -> tuple:
    """(clip names, their labels or None, skipped, a dataset of raw features) of a clip folder."""
    from .data.dataset import MultimodalDataset
    from .features.clips import clips_in
    from .features.extract import features, read_labels

    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"no clip folder at {folder}")
    recipe = model.card.get("features") or {}
    if not recipe:
        raise ValueError("the model card says nothing of how its features were made (a model trained on a "
                         "corpus not extracted from clips): predict on a dataset of features instead")
    if labels is not None:
        rows = read_labels(labels, for_training=False)
        if "L" in model.modalities and not any(r["transcript"] for r in rows):
            raise ValueError(f"{labels}: the model reads transcripts (L) but the CSV gives none: add a transcript "
                             f"column")
    else:
        if "L" in model.modalities:
            raise ValueError("the model reads transcripts (L): give --labels, a CSV with the columns clip and "
                             "transcript")
        rows = [{"clip": c, "label": "", "speaker": "", "transcript": "", "split": ""} for c in clips_in(folder)]
        if not rows:
            raise ValueError(f"{folder} holds no sound or video file")
    max_words = (recipe.get("L") or {}).get("max_words", 22)
    # a clip without a face (or sound) is still predicted, from what it has: a missing A or V sits at the
    # training mean; EASUM's encoders need words, so a clip without them is skipped
    shapes = model.model.shapes
    fill = {m: tuple(shapes[m]) if m == "V" else (tuple(shapes[m])[-1],) for m in "AV" if m in shapes}
    if model.method == "cmdm" and "L" in shapes:
        fill["L"] = tuple(shapes["L"])
    with tempfile.TemporaryDirectory(prefix="affectkit-predict-") as parts:
        got = features(folder, rows, parts, model.modalities, drop_absent=False, jobs=jobs, progress=progress,
                       max_words=max_words, fill=fill)
    kept = got["rows"]
    for i, r in enumerate(kept):   # a neutral input where a clip lacks one: the training mean (z = 0)
        gaps = got["filled"].get(r["clip"], "")
        if "A:" in gaps:
            got["x"]["A"][i] = model.norm.mean_["A"].reshape(-1).numpy()
        for m in "VL":   # one real step at the mean (an all-padding sequence has nothing to pool)
            if f"{m}:" in gaps:
                got["x"][m][i, 0], got["mask"][m][i, 0] = model.norm.mean_[m].reshape(-1).numpy(), True
    ds = MultimodalDataset(x=got["x"], mask=got["mask"], y=np.full(len(kept), -1), classes=model.classes,
                           name=f"{folder.name}/new")
    missing = [got["filled"].get(r["clip"], "") for r in kept]
    return [r["clip"] for r in kept], [r["label"] for r in kept], got["skipped"], ds, missing


def card_markdown(card: dict) -> str:
    """The model card as Markdown: what it is, what it reads, how well it did."""
    lines = [f"# Model card: {card.get('method', '?').upper()} on {card.get('corpus', {}).get('name', '?')}", "",
             f"- setting: {card.get('setting')}", f"- classes: {', '.join(card.get('classes', []))}",
             f"- modalities: {card.get('modalities')}", f"- profile: {card.get('profile')}, seed {card.get('seed')}, "
             f"epochs {card.get('epochs')}", f"- trained with affectkit {card.get('affectkit')} on {card.get('created')}"]
    corpus = card.get("corpus", {})
    if corpus:
        lines += [f"- corpus: {corpus.get('name')} ({corpus.get('file')}, sha256 {str(corpus.get('sha256'))[:16]}...), "
                  f"sizes {corpus.get('sizes')}"]
    if card.get("features"):
        lines += [f"- features: {json.dumps(card['features'])}"]
    test = card.get("scores", {}).get("test")
    if test:
        lines += ["", "## Test split", "",
                  f"UA {test['ua']:.3f} (chance {test['chance_ua']:.3f}), WA {test['wa']:.3f} "
                  f"(always the largest class: {test['majority_wa']:.3f}), WAP {test['wap']:.3f}; {test['n']} clips.",
                  "", "Confusion matrix (rows: true class, columns: predicted):", "",
                  "| true \\ predicted | " + " | ".join(test["classes"]) + " |",
                  "|---" * (len(test["classes"]) + 1) + "|"]
        lines += [f"| {c} | " + " | ".join(str(v) for v in row) + " |" for c, row in zip(test["classes"],
                                                                                            test["confusion"])]
    if card.get("profile") == "smoke":
        lines += ["", "**Trained at the smoke profile: a check that the pipes run, not a model to use.** "
                      "Train at `--profile lab` (or paper) for predictions worth reading."]
    needs = ("--labels new.csv  (a CSV with the columns clip and transcript)" if "L" in str(card.get("modalities"))
             else "[--labels new.csv]  (no CSV needed: every sound / video file of the folder is a clip)")
    lines += ["", f"Predict: `affectkit predict --model THIS_FOLDER CLIPS/ {needs.split('  ')[0]}` "
                  f"{needs.split('  ')[1]}", ""]
    return "\n".join(lines)


def _plain(value):
    if isinstance(value, (np.generic,)):
        return value.item()
    if isinstance(value, (np.ndarray, torch.Tensor)):
        return value.tolist()
    return str(value)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("affectkit")
    except PackageNotFoundError:
        return "unknown"
