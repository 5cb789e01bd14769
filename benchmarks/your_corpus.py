"""Your own corpus all the way, each step timed: the README quickstart's commands.

    .venv/bin/python benchmarks/your_corpus.py [--per-speaker 3] [--jobs 2] [--profile lab]

Builds the demo corpus (6 speakers x 3 classes x per-speaker clips, 4-6 s each;
18 x per-speaker clips) in a temporary folder and runs, in this process, the
commands a user types: ``affectkit demo``, ``extract``, ``train cmdm --save``,
``predict`` (on a second demo corpus of other clips, another seed: clips the model
never saw), ``train easum --save`` and ``explore``. Prints each step's wall time
and one line of its result. With ``AFFECTKIT_CACHE_DIR=$(mktemp -d)`` the word vectors
start from an empty cache, as on a fresh machine. Results: benchmarks/RESULTS.md.
"""

import argparse
import contextlib
import io
import json
import tempfile
import time
from pathlib import Path

from affectkit.tools import cli


def step(name: str, argv: list) -> dict:
    """Run ``affectkit <argv>``; print its time; return its JSON (or {})."""
    out = io.StringIO()
    start = time.perf_counter()
    with contextlib.redirect_stdout(out):
        code = cli.main(argv)
    seconds = time.perf_counter() - start
    if code != 0:
        raise SystemExit(f"{name} failed ({code}): {out.getvalue()[-400:]}")
    try:
        result = json.loads(out.getvalue())
    except json.JSONDecodeError:
        result = {}
    print(f"{name:<22} {seconds:7.1f} s", flush=True)
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--per-speaker", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--profile", default="lab")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="affectkit-bench-"))
    n = 18 * args.per_speaker
    print(f"{n} clips, {args.jobs} workers, profile {args.profile}, in {work}")
    common = ["--profile", args.profile, "--quiet"]
    step("demo", ["demo", str(work / "clips"), "--per-speaker", str(args.per_speaker)])
    step("demo (new clips)", ["demo", str(work / "new"), "--per-speaker", "1", "--seed", "1"])
    got = step("extract", ["extract", str(work / "clips"), "--labels", str(work / "clips" / "labels.csv"),
                           "--out", str(work / "corpus.npz"), "--jobs", str(args.jobs), "--quiet"])
    print(f"  {got['corpus']}, skipped {len(got['skipped'])}")
    got = step("train cmdm --save", ["train", "cmdm", "--data", str(work / "corpus.npz"), "--save",
                                     str(work / "cmdm"), *common])
    print(f"  test UA of {got['headline']}: {got['test']['ua']} (chance {got['test']['chance_ua']})")
    got = step("predict (18 new clips)", ["predict", "--model", str(work / "cmdm"), str(work / "new"), "--labels",
                                          str(work / "new" / "labels.csv"), "--out", str(work / "predictions.csv"),
                                          "--jobs", str(args.jobs), "--quiet"])
    print(f"  {got['clips']} predictions; UA on their labels {got.get('scores', {}).get('ua')}")
    got = step("train easum --save", ["train", "easum", "--data", str(work / "corpus.npz"), "--save",
                                      str(work / "easum"), *common])
    print(f"  DS test weighted F1 / acc: {[(r['spl'], r['metric'], r['mean']) for r in got['ds']]}")
    step("explore", ["explore", "--data", str(work / "corpus.npz"), "--out", str(work / "maps"), *common])


if __name__ == "__main__":
    main()
