"""Command-line benchmarks on real corpora.

    python -m affectkit.tools.bench meld --data-dir DIR --split dev|test [--epochs 2] [--seed 0] [--frozen-layers 0]

``meld`` fine-tunes the kit's best text-only model (:mod:`affectkit.text.models`;
no conversation context, no speakers) on MELD train and prints its scores on
the split as JSON: weighted F1, accuracy, per-class F1, and how it was run.
About 4 minutes on 2 idle CPU cores for the default 2 epochs.

``meld --context`` adds the dialogue (:mod:`affectkit.text.context`): the training
lines encoded by two encoders cross-fitted on halves of the training dialogues, the
split by an encoder fine-tuned on all of train (``meld``'s model), then a dialogue
model over the log-probabilities of each dialogue's utterances (``--context none|past|both``, ``--window``,
``--no-speakers``), trained for a fixed number of epochs; the split is scored once,
beside the same encoder without context (``context_free``). About 7 minutes on 2 idle
cores; the encoders' vectors are cached, so a second run with other switches takes seconds.
"""
from __future__ import annotations

import argparse
import json
import sys
import time

from .args import positive_int, positive_number, seed


def meld_splits(args) -> tuple:
    """(folder, MELD train, the split to score) of ``--data-dir`` and ``--split``; a clear error for a missing file."""
    from ..data.meld import load_meld, meld_dir

    folder = meld_dir(args.data_dir)
    data = load_meld(folder, splits=("train", args.split))
    for split in ("train", args.split):
        if split not in data:
            raise FileNotFoundError(f"{folder}: no MELD {split} file ({split}_sent_emo.csv)")
    return folder, data["train"], data[args.split]


def meld(args) -> dict:
    import torch

    from ..config import resolve_device
    from ..data.labels import MELD7
    from ..text.experiments import classification_scores
    from ..text.models import fit_text_classifier

    folder, train, evaluated = meld_splits(args)
    start = time.perf_counter()
    fit = fit_text_classifier(train["text"], train["emotion_id"].to_numpy(), len(MELD7.classes),
                              epochs=args.epochs, lr=args.lr, seed=args.seed, device=args.device,
                              progress=not args.quiet, frozen_layers=args.frozen_layers)
    pred = fit.model.predict(evaluated["text"].tolist())
    out = classification_scores(evaluated["emotion_id"].to_numpy(), pred)
    out.update(split=args.split, n=len(evaluated), model="finetuned all-MiniLM-L6-v2",
               epochs=args.epochs, lr=args.lr, frozen_layers=args.frozen_layers, seed=args.seed,
               data_dir=str(folder),
               device=str(resolve_device(args.device)), threads=torch.get_num_threads(),
               seconds=round(time.perf_counter() - start, 1))
    return out


def meld_context(args) -> dict:
    import torch

    from ..text.context import context_free, crossfit, overconfidence, two_stage
    from ..text.experiments import classification_scores

    folder, train, evaluated = meld_splits(args)
    start = time.perf_counter()
    features = crossfit(train, {args.split: evaluated}, folds=2, seed=args.seed, epochs=args.epochs, lr=args.lr,
                        device=args.device, progress=not args.quiet)
    out = two_stage(train, {args.split: evaluated}, features, seed=args.seed, epochs=args.dialogue_epochs,
                    device=args.device, progress=not args.quiet, context=args.context, window=args.window,
                    speakers=not args.no_speakers)
    truth = evaluated["emotion_id"].to_numpy()
    result = classification_scores(truth, out[args.split].argmax(1))
    result.update(split=args.split, n=len(evaluated), context=args.context, window=args.window,
                  speakers=not args.no_speakers, dialogue_epochs=args.dialogue_epochs,
                  context_free=classification_scores(truth, context_free(features[args.split]).argmax(1)),
                  confidence=overconfidence(features, args.split),
                  model="fine-tuned all-MiniLM-L6-v2 (training lines cross-fitted on 2 folds) + a dialogue transformer layer "
                        "over its log-probabilities",
                  epochs=args.epochs, lr=args.lr, seed=args.seed, data_dir=str(folder), threads=torch.get_num_threads(),
                  finetune_seconds=round(features["seconds"], 1), seconds=round(time.perf_counter() - start, 1))
    return result


def main(argv=None, prog: str = "python -m affectkit.tools.bench") -> int:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    m = sub.add_parser("meld", help="fine-tune the text model on MELD train, score a split, print JSON")
    m.add_argument("--data-dir", default=None,
                   help="folder with MELD's CSVs (default: $AFFECTKIT_MELD_DIR, then the repository's "
                        "data/meld/)")
    m.add_argument("--split", choices=("dev", "test"), default="dev")
    m.add_argument("--epochs", type=positive_int, default=2, help="training epochs (>= 1)")
    m.add_argument("--lr", type=positive_number, default=8e-5)
    m.add_argument("--frozen-layers", type=int, default=0,
                   help="keep the embeddings and this many lower layers pre-trained; fine-tune the rest (0: all)")
    m.add_argument("--seed", type=seed, default=0)
    m.add_argument("--device", default="auto")
    m.add_argument("--quiet", action="store_true", help="no progress bar")
    m.add_argument("--context", nargs="?", const="both", default=None, choices=("none", "past", "both"),
                   help="use the dialogue: none (the dialogue model, each turn seeing itself), past, or both (the "
                        "default when given bare: the best on dev and on the training dialogues cross-validated, "
                        "benchmarks/RESULTS.md); see --window, --no-speakers")
    m.add_argument("--window", type=positive_int, default=None, help="--context: the farthest turn seen (default all)")
    m.add_argument("--no-speakers", action="store_true", help="--context: without the speaker embedding and bias")
    m.add_argument("--dialogue-epochs", type=positive_int, default=10, help="--context: the dialogue model's epochs")
    args = parser.parse_args(argv)
    try:
        result = meld(args) if args.context is None else meld_context(args)
    except (FileNotFoundError, ValueError, TypeError, OSError) as err:
        print(f"affectkit.tools.bench meld: {err}", file=sys.stderr)
        return 2
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
