"""The teaching team's pages (labs/handouts.py, ``make lab-handouts``), built from the real lab sources.

Per lab, read independently of the script from the notebook and the quiz file: the student page has
the learning objectives, one time per part adding up to 60-90 minutes, and the quiz's questions but
none of its answers; the grader's sheet has every graded cell with its points, each written answer's
model answer and rubric, the solutions without nbgrader's markers, the mistakes the autograder names,
the quiz's answers and the late penalty. Then the parser on broken sources: a malformed quiz, a
heading without a time, cells without nbgrader metadata.
"""

import copy
import html
import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "labs"))
import handouts  # noqa: E402

LABS = ("lab1_mmd", "lab2_collapse", "lab3_easum_fusion", "lab4_soft_labels")
MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")


def plain(text: str) -> str:
    """The characters only: tags, entities, markdown's * and `, list numbers and all spacing removed
    (to compare a source with the page it became)."""
    text = re.sub(r"(?m)^\s*\d+\.\s", "", text)   # "1. item" of a markdown list becomes <li>item</li>
    text = html.unescape(re.sub(r"<[^>]+>", "", text))
    return re.sub(r"[*`\s]", "", text)


def notebook(lab):
    return json.loads((ROOT / "labs" / "source" / lab / f"{lab}.ipynb").read_text())["cells"]


def src(cell):
    return "".join(cell["source"])


def quiz(lab):
    """(question, answer) pairs of labs/prelab/<lab>.md, split here without the script."""
    blocks = re.split(r"^## Q\d+\s*$", (ROOT / "labs" / "prelab" / f"{lab}.md").read_text(), flags=re.M)[1:]
    return [tuple(part.strip() for part in block.split("**Answer.**")) for block in blocks]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("handouts")
    return out, handouts.build(LABS, out)


def pages(built, lab):
    out, errors = built
    if errors[lab]:
        pytest.fail(f"{lab} was not built: {errors[lab]}")
    return (out / lab / "student.html").read_text(), (out / lab / "grader.html").read_text()


@pytest.mark.parametrize("lab", LABS)
def test_student_page(built, lab):
    student, _ = pages(built, lab)
    text = plain(student)
    intro = src(notebook(lab)[0])
    objectives = re.search(r"\*\*Learning objectives\.\*\*.*?\n((?:\s*[-*] .*\n?(?: {2,}.*\n?)*)+)", intro).group(1)
    items = [plain(x) for x in re.split(r"^\s*[-*] ", objectives, flags=re.M) if x.strip()]
    assert len(items) >= 2
    for item in items:
        assert item in text, f"objective missing: {item}"
    rows = [int(m) for m in re.findall(r'<tr class="part"><td>.*?</td><td class="min">(\d+)</td></tr>', student)]
    headings = [line for cell in notebook(lab) if cell["cell_type"] == "markdown"
                for line in src(cell).splitlines() if re.match(r"##\s", line)]
    assert len(rows) == len(headings) >= 2, "one time per part heading"
    total = int(re.search(r'<tr class="total"><td>Total</td>\s*<td class="min">(\d+)</td>', student).group(1))
    assert total == sum(rows) and 60 <= total <= 90, f"{rows}: {total} minutes"
    questions = quiz(lab)
    assert 3 <= len(questions) <= 4
    for question, answer in questions:
        assert plain(question) in text
        assert plain(answer) not in text, "the student page gives an answer away"
    assert "Answer." not in text
    for marker in MARKERS:
        assert marker not in student


@pytest.mark.parametrize("lab", LABS)
def test_grader_sheet(built, lab):
    _, grader = pages(built, lab)
    text = plain(grader)
    assert "formgrader" in text and plain("do not give this sheet to students") in text
    graded, points = 0, 0.0
    for cell in notebook(lab):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        source = src(cell)
        if meta.get("grade"):
            graded += 1
            points += meta["points"]
            assert f'id="cell-{meta["grade_id"]}" data-points="{meta["points"]:g}"' in grader, meta["grade_id"]
        if meta.get("grade") and cell["cell_type"] == "markdown":
            model, rubric = source.split("**Rubric")
            assert plain(model.replace("**Model answer.**", "")) in text, f"model answer of {meta['grade_id']}"
            assert plain("**Rubric" + rubric) in text, f"rubric of {meta['grade_id']}"
        if meta.get("solution") and cell["cell_type"] == "code":
            body = [line for line in source.splitlines() if line.strip() and "SOLUTION" not in line]
            assert all(html.escape(line) in grader for line in body), f"solution of {meta['grade_id']}"
    assert graded >= 2
    assert re.search(rf'<tr class="total"><td>Total</td><td></td>\s*<td class="min">{points:g}</td>', grader)
    for marker in MARKERS:
        assert marker not in grader
    for question, answer in quiz(lab):
        assert plain(question) in text and plain(answer) in text
    assert plain("per started day") in text and plain(f"nbgrader db assignment add {lab} --duedate=") in text
    cases = ROOT / "affectkit" / "teach" / "labs" / "cases" / f"{lab}.json"
    if cases.exists():
        for name, spec in json.loads(cases.read_text())["functions"].items():
            for case in spec.get("cases", []):
                for alt in case.get("also", []):
                    assert html.escape(alt["message"], quote=True) in grader, f"{name}: {alt['message']}"


def test_index_links_every_built_lab(built):
    out, errors = built
    index = (out / "index.html").read_text()
    for lab in LABS:
        assert (f'href="{lab}/grader.html"' in index) == (errors[lab] is None)


# -- broken sources ------------------------------------------------------------------------------

def _cell(kind, source, **nbgrader):
    cell = {"cell_type": kind, "metadata": {"nbgrader": nbgrader} if nbgrader else {}, "source": source}
    return cell if kind == "markdown" else {**cell, "outputs": [], "execution_count": None}


TINY = [
    _cell("markdown", "# Lab 9 · Tiny\n\nA lead.\n\n**Learning objectives.** You can\n- double a number;\n"
                      "- say why.\n\n**Time.** 70 min.\n\n**Before this lab:** nothing.\n\n**Points:** 5.\n"),
    _cell("code", "import math"),                                           # no nbgrader metadata at all
    _cell("markdown", "## 1 · Double (40 min)\n\nWrite `double`."),
    _cell("code", "def double(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION",
          grade_id="double", solution=True, grade=False),
    _cell("code", "assert double(2) == 4\n### BEGIN HIDDEN TESTS\nassert double(3) == 6\n### END HIDDEN TESTS",
          grade_id="test-double", grade=True, solution=False, points=2),
    _cell("markdown", "## 2 · Why (30 min, 3 points)\n\nWhy twice?"),
    _cell("markdown", "**Model answer.** Because.\n\n**Rubric (3 points).** 3: because.",
          grade_id="why", grade=True, solution=True, points=3),
    _cell("markdown", "A closing note without metadata."),
]
GOOD_QUIZ = "# Quiz\n\n## Q1\nWhat is 2 x 2?\n\n**Answer.** 4.\n\n## Q2\nAnd 3 x 3?\n\n**Answer.** 9.\n"


def _course(tmp_path, cells=TINY, quiz_text=GOOD_QUIZ):
    (tmp_path / "source" / "lab9").mkdir(parents=True)
    (tmp_path / "source" / "lab9" / "lab9.ipynb").write_text(json.dumps({"cells": cells, "metadata": {},
                                                                          "nbformat": 4, "nbformat_minor": 5}))
    (tmp_path / "prelab").mkdir()
    (tmp_path / "prelab" / "lab9.md").write_text(quiz_text)
    return dict(source=tmp_path / "source", prelab=tmp_path / "prelab", cases=tmp_path / "cases")


def test_tiny_lab_without_metadata_or_cases(tmp_path):
    result = handouts.build(["lab9"], tmp_path / "out", **_course(tmp_path))
    assert result == {"lab9": None}
    grader = (tmp_path / "out" / "lab9" / "grader.html").read_text()
    assert "return 2 * x" in grader and "assert double(3) == 6" in grader and "SOLUTION" not in grader
    assert "no autograder cases for this lab yet" in grader
    student = (tmp_path / "out" / "lab9" / "student.html").read_text()
    assert '<td class="min">70</td>' in student and "1 · Double" in student and "2 · Why" in student


def test_heading_without_time_names_the_heading(tmp_path):
    cells = copy.deepcopy(TINY)
    cells[5]["source"] = "## 2 · Why (3 points)\n\nWhy twice?"
    with pytest.raises(handouts.HandoutError, match=r"heading '## 2 · Why \(3 points\)' \(cell 5\) gives no time"):
        handouts.read_lab("lab9", **_course(tmp_path, cells))


@pytest.mark.parametrize("broken, error", [
    (lambda c: c[0].update(source="# Lab 9\n\n**Time.** 1 min.\n\n**Before this lab:** x.\n\n**Points:** 5."),
     r"no '\*\*Learning objectives\.\*\*' paragraph"),
    (lambda c: c[4]["metadata"]["nbgrader"].pop("points"), r"graded cell 'test-double' has no points"),
    (lambda c: c[6].update(source="**Model answer.** Because."), r"written answer 'why' needs"),
])
def test_broken_notebook_says_where(tmp_path, broken, error):
    cells = copy.deepcopy(TINY)
    broken(cells)
    with pytest.raises(handouts.HandoutError, match=error):
        handouts.read_lab("lab9", **_course(tmp_path, cells))


@pytest.mark.parametrize("text, error", [
    ("# Quiz\n\nNo questions here.\n", r"lab9\.md: no questions"),
    ("## Q1\nWhat?\n\nNo answer line.\n", r"lab9\.md:1: Q1 has no answer"),
    ("## Q1\n**Answer.** 4.\n", r"lab9\.md:1: Q1 has no question text"),
    ("## Q1\nA?\n**Answer.** a.\n\n## Q3\nB?\n**Answer.** b.\n", r"lab9\.md:5: '## Q3' is out of order: expected '## Q2'"),
    ("## Question 1\nA?\n**Answer.** a.\n", r"lab9\.md:1: '## Question 1' is not a question heading"),
    ("## Q1\nA?\n**Answer.** a.\n**Answer.** b.\n", r"lab9\.md:4: Q1 has a second '\*\*Answer\.\*\*'"),
])
def test_malformed_quiz_fails_clearly(tmp_path, text, error):
    course = _course(tmp_path, quiz_text=text)
    with pytest.raises(handouts.HandoutError, match=error):
        handouts.read_quiz(course["prelab"] / "lab9.md")
    result = handouts.build(["lab9"], tmp_path / "out", **course)       # that lab gets no pages, and says why
    assert re.search(error, result["lab9"]) and not (tmp_path / "out" / "lab9" / "student.html").exists()
