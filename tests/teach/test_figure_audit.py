"""The figure audit: every figure has a title and axis labels; it runs in a kernel only when loaded."""


import matplotlib
import matplotlib.pyplot as plt

from affectkit.teach import figure_audit

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
















