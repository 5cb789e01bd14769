"""The tests' scan of an executed notebook, as a student would read it (tests/scan.py)."""

import matplotlib

from . import scan

matplotlib.use("Agg")


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
