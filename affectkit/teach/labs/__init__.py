"""The course labs' side of the kit (``labs/``, graded with nbgrader).

- :func:`check`: instant feedback on one function a student wrote, in words
  ("mmd: your MMD includes the i == j terms: it is biased, see Eq. 3"). The
  same function, with ``strict=True``, is what the labs' hidden tests call.
- :func:`variant`: the inputs of a lab's exploration drawn from the student's
  id, so that two students' printed numbers differ.
- ``cmdm_student`` / ``easum_student``: what lets a lab train with the
  student's own functions (lab 2's objective, lab 4's DS loss) and hand lab 3
  MAG's weights as tensors; ``fixtures``: inputs the grader injects (a seeded
  derangement). None of them holds an answer.

The checks compare a student's function with stored values (``cases/<lab>.json``,
written by ``labs/make_cases.py`` from the kit's implementations): this package
holds no reference implementation a student could copy. A function that calls
the kit's own implementation of what it is asked to write earns nothing.
Importing this package imports neither transformers nor the EASUM code: labs 1
and 2 run with torch, numpy and the CMDM code alone.

    from affectkit.teach.labs import check, variant
    check(mmd)                # prints "right: ..." or "not yet: <the mistake>"
"""

from .grader import check, grade
from .variant import student_id, variant

__all__ = ["check", "grade", "student_id", "variant"]
