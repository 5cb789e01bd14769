"""Execute the kit's notebooks headlessly (papermill), render them, build the gallery.

    python -m affectkit.tools.runner --profile lab --out build

runs every ``notebooks/NN_*.ipynb`` with kernel ``python3`` into
``build/notebooks/``, renders each to HTML (equations by a local MathJax),
writes each sidecar to ``build/results/`` and the gallery ``build/index.html``
(:mod:`affectkit.tools.gallery`: per notebook its title, what it teaches, a figure,
its findings with their pass marks and its run time), and prints a table.
``--readme README.md`` then regenerates the README's results section from
those sidecars (:mod:`affectkit.tools.report`). The test suite uses :func:`execute` too, so CI runs notebooks exactly as users do.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from . import gallery
from .args import positive_int

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"


class NotebookError(RuntimeError):
    """A notebook could not run: bad parameters, a failing cell, no sidecar."""


@dataclass
class Run:
    notebook: str
    seconds: float
    results: dict
    output: Path


def list_notebooks(folder: Path = NOTEBOOKS) -> list:
    """The numbered notebooks ``NN_slug.ipynb`` in teaching order."""
    return sorted(p for p in Path(folder).glob("[0-9][0-9]_*.ipynb"))


def read_notebook(path) -> dict:
    """The notebook's JSON; NotebookError naming the file when it is missing, not
    an ``.ipynb``, not JSON or not a notebook."""
    path = Path(path)
    if path.suffix != ".ipynb":
        raise NotebookError(f"{path}: not a notebook (expected a .ipynb file)")
    if not path.is_file():
        raise NotebookError(f"{path}: no such notebook")
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise NotebookError(f"{path}: not a valid notebook file ({err})") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise NotebookError(f"{path}: valid JSON but not a Jupyter notebook (no 'cells' list)")
    return nb


def notebook_parameters(path: Path) -> dict:
    """Names and defaults of the cell tagged ``parameters``; NotebookError if there is none."""
    import papermill

    nb = read_notebook(path)
    if not any("parameters" in c.get("metadata", {}).get("tags", []) for c in nb["cells"]):
        raise NotebookError(f"{Path(path).name}: no cell tagged 'parameters'")
    return {name: p["default"] for name, p in papermill.inspect_notebook(str(path)).items()}


def stored_outputs(path: Path) -> list:
    """Indices of code cells stored with outputs or execution counts (should be none)."""
    nb = read_notebook(path)
    return [i for i, c in enumerate(nb["cells"])
            if c["cell_type"] == "code" and (c.get("outputs") or c.get("execution_count"))]


def execute(path, out_dir, parameters: dict | None = None, results_dir=None,
            cell_timeout: int = 600) -> Run:
    """Run one notebook with papermill and return its run time and sidecar.

    Args:
        path: the notebook.
        out_dir: where the executed notebook is written (same file name).
        parameters: values for the ``parameters`` cell; a name that the cell
            does not define is an error (papermill would silently add it).
        results_dir: the sidecar directory (``AFFECTKIT_RESULTS_DIR``); default
            ``out_dir / "results"``. A stale sidecar of this notebook is removed first.
        cell_timeout: seconds any one cell may run.
    Raises:
        NotebookError naming the notebook and the failing cell.
    """
    import papermill

    path, out_dir = Path(path), Path(out_dir)
    parameters = dict(parameters or {})
    known = notebook_parameters(path)
    unknown = sorted(set(parameters) - set(known))
    if unknown:
        raise NotebookError(f"{path.name}: unknown parameters {unknown}; its parameters cell "
                            f"defines {sorted(known)}")
    results_dir = Path(results_dir or out_dir / "results")
    results_dir.mkdir(parents=True, exist_ok=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    sidecar = results_dir / f"{path.stem}.json"
    sidecar.unlink(missing_ok=True)
    env = {"AFFECTKIT_NOTEBOOK": path.stem, "AFFECTKIT_RESULTS_DIR": str(results_dir.resolve()),
           "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
           "AFFECTKIT_HEADLESS": "1",  # widgets.interact: the gallery gets the figures, no dead sliders
           # figures must reach the executed notebook even where MPLBACKEND=Agg is set
           "MPLBACKEND": "module://matplotlib_inline.backend_inline"}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    start = time.perf_counter()
    try:
        papermill.execute_notebook(
            str(path), str(out_dir / path.name), parameters=parameters, kernel_name="python3",
            cwd=str(path.parent), execution_timeout=cell_timeout, progress_bar=False,
            log_output=False)
    except papermill.PapermillExecutionError as err:
        raise NotebookError(f"{path.name}: cell {err.cell_index} (execution {err.exec_count}) "
                            f"failed: {err.ename}: {err.evalue}") from None
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    seconds = time.perf_counter() - start
    if not sidecar.exists():
        raise NotebookError(f"{path.name}: ran, but recorded nothing (no {sidecar})")
    return Run(path.stem, seconds, json.loads(sidecar.read_text()), out_dir / path.name)


def headline(results: dict, width: int = 90) -> str:
    """A short text of a sidecar's scalar and small-dict values."""
    parts = []
    for key, value in results.items():
        if isinstance(value, (int, float)):
            parts.append(f"{key}={value:.3g}")
        elif isinstance(value, dict) and all(isinstance(v, (int, float)) for v in value.values()):
            inner = ", ".join(f"{k} {v:.3g}" for k, v in value.items())
            parts.append(f"{key}: {inner}")
    text = "; ".join(parts)
    return text if len(text) <= width else text[: width - 1] + "…"


def main(argv=None, prog: str = "python -m affectkit.tools.runner") -> int:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", default="lab", choices=["smoke", "lab", "paper"],
                        help="sizes every notebook runs at (default lab)")
    checkout = (ROOT / "pyproject.toml").exists()   # an editable install in the repository
    parser.add_argument("--out", default=str((ROOT if checkout else Path.cwd()) / "build"),
                        help="where the executed notebooks, HTML pages and results/ go (default build/)")
    parser.add_argument("--cell-timeout", type=positive_int, default=1800, help="seconds per cell (>= 1)")
    parser.add_argument("--readme", metavar="PATH",
                        help="afterwards, regenerate the results section of this README from the sidecars")
    parser.add_argument("notebooks", nargs="*", help="notebooks to run (default: all)")
    args = parser.parse_args(argv)
    out = Path(args.out)
    paths = [Path(p) for p in args.notebooks] or list_notebooks()
    if not paths:
        print(f"error: no notebooks in {NOTEBOOKS} (an installed affectkit carries no notebooks): pass their "
              f"paths, e.g. python -m affectkit run path/to/notebooks/*.ipynb", file=sys.stderr)
        return 2
    try:   # every notebook checked before any runs
        for path in paths:
            notebook_parameters(path)
    except NotebookError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    runs = []
    for path in paths:
        print(f"running {path.name} ({args.profile}) ...", flush=True)
        try:
            run = execute(path, out / "notebooks", {"profile": args.profile},
                          results_dir=out / "results", cell_timeout=args.cell_timeout)
        except NotebookError as err:
            print(f"FAILED: {err}", file=sys.stderr)
            return 1
        gallery.render_html(run.output)
        runs.append(run)
    page = gallery.write(runs, out, args.profile)
    print(f"\n{'notebook':<26}{'time':>9}  headline numbers")
    for r in runs:
        print(f"{r.notebook:<26}{r.seconds:>8.1f}s  {headline(r.results, 160)}")
    print(f"\ngallery: {page}")
    if args.readme:
        from .report import write_readme

        print(f"results section: {write_readme(args.readme, out / 'results', args.profile)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
