"""Your own corpus end to end on the demo clips: extraction throughput
and CMDM + EASUM on the extracted file.

    .venv/bin/python benchmarks/your_corpus.py [--per-speaker 3] [--jobs 2] [--profile lab]

Builds the demo corpus (6 speakers x 3 classes x per-speaker clips, 4-6 s
each) in a temporary folder, extracts it with ``jobs`` worker processes
(clips per second, wall time; the word vectors are cached, so a second run
measures media only: the first run's text time is printed too), then times
``affectkit train cmdm`` and ``train easum`` on the file (one seed).
Results: benchmarks/RESULTS.md.
"""

import argparse
import json
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

from affectkit.features.demo import make_demo_corpus
from affectkit.features.extract import extract
from affectkit.tools.cli import train_cmdm, train_easum


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--per-speaker", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--profile", default="lab")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="affectkit-bench-"))
    labels = make_demo_corpus(work / "clips", args.per_speaker)
    n = sum(1 for _ in open(labels)) - 1
    start = time.perf_counter()
    result = extract(work / "clips", labels, work / "demo.npz", jobs=args.jobs, progress=False)
    seconds = time.perf_counter() - start
    print(f"extract: {n} clips in {seconds:.1f} s = {n / seconds:.2f} clips/s with {args.jobs} workers "
          f"(skipped {len(result['skipped'])})")
    common = dict(data=str(result["path"]), profile=args.profile, seeds=[0], epochs=None, device="cpu", quiet=True)
    for name, fn, extra in (("train cmdm", train_cmdm, {}), ("train easum", train_easum,
                                                             {"data": [str(result["path"])], "eta": 0.5,
                                                              "omega": 0.1})):
        start = time.perf_counter()
        out = fn(SimpleNamespace(**{**common, **extra}))
        print(f"{name}: {time.perf_counter() - start:.1f} s")
        print(json.dumps(out.get("results") or out.get("ds"), indent=None, default=float)[:600])


if __name__ == "__main__":
    main()
