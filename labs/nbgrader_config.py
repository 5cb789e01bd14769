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
