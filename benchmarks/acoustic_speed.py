"""IS10 extraction speed (target: at least 20x real time on 2 cores).

    .venv/bin/python benchmarks/acoustic_speed.py [--repeats 20]

Times ``affectkit.features.acoustic.is10`` on the sample clip (4.7 s of
speech) read from its file, and on a 60 s signal (the clip repeated), once
the openSMILE instance exists. Real-time factor = seconds of audio / seconds
of compute. Results: benchmarks/RESULTS.md.
"""

import argparse
import time

import numpy as np

from affectkit.features import acoustic, sample_clip


def timed(fn, repeats):
    start = time.perf_counter()
    for _ in range(repeats):
        fn()
    return (time.perf_counter() - start) / repeats


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    clip = sample_clip()
    start = time.perf_counter()
    acoustic.is10(clip.audio)
    print(f"first call (builds openSMILE from the IS10 config): {time.perf_counter() - start:.2f} s")
    signal, sr = acoustic.load_audio(clip.audio)
    seconds = len(signal) / sr
    per_clip = timed(lambda: acoustic.is10(clip.audio), args.repeats)
    print(f"sample clip from file: {seconds:.2f} s of audio in {per_clip * 1e3:.0f} ms "
          f"-> {seconds / per_clip:.0f}x real time")
    long = np.tile(signal, int(np.ceil(60 * sr / len(signal))))[: 60 * sr]
    per_long = timed(lambda: acoustic.is10(long, sr=sr), max(2, args.repeats // 5))
    print(f"60 s signal: {per_long:.2f} s -> {60 / per_long:.0f}x real time")


if __name__ == "__main__":
    main()
