"""What the tests submit besides the shipped submissions: per lab (``labs/cases/<lab>.py``)
``SHORTCUTS`` (every function hands its work to affectkit), ``WRONG`` (one classic mistake per
function) and ``BO`` (the mistake of the shipped submission of bo); and ``REDEFINE``, a cell
that switches the checks off as a student might.
"""

import importlib.util
from pathlib import Path

CASES = Path(__file__).resolve().parents[2] / "labs" / "cases"


def lab_data(lab: str):
    """The module ``labs/cases/<lab>.py`` (its SHORTCUTS, WRONG and BO)."""
    spec = importlib.util.spec_from_file_location(f"_lab_cases_{lab}", CASES / f"{lab}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# a notebook that switches the checks off: every check* name replaced, the module patched too
REDEFINE = '''
import sys as _sys
for _name in list(globals()):
    if _name.startswith("check"):
        globals()[_name] = lambda *args, **kwargs: True
for _module in [m for n, m in list(_sys.modules.items()) if n.startswith("affectkit.teach.labs")]:
    for _attr in ("check", "grade"):
        if hasattr(_module, _attr):
            setattr(_module, _attr, lambda *args, **kwargs: True)
'''
