"""The package's three layers, as README's layout section draws them.

The science (the packages of the two papers, ``text``, ``data``, ``features``, the loop,
profiles, metrics, probes, latent maps) sits at the top of ``affectkit``; the notebooks'
support is ``affectkit.teach``; the command line, runner, gallery and report are
``affectkit.tools``. Arrows point down only (tools -> teach -> science), no module imports
itself back through a cycle, only the lesson modules name a notebook file, and each idea
(a training loop, an atomic writer, a masked mean, a batch cycle) is written once.
Imports inside functions count: a lazy import is still an arrow.
"""

import ast
import re
from pathlib import Path

import pytest

import affectkit

PACKAGE = Path(affectkit.__file__).resolve().parent
FACADE = {"affectkit", "affectkit.__main__"}   # re-exports and the entry point
RANK = {"science": 0, "teach": 1, "tools": 2}
NOTEBOOK_FILE = re.compile(r"\b\d\d_[a-z]+(?:_[a-z]+)*\b")   # 05_dg_moment_matching


def modules() -> dict:
    """Module name -> (path, is_package) for every module of affectkit."""
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = ("affectkit",) + path.relative_to(PACKAGE).with_suffix("").parts
        is_pkg = parts[-1] == "__init__"
        out[".".join(parts[:-1] if is_pkg else parts)] = (path, is_pkg)
    return out


def imports(name: str, path: Path, is_pkg: bool, known: set) -> set:
    """The affectkit modules that ``name`` imports, anywhere in its file."""
    package = name if is_pkg else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "affectkit"}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "affectkit":
                continue
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                found.add(sub if sub in known else target)
    return found - {name}


def graph() -> dict:
    mods = modules()
    known = set(mods)
    return {name: imports(name, path, is_pkg, known) for name, (path, is_pkg) in mods.items()}


def layer(name: str) -> str:
    if name.startswith("affectkit.tools"):
        return "tools"
    if name.startswith("affectkit.teach") or name in FACADE:   # the facade re-exports teach.record
        return "teach"
    return "science"


def cycles(edges: dict) -> list:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def test_the_three_layers_exist():
    names = set(modules())
    assert {"affectkit.loop", "affectkit.config", "affectkit.cmdm.losses", "affectkit.easum.mag"} <= names
    assert {"affectkit.teach.record", "affectkit.teach.lessons", "affectkit.teach.readings"} <= names
    assert {"affectkit.tools.cli", "affectkit.tools.runner", "affectkit.tools.report"} <= names


def test_no_import_cycle():
    found = cycles(graph())
    assert found == [], f"modules that import each other back: {found}"


def test_cycle_finder_finds_one():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_arrows_point_down():
    up = sorted(f"{a} -> {b}" for a, targets in graph().items() if a not in FACADE
                for b in targets if RANK[layer(b)] > RANK[layer(a)])
    assert up == [], "a lower layer imports a higher one:\n" + "\n".join(up)


def test_only_the_lessons_name_a_notebook_file():
    """Notebooks share trained models through keys derived from the setting; only the
    lesson modules (affectkit.teach.lessons) know which notebook is which."""
    found = []
    for name, (path, _) in modules().items():
        if name.startswith("affectkit.teach.lessons"):
            continue
        for i, line in enumerate(path.read_text().splitlines(), 1):
            found += [f"{path.relative_to(PACKAGE.parent)}:{i}: {m}" for m in NOTEBOOK_FILE.findall(line)]
    assert found == [], "notebook file names in the library:\n" + "\n".join(found)


@pytest.mark.parametrize("pattern, home, idea", [
    (r"\.backward\(\)", "loop.py", "a training loop"),
    (r"os\.replace\(|\.replace\(path\)|mkstemp\(", "files.py", "an atomic writer"),
    (r"\.sum\(1\) / (np\.maximum\(|\w+\.sum\(1\))", "data/transforms.py", "a masked mean pooling"),
    (r"while True:\s*\n\s*yield from", "data/dataset.py", "an endless batch cycle"),
])
def test_each_idea_is_written_once(pattern, home, idea):
    """The duplicate scan: one loop, one pooling, one writer, one cycle."""
    places = sorted(str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py")
                    if re.search(pattern, p.read_text()))
    assert places == [home], f"{idea} is written in {places}, not only in {home}"
