"""The figure audit, progress lines, diagrams and the executed-notebook scan."""


import matplotlib
import matplotlib.pyplot as plt

from affectkit import progress
from affectkit.cmdm import CMDM
from affectkit.config import PROFILES
from affectkit.easum import DGModel, DSModel
from affectkit.teach import diagrams, figure_audit

from .. import scan

matplotlib.use("Agg")


def test_audit_finds_missing_title_and_labels():
    fig, (a, b) = plt.subplots(1, 2, sharey=True)
    a.plot([0, 1])
    b.plot([1, 0])
    found = figure_audit.problems(fig)
    assert "a figure has no title" in found
    assert sum("no x label" in p for p in found) == 2 and sum("no y label" in p for p in found) == 2
    fig.suptitle("t")
    a.set_xlabel("x")
    b.set_xlabel("x")
    a.set_ylabel("y")   # b shares y with a: one label serves the row
    assert figure_audit.problems(fig) == []
    plt.close("all")


def test_diagrams_are_drawn_from_the_models():
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = CMDM(PROFILES["paper"].shapes, 4, "paper")
    fig = diagrams.cmdm(model)
    text = " ".join(t.get_text() for t in fig.axes[0].texts)
    assert "1582" in text and "18 x 342" in text and "22 x 1024" in text and "128-d" in text
    for eq in ("Eq. 2", "Eq. 5", "Eq. 7", "Eq. 8", "Eq. 9"):
        assert eq in text, eq
    assert figure_audit.problems(fig) == []
    shapes = {"L": (6, 12), "A": (4, 5), "V": (4, 7)}
    dg, ds = DGModel(shapes, "smoke"), DSModel(shapes, "emotion", n_classes=7, arch="smoke")
    fig = diagrams.easum(dg, ds)
    text = " ".join(t.get_text() for t in fig.axes[0].texts)
    assert f"{dg.encoder.config.num_hidden_layers} layers" in text and "frozen" in text and "KL" in text
    assert "aux head: 3 polarities" in text
    plt.close("all")


def test_audit_runs_in_a_kernel_only_when_loaded(tmp_path):
    """The tests' kernels load the audit through IPython's config; a plain kernel has none."""
    import nbformat
    from nbclient import NotebookClient

    cell = ("import matplotlib.pyplot as plt\n"
            "plt.plot([1, 2])\n")
    for audited in (True, False):
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(cell)])
        env = {"IPYTHONDIR": scan.audit_ipython_dir(tmp_path / "audited")} if audited else \
              {"IPYTHONDIR": str(tmp_path / "plain")}
        import os
        old = {k: os.environ.get(k) for k in env}
        os.environ.update(env)
        try:
            NotebookClient(nb, kernel_name="python3", timeout=120).execute()
        finally:
            for k, v in old.items():
                os.environ.pop(k) if v is None else os.environ.__setitem__(k, v)
        stderr = "".join(o.get("text", "") for o in nb.cells[0].outputs if o.get("name") == "stderr")
        assert (figure_audit.PREFIX in stderr) is audited, stderr
        if audited:
            assert "has no title" in stderr and "no x label" in stderr


def test_import_has_no_side_effect(tmp_path):
    """``import affectkit`` (and every module in it) installs no IPython hook and writes no file."""
    import subprocess
    import sys

    code = ("from IPython.core.interactiveshell import InteractiveShell\n"
            "shell = InteractiveShell.instance()\n"
            "before = {k: list(v) for k, v in shell.events.callbacks.items()}\n"
            "import importlib, pkgutil, affectkit\n"
            "for m in pkgutil.walk_packages(affectkit.__path__, 'affectkit.'):\n"
            "    if not m.name.endswith('__main__'):\n"
            "        importlib.import_module(m.name)\n"
            "after = {k: list(v) for k, v in shell.events.callbacks.items()}\n"
            "assert before == after, (before, after)\n")
    run = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    assert list(tmp_path.iterdir()) == []


def test_progress_summary_line():
    import io
    bar = progress.text_bar(total=4, desc="training", unit="run", file=io.StringIO())
    bar.n = 4
    assert progress.summary(bar).startswith("training: 4/4 run in ")
    bar.n = 2
    assert progress.summary(bar).endswith("(stopped early)")
    assert not progress.in_kernel()


def _nb(cells):
    return {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def _md(text):
    return {"cell_type": "markdown", "source": text, "metadata": {}}


def _code(source, outputs=()):
    return {"cell_type": "code", "source": source, "outputs": list(outputs), "metadata": {}}


TABLE = {"output_type": "display_data", "data": {"text/html": "<table><th>paper claim</th><th>reproduces?</th>",
                                                  "text/plain": "paper claim"}}


def _ending():
    return [_md("## What you learned"), _code("lessons.show(stem)", [TABLE])]


def test_scan_accepts_a_clean_notebook_and_names_each_problem():
    printed = {"output_type": "stream", "name": "stdout", "text": "UA 0.612\n"}
    clean = _nb([_md("See Sec. 3.1 and Eqs. 6-9; $\\sigma = 0.5$."), _code("print(ua)", [printed]),
                 _md("The UA above, 0.612, is a number the run printed."), *_ending()])
    assert scan.problems(clean) == []
    typed = _nb([_code("print(ua)", [printed]), _md("The model reaches 0.71 UA."), *_ending()])
    assert any("'0.71'" in p for p in scan.problems(typed))
    bad = _nb([_code("x", [{"output_type": "error", "ename": "KeyError", "evalue": "'a'", "traceback": []},
                           {"output_type": "stream", "name": "stderr", "text": "UserWarning: x\n"},
                           {"output_type": "display_data", "data": {
                               "application/vnd.jupyter.widget-view+json": {}, "text/plain": "  0%|   | 0/3"}},
                           {"output_type": "execute_result", "data": {
                               "text/plain": "<function f at 0x7f00aa>"}}])])
    found = "\n".join(scan.problems(bad))
    for what in ("traceback", "stderr", "widget without a static fallback", "stray repr", "What you learned"):
        assert what in found, what


def test_scan_wants_the_table_last():
    late = _nb([*_ending(), _md("## Try it")])
    assert any("must end the notebook" in p or "does not end" in p for p in scan.problems(late))
    no_table = _nb([_md("## What you learned"), _code("pass")])
    assert any("does not show" in p for p in scan.problems(no_table))
