"""Each student's own inputs for a lab's exploration, drawn from their id, so that two
students' printed numbers differ and a neighbour's answer does not fit.

    from affectkit.teach.labs import variant
    V = variant("lab1_mmd")           # prints whose variant it is
    n = V.pick([48, 64, 80])          # the same for this student every time
    g = V.generator()                 # a seeded torch.Generator
"""

from __future__ import annotations

import copy
import getpass
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch


def student_id() -> tuple:
    """(id, where it came from): the folder nbgrader grades in (``autograded/<student>/<lab>``);
    ``$AFFECTKIT_STUDENT``; ``$JUPYTERHUB_USER``; the login name."""
    parts = Path.cwd().parts
    for marker in ("autograded", "submitted"):   # grading: the student whose notebook this is
        if marker in parts[:-2]:
            return parts[parts.index(marker) + 1], f"nbgrader's {marker}/ folder"
    if os.environ.get("AFFECTKIT_STUDENT"):
        return os.environ["AFFECTKIT_STUDENT"], "AFFECTKIT_STUDENT"
    if os.environ.get("JUPYTERHUB_USER"):
        return os.environ["JUPYTERHUB_USER"], "JUPYTERHUB_USER"
    try:
        return getpass.getuser(), "the login name"
    except Exception:  # noqa: BLE001 - no login name in some containers
        return "student", "a default (no login name)"


@dataclass(frozen=True)
class Variant:
    """A student's inputs for one lab: a seed drawn from (lab, student id), and draws from it."""
    lab: str
    student: str
    seed: int

    def generator(self, offset: int = 0) -> torch.Generator:
        return torch.Generator().manual_seed(self.seed + offset)

    def rng(self, offset: int = 0) -> np.random.Generator:
        return np.random.default_rng(self.seed + offset)

    def pick(self, options, offset: int = 0):
        """One of ``options``, the same every time for this student."""
        options = list(options)
        return copy.deepcopy(options[int(self.rng(1000 + offset).integers(len(options)))])


def variant(lab: str, student: str | None = None, quiet: bool = False) -> Variant:
    """The student's variant of ``lab``; prints whose it is (so that a grader sees it in the notebook)."""
    source = "given"
    if student is None:
        student, source = student_id()
    seed = int(hashlib.sha256(f"{lab}:{student}".encode()).hexdigest()[:8], 16) % 1_000_000
    if not quiet:
        shared = ("; if this login is not yours alone (e.g. 'jovyan'), set AFFECTKIT_STUDENT to your course id"
                  if source == "the login name" else "")
        print(f"your variant of {lab}: student {student!r} (from {source}), seed {seed}{shared}")
    return Variant(lab, student, seed)
