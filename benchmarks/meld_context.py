"""MELD with its dialogue context, on dev and on the training dialogues cross-validated: what
context buys over the same encoder.

    AFFECTKIT_MELD_DIR=... .venv/bin/python benchmarks/meld_context.py [--seeds 0 1 2] [--epochs 10]

Stage 1 (:func:`affectkit.text.context.crossfit`, cached in ``$AFFECTKIT_CACHE_DIR/meld-context``;
its fine-tune time is printed when it is computed): the training lines encoded by two encoders
cross-fitted on halves of the training dialogues, dev by an encoder fine-tuned on all of train.
Stage 2: the dialogue model at each context of ``affectkit.text.context.SETTINGS`` ("none":
the same model, each turn seeing only itself), a fixed number of epochs, for each seed, scored
twice: on dev (1,109 lines), and out of fold on the training dialogues (9,989 lines:
:func:`affectkit.text.context.out_of_fold`). Prints the pitfall (the full encoder on its own
training lines vs dev), the context-free scores and each setting's per seed.
MELD's test split is never read. Results: benchmarks/RESULTS.md.
"""

import argparse
import time

import numpy as np
from sklearn.metrics import f1_score

from affectkit.data.meld import load_meld
from affectkit.text.context import SETTINGS, context_free, crossfit, out_of_fold, overconfidence, two_stage


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=10)
    args = parser.parse_args()
    data = load_meld(splits=("train", "dev"))
    train, dev = data["train"], data["dev"]
    y, y_train = dev["emotion_id"].to_numpy(), train["emotion_id"].to_numpy()
    start = time.perf_counter()
    features = crossfit(train, {"dev": dev}, folds=2, seed=0, progress=False)
    print(f"stage 1 (cached after the first run): {time.perf_counter() - start:.0f} s; "
          f"fine-tunes {features['seconds']:.0f} s")
    wf1 = lambda truth, p: f1_score(truth, p.argmax(1), average="weighted")   # noqa: E731
    print(f"confidence {overconfidence(features, 'dev')}")
    print(f"the pitfall: the full encoder on its own training lines {wf1(y_train, features['full']['train']):.4f}, "
          f"on dev {wf1(y, features['full']['dev']):.4f}; cross-fitted training lines "
          f"{wf1(y_train, features['train']['logits']):.4f}")
    print(f"context-free: dev (the full encoder) {wf1(y, context_free(features['dev'])):.4f}, "
          f"training lines out of fold (the fold encoders) {wf1(y_train, features['train']['logits']):.4f}")
    for name, knobs in SETTINGS.items():
        start, dev_scores, oof_scores = time.perf_counter(), [], []
        for seed in args.seeds:
            out = two_stage(train, {"dev": dev}, features, seed=seed, epochs=args.epochs, progress=False, **knobs)
            dev_scores.append(wf1(y, out["dev"]))
            oof_scores.append(wf1(y_train, out_of_fold(train, features, seed=seed, epochs=args.epochs, **knobs)))
        print(f"{name:<18} dev {np.round(dev_scores, 4).tolist()} mean {np.mean(dev_scores):.4f} "
              f"std {np.std(dev_scores):.4f} | out of fold {np.round(oof_scores, 4).tolist()} mean "
              f"{np.mean(oof_scores):.4f} std {np.std(oof_scores):.4f} ({time.perf_counter() - start:.0f} s)", flush=True)


if __name__ == "__main__":
    main()
