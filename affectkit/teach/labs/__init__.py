"""The course labs' side of the kit (``labs/``, graded with nbgrader).

- :func:`check`: instant feedback on one function a student wrote, in words
  ("mmd: your MMD includes the i == j terms: it is biased, see Eq. 3"). The
  same function, with ``strict=True``, is what the labs' hidden tests call.
- :func:`variant`: the inputs of a lab's exploration drawn from the student's
  id, so that two students' printed numbers differ.

The checks compare a student's function with stored values (``cases/<lab>.json``,
written by ``labs/make_cases.py`` from the kit's implementations): this package
holds no reference implementation a student could copy. A function that calls
the kit's own implementation of what it is asked to write earns nothing.
Importing this package imports neither transformers nor the EASUM code: labs 1
and 2 run with torch, numpy and the CMDM code alone.

    from affectkit.teach.labs import check, variant
    check(mmd)                # prints "right: ..." or "not yet: <the mistake>"
"""

from .grader import check, grade, student_id, variant

__all__ = ["check", "grade", "student_id", "variant"]
