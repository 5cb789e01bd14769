"""Write the stored cases the labs are graded against: ``affectkit/teach/labs/cases/<lab>.json``.

    python labs/make_cases.py            # rewrite every lab's cases
    python labs/make_cases.py --check    # exit 1 when a stored file differs from what the builders give

Each lab has a builder, ``labs/cases/<lab>.py``, with one function per graded
function of the lab: fixed inputs, the value of the kit's implementation, the
values of the classic mistakes and the sentence that names each. The builders
(they hold the mistakes' formulas) stay with the instructor's files; only the
values ship with the package, so ``affectkit.teach.labs`` holds no answer to copy.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from pathlib import Path

import torch

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "affectkit" / "teach" / "labs" / "cases"
LABS = ("lab1_mmd", "lab2_collapse", "lab3_easum_fusion", "lab4_soft_labels")


def builder(lab: str):
    spec = importlib.util.spec_from_file_location(f"_cases_{lab}", HERE / "cases" / f"{lab}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build(lab: str) -> str:
    torch.manual_seed(0)
    functions = builder(lab).functions()
    return json.dumps({"lab": lab, "functions": functions}, indent=1, sort_keys=False) + "\n"


def same(a, b, tol: float = 1e-9) -> bool:
    """Two stored case trees equal up to float rounding (another CPU may differ in the last digits)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k], tol) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y, tol) for x, y in zip(a, b))
    if isinstance(a, float) or isinstance(b, float):
        return isinstance(a, (int, float)) and isinstance(b, (int, float)) and abs(a - b) <= tol * (1 + abs(b))
    return a == b


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    parser.add_argument("labs", nargs="*", default=[lab for lab in LABS if (HERE / "cases" / f"{lab}.py").exists()])
    args = parser.parse_args(argv)
    stale = []
    for lab in args.labs:
        text, path = build(lab), OUT / f"{lab}.json"
        if args.check:
            if not path.exists() or not same(json.loads(path.read_text()), json.loads(text)):
                stale.append(lab)
        else:
            OUT.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            print(f"wrote {path.relative_to(HERE.parent)} ({len(json.loads(text)['functions'])} functions)")
    if stale:
        print(f"stale cases: {', '.join(stale)} (run python labs/make_cases.py)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
