"""The notebook harness itself: it must fail loudly on every kind of broken notebook."""

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from affectkit.tools.runner import NotebookError, execute, headline, notebook_parameters, stored_outputs


def write(tmp_path, *sources, params='profile = "lab"\nseed = 0', name="01_demo.ipynb"):
    cells = []
    if params is not None:
        cell = new_code_cell(params)
        cell.metadata["tags"] = ["parameters"]
        cells.append(cell)
    cells += [new_code_cell(s) for s in sources]
    nb = new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                            "language": "python"}})
    path = tmp_path / name
    nbformat.write(nb, str(path))
    return path


RECORD = "import affectkit\naffectkit.record('profile', profile)"


def test_runs_and_reads_the_sidecar(tmp_path):
    run = execute(write(tmp_path, RECORD), tmp_path / "out", {"profile": "smoke"})
    assert run.results == {"profile": "smoke"} and run.seconds > 0 and run.output.exists()


def test_unknown_parameter_is_an_error(tmp_path):
    with pytest.raises(NotebookError, match=r"unknown parameters \['epochs'\]"):
        execute(write(tmp_path, RECORD), tmp_path / "out", {"epochs": 3})


def test_missing_parameters_cell(tmp_path):
    path = write(tmp_path, RECORD, params=None)
    with pytest.raises(NotebookError, match="no cell tagged 'parameters'"):
        notebook_parameters(path)


def test_failing_cell_is_named(tmp_path):
    path = write(tmp_path, "x = 1", "raise RuntimeError('boom')")
    with pytest.raises(NotebookError, match=r"01_demo.ipynb: cell \d+ .*RuntimeError: boom"):
        execute(path, tmp_path / "out")


def test_missing_sidecar(tmp_path):
    with pytest.raises(NotebookError, match="recorded nothing"):
        execute(write(tmp_path, "x = 1"), tmp_path / "out")


def test_stored_outputs_are_found(tmp_path):
    path = write(tmp_path, "1 + 1")
    nb = nbformat.read(str(path), as_version=4)
    nb.cells[1].execution_count = 1
    nbformat.write(nb, str(path))
    assert stored_outputs(path) == [1]


def test_headline():
    text = headline({"ua": {"A": 0.5}, "n": 3, "rows": [{"a": 1}]})
    assert text == "ua: A 0.5; n=3"
