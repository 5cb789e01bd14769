"""MELD with its dialogue context, on dev only: what context buys over the same encoders.

    AFFECTKIT_MELD_DIR=... .venv/bin/python benchmarks/meld_context.py [--seeds 0 1 2] [--epochs 10]

Stage 1: two encoders cross-fitted on halves of the training dialogues
(:func:`affectkit.text.context.crossfit`, cached in ``$AFFECTKIT_CACHE_DIR/meld-context``;
its fine-tune time is printed when it is computed). Stage 2: the dialogue model at each
context of ``affectkit.text.context.SETTINGS`` ("none": the same model, each turn seeing
only itself; "past"; "both"; "both" without speakers; windows of 1 and 2 turns), a fixed number of epochs, for each
seed; dev scored by both encoders, probabilities averaged. Prints the train / dev
confidence, the encoders' context-free dev weighted F1 and each setting's per seed.
MELD's test split is never read. Results: benchmarks/RESULTS.md.
"""

import argparse
import time

import numpy as np
from sklearn.metrics import f1_score

from affectkit.data.meld import load_meld
from affectkit.text.context import SETTINGS, context_free, crossfit, overconfidence, two_stage


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=10)
    args = parser.parse_args()
    data = load_meld(splits=("train", "dev"))
    train, dev = data["train"], data["dev"]
    y = dev["emotion_id"].to_numpy()
    start = time.perf_counter()
    features = crossfit(train, {"dev": dev}, folds=2, seed=0, progress=False)
    print(f"stage 1 (cross-fitted encoders, cached after the first run): {time.perf_counter() - start:.0f} s; "
          f"fine-tune {features['seconds']:.0f} s")
    wf1 = lambda p: f1_score(y, p.argmax(1), average="weighted")   # noqa: E731
    truth_train = train["emotion_id"].to_numpy()
    print(f"confidence {overconfidence(features, 'dev')}; cross-fitted train weighted F1 "
          f"{f1_score(truth_train, features['train']['logits'].argmax(1), average='weighted'):.4f}")
    for k, f in enumerate(features["dev"]):
        print(f"encoder {k} alone, dev weighted F1 {wf1(f['logits']):.4f}")
    print(f"the two encoders' probabilities averaged (context-free), dev weighted F1 "
          f"{wf1(context_free(features['dev'])):.4f}")
    for name, knobs in SETTINGS.items():
        start, scores = time.perf_counter(), []
        for seed in args.seeds:
            out = two_stage(train, {"dev": dev}, features, seed=seed, epochs=args.epochs, progress=False, **knobs)
            scores.append(wf1(out["dev"]))
        print(f"{name:<18} dev weighted F1 {np.round(scores, 4).tolist()} mean {np.mean(scores):.4f} "
              f"std {np.std(scores):.4f} ({time.perf_counter() - start:.0f} s)", flush=True)


if __name__ == "__main__":
    main()
