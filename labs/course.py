"""The instructor's side of the affectkit course labs, with nbgrader's own commands.

    python labs/course.py release                 # make labs: the student release in labs/release/
    python labs/course.py grade-demo              # make grade-demo: a throw-away course, graded

``release`` runs ``nbgrader generate_assignment`` for every lab of ``labs/source``
(solutions and hidden tests stripped) in this folder, the course root.
``grade-demo`` copies the course into a temporary folder with its own gradebook,
releases every lab, "submits" the three shipped submissions of each lab
(``labs/submissions/<student>/<lab>/``), autogrades them, writes their feedback
and prints, per student, the points of every function (one graded cell each) and
the mistake the feedback names for each function that lost its points. It grades
at the smoke sizes (``AFFECTKIT_LAB_PROFILE=smoke``: the graded cells test the
students' functions on fixed inputs, whatever the sizes of a lab's exploration);
``--profile lab`` grades at the sizes students run.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
LABS = ("lab1_mmd", "lab2_collapse", "lab3_easum_fusion", "lab4_soft_labels")
STUDENTS = ("ada", "bo", "cy")   # all correct; one classic mistake; stopped after the first function


def nbgrader(*args, course: Path, profile: str = "smoke", check: bool = True) -> subprocess.CompletedProcess:
    """Run one nbgrader command in ``course`` (its nbgrader_config.py applies)."""
    bindir = Path(sys.executable).parent
    exe = bindir / "nbgrader"
    if not exe.exists():
        raise SystemExit("nbgrader is not installed: pip install -e '.[labs]' (or: make labs)")
    env = {**os.environ, "PATH": f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}",
           "AFFECTKIT_LAB_PROFILE": profile, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    env.pop("MPLBACKEND", None)
    run = subprocess.run([str(exe), *args], cwd=course, env=env, capture_output=True, text=True)
    if check and run.returncode != 0:
        raise RuntimeError(f"nbgrader {' '.join(args)} failed:\n{run.stdout[-3000:]}{run.stderr[-3000:]}")
    return run


def new_course(folder: Path, labs=LABS) -> Path:
    """A course root with the source notebooks and the config, nothing else."""
    folder.mkdir(parents=True, exist_ok=True)
    for config in ("nbgrader_config.py", "late_penalty.py"):   # the late-submission policy comes with it
        shutil.copy(HERE / config, folder / config)
    for lab in labs:
        shutil.copytree(HERE / "source" / lab, folder / "source" / lab, dirs_exist_ok=True)
    return folder


def release(course: Path = HERE, labs=LABS) -> list:
    """``nbgrader generate_assignment`` for each lab; returns the released notebooks."""
    out = []
    for lab in labs:
        nbgrader("generate_assignment", lab, "--force", course=course)
        out.append(course / "release" / lab / f"{lab}.ipynb")
    return out


def submit(course: Path, lab: str, student: str, notebook: Path):
    """Place a notebook where ``nbgrader autograde`` looks for it, with a timestamp."""
    folder = course / "submitted" / student / lab
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(notebook, folder / f"{lab}.ipynb")
    (folder / "timestamp.txt").write_text(time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()))


def autograde(course: Path, lab: str, students, profile: str = "smoke"):
    """Add the students to the gradebook, autograde their submissions of ``lab``, write feedback."""
    for s in students:
        nbgrader("db", "student", "add", s, course=course)
    nbgrader("autograde", lab, "--force", course=course, profile=profile)
    nbgrader("generate_feedback", lab, "--force", course=course)


def cell_scores(course: Path, lab: str) -> dict:
    """student -> {graded cell id: (autograded points, maximum)}: one cell per function
    (``test-<function>``), in the notebook's order."""
    from nbgrader.api import Gradebook

    out = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for sub in gb.assignment_submissions(lab):
            cells = {}
            for nb in sub.notebooks:
                for g in nb.grades:
                    if g.cell.cell_type == "code":
                        cells[g.name] = (g.auto_score or 0.0, g.max_score)
            out[sub.student.id] = cells
    order = graded_cells(course / "source" / lab / f"{lab}.ipynb")
    return {s: dict(sorted(cells.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order)))
            for s, cells in out.items()}


def graded_cells(notebook: Path) -> list:
    """The ids of the autograded cells of a lab notebook, in order."""
    cells = json.loads(Path(notebook).read_text())["cells"]
    return [c["metadata"]["nbgrader"]["grade_id"] for c in cells
            if c.get("metadata", {}).get("nbgrader", {}).get("grade") and c["cell_type"] == "code"]


def scores(course: Path, lab: str) -> dict:
    """student -> (autograded points, autograded maximum) from the gradebook."""
    return {s: (sum(v[0] for v in cells.values()), sum(v[1] for v in cells.values()))
            for s, cells in cell_scores(course, lab).items()}


def feedback_mistakes(course: Path, lab: str, student: str) -> dict:
    """graded cell id -> the mistakes its feedback names: the message of the failed hidden test, and
    the "not yet: ..." lines of the visible check."""
    nb = json.loads((course / "autograded" / student / lab / f"{lab}.ipynb").read_text())
    found = {}
    for cell in nb["cells"]:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", cell.get("id", "?"))
        said = []
        for o in cell.get("outputs", []):
            if o.get("output_type") == "error":
                said.append(re.sub(r"\x1b\[[0-9;]*m", "", o.get("evalue", "")).strip())
            text = "".join(o.get("text", "")) if isinstance(o.get("text"), (str, list)) else ""
            said += [line.removeprefix("not yet: ").strip() for line in text.splitlines() if line.startswith("not yet: ")]
        said = [m for m in dict.fromkeys(said) if m]
        if said:
            found[grade_id] = said
    return found


def grade_demo(folder: Path | None = None, profile: str = "smoke", labs=LABS, students=STUDENTS) -> dict:
    """The whole instructor workflow on the shipped submissions; returns {lab: {student: (points, max)}}."""
    folder = Path(folder or tempfile.mkdtemp(prefix="affectkit-course-"))
    course = new_course(folder, labs)
    release(course, labs)
    results = {}
    for lab in labs:
        for s in students:
            submit(course, lab, s, HERE / "submissions" / s / lab / f"{lab}.ipynb")
        autograde(course, lab, students, profile)
        results[lab] = scores(course, lab)
    nbgrader("export", "--to", str(course / "grades.csv"), course=course)
    return {"course": course, "scores": results}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python labs/course.py", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("release", help="generate the student release in labs/release/ (nbgrader generate_assignment)")
    demo = sub.add_parser("grade-demo", help="grade the shipped submissions in a throw-away course")
    demo.add_argument("--profile", choices=("smoke", "lab"), default="smoke",
                      help="sizes the labs run at while grading (default: smoke)")
    demo.add_argument("--keep", type=Path, default=None, help="build the course here and keep it")
    args = parser.parse_args(argv)
    if args.command == "release":
        for path in release():
            print(f"released {path.relative_to(HERE)}")
        print("students get labs/release/<lab>/<lab>.ipynb; the solutions stay in labs/source/")
        return 0
    start = time.perf_counter()
    out = grade_demo(args.keep, args.profile)
    course = out["course"]
    print(f"course: {course} (gradebook.db, autograded/, feedback/, grades.csv)")
    for lab in out["scores"]:
        table = cell_scores(course, lab)
        print(f"\n{lab}: autograded points per function (written answers are graded by hand)")
        for student, cells in sorted(table.items()):
            got, most = sum(v[0] for v in cells.values()), sum(v[1] for v in cells.values())
            print(f"  {student:6s} {got:4.1f} / {most:4.1f}   " + "  ".join(
                f"{cell.removeprefix('test-')} {p:g}/{m:g}" for cell, (p, m) in cells.items()))
            named = feedback_mistakes(course, lab, student) if got < most else {}
            for cell, (p, m) in cells.items():
                said = [x for x in named.get(cell, []) if "NotImplementedError" not in x]
                if p < m and said:
                    print(f"         {cell.removeprefix('test-')}: {said[-1][:150]}")
    with open(course / "grades.csv") as f:
        rows = list(csv.DictReader(f))
    print(f"\ngrades.csv: {len(rows)} rows (written answers are graded by hand: `nbgrader formgrader`, with "
          f"the grader's sheet of `make lab-handouts` beside it); {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
