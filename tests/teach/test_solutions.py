"""Every "Try it" exercise has a solution (``notebooks/solutions/<stem>.py``) and a
check (``affectkit.teach.lessons``): the solutions run here and their answers pass the checks.

Smoke sizes in ``make test`` (the check may answer "cannot be judged": never "not
yet"); lab sizes under the ``lab`` marker, where every check must say "right".
"""

import importlib.util
from pathlib import Path

import pytest

from affectkit.teach import lessons

SOLUTIONS = Path(__file__).resolve().parents[2] / "notebooks" / "solutions"
CASES = [(stem, n) for stem in lessons.notebooks() for n in sorted(lessons.exercises(stem))]


def solution(stem: str, number: int):
    path = SOLUTIONS / f"{stem}.py"
    assert path.exists(), f"{stem} has exercises but no solutions file {path}"
    spec = importlib.util.spec_from_file_location(f"solutions_{stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    fn = getattr(module, f"exercise_{number}", None)
    assert fn is not None, f"{path.name} has no exercise_{number}(profile, seed)"
    return fn


def test_every_notebook_has_exercises():
    for stem in lessons.notebooks():
        assert lessons.exercises(stem), f"{stem}: no checkable exercise"
        assert lessons.claims(stem), f"{stem}: no 'What you learned' claim"


@pytest.mark.parametrize("stem,number", CASES, ids=[f"{s}-{n}" for s, n in CASES])
def test_solution_smoke(stem, number, capsys):
    answer = solution(stem, number)(profile="smoke", seed=0)
    ok = lessons.check(stem, number, answer, profile="smoke")
    assert ok is not False, capsys.readouterr().out


@pytest.mark.lab
@pytest.mark.parametrize("stem,number", CASES, ids=[f"{s}-{n}" for s, n in CASES])
def test_solution_lab(stem, number, capsys):
    answer = solution(stem, number)(profile="lab", seed=0)
    ok = lessons.check(stem, number, answer, profile="lab")
    assert ok is True, capsys.readouterr().out


def test_check_says_when_there_is_no_answer(capsys):
    stem = next(iter(lessons.notebooks()))
    assert lessons.check(stem, min(lessons.exercises(stem)), None) is None
    assert "no answer yet" in capsys.readouterr().out


def test_notebooks_check_the_exercises_the_lessons_define():
    """The check cells a notebook holds are exactly the exercises its lessons module
    defines and its solutions file answers (one numbering, three places)."""
    import json
    import re

    notebooks = Path(__file__).resolve().parents[2] / "notebooks"
    for stem in lessons.notebooks():
        cells = json.loads((notebooks / f"{stem}.ipynb").read_text(encoding="utf-8"))["cells"]
        code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
        asked = {int(n) for n in re.findall(rf'lessons\.check\("{stem}",\s*(\d+)', code)}
        assert asked == set(lessons.exercises(stem)), \
            f"{stem}: the notebook checks exercises {sorted(asked)}, its lessons define {sorted(lessons.exercises(stem))}"
        for n in asked:
            solution(stem, n)
