"""Number formats the lessons' README lines share."""

from __future__ import annotations

import numpy as np

ASSERTED = "**(asserted)**"   # ends a README line whose finding a claim asserts at the lab profile


def f(x, digits=3) -> str:
    return f"{x:.{digits}f}"


def pm(values, digits=3) -> str:
    """mean ± std (population std, as the notebooks' tables) of per-seed values."""
    v = np.asarray(values, dtype=float)
    return f"{v.mean():.{digits}f} ± {v.std():.{digits}f}"


def gain_row(row) -> str:
    """A seed-paired gain row (mean, std, better_on, seeds) in words."""
    return f"{row['mean']:+.3f} ± {row['std']:.3f}, better on {row['better_on']} of {row['seeds']} seeds"
