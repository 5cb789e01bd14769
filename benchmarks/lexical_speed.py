"""Lexical embedding speed on real MELD text (targets: >= 150
utterances per second for a MiniLM-sized encoder on 2 cores; a cached second
run under 5 s for MELD dev).

    .venv/bin/python benchmarks/lexical_speed.py [--data-dir DIR] [--split dev] [--max-words 12]

Reads MELD from DIR, $AFFECTKIT_MELD_DIR or ../shared/data/meld; uses a fresh
temporary cache, so the first pass measures the encoder. Results: benchmarks/RESULTS.md.
"""

import argparse
import tempfile
import time

import torch

from affectkit.data.meld import load_meld
from affectkit.features.lexical import WordEmbedder


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--split", default="dev")
    parser.add_argument("--max-words", type=int, default=12)
    args = parser.parse_args()
    texts = load_meld(args.data_dir, splits=(args.split,))[args.split]["text"].tolist()
    with tempfile.TemporaryDirectory() as cache:
        start = time.perf_counter()
        x, _ = WordEmbedder(max_words=args.max_words, cache_dir=cache, progress=False)(texts)
        first = time.perf_counter() - start
        start = time.perf_counter()
        WordEmbedder(max_words=args.max_words, cache_dir=cache, progress=False)(texts)
        second = time.perf_counter() - start
    print(f"MELD {args.split}: {len(texts)} utterances -> {tuple(x.shape)}; {torch.get_num_threads()} threads")
    print(f"first run (model load + encoder): {first:.1f} s, {len(texts) / first:.0f} utterances/s")
    print(f"second run (cache): {second:.2f} s")


if __name__ == "__main__":
    main()
