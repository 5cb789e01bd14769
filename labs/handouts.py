"""Printable pages for the teaching team, read from the lab notebooks themselves (``make lab-handouts``).

    python labs/handouts.py                          # every lab -> build/handouts/
    python labs/handouts.py --out /tmp/h lab1_mmd    # one lab, elsewhere

Per lab, ``<out>/<lab>/student.html`` (title, learning objectives, minutes per part, what to read
before, points, the pre-lab quiz's questions) and ``grader.html`` (each graded cell in notebook order
with its id, points, model answer and rubric, which formgrader does not show; the mistakes the
autograder names; the quiz's answers; the late penalty); ``<out>/index.html`` links them. Read from
``labs/source/<lab>/<lab>.ipynb`` (intro: ``# Lab N · Title``, ``**Learning objectives.**`` list,
``**Time.**``, ``**Before this lab:**``, ``**Points:**``; parts: ``## N · Title (M min)``; nbgrader's
metadata), ``labs/prelab/<lab>.md`` (``## Q1`` question, ``**Answer.** ...``) and the autograder's
``affectkit/teach/labs/cases/<lab>.json``. A source that breaks these stops its own lab with a message
naming the cell or line; the other labs are still built.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from nbconvert.filters.markdown import markdown2html

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SOURCE, PRELAB = HERE / "source", HERE / "prelab"
CASES = ROOT / "affectkit" / "teach" / "labs" / "cases"
MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")
HIDDEN = ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")
LABEL = re.compile(r"^\*\*([^*]+?)\*\*[.:]?\s*(.*)$")       # **Time.** text, **Points:** text
BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(.*)$")
HEADING = re.compile(r"^##\s+(.*?)\s*$")
MINUTES = re.compile(r"\(([^()]*?\b(\d+)\s*min(?:utes?)?\b[^()]*)\)\s*$")
PROPERTIES = {"derangement": "a permutation of 0..n-1 with no fixed point, for n = 2 to 33, and at least 5 different "
                             "ones over 20 seeds (a fixed shift is always the same one)"}


class HandoutError(ValueError):
    """A lab's source (notebook, quiz or cases) does not follow the conventions; says where."""


@dataclass
class Item:
    """One entry of the grader's sheet: a graded cell, or a solution no cell grades."""
    cell: str
    kind: str                      # "autograded", "written", "graded by hand", "not graded"
    points: float | None
    answer: str = ""               # HTML (code as <pre>)
    rubric: str = ""               # HTML
    question: str = ""             # HTML
    tests: tuple = ()              # (visible, hidden) test code
    functions: list = field(default_factory=list)


@dataclass
class Lab:
    name: str
    intro: dict                    # title, lead, stem, objectives, time, before, points (markdown)
    parts: list                    # (title, minutes)
    items: list
    quiz: dict
    cases: dict | None
    warnings: list = field(default_factory=list)


def md(text: str) -> str:
    return markdown2html(text.strip()) if text.strip() else ""


def inline(text: str) -> str:
    """Markdown of one line, without the paragraph around it (for list items and table cells)."""
    out = md(text).strip()
    return out[3:-4] if out.startswith("<p>") and out.endswith("</p>") and out.count("<p>") == 1 else out


def _pre(code: str) -> str:
    return f"<pre><code>{html.escape(code)}</code></pre>" if code.strip() else ""


def _esc(text) -> str:
    return html.escape(str(text))


def _src(cell) -> str:
    s = cell.get("source", "")
    return "".join(s) if isinstance(s, list) else s


# -- the notebook -------------------------------------------------------------------------------

def _intro(lab: str, text: str) -> dict:
    """The intro cell: its title, the lead text and each ``**Label.**`` paragraph (label -> text)."""
    lines = text.strip().splitlines()
    if not lines or not lines[0].startswith("# "):
        raise HandoutError(f"{lab}: the intro (cell 0) does not start with a title line '# Lab N · Title'")
    out, current, lead, blank = {"title": lines[0][2:].strip()}, None, [], False
    for line in lines[1:]:
        label = LABEL.match(line.strip())
        if label:
            current = label.group(1).strip().rstrip(".:").lower()
            out[current], blank = [label.group(2)], False
        elif not line.strip():
            blank = True
            lead += [""] if current is None else []
        elif current is None:
            lead.append(line)
        elif blank and not (current == "learning objectives" and BULLET.match(line)):
            current, blank = None, False                         # a paragraph without a label ends the block
        else:
            out[current].append(line)
            blank = False
    for key, label in (("learning objectives", "Learning objectives."), ("time", "Time."),
                       ("before this lab", "Before this lab:"), ("points", "Points:")):
        if key not in out:
            raise HandoutError(f"{lab}: the intro (cell 0) has no '**{label}**' paragraph")
    stem, items = [], []
    for line in out["learning objectives"]:
        bullet = BULLET.match(line)
        if bullet:
            items.append(bullet.group(1).strip())
        elif items:
            items[-1] += " " + line.strip()
        else:
            stem.append(line)
    if not items:
        raise HandoutError(f"{lab}: '**Learning objectives.**' in the intro (cell 0) is not followed by a list "
                           f"('- ...' lines)")
    return {"title": out["title"], "lead": "\n".join(lead), "stem": " ".join(stem), "objectives": items,
            "time": " ".join(out["time"]), "before": " ".join(out["before this lab"]), "points": " ".join(out["points"])}


def _parts(lab: str, cells) -> list:
    parts = []
    for i, cell in enumerate(cells):
        if cell.get("cell_type") != "markdown":
            continue
        fenced = False
        for line in _src(cell).splitlines():
            fenced ^= line.lstrip().startswith("```")
            heading = None if fenced else HEADING.match(line)
            if not heading:
                continue
            when = MINUTES.search(heading.group(1))
            if not when:
                raise HandoutError(f"{lab}: heading '{line.strip()}' (cell {i}) gives no time: end it with "
                                   f"'(M min)', the minutes of student work for that part")
            parts.append((heading.group(1)[:when.start()].strip(), int(when.group(2))))
    if not parts:
        raise HandoutError(f"{lab}: no part headings ('## N · Title (M min)')")
    return parts


def _strip(source: str) -> str:
    return "\n".join(line for line in source.splitlines() if line.strip() not in MARKERS).strip("\n")


def _split_tests(source: str) -> tuple:
    visible, hidden, inside = [], [], False
    for line in source.splitlines():
        if line.strip() in HIDDEN:
            inside = line.strip() == HIDDEN[0]
        else:
            (hidden if inside else visible).append(line)
    return "\n".join(visible).strip("\n"), "\n".join(hidden).strip("\n")


def _points(lab: str, cell_id: str, meta: dict) -> float:
    if not isinstance(meta.get("points"), (int, float)):
        raise HandoutError(f"{lab}: graded cell '{cell_id}' has no points in its nbgrader metadata")
    return float(meta["points"])


def _items(lab: str, cells, warnings: list) -> list:
    """The grader's entries in notebook order: each graded cell with the solution it grades."""
    solutions, used, items, last_md, last_graded = {}, set(), [], "", -1
    for i, cell in enumerate(cells):
        meta = (cell.get("metadata") or {}).get("nbgrader") or {}
        code, source = cell.get("cell_type") == "code", _src(cell)
        cell_id = str(meta.get("grade_id") or f"cell {i}")
        if code and meta.get("solution") and not meta.get("grade"):
            solutions[cell_id] = (i, _strip(source))
            items.append(Item(cell_id, "not graded", None, answer=_pre(_strip(source))))
        elif meta.get("grade") and code and not meta.get("solution"):
            wanted = cell_id[len("test-"):] if cell_id.startswith("test-") else None
            if wanted in solutions:
                mine = [wanted]
            else:                   # no solution of that name: the solutions since the last graded cell
                mine = [k for k, (j, _) in solutions.items() if k not in used and j > last_graded]
            used.update(mine)
            answer = "\n\n".join(solutions[k][1] for k in mine)
            names = [wanted] if wanted else []
            names += [n for n in re.findall(r"^\s*def (\w+)\(", answer, re.M) if n not in names]
            items.append(Item(cell_id, "autograded", _points(lab, cell_id, meta), answer=_pre(answer),
                              tests=_split_tests(source), functions=names))
        elif meta.get("grade") and not code and meta.get("solution"):
            model, rubric = re.search(r"\*\*Model answer\.?\*\*[.:]?", source), re.search(r"\*\*Rubric\b[^*]*\*\*", source)
            if not model or not rubric or rubric.start() < model.end():
                raise HandoutError(f"{lab}: written answer '{cell_id}' needs '**Model answer.** ...' followed by "
                                   f"'**Rubric (N points).** ...'")
            model, rubric, points = source[model.end():rubric.start()], source[rubric.start():], _points(lab, cell_id, meta)
            said = re.search(r"Rubric \((\d+(?:\.\d+)?) points?\)", rubric)
            if said and float(said.group(1)) != points:
                warnings.append(f"written answer '{cell_id}': its rubric says {said.group(1)} points, "
                                f"its metadata {points:g}")
            items.append(Item(cell_id, "written", points, answer=md(model), rubric=md(rubric), question=last_md))
        elif meta.get("grade") or meta.get("task"):
            items.append(Item(cell_id, "graded by hand", _points(lab, cell_id, meta),
                              answer=_pre(_strip(source)) if code else md(source)))
        if meta.get("grade") or meta.get("task"):
            last_graded = i
        elif not code:
            last_md = md(source)
    return [it for it in items if it.kind != "not graded" or it.cell not in used]


def read_cases(lab: str, folder: Path = CASES) -> dict | None:
    """The autograder's stored cases of ``lab`` (None when the file does not exist yet)."""
    path = folder / f"{lab}.json"
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        return None
    except json.JSONDecodeError as e:
        raise HandoutError(f"{path}: not valid JSON ({e})") from None
    if not isinstance(data, dict) or not isinstance(data.get("functions"), dict):
        raise HandoutError(f"{path}: expected {{'lab': ..., 'functions': {{name: ...}}}}")
    return data["functions"]


def autograder_says(spec: dict) -> list:
    """What the autograder says about one function, as (kind, message) pairs without repeats."""
    cases, grads = spec.get("cases", []), spec.get("gradients", {})
    out = [("right", spec.get("right"))]
    out += [("accepted" if alt.get("ok") else "mistake", alt["message"]) for c in cases for alt in c.get("also", [])]
    out += [("mistake", grads.get(k)) for k in ("blocked_message", "flows_message")]
    out += [("any other wrong value", c.get("otherwise")) for c in cases] + [("any other wrong value", spec.get("otherwise"))]
    out += [("also checked", PROPERTIES.get(p, p)) for p in spec.get("properties", []) if p != "gradients"]
    return [pair for pair in dict.fromkeys(out) if pair[1]]


def read_quiz(path: Path) -> dict:
    """``labs/prelab/<lab>.md``: an optional ``# title`` and intro, then ``## Q1``, ``## Q2``, ... each with
    its question and one ``**Answer.** ...``. Returns {"title", "intro", "questions": [(q, a), ...]}."""
    if not path.exists():
        raise HandoutError(f"{path}: no pre-lab quiz (write '## Q1' question, then '**Answer.** ...')")
    title, intro, questions, current = "", [], [], None
    for n, line in enumerate(path.read_text().splitlines(), 1):
        if line.startswith("# ") and not questions and not title:
            title = line[2:].strip()
        elif line.startswith("## "):
            q = re.fullmatch(r"## Q(\d+)\s*", line)
            if not q:
                raise HandoutError(f"{path}:{n}: '{line}' is not a question heading ('## Q{len(questions) + 1}')")
            if int(q.group(1)) != len(questions) + 1:
                raise HandoutError(f"{path}:{n}: '{line}' is out of order: expected '## Q{len(questions) + 1}'")
            questions.append({"line": n, "q": [], "a": None})
            current = questions[-1]
        elif current is None:
            intro.append(line)
        elif line.startswith("**Answer.**"):
            if current["a"] is not None:
                raise HandoutError(f"{path}:{n}: Q{len(questions)} has a second '**Answer.**'")
            current["a"] = [line[len("**Answer.**"):]]
        else:
            current["q" if current["a"] is None else "a"].append(line)
    if not questions:
        raise HandoutError(f"{path}: no questions ('## Q1' question, then '**Answer.** ...')")
    out = [("\n".join(q["q"]).strip(), "\n".join(q["a"] or []).strip()) for q in questions]
    for k, ((text, answer), q) in enumerate(zip(out, questions), 1):
        if not text or not answer:
            raise HandoutError(f"{path}:{q['line']}: Q{k} has no " + ("question text" if not text else
                               "answer (a line starting '**Answer.**', then the answer)"))
    return {"title": title, "intro": "\n".join(intro).strip(), "questions": out}


def read_lab(lab: str, source: Path = SOURCE, prelab: Path = PRELAB, cases: Path = CASES) -> Lab:
    path = source / lab / f"{lab}.ipynb"
    if not path.exists():
        known = ", ".join(sorted(p.name for p in source.iterdir() if p.is_dir()))
        raise HandoutError(f"{lab}: no notebook {path} (the labs: {known})")
    cells = json.loads(path.read_text()).get("cells", [])
    if not cells or cells[0].get("cell_type") != "markdown":
        raise HandoutError(f"{lab}: the first cell is not the markdown intro")
    intro, warnings = _intro(lab, _src(cells[0])), []
    items = _items(lab, cells, warnings)
    if not any(it.kind != "not graded" for it in items):
        raise HandoutError(f"{lab}: no graded cells (nbgrader metadata grade=True)")
    total = sum(it.points or 0 for it in items)
    said = re.match(r"\s*(\d+(?:\.\d+)?)", intro["points"])
    if said and float(said.group(1)) != total:
        warnings.append(f"the intro says {said.group(1)} points, the graded cells add up to {total:g}")
    return Lab(lab, intro, _parts(lab, cells), items, read_quiz(prelab / f"{lab}.md"), read_cases(lab, cases), warnings)


# -- the pages --------------------------------------------------------------------------------

CSS = """body{font:15px/1.5 Georgia,serif;max-width:50em;margin:2em auto;padding:0 1em;color:#111}
h1{font-size:1.6em;margin-bottom:.2em}h2{border-bottom:1px solid #999;margin-top:1.6em}h3{margin-bottom:.3em}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #aaa;padding:.2em .6em;text-align:left}
td.min{text-align:right}tr.total td{font-weight:bold}pre{background:#f4f4f4;padding:.5em;white-space:pre-wrap;
font-size:.85em;border-left:3px solid #bbb}code{font-size:.9em}.note{border:2px solid #a33;padding:.5em 1em}
.warn{color:#a33}section.graded,section.solution{border-top:1px dashed #999;margin-top:1em}.kind{color:#555}
ol.quiz li{margin-bottom:.6em}@media print{body{margin:0;max-width:none;font-size:11pt}a{color:#000}
section,tr,li{page-break-inside:avoid}h2{page-break-after:avoid}}"""


def page(title: str, body: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{_esc(title)}</title>'
            f"<style>{CSS}</style></head>\n<body>\n{body}\n</body></html>\n")


def student_page(lab: Lab) -> str:
    i = lab.intro
    rows = "".join(f'<tr class="part"><td>{inline(t)}</td><td class="min">{m}</td></tr>' for t, m in lab.parts)
    quiz = "".join(f"<li>{md(q)}</li>" for q, _ in lab.quiz["questions"])
    return page(i["title"], f"""<h1>{_esc(i["title"])}</h1>
{md(i["lead"])}
<h2>Learning objectives</h2>
{md(i["stem"])}<ul>{''.join(f'<li>{inline(o)}</li>' for o in i["objectives"])}</ul>
<h2>Time</h2>
<table><tr><th>Part</th><th>Minutes</th></tr>{rows}<tr class="total"><td>Total</td>
<td class="min">{sum(m for _, m in lab.parts)}</td></tr></table>
{md(i["time"])}
<h2>Before this lab</h2>
{md(i["before"])}
<h2>Points</h2>
{md(i["points"])}
<h2>Pre-lab quiz</h2>
{md(lab.quiz['intro'])}<ol class="quiz">{quiz}</ol>""")


def _function_notes(lab: Lab, names: list) -> str:
    return "".join(f"<h4>What the autograder says about <code>{_esc(name)}</code></h4><ul>"
                   + "".join(f"<li>{kind}: {_esc(m)}</li>" for kind, m in autograder_says(lab.cases[name]))
                   + "<li>calls the kit's own implementation of it: no points</li></ul>"
                   for name in names if name in (lab.cases or {}))


def _item(lab: Lab, it: Item) -> str:
    if it.kind == "not graded":
        return (f'<section class="solution" id="cell-{_esc(it.cell)}"><h3>{_esc(it.cell)} '
                f'<span class="kind">(a solution no cell grades)</span></h3>{it.answer}</section>')
    head = (f'<section class="graded" id="cell-{_esc(it.cell)}" data-points="{it.points:g}"><h3>{_esc(it.cell)}: '
            f'<span class="points">{it.points:g} points</span> <span class="kind">({it.kind})</span></h3>')
    if it.kind == "written":
        return (f"{head}<h4>Question</h4>{it.question}<h4>Model answer</h4>{it.answer}"
                f"<h4>Rubric</h4>{it.rubric}</section>")
    if it.kind == "autograded":
        visible, hidden = it.tests
        return (f"{head}<h4>Model answer</h4>{it.answer or '<p>(no solution cell found)</p>'}"
                f"<h4>Test (all or nothing: the points when the cell runs without an error)</h4>{_pre(visible)}"
                + (f"<h4>Hidden tests (run only when grading)</h4>{_pre(hidden)}" if hidden else "")
                + _function_notes(lab, it.functions) + "</section>")
    return f"{head}<h4>The cell (no rubric in the source)</h4>{it.answer}</section>"


def late_policy() -> str:
    """The policy labs/nbgrader_config.py sets (labs/late_penalty.py), in words."""
    sys.path.insert(0, str(HERE))
    from late_penalty import LatePenalty
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(HERE)).load_config()
    return LatePenalty(config=config).describe()


def grader_page(lab: Lab, late: str) -> str:
    graded = [it for it in lab.items if it.kind != "not graded"]
    rows = "".join(f"<tr><td><a href='#cell-{_esc(it.cell)}'>{_esc(it.cell)}</a></td><td>{it.kind}</td>"
                   f"<td class='min'>{it.points:g}</td></tr>" for it in graded)
    warn = "".join(f'<p class="warn">Check the notebook: {_esc(w)}.</p>' for w in lab.warnings)
    cases = "" if lab.cases is not None else "<p>(no autograder cases for this lab yet: no named mistakes)</p>"
    quiz = "".join(f"<li>{md(q)}<p><strong>Answer.</strong></p>{md(a)}</li>" for q, a in lab.quiz["questions"])
    title = f"{lab.intro['title']}: grader's sheet"
    return page(title, f"""<h1>{_esc(title)}</h1>
<div class="note"><p><strong>For graders only: do not give this sheet to students.</strong> nbgrader's formgrader
shows each submission and its points, but not the source notebook's model solutions nor the rubrics
(the release strips them): this sheet puts them beside the cell ids formgrader shows.</p></div>
{warn}
<h2>Points</h2>
<table><tr><th>Cell</th><th>Graded</th><th>Points</th></tr>{rows}<tr class="total"><td>Total</td><td></td>
<td class="min">{sum(it.points for it in graded):g}</td></tr></table>
<h2>Graded cells, in notebook order</h2>
{cases}{''.join(_item(lab, it) for it in lab.items)}
<h2>Pre-lab quiz, with answers</h2>
<ol class="quiz">{quiz}</ol>
<h2>Late submissions</h2>
<p>{html.escape(late)} nbgrader applies it when it autogrades, to submissions later than the lab's due date
(<code>labs/late_penalty.py</code>, configured in <code>labs/nbgrader_config.py</code>). Set the due date once,
in <code>labs/</code>: <code>nbgrader db assignment add {lab.name} --duedate="2027-02-01 17:00:00 UTC"</code>.
The penalty is computed from the score at the time autograde runs: after grading the written answers,
run <code>nbgrader autograde {lab.name} --force</code> again so that they are penalised too (it keeps
the hand grades). <code>nbgrader export</code> reports the raw score, the penalty and the score.</p>""")


def build(labs=None, out: Path = ROOT / "build" / "handouts", source: Path = SOURCE, prelab: Path = PRELAB,
          cases: Path = CASES) -> dict:
    """Write the pages of ``labs`` (default: every lab in ``source``) under ``out``; returns {lab: error or
    None}. A lab whose sources break the conventions gets no pages; the others are built."""
    labs = list(labs or sorted(p.name for p in source.iterdir() if (p / f"{p.name}.ipynb").exists()))
    late, result = late_policy(), {}
    for name in labs:
        try:
            lab = read_lab(name, source, prelab, cases)
        except HandoutError as e:
            result[name] = str(e)
            for stale in ("student.html", "grader.html"):        # no pages from an older source stay linked
                (out / name / stale).unlink(missing_ok=True)
            continue
        (out / name).mkdir(parents=True, exist_ok=True)
        (out / name / "student.html").write_text(student_page(lab))
        (out / name / "grader.html").write_text(grader_page(lab, late))
        result[name] = None
    built = sorted(p.parent.name for p in out.glob("*/student.html"))
    links = "".join(f'<li>{_esc(n)}: <a href="{n}/student.html">student page</a> · '
                    f'<a href="{n}/grader.html">grader\'s sheet</a></li>' for n in built)
    out.mkdir(parents=True, exist_ok=True)
    (out / "index.html").write_text(page("Course labs: handouts", f"<h1>Course labs: handouts</h1><ul>{links}</ul>"
                                         "<p>The grader's sheets hold the solutions: keep them from students.</p>"))
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python labs/handouts.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("labs", nargs="*", help="labs to build (default: all of labs/source)")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "handouts", help="default: build/handouts")
    args = parser.parse_args(argv)
    for name, error in (result := build(args.labs, args.out)).items():
        print(f"NOT BUILT: {error}" if error else f"{name}: {args.out / name}/student.html, grader.html",
              file=sys.stderr if error else sys.stdout)
    print(f"index: {args.out / 'index.html'}")
    return int(any(result.values()))


if __name__ == "__main__":
    sys.exit(main())
