"""nbgrader's configuration for the affectkit course labs (this folder is the course root).

    cd labs && nbgrader generate_assignment lab1_mmd --force   # or: make labs
"""

c = get_config()  # noqa: F821 - nbgrader provides it

c.CourseDirectory.course_id = "affectkit"
c.CourseDirectory.source_directory = "source"
c.CourseDirectory.release_directory = "release"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"
c.CourseDirectory.db_url = "sqlite:///gradebook.db"
c.CourseDirectory.assignment_id = ""

# a lab trains small models: allow minutes per cell (each lab is at most 3 minutes on 2 cores)
c.ExecutePreprocessor.timeout = 600
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# late submissions: labs/late_penalty.py (the policy, and how to set a lab's due date). The class itself, not
# its name: nbgrader need not run with this folder on sys.path. A course folder that copied this file alone
# (no late_penalty.py beside it) grades without a penalty, and says so.
import os.path  # noqa: E402
import sys  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
try:
    from late_penalty import LatePenalty
except ImportError as e:
    print(f"nbgrader_config.py: no late penalty ({e})", file=sys.stderr)
else:
    c.AssignLatePenalties.plugin_class = LatePenalty
