"""What each notebook teaches, as data: its paper claims and its exercises' checks.

Each notebook ends with "What you learned": a table of the papers' claims it
tests, the kit's result in *this* run (read from the run's own sidecar), and
whether the claim reproduces. Each "Try it" exercise has a check that says in
words whether a student's answer is right. Both live here, one module per
notebook (``lessons/collapse.py`` for ``03_mmd_collapse``), so the notebook,
the tests and the solutions (``notebooks/solutions/``) read the same
definitions.

    from affectkit import lessons
    lessons.show("03_mmd_collapse", profile=profile)   # the closing table
    lessons.check("03_mmd_collapse", 1, answer, profile=profile)
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any, Callable

import pandas as pd

from ..readings import verdict

MODULES = {
    "00_tour": "tour", "01_features": "features", "02_dae_reconstruction": "dae",
    "03_mmd_collapse": "collapse", "04_semi_supervised": "semi", "05_dg_moment_matching": "dg",
    "06_soft_label_ablation": "ds", "07_latent_explorer": "explorer", "08_meld_text": "meld",
    "09_your_corpus": "corpus",
}
COLUMNS = ("paper claim", "this run", "reproduces?")
SMALL = ("smoke",)   # profiles too small to show a finding: the verdict column says so
NO_VERDICT = "no verdict: "   # the verdict column of a claim this run cannot judge, then why


@dataclass(frozen=True)
class Claim:
    """A paper's claim and how one run of a notebook tests it.

    Attributes:
        claim: the claim in words, with its source ("CMDM Table 4: lexical > acoustic > visual").
        result: sidecar -> the run's result in words (numbers from the sidecar).
        holds: sidecar -> True when the run reproduces the claim.
        expect: what the lab profile shows on every seed the tests run (the tests
            assert ``holds(results) == expect``); False for a claim that does not
            reproduce, said so honestly.
        no_verdict: for a claim that a run may be unable to judge (``holds``
            returns None, e.g. a paper's test number where the run has no test
            split): sidecar -> why, shown in the verdict column as "no verdict: ...".
    """

    claim: str
    result: Callable[[dict], str]
    holds: Callable[[dict], bool | None]
    expect: bool = True
    no_verdict: Callable[[dict], str] | None = None


@dataclass(frozen=True)
class Exercise:
    """A "Try it" exercise's check.

    Attributes:
        check: (answer, profile) -> (ok, message in words). ``ok`` is None when the
            answer cannot be judged at this profile (e.g. smoke sizes).
        expected: what a right answer looks like, in words (printed before an answer exists).
    """

    check: Callable[[Any, str], tuple]
    expected: str
    hints: dict = field(default_factory=dict)


def _module(stem: str):
    if stem not in MODULES:
        raise ValueError(f"no lessons for notebook {stem!r}; known: {sorted(MODULES)}")
    return importlib.import_module(f"{__name__}.{MODULES[stem]}")


def claims(stem: str) -> list:
    """The notebook's :class:`Claim` list, in the order of the notebook."""
    return list(_module(stem).CLAIMS)


def exercises(stem: str) -> dict:
    """The notebook's exercises: number -> :class:`Exercise`."""
    return dict(_module(stem).EXERCISES)


def what_you_learned(stem: str, results: dict | None = None, profile: str = "lab") -> pd.DataFrame:
    """The closing table: paper claim | this run | reproduces?

    Args:
        stem: the notebook ("03_mmd_collapse").
        results: its sidecar; default: read the file this run wrote
            (:func:`affectkit.record.load`).
        profile: at "smoke" sizes the verdict reads "n/a (smoke sizes)".
    Returns:
        a DataFrame with the columns :data:`COLUMNS`, one row per claim.
    """
    if results is None:
        from ..record import load
        results = load(stem)
    rows = []
    for c in claims(stem):
        try:
            result = c.result(results)
            holds = c.holds(results)
            word = verdict(holds)
            if holds is None and c.no_verdict is not None:
                word = f"{NO_VERDICT}{c.no_verdict(results)}"
        except KeyError as e:
            result, word = f"not recorded in this run ({e})", verdict(None)
        word = "n/a (smoke sizes)" if profile in SMALL else word
        rows.append(dict(zip(COLUMNS, (c.claim, result, word))))
    return pd.DataFrame(rows, columns=list(COLUMNS))


def as_expected(claim: Claim, word: str) -> bool:
    """Whether a lab run's verdict ``word`` (the table's "reproduces?") is what
    ``claim.expect`` says, or a "no verdict" the claim allows (its ``no_verdict``)."""
    if claim.no_verdict is not None and word.startswith(NO_VERDICT):
        return True
    return word == ("yes" if claim.expect else "no")


def show(stem: str, profile: str = "lab", results: dict | None = None) -> None:
    """Display :func:`what_you_learned` as a full-width table (no cell cut short)
    and record it in the sidecar as ``what_you_learned`` (nothing is returned, so
    the table is not shown twice)."""
    from IPython.display import display

    from ..record import record
    table = what_you_learned(stem, results, profile)
    record("what_you_learned", table, notebook=stem)
    with pd.option_context("display.max_colwidth", None, "display.width", 200):
        display({"text/html": table.to_html(index=False, escape=True),
                 "text/plain": table.to_string(index=False)}, raw=True)


def check(stem: str, number: int, answer, profile: str = "lab"):
    """Say in words whether ``answer`` to exercise ``number`` is right; returns
    True / False, or None when there is no answer yet (``answer is None``) or the
    profile is too small to judge it."""
    ex = exercises(stem).get(number)
    if ex is None:
        raise ValueError(f"{stem} has no exercise {number}; it has {sorted(exercises(stem))}")
    if answer is None:
        print(f"Exercise {number}: no answer yet. Expected: {ex.expected}")
        return None
    ok, message = ex.check(answer, profile)
    mark = {True: "right", False: "not yet", None: "cannot be judged"}[ok]
    print(f"Exercise {number}: {mark}: {message}")
    return ok


def expected(stem: str, number: int) -> str:
    """What a right answer to exercise ``number`` looks like, in words."""
    return exercises(stem)[number].expected
