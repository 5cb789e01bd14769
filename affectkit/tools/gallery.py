"""The gallery of executed notebooks (``make run``): ``build/index.html``, readable offline.

Per notebook: its title, what it teaches, one headline figure, its findings in
words (the "What you learned" table of :mod:`affectkit.teach.lessons`, with a pass mark
from the same check the tests assert: the claim reproduces exactly when the lab
profile says it should), and its run time. The executed notebooks are rendered
to HTML whose equations are typeset by a local copy of MathJax
(``jupyter_server_mathjax``), so nothing is fetched from the web.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path

MATHJAX_CONFIG = "TeX-AMS-MML_HTMLorMML-full,Safe"   # the configs jupyter_server_mathjax ships


def mathjax_folder() -> Path:
    """The MathJax 2 files shipped by the ``jupyter_server_mathjax`` package."""
    import jupyter_server_mathjax

    return Path(jupyter_server_mathjax.__file__).parent / "static"


def install_mathjax(out_dir: Path) -> Path:
    """Copy MathJax into ``out_dir/mathjax`` once (the HTML pages load it from there)."""
    target = Path(out_dir) / "mathjax"
    if not (target / "MathJax.js").exists():
        shutil.copytree(mathjax_folder(), target, dirs_exist_ok=True)
    return target


def render_html(notebook: Path, mathjax_url: str | None = None) -> Path:
    """Render an executed notebook to HTML beside it, equations typeset by a local MathJax.

    Args:
        mathjax_url: where the page loads MathJax from; default: the ``mathjax``
            folder one level up (``build/mathjax`` for ``build/notebooks/*.html``),
            installed there when missing.
    """
    import nbformat
    from nbconvert import HTMLExporter

    notebook = Path(notebook)
    if mathjax_url is None:
        install_mathjax(notebook.parent.parent)
        mathjax_url = f"../mathjax/MathJax.js?config={MATHJAX_CONFIG}"
    body, _ = HTMLExporter(mathjax_url=mathjax_url).from_notebook_node(nbformat.read(str(notebook), as_version=4))
    target = notebook.with_suffix(".html")
    target.write_text(body, encoding="utf-8")
    return target


def _text(source) -> str:
    return source if isinstance(source, str) else "".join(source)


def summary(notebook: Path) -> dict:
    """Title, what it teaches (the opening's first sentence) and the first figure of an executed notebook."""
    nb = json.loads(Path(notebook).read_text(encoding="utf-8"))
    title, teaches, figure = Path(notebook).stem, "", None
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown" and not teaches:
            text = _text(cell["source"])
            head = re.search(r"^#\s+(.+)$", text, re.M)
            if head:
                title = head.group(1).strip()
            # the opening paragraph and its numbered list, up to the next bold heading ("**Papers.**")
            what = re.search(r"\*\*What this notebook teaches\.\*\*\s*(.+?)(?:\n\n\*\*|\n#|$)", text, re.S)
            if what:
                teaches = " ".join(what.group(1).split())
        for o in cell.get("outputs", []):
            if figure is None and "image/png" in o.get("data", {}):
                figure = _text(o["data"]["image/png"]).replace("\n", "")
    return {"title": title, "teaches": teaches, "figure": figure}


def findings(stem: str, results: dict, profile: str) -> list:
    """[(claim, result, reproduces, pass mark)]: the lessons' claims on this run's sidecar."""
    from ..teach import lessons

    if stem not in lessons.notebooks():
        return []
    claims = lessons.claims(stem)
    table = lessons.what_you_learned(stem, results, profile)
    out = []
    for claim, row in zip(claims, table.itertuples(index=False)):
        mark = "" if profile in lessons.SMALL else ("pass" if lessons.as_expected(claim, row[2], profile) else "FAIL")
        out.append((row[0], row[1], row[2], mark))
    return out


STYLE = """body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222}
section{border-bottom:1px solid #ddd;padding:1em 0}h2{margin:.2em 0}.meta{color:#666}
.row{display:flex;gap:1.5em;align-items:flex-start}.row img{max-width:420px;border:1px solid #eee}
table{border-collapse:collapse;font-size:.92em}td,th{padding:3px 8px;border-bottom:1px solid #eee;
text-align:left;vertical-align:top}.pass{color:#1a7f37;font-weight:bold}.FAIL{color:#c0392b;font-weight:bold}"""


def write(runs: list, out_dir: Path, profile: str) -> Path:
    """``out_dir/index.html`` for the runner's :class:`~affectkit.tools.runner.Run` list; figures are
    embedded, so the page is one file plus the per-notebook HTML pages it links."""
    sections = []
    for r in runs:
        info = summary(r.output)
        rows = "".join(
            f"<tr><td>{html.escape(c)}</td><td>{html.escape(res)}</td><td>{html.escape(rep)}</td>"
            f"<td class='{mark}'>{mark}</td></tr>" for c, res, rep, mark in findings(r.notebook, r.results, profile))
        table = (f"<table><tr><th>paper claim</th><th>this run</th><th>reproduces?</th><th>as the tests assert</th>"
                 f"</tr>{rows}</table>") if rows else "<p class='meta'>no findings recorded</p>"
        image = (f"<img alt='headline figure of {html.escape(r.notebook)}' "
                 f"src='data:image/png;base64,{info['figure']}'>") if info["figure"] else ""
        sections.append(
            f"<section id='{html.escape(r.notebook)}'><h2><a href='notebooks/{html.escape(r.notebook)}.html'>"
            f"{html.escape(info['title'])}</a></h2><p class='meta'>run time {r.seconds:.1f} s ({html.escape(profile)} "
            f"profile)</p><p>{html.escape(info['teaches'])}</p><div class='row'>{image}<div>{table}</div></div></section>")
    page = (f"<!doctype html><html><head><meta charset='utf-8'><title>affectkit gallery</title>"
            f"<style>{STYLE}</style></head><body><h1>affectkit: the executed notebooks</h1>"
            f"<p class='meta'>Each notebook as it ran here ({html.escape(profile)} profile): open its title for the "
            f"full page. Findings: the papers' claims, this run's result, and whether the claim reproduced "
            f"as the kit's tests expect.</p>{''.join(sections)}</body></html>")
    target = Path(out_dir) / "index.html"
    target.write_text(page, encoding="utf-8")
    return target

