"""Ground-floor timings: world generation and notebook run times.

    .venv/bin/python benchmarks/ground_floor.py [--paper] [--repeat 5]

Prints a markdown table; the measured numbers are written down in
benchmarks/RESULTS.md with the machine they were taken on.
"""

import argparse
import os
import platform
import statistics
import tempfile
import time

import torch

import affectkit
from affectkit.tools.runner import execute, list_notebooks


def best_of(fn, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--paper", action="store_true", help="also time the paper-size world")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"torch {torch.__version__}, threads {torch.get_num_threads()}\n")
    print("| what | best (s) | median (s) |\n|---|---|---|")
    profiles = ["smoke", "lab"] + (["paper"] if args.paper else [])
    for prof in profiles:
        repeat = 1 if prof == "paper" else args.repeat
        best, med = best_of(lambda prof=prof: affectkit.make_world(prof, seed=0), repeat)
        print(f"| make_world({prof!r}) | {best:.3f} | {med:.3f} |")
        best, med = best_of(lambda prof=prof: affectkit.make_domains(prof, seed=0), repeat)
        print(f"| make_domains({prof!r}) | {best:.3f} | {med:.3f} |")
    with tempfile.TemporaryDirectory() as tmp:
        for path in list_notebooks():
            for prof in ("smoke", "lab"):
                run = execute(path, f"{tmp}/{prof}", {"profile": prof})
                print(f"| notebook {path.stem} ({prof}), papermill incl. kernel start | "
                      f"{run.seconds:.1f} | |")


if __name__ == "__main__":
    main()
