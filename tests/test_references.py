"""Citations of the two papers: EASUM's equations are numbered once (the paper
prints no numbers; ``affectkit/easum/reference.py`` numbers them) and every
cited section exists in the paper it is attributed to.

A citation is "Eq. N", "Eqs. N-M", "Sec. X", "Secs. X-Y" or a LaTeX ``\\tag{N}``.
It belongs to the paper named last before it in the same paragraph ("EASUM",
"Hwang" or "CMDM", "Liang"), or, where the paragraph names neither, to the paper
of the file (``affectkit/easum/``, notebooks 05-06, labs 3-4 are EASUM's;
``affectkit/cmdm/``, notebooks 02-04, labs 1-2 are CMDM's; elsewhere such a
citation is not judged).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from affectkit.easum.reference import EQUATIONS

ROOT = Path(__file__).resolve().parents[1]

# the sections the papers print (EASUM: 1, 2, 3.1-3.4, 4.1-4.4, 5.1-5.3, 6; CMDM: 1, 2.1-2.3,
# 3.1-3.2, 4.1-4.4, 5, 6), whole chapters included
SECTIONS = {
    "EASUM": {"1", "2", "3", "3.1", "3.2", "3.3", "3.4", "4", "4.1", "4.2", "4.3", "4.4",
              "5", "5.1", "5.2", "5.3", "6"},
    "CMDM": {"1", "2", "2.1", "2.2", "2.3", "3", "3.1", "3.2", "4", "4.1", "4.2", "4.3", "4.4", "5", "6"},
}
CMDM_EQUATIONS = range(1, 10)   # CMDM prints its own numbers, (1)-(9)

# what EASUM's sections 3.2 (model overview) and 4.3 (evaluation metrics) do *not* hold
NOT_IN = {
    "3.2": (re.compile(r"balanc|augment|zero-out|noise|cop(y|ies)|label space|common|polarit|EASUM-?9|domains|"
                       r"\bMAG\b|gate|fus", re.I),
            "balancing, augmentation, the label space, the domains and MAG are EASUM Sec. 3.3 "
            "(3.2 is the model overview)"),
    "4.3": (re.compile(r"batch|learning rate|\blr\b|e-5|layers|sizes|dims?\b|dimension|sequence length|gamma|"
                       r"omega|\beta\b|γ|ω|η|hyper|implementation", re.I),
            "EASUM's implementation details (batch, lr, layers, sizes, gamma, omega, eta) are Sec. 4.4; "
            "4.3 is the evaluation metrics"),
}
# what a cited EASUM equation is about, named in its line or the line before: the numbers cited must
# include one of the equations of what is named
_SUB = r"_\{?\\?(?:text\{|mathrm\{)?"
SYMBOLS = {
    frozenset({11}): re.compile(r"L" + _SUB + r"DG\b"),
    frozenset({13}): re.compile(r"L" + _SUB + r"DS\b"),
    frozenset({9}): re.compile(r"MD" + _SUB + r"total\b"),
    frozenset({8, 9}): re.compile(r"moment (?:matching|distance)", re.I),
    frozenset({2, 3, 4, 5, 6}): re.compile(r"\bMAG\b|Adaptation Gate"),
    frozenset({1}): re.compile(r"augment|balanc", re.I),
}

MARKER = re.compile(r"\b(EASUM|Hwang|CMDM|Liang)\b")
PAPER_OF_MARKER = {"EASUM": "EASUM", "Hwang": "EASUM", "CMDM": "CMDM", "Liang": "CMDM"}
NUMBERS = r"(\d+(?:\.\d+)?(?:\s*(?:-|–|,|and|or)\s*\d+(?:\.\d+)?)*)"
CITATION = re.compile(r"\b(Eqs?|Secs?)\.\s*" + NUMBERS + r"|\\tag\{(\d+)\}")

EASUM_FILES = re.compile(r"affectkit/easum/|notebooks/(solutions/)?0[56]_|labs/[^/]+/(?:[^/]+/)?lab[34]_|"
                         r"affectkit/teach/lessons/(dg|ds)\.py|benchmarks/easum")
CMDM_FILES = re.compile(r"affectkit/cmdm/|notebooks/(solutions/)?0[234]_|labs/[^/]+/(?:[^/]+/)?lab[12]_|"
                        r"affectkit/teach/lessons/(dae|collapse|semi)\.py|benchmarks/cmdm")
SELF = "tests/test_references.py"
SCOPE = ("affectkit/", "notebooks/", "labs/", "benchmarks/", "tests/", "README.md")


def _files() -> list[str]:
    out = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout.split()
    return sorted(p for p in set(out) if p.startswith(SCOPE) and p.endswith((".py", ".ipynb", ".md"))
                  and p != SELF and (ROOT / p).is_file())


def _units(path: str) -> list[str]:
    text = (ROOT / path).read_text(encoding="utf-8")
    if not path.endswith(".ipynb"):
        return [text]
    cells = json.loads(text)["cells"]
    return ["".join(c["source"]) if isinstance(c["source"], list) else c["source"] for c in cells]


def _numbers(kind: str, raw: str) -> list[str]:
    """'8-9' -> ['8', '9'] for equations (a range: every number in it); sections keep their ends."""
    parts = re.split(r"\s*(?:-|–|,|and|or)\s*", raw.strip())
    if kind.startswith("Eq") and ("-" in raw or "–" in raw):
        ends = [int(float(p)) for p in parts]
        return [str(n) for n in range(min(ends), max(ends) + 1)]
    return parts


def citations(path: str):
    """(paper, kind "Eq" or "Sec", [numbers], line, near, since) for every citation of ``path``:
    ``near`` is its line and the line before, ``since`` the text of its line since the citation
    before it (and the line before too, where the citation opens its line)."""
    default = "EASUM" if EASUM_FILES.search(path) else "CMDM" if CMDM_FILES.search(path) else None
    for unit in _units(path):
        last = 0
        for m in CITATION.finditer(unit):
            start = unit.rfind("\n\n", 0, m.start()) + 1
            markers = MARKER.findall(unit, start, m.start())
            paper = PAPER_OF_MARKER[markers[-1]] if markers else default
            kind, raw = ("Eq", m.group(3)) if m.group(3) else (m.group(1).rstrip("s"), m.group(2))
            line_start = unit.rfind("\n", 0, m.start()) + 1
            line_end = unit.find("\n", m.end())
            line = unit[line_start:line_end if line_end >= 0 else len(unit)]
            previous = max(unit.rfind("\n", 0, max(line_start - 1, 0)) + 1 if line_start else 0, start)
            since = unit[max(line_start, last):m.start()]
            if len(since.strip()) < 12:   # "(EASUM Eq. 8)" opens the line: what it cites is above
                since = unit[max(previous, last):m.start()]
            last = m.end()
            if paper is not None:
                yield paper, kind, _numbers(kind, raw), line.strip(), unit[previous:line_start] + line, since


def problems(paths=None) -> list[str]:
    out = []
    for path in paths or _files():
        for paper, kind, numbers, line, near, since in citations(path):
            where = f"{path}: {line[:160]!r}"
            if kind == "Sec":
                for n in numbers:
                    if n not in SECTIONS[paper]:
                        out.append(f"{where}: {paper} has no Sec. {n}")
                    elif paper == "EASUM" and n in NOT_IN and NOT_IN[n][0].search(near):
                        out.append(f"{where}: {NOT_IN[n][1]}")
                continue
            valid = range(1, len(EQUATIONS) + 1) if paper == "EASUM" else CMDM_EQUATIONS
            for n in numbers:
                if not n.isdigit() or int(n) not in valid:
                    out.append(f"{where}: {paper} Eq. {n} does not exist (1-{valid[-1]})")
            if paper == "EASUM":
                cited = {int(n) for n in numbers if n.isdigit()}
                named = [eqs for eqs, pattern in SYMBOLS.items() if pattern.search(since)]
                if named and not any(eqs & cited for eqs in named):
                    what = " / ".join(f"Eq. {min(e)}" + (f"-{max(e)}" if len(e) > 1 else "") for e in named)
                    out.append(f"{where}: cites EASUM Eq. {', '.join(numbers)} for what is {what}")
    return out


def test_easum_equations_are_numbered_once_in_print_order():
    assert sorted(EQUATIONS) == list(range(1, 14)), "EASUM prints 13 display equations"
    sections = [EQUATIONS[n][0] for n in sorted(EQUATIONS)]
    assert sections == ["3.3"] * 11 + ["3.4"] * 2
    names = {n: EQUATIONS[n][1] for n in EQUATIONS}
    assert "augmentation" in names[1] and "L_DG" in names[11] and "L_DS" in names[13]
    assert "MD" in names[8] and "MD_total" in names[9] and "lambda" in names[6]


def test_citations_use_the_papers_sections_and_the_kits_equation_numbers():
    found = problems()
    assert not found, "wrong paper citations:\n" + "\n".join(found)


def test_the_scan_catches_each_kind_of_mistake(tmp_path, monkeypatch):
    """The checks above can fail: each wrong citation below is found, each right one passes."""
    wrong = {
        "affectkit/easum/a.py": '"""L_DG = sum of the task losses + omega * MD_total (EASUM Eq. 6)."""\n',
        "affectkit/easum/b.py": '"""L_DS = L_task + eta * L_aux (EASUM Eq. 8)."""\n',
        "affectkit/easum/c.py": '"""EASUM\'s balancing (Sec. 3.2): augmented copies."""\n',
        "affectkit/easum/d.py": '"""Sizes of the EASUM models (Sec. 4.3): layers, batch 48."""\n',
        "affectkit/data/g.py": '"""Moment matching\n    (EASUM Eq. 2-3) closes these gaps."""\n',
        "notebooks/05_x.ipynb": json.dumps({"cells": [{"cell_type": "markdown", "source": [
            "Over all pairs:\n", "$$MD_{total} = \\binom{n}{2}^{-1} \\sum_{i<j} MD_{ij} \\tag{8}$$"]}]}),
        "README.md": "EASUM Eq. 14 and EASUM Sec. 3.5; CMDM Eq. 10.\n",
    }
    right = {
        "affectkit/easum/e.py": '"""L_DG = sum of the task losses + omega * MD_total (EASUM Eq. 11)."""\n',
        "affectkit/easum/f.py": '"""EASUM balancing (Sec. 3.3, Eq. 1); sizes (Sec. 4.4); MD (Eqs. 8-9)."""\n',
        "notes.md": "CMDM Sec. 4.2 and Eq. 3 (a CMDM citation beside EASUM Sec. 3.4 and Eq. 13).\n",
    }
    for name, text in {**wrong, **right}.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    me = sys.modules[__name__]
    monkeypatch.setattr(me, "ROOT", tmp_path)
    for name in wrong:
        assert me.problems([name]), f"{name}: a wrong citation passed"
    assert len(me.problems(["README.md"])) == 3
    for name in right:
        assert me.problems([name]) == [], name
