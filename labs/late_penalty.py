"""The course labs' late-submission penalty: a plugin for nbgrader's ``AssignLatePenalties``.

The policy (the defaults; each number is a class attribute that ``nbgrader_config.py`` can change):

- on time, or late by at most ``grace_minutes`` (default 0): no penalty;
- late: ``percent_per_day`` (default 10) percent of the notebook's score per *started* day
  (1 minute late = 1 day = 10 %, 2.5 days late = 3 days = 30 %);
- more than ``days_accepted`` (default 5) days late: the whole score.

nbgrader applies it when it autogrades (``nbgrader autograde lab1_mmd``), to each notebook of a
submission that is later than the lab's due date, from the submission's ``timestamp.txt`` (written by
``nbgrader collect`` / the exchange; ``labs/course.py`` writes one too). Without a due date nothing is
late. An instructor sets the due date once per lab, in the course root (``labs/``)::

    cd labs
    nbgrader db assignment add lab1_mmd --duedate="2027-02-01 17:00:00 UTC"

(the same command with a new date moves it; ``nbgrader db assignment list`` shows the dates), and
changes the policy in ``labs/nbgrader_config.py``, e.g.::

    c.LatePenalty.percent_per_day = 20      # 20 % per started day
    c.LatePenalty.days_accepted = 3         # nothing after 3 days
    c.LatePenalty.grace_minutes = 15        # 15 minutes late still count as on time

Two things nbgrader decides, not this file: the penalty is computed from the notebook's score *at the
time autograde runs* (the autograded points, plus any hand grades already entered: written answers
graded later are not penalised unless the lab is autograded again with ``--force``, which keeps the hand
grades), and nbgrader stores it as points that ``nbgrader export`` subtracts (``score`` = ``raw_score``
- ``late_submission_penalty``; formgrader shows the raw score).
"""

from __future__ import annotations

import math

from traitlets import Float, Int

try:
    from nbgrader.plugins import LateSubmissionPlugin
except ImportError:  # without nbgrader (make test, labs/handouts.py) the policy can still be read and described
    from traitlets.config import LoggingConfigurable as LateSubmissionPlugin

DAY = 24 * 3600


class LatePenalty(LateSubmissionPlugin):
    """A share of the score per started day late; the whole score after ``days_accepted`` days."""

    percent_per_day = Float(10.0, help="percent of the notebook's score lost per started day late").tag(config=True)
    days_accepted = Int(5, help="a submission more than this many days late loses its whole score").tag(config=True)
    grace_minutes = Float(0.0, help="a submission at most this many minutes late counts as on time").tag(config=True)

    def late_submission_penalty(self, student_id: str, score: float, total_seconds_late: float) -> float:
        """The points to take off ``score`` (nbgrader's plugin API; ``score`` is the notebook's score)."""
        if total_seconds_late <= self.grace_minutes * 60:
            return 0.0
        if total_seconds_late > self.days_accepted * DAY:
            return float(score)
        days = math.ceil(total_seconds_late / DAY)
        return float(score) * min(1.0, days * self.percent_per_day / 100)

    def describe(self) -> str:
        """The policy in one paragraph (for the grader's sheet)."""
        grace = (f"up to {self.grace_minutes:g} minutes late counts as on time; " if self.grace_minutes > 0 else "")
        return (f"A late submission loses {self.percent_per_day:g}% of its score per started day late "
                f"({grace}a started day counts in full), and its whole score when it is more than "
                f"{self.days_accepted} days late.")
