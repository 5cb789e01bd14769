"""Time the graded labs: each lab's source notebook (solutions) executed at the lab
sizes, as a student's run of the whole lab would be, and ``make grade-demo``.

    python benchmarks/labs.py          # prints a markdown table for RESULTS.md
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "labs"))
import course  # noqa: E402


def time_lab(lab: str, profile: str = "lab") -> float:
    import papermill

    os.environ["AFFECTKIT_LAB_PROFILE"] = profile
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        papermill.execute_notebook(str(ROOT / "labs" / "source" / lab / f"{lab}.ipynb"), f"{tmp}/out.ipynb",
                                   kernel_name="python3", progress_bar=False, cwd=tmp)
        return time.perf_counter() - start


def main() -> int:
    print("| lab | whole lab executed, lab sizes (s) |\n|---|---|")
    for lab in course.LABS:
        print(f"| `{lab}` | {time_lab(lab):.1f} |", flush=True)
    start = time.perf_counter()
    subprocess.run([sys.executable, str(ROOT / "labs" / "course.py"), "grade-demo"], check=True,
                   capture_output=True)
    print(f"\n`make grade-demo` (12 submissions, smoke sizes): {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
