"""What each notebook teaches, as data: one module per notebook, the one home of its findings.

A lesson module (``lessons/collapse.py`` for ``notebooks/03_mmd_collapse.ipynb``)
holds everything the kit says about its notebook's results:

- ``NOTEBOOK``: the notebook's stem; the registry finds the module by it
  (:func:`notebooks`), so a new notebook needs no line anywhere else;
- ``CLAIMS``: the papers' claims and the kit's own checks, each with its reading
  from the sidecar, its verdict rule (one of :mod:`affectkit.teach.readings`) and the
  verdict expected at each profile. The "What you learned" table (:func:`show`),
  the gallery's pass marks and the findings the tests assert (:func:`problems`)
  are all read from them;
- ``sidecar(results, need, profile)``: what the sidecar must hold (keys, sizes,
  ranges); ``need(condition, message)`` notes each condition that fails;
- ``TITLE`` and ``readme(results) -> [line]``: its part of the README's results
  section (:mod:`affectkit.tools.report`);
- ``EXERCISES``: its "Try it" checks (:func:`check`);
- ``SHARED`` (where other notebooks reuse its choices): parameter name -> value,
  the values of its parameters cell, which the other notebooks import from here.
- ``SHARES_MODELS = True`` where it saves trained models for later notebooks or loads
  them (:mod:`affectkit.model_store`): the tests run those notebooks in order on one worker.

    from affectkit.teach import lessons
    lessons.show("03_mmd_collapse", profile=profile)   # the closing table
    lessons.check("03_mmd_collapse", 1, answer, profile=profile)
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from typing import Any, Callable

import pandas as pd

from ..readings import verdict
from ._checks import SMALL
from ._text import ASSERTED

COLUMNS = ("paper claim", "this run", "reproduces?")
NO_VERDICT = "no verdict: "   # the verdict column of a claim this run cannot judge, then why
__all__ = ["ASSERTED", "COLUMNS", "Claim", "Exercise", "check", "claims", "exercises", "expected",
           "notebooks", "problems", "readme", "show", "title", "what_you_learned"]


@dataclass(frozen=True)
class Claim:
    """A paper's claim (or the kit's own check) and how one run of a notebook tests it.

    Attributes:
        claim: the claim in words, with its source ("CMDM Table 4: lexical > acoustic > visual").
        result: sidecar -> the run's result in words (numbers from the sidecar).
        holds: sidecar -> True when the run reproduces the claim.
        expect: the verdict at the lab profile on every seed the tests run (they
            assert ``holds(results) == expect``); False for a claim that does not
            reproduce, said so honestly.
        smoke: the verdict at smoke sizes, for a check that holds at any size (the
            smoke tests assert it); None: smoke sizes cannot judge it.
        no_verdict: for a claim that a run may be unable to judge (``holds``
            returns None, e.g. a paper's test number where the run has no test
            split): sidecar -> why, shown in the verdict column as "no verdict: ...".
        shown: False for a finding the tests assert that the notebook's "What you
            learned" table leaves out (the kit's checks of its own world and code,
            and stricter forms of a shown claim); :func:`claims` lists the shown ones,
            :func:`problems` judges all.
    """

    claim: str
    result: Callable[[dict], str]
    holds: Callable[[dict], bool | None]
    expect: bool = True
    smoke: bool | None = None
    no_verdict: Callable[[dict], str] | None = None
    shown: bool = True

    def expected(self, profile: str) -> bool | None:
        """The verdict the tests expect at ``profile`` (None: not judged there)."""
        return self.smoke if profile in SMALL else self.expect


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


_REGISTRY: dict = {}


def notebooks() -> dict:
    """notebook stem -> its lesson module: every module of this package (but ``_*``), by its ``NOTEBOOK``."""
    if not _REGISTRY:
        found = {}
        for info in pkgutil.iter_modules(__path__):
            if info.name.startswith("_"):
                continue
            module = importlib.import_module(f"{__name__}.{info.name}")
            stem = getattr(module, "NOTEBOOK", None)
            if not isinstance(stem, str):
                raise ImportError(f"{module.__name__} names no NOTEBOOK: a lesson module says which notebook "
                                  "it serves")
            if stem in found:
                raise ImportError(f"{module.__name__} and {found[stem].__name__} both serve {stem}")
            found[stem] = module
        _REGISTRY.update(sorted(found.items()))
    return dict(_REGISTRY)


def _module(stem: str):
    found = notebooks()
    if stem not in found:
        raise ValueError(f"no lessons for notebook {stem!r}; known: {sorted(found)}")
    return found[stem]


def claims(stem: str, hidden: bool = False) -> list:
    """The notebook's :class:`Claim` list shown in its "What you learned" table, in the
    order of the notebook (``hidden=True``: every finding the tests assert)."""
    return [c for c in _module(stem).CLAIMS if hidden or c.shown]


def exercises(stem: str) -> dict:
    """The notebook's exercises: number -> :class:`Exercise`."""
    return dict(_module(stem).EXERCISES)


def title(stem: str) -> str:
    """The notebook's heading in the README's results section."""
    return _module(stem).TITLE


def readme(stem: str, results: dict) -> list:
    """The notebook's lines of the README's results section, from its sidecar."""
    return list(_module(stem).readme(results))


def _judge(c: Claim, results: dict) -> tuple:
    """(result in words, holds, verdict word) of one claim; KeyError where the sidecar lacks what it reads."""
    result, holds = c.result(results), c.holds(results)
    word = verdict(holds)
    if holds is None and c.no_verdict is not None:
        word = f"{NO_VERDICT}{c.no_verdict(results)}"
    return result, holds, word


def what_you_learned(stem: str, results: dict | None = None, profile: str = "lab") -> pd.DataFrame:
    """The closing table: paper claim | this run | reproduces?

    Args:
        stem: the notebook ("03_mmd_collapse").
        results: its sidecar; default: read the file this run wrote
            (:func:`affectkit.teach.record.load`).
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
            result, _, word = _judge(c, results)
        except KeyError as e:
            result, word = f"not recorded in this run ({e})", verdict(None)
        word = "n/a (smoke sizes)" if profile in SMALL else word
        rows.append(dict(zip(COLUMNS, (c.claim, result, word))))
    return pd.DataFrame(rows, columns=list(COLUMNS))


def as_expected(claim: Claim, word: str, profile: str = "lab") -> bool:
    """Whether a run's verdict ``word`` (the table's "reproduces?") is what ``claim``
    expects at ``profile``, or a "no verdict" the claim allows (its ``no_verdict``)."""
    if claim.no_verdict is not None and word.startswith(NO_VERDICT):
        return True
    return word == verdict(claim.expected(profile))


def problems(stem: str, results: dict, profile: str = "lab") -> list:
    """Everything a run of ``stem`` at ``profile`` shows that its lesson module does not
    expect, in words ([] when all holds): the sidecar check, then every claim with a
    verdict expected at this profile. Every claim must find what it reads, at any
    profile, unless the notebook recorded why it ``skipped`` its work."""
    module, found = _module(stem), []

    def need(ok, message):
        if not ok:
            found.append(f"{stem}: {message}")

    try:
        module.sidecar(results, need, profile)
    except (KeyError, IndexError, TypeError, ValueError, StopIteration) as err:
        found.append(f"{stem}: the sidecar lacks what its check reads ({type(err).__name__}: {err})")
    for c in module.CLAIMS:
        want = c.expected(profile)
        if want is None and "skipped" in results:
            continue
        try:
            result, holds, word = _judge(c, results)
        except KeyError as err:
            found.append(f"{stem}: '{c.claim}' finds nothing to read in the sidecar ({err})")
            continue
        if holds not in (True, False, None):
            found.append(f"{stem}: '{c.claim}': its rule gave {holds!r}, not True, False or None")
        if want is not None and not as_expected(c, word, profile):
            found.append(f"{stem}: '{c.claim}' reproduces? {word} (expected {verdict(want)} at {profile}): "
                         f"{result}")
    return found


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
