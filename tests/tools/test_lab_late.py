"""The labs' late-submission penalty (labs/late_penalty.py), with nbgrader (``make test-labs``).

The plugin's rule on its own (on time, an hour, two and a half days, six days late, the numbers an
instructor changes), then nbgrader itself on a one-cell course with a due date in the past: it must
find the plugin through labs/nbgrader_config.py and store the penalty, and a re-autograde after hand
grading must keep the hand grade and penalise it too.
"""

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.labs,
              pytest.mark.skipif(importlib.util.find_spec("nbgrader") is None,
                                 reason="nbgrader is not installed (pip install -e '.[labs]', or make test-labs)")]

sys.path.insert(0, str(ROOT / "labs"))
from late_penalty import DAY, LatePenalty  # noqa: E402

HOUR = 3600


@pytest.mark.parametrize("late, share", [(0, 0.0), (HOUR, 0.1), (DAY, 0.1), (DAY + 1, 0.2), (2.5 * DAY, 0.3),
                                         (5 * DAY, 0.5), (5 * DAY + 1, 1.0), (6 * DAY, 1.0)])
def test_penalty_per_started_day(late, share):
    assert LatePenalty().late_submission_penalty("ada", 20.0, late) == pytest.approx(20.0 * share)


def test_policy_is_configurable():
    from traitlets.config import Config

    c = Config()
    c.LatePenalty.percent_per_day = 25
    c.LatePenalty.days_accepted = 2
    c.LatePenalty.grace_minutes = 15
    plugin = LatePenalty(config=c)
    assert plugin.late_submission_penalty("ada", 8.0, 10 * 60) == 0.0          # inside the grace period
    assert plugin.late_submission_penalty("ada", 8.0, 20 * 60) == pytest.approx(2.0)
    assert plugin.late_submission_penalty("ada", 8.0, 1.5 * DAY) == pytest.approx(4.0)
    assert plugin.late_submission_penalty("ada", 8.0, 3 * DAY) == pytest.approx(8.0)
    assert "25%" in plugin.describe() and "2 days" in plugin.describe()


def test_course_config_uses_the_plugin():
    from nbgrader.preprocessors import AssignLatePenalties
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(ROOT / "labs")).load_config()
    pre = AssignLatePenalties(config=config)
    pre.init_plugin()
    assert type(pre.plugin_inst).__name__ == "LatePenalty"
    assert pre.plugin_inst.late_submission_penalty("ada", 10.0, 2.5 * DAY) == pytest.approx(3.0)


def _cell(kind, source, grade_id, **flags):
    import nbformat

    meta = {"nbgrader": {"grade_id": grade_id, "schema_version": 3, "task": False, "locked": False,
                         "solution": False, "grade": False, **flags}}
    make = nbformat.v4.new_code_cell if kind == "code" else nbformat.v4.new_markdown_cell
    return make(source, metadata=meta)


def test_nbgrader_applies_the_penalty(tmp_path):
    """A submission 2.5 days after the due date loses 30 % of its points, the hand-graded ones included
    once the lab is autograded again."""
    import nbformat
    from nbgrader.api import Gradebook

    course = tmp_path / "course"
    (course / "source" / "tiny").mkdir(parents=True)
    for name in ("nbgrader_config.py", "late_penalty.py"):
        shutil.copy(ROOT / "labs" / name, course / name)
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                           "language": "python"}})
    nb.cells = [_cell("code", "def double(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION",
                      "double", solution=True),
                _cell("code", "assert double(3) == 6", "test-double", grade=True, locked=True, points=2),
                _cell("markdown", "**Model answer.** Twice.\n\n**Rubric (3 points).** 3: twice.", "why",
                      grade=True, solution=True, points=3)]
    nbformat.write(nb, course / "source" / "tiny" / "tiny.ipynb")
    exe = Path(sys.executable).parent / "nbgrader"
    env = {**os.environ, "PATH": f"{exe.parent}{os.pathsep}{os.environ.get('PATH', '')}"}

    def nbgrader(*args):
        run = subprocess.run([str(exe), *args], cwd=course, env=env, capture_output=True, text=True)
        assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
        return run

    nbgrader("generate_assignment", "tiny", "--force")
    nbgrader("db", "assignment", "add", "tiny", "--duedate=2027-02-01 17:00:00 UTC")
    nbgrader("db", "student", "add", "ada")
    submitted = course / "submitted" / "ada" / "tiny"
    submitted.mkdir(parents=True)
    shutil.copy(course / "source" / "tiny" / "tiny.ipynb", submitted / "tiny.ipynb")
    (submitted / "timestamp.txt").write_text("2027-02-04 05:00:00 UTC")      # 2.5 days late
    run = nbgrader("autograde", "tiny", "--force")
    assert "no late penalty" not in run.stderr
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        notebook = gb.find_submission_notebook("tiny", "tiny", "ada")
        assert notebook.score == pytest.approx(2.0)                          # the written answer is not graded yet
        assert notebook.late_submission_penalty == pytest.approx(0.6)
        gb.find_grade("why", "tiny", "tiny", "ada").manual_score = 3.0
        gb.db.commit()
    nbgrader("autograde", "tiny", "--force")
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        assert gb.find_grade("why", "tiny", "tiny", "ada").manual_score == 3.0
        notebook = gb.find_submission_notebook("tiny", "tiny", "ada")
        assert notebook.score == pytest.approx(5.0)
        assert notebook.late_submission_penalty == pytest.approx(1.5)
