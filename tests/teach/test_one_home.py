"""One home per notebook: what a notebook claims, the README's lines about it and the findings the
tests assert are written once, in its lesson module (:mod:`affectkit.teach.lessons`), and nowhere else."""

import ast
import json
from pathlib import Path

import pytest

from affectkit.teach import lessons, readings
from affectkit.tools.runner import list_notebooks, notebook_parameters

ROOT = Path(__file__).resolve().parents[2]
LESSONS = ROOT / "affectkit" / "teach" / "lessons"
SCANNED = ("affectkit", "tests", "benchmarks")
# the verdict rules: every function of affectkit.teach.readings whose docstring says it is THE rule for a kind
# of claim, and `consistent` (the rule `beats` names)
RULES = {name for name, fn in vars(readings).items()
         if callable(fn) and (fn.__doc__ or "").startswith("THE rule")} | {"consistent"}
RULE_HOMES = (LESSONS, ROOT / "affectkit" / "teach" / "readings.py", ROOT / "tests" / "teach" / "test_readings.py")


def _python_files():
    for folder in SCANNED:
        yield from sorted((ROOT / folder).rglob("*.py"))


def _name(func):
    """The called name: ``f`` of ``f(...)`` or ``x.f(...)``."""
    return getattr(func, "attr", getattr(func, "id", None))


def _recorded_keys() -> set:
    """Every key a notebook records into its sidecar (``affectkit.record("key", ...)`` in a code cell)."""
    keys = set()
    for path in list_notebooks():
        for cell in json.loads(path.read_text())["cells"]:
            if cell["cell_type"] != "code":
                continue
            source = "".join(cell["source"])
            code = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
            for node in ast.walk(ast.parse("\n".join(code))):
                if (isinstance(node, ast.Call) and _name(node.func) == "record" and node.args
                        and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                    keys.add(node.args[0].value)
    return keys


def _reads(tree) -> list:
    """(line, key) of every string looked up in a mapping: ``x["key"]``, ``x.get("key")``, ``"key" in x``
    (``x`` a name there: ``"word" in text[1]`` is a test on a string)."""
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
            out.append((node.lineno, node.slice.value))
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get"
              and node.args and isinstance(node.args[0], ast.Constant)):
            out.append((node.lineno, node.args[0].value))
        elif (isinstance(node, ast.Compare) and isinstance(node.left, ast.Constant)   # "key" in r (a name,
              and isinstance(node.ops[0], (ast.In, ast.NotIn)) and isinstance(node.comparators[0], ast.Name)):
            out.append((node.lineno, node.left.value))                                # not a word in a text)
    return [(line, key) for line, key in out if isinstance(key, str)]


def _written_by_the_library() -> set:
    """Strings the library writes as data of its own outside the lessons (a dict key, a column, a name in a
    tuple: every string constant that is not a lookup): where a notebook records a key of that name
    ("ua", "meld"), a lookup of it may be the library's own table, so the scan cannot call it a
    sidecar read."""
    found = set()
    for path in (ROOT / "affectkit").rglob("*.py"):
        if LESSONS in path.parents:
            continue
        tree = ast.parse(path.read_text())
        looked_up = {id(node.slice) for node in ast.walk(tree) if isinstance(node, ast.Subscript)}
        looked_up |= {id(node.args[0]) for node in ast.walk(tree) if isinstance(node, ast.Call)
                      and isinstance(node.func, ast.Attribute) and node.func.attr == "get" and node.args}
        looked_up |= {id(node.left) for node in ast.walk(tree) if isinstance(node, ast.Compare)}
        found |= {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant)
                  and isinstance(node.value, str) and id(node) not in looked_up}
    return found


def test_every_notebook_has_one_lesson_module():
    """Adding a notebook is its notebook, its lesson module and its solutions: the registry finds the
    module by its NOTEBOOK, and the module carries everything the table, the README and the tests read."""
    found = lessons.notebooks()
    assert list(found) == sorted(p.stem for p in list_notebooks())
    for stem, module in found.items():
        missing = [name for name in ("TITLE", "CLAIMS", "EXERCISES", "readme", "sidecar")
                   if not hasattr(module, name)]
        assert not missing, f"{module.__name__} ({stem}) lacks {missing}"
        assert (ROOT / "notebooks" / "solutions" / f"{stem}.py").exists(), f"{stem}: no solutions file"


@pytest.mark.parametrize("stem", [s for s, m in lessons.notebooks().items() if hasattr(m, "SHARED")])
def test_shared_choices_are_the_notebooks_parameters(stem):
    """The choices other notebooks import from a lesson module are the values of its notebook's
    parameters cell (the cell must hold literals for papermill; the module holds the same values)."""
    path = next(p for p in list_notebooks() if p.stem == stem)
    params = {k: ast.literal_eval(v) for k, v in notebook_parameters(path).items()}
    shared = lessons.notebooks()[stem].SHARED
    assert {k: params.get(k) for k in shared} == shared


def test_findings_rules_live_in_lesson_modules():
    """A findings rule is written in its notebook's lesson module, nowhere else in the library, the
    tests or the benchmarks. This scan finds the two things a findings rule is made of:

    - a call of a verdict rule (:data:`RULES`: ``beats``, ``shape``, ``saturated``, ...), allowed in
      ``affectkit/teach/lessons/``, in ``affectkit/teach/readings.py`` that defines them and in
      ``tests/teach/test_readings.py`` that tests them on numbers;
    - a lookup (``r["key"]``, ``r.get("key")``, ``"key" in r``) of a key that a notebook records into
      its sidecar and that the library does not also write as data of its own: a sidecar read.

    Building an invented sidecar (a dict display, as the rule tests do) reads nothing; the notebooks
    themselves are not scanned: they print their readings with the same rules."""
    sidecar_keys = _recorded_keys() - _written_by_the_library()
    assert len(sidecar_keys) > 60, sorted(sidecar_keys)   # most recorded keys are the notebooks' own
    found = []
    for path in _python_files():
        if path == Path(__file__).resolve() or LESSONS in path.parents:
            continue
        where = path.relative_to(ROOT)
        tree = ast.parse(path.read_text())
        if path not in RULE_HOMES:
            for node in ast.walk(tree):
                if isinstance(node, ast.Call):
                    if _name(node.func) in RULES:
                        found.append(f"{where}:{node.lineno}: calls the verdict rule {_name(node.func)}")
        found += [f"{where}:{line}: reads the sidecar key {key!r}"
                  for line, key in _reads(tree) if key in sidecar_keys]
    assert not found, ("findings rules outside affectkit/teach/lessons/ (move them to the notebook's lesson "
                       "module):\n" + "\n".join(found))


def test_the_scan_finds_a_findings_rule(tmp_path):
    """The scan's two parts, on a findings rule written in a test: a sidecar read and a verdict rule."""
    tree = ast.parse('def lab_03(r):\n    assert r["latent_spread"]["vanilla"] > 5\n'
                     '    return readings.beats([0.1]) and "collapse_runs" in r\n')
    keys = {key for _, key in _reads(tree)}
    assert {"latent_spread", "collapse_runs"} <= keys & (_recorded_keys() - _written_by_the_library())
    assert "beats" in RULES and "saturated" in RULES and "shape" in RULES
