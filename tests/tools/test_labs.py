"""The graded course labs, with nbgrader's own commands (``make test-labs``).

For every lab, in a temporary course of its own: the source notebook (solutions included)
autogrades to full marks; the generated release holds no solution and no hidden
test and autogrades to 0 without crashing the grader; the shipped submissions
grade as they should: ada (all correct) full marks, bo (one classic mistake)
partial marks with the mistake named in the feedback, cy (stopped after the
first function) partial marks. The labs run at the smoke sizes while graded
(``AFFECTKIT_LAB_PROFILE=smoke``): the checks test the students' functions, and
the lab-size findings are asserted only at the lab sizes (in the labs' hidden
tests, and for the notebooks in ``make test-lab``).
"""

import importlib.util
import json
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.labs,
              pytest.mark.skipif(importlib.util.find_spec("nbgrader") is None,
                                 reason="nbgrader is not installed (pip install -e '.[labs]', or make test-labs)")]

sys.path.insert(0, str(ROOT / "labs"))
import course  # noqa: E402

SOLUTION_LINES = {   # one distinctive line of each lab's solutions
    "lab1_mmd": "within_p = (kpp.sum() - kpp.diagonal().sum()) / (m * (m - 1))",
    "lab2_collapse": 'matched = (terms["pair"] if matching else 0.0)',
    "lab3_easum_fusion": "pairs = [(i, j) for i in range(len(reps)) for j in range(i + 1, len(reps))]",
    "lab4_soft_labels": "target = F.softmax(teacher_logits.detach(), dim=-1)",
}
MISTAKES = {"lab1_mmd": "biased", "lab2_collapse": "minus sign", "lab3_easum_fusion": "pooled across domains",
            "lab4_soft_labels": "teacher receives gradients"}
MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS", "Model answer", "Rubric",
           "strict=True")


def _sources(path) -> str:
    return "\n".join("".join(c["source"]) for c in json.loads(Path(path).read_text())["cells"])


def _grade_one(root: Path, lab: str):
    """One lab in its own course (its own gradebook): release, the 3 students' submissions,
    the source and the untouched release, autograded; returns (folder, scores)."""
    folder = course.new_course(root / lab, labs=(lab,))
    (released,) = course.release(folder, labs=(lab,))
    for s in course.STUDENTS:
        course.submit(folder, lab, s, ROOT / "labs" / "submissions" / s / lab / f"{lab}.ipynb")
    course.submit(folder, lab, "source", ROOT / "labs" / "source" / lab / f"{lab}.ipynb")
    course.submit(folder, lab, "release", released)
    course.autograde(folder, lab, ("source", "release", *course.STUDENTS))
    return folder, course.scores(folder, lab)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """lab -> (course folder, scores). The labs are graded two at a time (each lab's nbgrader
    commands run one after the other), their kernels on one thread each: two cores, two lanes."""
    root = tmp_path_factory.mktemp("courses")
    with pytest.MonkeyPatch.context() as mp, ThreadPoolExecutor(2) as lanes:
        mp.setenv("OMP_NUM_THREADS", "1")
        mp.setenv("MKL_NUM_THREADS", "1")
        done = dict(zip(course.LABS, lanes.map(lambda lab: _grade_one(root, lab), course.LABS)))
    return done


def test_every_lab_is_shipped_clean():
    for lab in course.LABS:
        nb = json.loads((ROOT / "labs" / "source" / lab / f"{lab}.ipynb").read_text())
        assert all(not c.get("outputs") for c in nb["cells"]), f"{lab} is stored with outputs"
        kinds = [c["metadata"].get("nbgrader", {}) for c in nb["cells"]]
        assert any(k.get("grade") and k.get("solution") for k in kinds), f"{lab}: no written answer"
        assert sum(1 for k in kinds if k.get("grade") and not k.get("solution")) >= 3, f"{lab}: few graded tests"
        for s in course.STUDENTS:
            assert (ROOT / "labs" / "submissions" / s / lab / f"{lab}.ipynb").exists(), (s, lab)


@pytest.mark.parametrize("lab", course.LABS)
def test_release_holds_no_solution(graded, lab):
    folder, _ = graded[lab]
    text = _sources(folder / "release" / lab / f"{lab}.ipynb")
    for marker in (*MARKERS, SOLUTION_LINES[lab]):
        assert marker not in text, f"the release of {lab} still holds {marker!r}"
    assert "YOUR CODE HERE" in text and "YOUR ANSWER HERE" in text
    source = _sources(ROOT / "labs" / "source" / lab / f"{lab}.ipynb")
    assert SOLUTION_LINES[lab] in source, "the distinctive line is in the source"


@pytest.mark.parametrize("lab", course.LABS)
def test_grades(graded, lab):
    folder, table = graded[lab]
    full = table["source"][1]
    assert full > 0 and table["source"][0] == full, f"{lab}: the solutions get full marks: {table}"
    assert table["release"][0] == 0, f"{lab}: the untouched release gets 0: {table}"
    assert table["ada"][0] == full, f"{lab}: ada's correct submission gets full marks: {table}"
    for s in ("bo", "cy"):
        assert 0 < table[s][0] < full, f"{lab}: {s} gets partial marks: {table}"
    named = " ".join(course.feedback_mistakes(folder, lab, "bo"))
    assert MISTAKES[lab] in named, f"{lab}: bo's feedback names the mistake ({MISTAKES[lab]!r}): {named}"
    assert (folder / "feedback" / "bo" / lab / f"{lab}.html").exists(), "feedback was generated"
