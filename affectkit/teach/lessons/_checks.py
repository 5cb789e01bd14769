"""Small checks shared by the lessons: the exercises' (type first, then the value) and the sidecars'."""

from __future__ import annotations

import math
import numbers

SMALL = ("smoke",)   # profiles too small to show a finding (the verdict column and the checks say so)


def is_number(x) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, bool) and math.isfinite(float(x))


def number(answer, what: str):
    """(value, None) or (None, (False, message)) when ``answer`` is not a finite number."""
    if hasattr(answer, "item") and getattr(answer, "ndim", 0) == 0:
        answer = answer.item()
    if not is_number(answer):
        return None, (False, f"the answer is {what}: one number, got {type(answer).__name__} {answer!r}")
    return float(answer), None


def finite_list(values, what: str):
    """(list of floats, None) when every item of ``values`` is a finite number, else (None, (False, message))."""
    out = []
    for x in values:
        v, bad = number(x, what)
        if bad:
            return None, bad
        out.append(v)
    return out, None


def pair(answer, names: tuple):
    """([a, b], None) when ``answer`` is a tuple or list of two finite numbers, named
    ``names`` in the messages; else (None, (False, message))."""
    if not (isinstance(answer, (tuple, list)) and len(answer) == 2):
        return None, (False, f"give a pair: ({', '.join(names)}), got {answer!r}")
    values = []
    for v, name in zip(answer, names):
        x, bad = number(v, name)
        if bad:
            return None, bad
        values.append(x)
    return values, None


def in_range(value: float, low: float, high: float, right: str, wrong: str, profile: str):
    """The verdict of a lab-size range check (smoke sizes cannot judge it)."""
    if profile in SMALL:
        return None, f"{value:.4g}: the smoke sizes are too small to judge it; run at profile 'lab'"
    if low <= value <= high:
        return True, right.format(value=value)
    return False, wrong.format(value=value, low=low, high=high)


def unit(value) -> bool:
    """A rate or a share: a number in [0, 1] (a sidecar check)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and 0.0 <= value <= 1.0
