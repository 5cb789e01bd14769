"""The scan of an executed notebook, as a student would read it.

``problems(nb)`` lists what a reader of the executed notebook (smoke or lab)
would trip over:

- a number typed into markdown that the run does not print: every decimal or
  percentage in the prose (outside equations and code spans) must be printed
  by the run, set in the notebook's code, or be one of the papers' numbers
  kept in ``affectkit/*/reference.py``;
- a figure without a title or an axis label (the kernel's figure audit,
  :mod:`affectkit.teach.figure_audit`, prints those to stderr);
- a traceback, a warning, any stderr text, a stray ``<... at 0x...>`` repr, or a
  widget without a static fallback (a progress bar frozen in a static view);
- a notebook that does not end with its "What you learned" table.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import affectkit

MATH = re.compile(r"\$\$.*?\$\$|\$[^$\n]+\$|`[^`\n]*`|<[^>\n]+>", re.S)
NUMBER = re.compile(r"(?<![\w.])[-+−]?\d[\d,]*\.\d+%?|(?<![\w.])\d+(?:\.\d+)?\s?%")
ANY_NUMBER = re.compile(r"[-+−]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")
REFERENCE = re.compile(r"(?:Sec\.|Secs\.|Section|Sections|Eq\.|Eqs\.|Table|Fig\.|Figs\.|§|Python)\s*"
                       r"(?:[\d.]+(?:,|-|–| and| or)\s*)*$")
WIDGET = "application/vnd.jupyter.widget-view+json"
AUDIT_CONFIG = 'c.InteractiveShellApp.extensions = ["affectkit.teach.figure_audit"]\n'


def audit_ipython_dir(folder: Path) -> str:
    """An ``IPYTHONDIR`` whose default profile loads the figure audit in every kernel
    started with it in the environment (importing affectkit installs nothing)."""
    profile = Path(folder) / "profile_default"
    profile.mkdir(parents=True, exist_ok=True)
    (profile / "ipython_config.py").write_text(AUDIT_CONFIG)
    return str(folder)


STRAY = re.compile(r"<[\w.]+ (?:object )?at 0x[0-9a-f]+>|^<function |^<Figure size", re.M)


def _text(x) -> str:
    return x if isinstance(x, str) else "".join(x)


def _value(token: str):
    token = token.replace("−", "-").replace(",", "").replace(" ", "")
    pct = token.endswith("%")
    token = token.rstrip("%")
    decimals = len(token.split(".")[1]) if "." in token else 0
    return float(token), decimals, pct


@lru_cache(maxsize=1)
def _reference_numbers() -> frozenset:
    root = Path(affectkit.__file__).parent
    text = "".join(p.read_text() for p in root.glob("*/reference.py"))
    return frozenset(float(t) for t in ANY_NUMBER.findall(text))


def _numbers(text: str) -> set:
    out = set()
    for t in ANY_NUMBER.findall(text.replace("−", "-")):
        try:
            out.add(float(t))
        except ValueError:
            pass
    return out


def _matches(token: str, known: set, exact: frozenset = frozenset()) -> bool:
    """The token is one of ``known`` at the token's precision (0.42 for a printed
    0.4243), or exactly one of ``exact`` (a paper's 0.725, or 72.5 as a percentage)."""
    value, decimals, pct = _value(token)
    if {value, abs(value), round(value / 100, 6), round(abs(value) / 100, 6)} & exact:
        return True
    candidates = {value, abs(value)} | ({value / 100, abs(value) / 100} if pct else set())
    if not pct and "." in token:   # "3.5 points" of a paper's 0.035
        candidates |= {value / 100, abs(value) / 100}
    for k in known:
        for c in candidates:
            digits = decimals if c in (value, abs(value)) else decimals + 2
            if round(k, digits) == round(c, digits) or round(-k, digits) == round(c, digits):
                return True
    return False


def outputs_text(nb: dict) -> str:
    parts = []
    for cell in nb["cells"]:
        for o in cell.get("outputs", []):
            if "text" in o:
                parts.append(_text(o["text"]))
            for mime in ("text/plain", "text/html", "text/markdown"):
                if mime in o.get("data", {}):
                    parts.append(_text(o["data"][mime]))
    return "\n".join(parts)


def problems(nb: dict) -> list:
    out = []
    printed = outputs_text(nb)
    code = "\n".join(_text(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    known = _numbers(printed) | _numbers(code)
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "markdown":
            prose = MATH.sub(" ", _text(cell["source"]))
            for match in NUMBER.finditer(prose):
                token = match.group(0)
                if REFERENCE.search(prose[max(0, match.start() - 40):match.start()]):
                    continue   # "Sec. 3.1", "Eqs. 6-9": a reference, not a number
                if not _matches(token, known, _reference_numbers()):
                    out.append(f"cell {i}: the prose types {token.strip()!r}, which this run does not print")
            continue
        if cell["cell_type"] != "code":
            continue
        has_image = any("image/png" in o.get("data", {}) for o in cell.get("outputs", []))
        for o in cell.get("outputs", []):
            kind = o.get("output_type")
            if kind == "error":
                out.append(f"cell {i}: a traceback ({o.get('ename')}: {o.get('evalue')})")
            elif kind == "stream" and o.get("name") == "stderr" and _text(o["text"]).strip():
                out.append(f"cell {i}: stderr output: {_text(o['text']).strip()[:200]!r}")
            elif kind == "stream" and re.search(r"\b\w*Warning\b", _text(o["text"])):
                out.append(f"cell {i}: a warning in the output: {_text(o['text']).strip()[:200]!r}")
            data = o.get("data", {})
            if WIDGET in data:
                fallback = _text(data.get("text/plain", ""))
                if not has_image or "%|" in fallback:
                    out.append(f"cell {i}: a widget without a static fallback: {fallback[:80]!r}")
            plain = _text(data.get("text/plain", "")) if WIDGET not in data else ""
            if plain and STRAY.search(plain) and "text/html" not in data and "image/png" not in data:
                out.append(f"cell {i}: a stray repr: {plain[:80]!r}")
    heads = [i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "markdown"
             and re.search(r"^#+\s*What you learned", _text(c["source"]), re.M)]
    last_code = max((i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code"), default=-1)
    if not heads or heads[-1] > last_code:
        out.append("the notebook does not end with a 'What you learned' section and its table")
    else:
        tail = nb["cells"][last_code]
        html = "".join(_text(o.get("data", {}).get("text/html", "")) for o in tail.get("outputs", []))
        if "paper claim" not in html or "reproduces?" not in html:
            out.append("the last cell does not show the 'What you learned' table "
                       "(affectkit.teach.lessons.show(stem, profile))")
        if any(c["cell_type"] == "markdown" for c in nb["cells"][last_code + 1:]):
            out.append("markdown after the 'What you learned' table: it must end the notebook")
    return out
