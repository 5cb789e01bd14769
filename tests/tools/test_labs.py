"""The graded course labs, with nbgrader's own commands (``make test-labs``).

For every lab, in a temporary course of its own (release, submit, autograde, feedback):

- the source notebook (solutions included) earns full marks; the untouched release 0, without
  crashing the grader; the release holds no solution and no hidden test;
- the shipped submissions: ada (all correct, written differently from the solutions) full
  marks; bo (one classic mistake) loses that function's points only, and the feedback names the
  mistake; cy (stopped after the first function) earns that function's points only;
- built from the source: a submission whose every function calls the kit's own implementation
  scores 0 on every function, its feedback saying why; a submission with exactly one wrong
  function (one per function) loses that function's points only; a notebook that redefines the
  check functions (and patches the grader module) still fails the hidden test of its wrong function.

The labs run at the smoke sizes while graded (``AFFECTKIT_LAB_PROFILE=smoke``): the checks test the
students' functions on fixed inputs, whatever the sizes of the lab's exploration.
"""

import copy
import importlib.util
import json
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.tools.lab_submissions import REDEFINE, lab_data

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.labs,
              pytest.mark.skipif(importlib.util.find_spec("nbgrader") is None,
                                 reason="nbgrader is not installed (pip install -e '.[labs]', or make test-labs)")]

sys.path.insert(0, str(ROOT / "labs"))
import course  # noqa: E402

MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS", "Model answer", "Rubric",
           "strict=True", "_grader_")


def _source(lab) -> Path:
    return ROOT / "labs" / "source" / lab / f"{lab}.ipynb"


def _functions(lab) -> list:
    return [g.removeprefix("test-") for g in course.graded_cells(_source(lab))]


def _sources(path) -> str:
    return "\n".join("".join(c["source"]) for c in json.loads(Path(path).read_text())["cells"])


def _built(lab, folder: Path, name: str, cells: dict) -> Path:
    """The source notebook with the cells ``cells`` (id -> source) replaced: a student's submission."""
    nb = json.loads(_source(lab).read_text())
    for cell in nb["cells"]:
        grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id")
        if grade_id in cells:
            cell["source"] = cells[grade_id]
    path = folder / "built" / name / f"{lab}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(nb))
    return path


def submissions(lab, folder: Path) -> dict:
    """student id -> notebook, every kind of submission described at the top."""
    subs = {s: ROOT / "labs" / "submissions" / s / lab / f"{lab}.ipynb" for s in course.STUDENTS}
    subs["source"] = _source(lab)
    data = lab_data(lab)
    subs["shortcut"] = _built(lab, folder, "shortcut", data.SHORTCUTS)
    first = _functions(lab)[0]
    subs["redefine"] = _built(lab, folder, "redefine", {first: data.WRONG[first] + "\n" + REDEFINE})
    for fn, cell in data.WRONG.items():
        subs[f"wrong-{fn}"] = _built(lab, folder, f"wrong-{fn}", {fn: cell})
    return subs


def _grade_one(root: Path, lab: str):
    folder = course.new_course(root / lab, labs=(lab,))
    (released,) = course.release(folder, labs=(lab,))
    subs = submissions(lab, folder)
    subs["release"] = released
    for student, notebook in subs.items():
        course.submit(folder, lab, student, notebook)
    course.autograde(folder, lab, tuple(subs))
    return folder, course.cell_scores(folder, lab)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """lab -> (course folder, {student: {cell: (points, max)}}). Two labs at a time, their kernels on
    one thread each: two cores, two lanes."""
    root = tmp_path_factory.mktemp("courses")
    with pytest.MonkeyPatch.context() as mp, ThreadPoolExecutor(2) as lanes:
        mp.setenv("OMP_NUM_THREADS", "1")
        mp.setenv("MKL_NUM_THREADS", "1")
        done = dict(zip(course.LABS, lanes.map(lambda lab: _grade_one(root, lab), course.LABS)))
    return done


def _points(cells) -> float:
    return sum(p for p, _ in cells.values())


def test_every_lab_is_shipped_clean():
    for lab in course.LABS:
        nb = json.loads(_source(lab).read_text())
        assert all(not c.get("outputs") for c in nb["cells"]), f"{lab} is stored with outputs"
        kinds = [c["metadata"].get("nbgrader", {}) for c in nb["cells"]]
        assert any(k.get("grade") and k.get("solution") for k in kinds), f"{lab}: no written answer"
        functions = _functions(lab)
        assert len(functions) >= 3, f"{lab}: few graded functions"
        solutions = [k["grade_id"] for k in kinds if k.get("solution") and not k.get("grade")]
        assert all(fn in solutions for fn in functions), f"{lab}: every graded cell grades one function's cell"
        data = lab_data(lab)
        assert set(data.SHORTCUTS) == set(data.WRONG) == set(functions), f"{lab}: a shortcut and a mistake per function"
        for s in course.STUDENTS:
            assert (ROOT / "labs" / "submissions" / s / lab / f"{lab}.ipynb").exists(), (s, lab)


@pytest.mark.parametrize("lab", course.LABS)
def test_release_holds_no_solution(graded, lab):
    folder, _ = graded[lab]
    text = _sources(folder / "release" / lab / f"{lab}.ipynb")
    for marker in MARKERS:
        assert marker not in text, f"the release of {lab} still holds {marker!r}"
    assert "YOUR CODE HERE" in text and "YOUR ANSWER HERE" in text


@pytest.mark.parametrize("lab", course.LABS)
def test_full_marks_zero_and_partial(graded, lab):
    folder, table = graded[lab]
    full = sum(m for _, m in table["source"].values())
    assert full > 0 and _points(table["source"]) == full, f"{lab}: the solutions get full marks: {table['source']}"
    assert _points(table["release"]) == 0, f"{lab}: the untouched release gets 0: {table['release']}"
    assert _points(table["ada"]) == full, f"{lab}: ada's correct submission gets full marks: {table['ada']}"
    wrong_fn, named = lab_data(lab).BO
    for cell, (p, m) in table["bo"].items():
        assert p == (0 if cell == f"test-{wrong_fn}" else m), f"{lab}: bo loses {wrong_fn} only: {table['bo']}"
    said = " ".join(course.feedback_mistakes(folder, lab, "bo").get(f"test-{wrong_fn}", []))
    assert named in said, f"{lab}: bo's feedback names the mistake ({named!r}): {said}"
    assert (folder / "feedback" / "bo" / lab / f"{lab}.html").exists(), "feedback was generated"
    first = next(iter(table["cy"]))
    assert [p for p, _ in table["cy"].values()] == [table["cy"][first][1]] + [0] * (len(table["cy"]) - 1), \
        f"{lab}: cy earns the first function only: {table['cy']}"


@pytest.mark.parametrize("lab", course.LABS)
def test_the_kits_implementation_earns_nothing(graded, lab):
    folder, table = graded[lab]
    assert _points(table["shortcut"]) == 0, f"{lab}: calling affectkit's implementation scores 0: {table['shortcut']}"
    said = course.feedback_mistakes(folder, lab, "shortcut")
    for fn in _functions(lab):
        assert "the kit's own implementation" in " ".join(said.get(f"test-{fn}", [])), (lab, fn, said)


@pytest.mark.parametrize("lab", course.LABS)
def test_one_wrong_function_costs_its_own_points(graded, lab):
    folder, table = graded[lab]
    for fn in _functions(lab):
        cells = table[f"wrong-{fn}"]
        lost = [cell for cell, (p, m) in cells.items() if p < m]
        assert lost == [f"test-{fn}"], f"{lab}: a wrong {fn} must cost its own cell only, lost {lost}: {cells}"
        said = " ".join(course.feedback_mistakes(folder, lab, f"wrong-{fn}").get(f"test-{fn}", []))
        assert said.startswith(f"{fn}:") or f" {fn}:" in said, f"{lab}: the feedback names the function {fn}: {said}"


@pytest.mark.parametrize("lab", course.LABS)
def test_redefined_checks_do_not_switch_off_the_hidden_tests(graded, lab):
    folder, table = graded[lab]
    first = _functions(lab)[0]
    assert table["redefine"][f"test-{first}"][0] == 0, f"{lab}: redefining check* does not pass {first}"
    others = {c: v for c, v in table["redefine"].items() if c != f"test-{first}"}
    assert all(p == m for p, m in others.values()), f"{lab}: the other functions keep their points: {others}"


def test_a_copy_of_the_graded_cells_changes_nothing(tmp_path):
    """The builder keeps every cell but the replaced ones (a guard for the tests above)."""
    lab = course.LABS[0]
    built = json.loads(_built(lab, tmp_path, "x", {}).read_text())
    assert built["cells"] == copy.deepcopy(json.loads(_source(lab).read_text()))["cells"]
