"""Readings: one sentence, computed from a run's numbers, for a table or a figure.

A notebook never types a measured number into its prose: it prints a reading
built here from the numbers of the same run, so the words cannot disagree with
the outputs above them. Every helper returns a ``str``; the notebooks ``print``
it. The wording is shared, so "within the seed spread" means the same thing in
every notebook: a difference smaller than the standard deviation of the
per-seed differences, or one whose sign changes between seeds.
"""

from __future__ import annotations

import numpy as np


def _num(x, digits=3) -> str:
    return f"{float(x):.{digits}f}"


def _signed(x, digits=3) -> str:
    return f"{float(x):+.{digits}f}"


def seed_verdict(gains, higher_is_better: bool = True) -> str:
    """The verdict on per-seed paired differences (a minus b, one per seed).

    Returns one of "better on every seed", "worse on every seed",
    "better on k of n seeds" (the sign changes: no consistent effect).

    Example:
        >>> seed_verdict([0.02, 0.01, 0.03])
        'better on every seed'
    """
    g = np.asarray(gains, dtype=float).ravel()
    if g.size == 0 or not np.isfinite(g).all():
        raise ValueError(f"seed_verdict needs finite per-seed differences, got {gains!r}")
    better = g > 0 if higher_is_better else g < 0
    if better.all():
        return "better on every seed"
    if not better.any():
        return "worse on every seed" if (g != 0).any() else "equal on every seed"
    return f"better on {int(better.sum())} of {g.size} seeds"


def row_verdict(row) -> str:
    """:func:`seed_verdict` for a seed-paired gain row of a kit table (``better_on``, ``seeds``),
    e.g. a row of :func:`affectkit.easum.experiments.paired_gain`."""
    k, n = int(row["better_on"]), int(row["seeds"])
    if k == n:
        return "better on every seed"
    return "worse on every seed" if k == 0 else f"better on {k} of {n} seeds"


def consistent(gains, higher_is_better: bool = True) -> bool:
    """True when the per-seed differences all have the sign of a gain."""
    return seed_verdict(gains, higher_is_better) == "better on every seed"


def paired(gains, a: str, b: str, what: str = "", higher_is_better: bool = True, digits: int = 3) -> str:
    """A seed-paired comparison in words: "a vs b: +0.012 ± 0.004 UA, better on every seed".

    Args:
        gains: (n_seeds,) per-seed values of a minus b.
        a, b: names of the two settings; what: the metric's name.
        higher_is_better: False for errors (MAE, MSE): a negative difference is a gain.
    """
    g = np.asarray(gains, dtype=float).ravel()
    verdict = seed_verdict(g, higher_is_better)
    unit = f" {what}" if what else ""
    spread = f" ± {_num(g.std(), digits)}" if g.size > 1 else ""
    return f"{a} vs {b}: {_signed(g.mean(), digits)}{spread}{unit}, {verdict}"


def compare(a: float, b: float, a_name: str, b_name: str, what: str = "", spread: float | None = None,
            higher_is_better: bool = True, digits: int = 3) -> str:
    """Two numbers in words, with the noise they should be read against.

    "vanilla beats mmd_only by 0.054 UA (seed spread 0.010): a real difference" or
    "... by 0.001 UA, within the seed spread (0.010): no difference this run can show".
    """
    diff = float(a) - float(b)
    gain = diff if higher_is_better else -diff
    unit = f" {what}" if what else ""
    if gain == 0:
        return f"{a_name} and {b_name} are equal ({_num(a, digits)}{unit})"
    winner, loser = (a_name, b_name) if gain > 0 else (b_name, a_name)
    text = f"{winner} beats {loser} by {_num(abs(diff), digits)}{unit}"
    if spread is not None:
        if abs(diff) <= spread:
            return f"{text}, within the seed spread ({_num(spread, digits)}): no difference this run can show"
        return f"{text}, more than the seed spread ({_num(spread, digits)})"
    return text


def ranking(scores: dict, what: str = "", digits: int = 2, higher_is_better: bool = True) -> str:
    """Names ordered by score: "L (0.61) > A (0.52) > V (0.40)"; scores equal at
    the printed precision are joined by " = " ("A (1.00) > L (0.33) = V (0.33)")."""
    if not scores:
        raise ValueError("ranking needs at least one score")
    order = sorted(scores, key=lambda k: scores[k], reverse=higher_is_better)
    shown = [_num(scores[k], digits) for k in order]
    sep = " > " if higher_is_better else " < "
    text = f"{order[0]} ({shown[0]})"
    for i in range(1, len(order)):
        text += (" = " if shown[i] == shown[i - 1] else sep) + f"{order[i]} ({shown[i]})"
    return f"{what}: {text}" if what else text


def trend(x, y, what: str = "the value", against: str = "", digits: int = 3, tol: float = 0.0) -> str:
    """How ``y`` moves along ``x`` in words: rises / falls / is flat / goes up and down.

    Args:
        x, y: (n,) the knob and the measure; tol: steps smaller than this count as flat.
    """
    x, y = np.asarray(x), np.asarray(y, dtype=float)
    if y.size < 2:
        raise ValueError("trend needs at least two points")
    order = np.argsort(x, kind="stable")
    x, y = x[order], y[order]
    steps = np.diff(y)
    span = f"from {_num(y[0], digits)} at {x[0]} to {_num(y[-1], digits)} at {x[-1]}"
    knob = f" with {against}" if against else ""
    best = f"; highest {_num(y.max(), digits)} at {x[int(np.argmax(y))]}"
    if np.all(np.abs(steps) <= tol):
        return f"{what} is flat{knob} ({span})"
    if np.all(steps >= -tol):
        return f"{what} rises{knob} on every step, {span}"
    if np.all(steps <= tol):
        return f"{what} falls{knob} on every step, {span}"
    ups = int((steps > tol).sum())
    return f"{what} goes up and down{knob} ({ups} of {steps.size} steps up), {span}{best}"


def share(part: float, whole: float, what: str = "") -> str:
    """A fraction in words with its percentage: "3 of 4 (75%)"-style for floats."""
    if whole == 0:
        raise ValueError("share of a zero whole")
    frac = float(part) / float(whole)
    return f"{what + ': ' if what else ''}{frac:.0%}"


def ratio(a: float, b: float, a_name: str, b_name: str, what: str = "") -> str:
    """"a is 6.3x b" in words (or "1/6.3 of" when smaller)."""
    if b == 0:
        raise ValueError(f"ratio: {b_name} is 0")
    r = float(a) / float(b)
    unit = f" {what}" if what else ""
    if r >= 1:
        return f"{a_name}'s{unit} is {r:.1f}x {b_name}'s"
    return f"{a_name}'s{unit} is 1/{1 / r:.1f} of {b_name}'s"


def verdict(holds: bool | None) -> str:
    """The word for the "reproduces?" column: yes / no / n/a."""
    return "n/a" if holds is None else ("yes" if holds else "no")


def stopping(best_epochs, epochs: int, what: str = "the validation score") -> str:
    """Where the selected (best) epochs fall in a training budget, in words.

    A best epoch that is the *last* one means ``what`` was still improving when
    training stopped: the budget is short and the numbers are not converged.
    A best epoch before the last means it stopped improving within the budget.

    Args:
        best_epochs: one 0-based best epoch, or one per run.
        epochs: the budget (epochs 0 .. epochs - 1).

    Example:
        >>> stopping(5, 6, "the validation MSE")[:45]
        'the best epoch is the last of 6 (epoch 5): th'
    """
    b = np.atleast_1d(np.asarray(best_epochs)).ravel()
    if isinstance(epochs, bool) or int(epochs) != epochs or epochs < 1:
        raise ValueError(f"stopping needs a budget of at least one epoch, got {epochs!r}")
    if b.size == 0 or not np.all((b >= 0) & (b < epochs) & (b == np.round(b))):
        raise ValueError(f"best epochs must be whole numbers in 0..{epochs - 1}, got {best_epochs!r}")
    if epochs == 1:
        return (f"a budget of one epoch, so no epoch was chosen over another: {what} is that of "
                "a barely trained model")
    last = b == epochs - 1
    k, n = int(last.sum()), b.size
    short = (f"{what} was still improving when training stopped: the budget is short, and longer "
             "training may improve it")
    if k == n:
        where = f"(epoch {epochs - 1})" if n == 1 else f"in every run ({n} of {n})"
        return f"the best epoch is the last of {epochs} {where}: {short}"
    if k == 0:
        where = f"(epoch {int(b[0])})" if n == 1 else f"in every run (epochs {int(b.min())}-{int(b.max())})"
        return (f"the best epoch comes before the last of {epochs} {where}: {what} stopped improving "
                "within the budget")
    return f"the best epoch is the last of {epochs} in {k} of {n} runs: in those, {short}"


def settles(x, y, what: str = "the value", share: float = 0.95, digits: int = 3) -> str:
    """How soon a curve makes most of its move: where it first covers ``share`` of
    its change from the first point to the last.

    Args:
        x, y: (n,) e.g. epochs and a loss term (sorted by ``x`` here).
        share: the part of the first-to-last change that counts as "settled".

    Example:
        >>> settles([0, 1, 2, 3, 4], [1.0, 3.0, 3.9, 4.0, 4.0], "L_pair")
        'L_pair goes from 1.000 at 0 to 4.000 at 4 and first covers 95% of that change at 2 (50% of the way)'
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if y.size < 2 or x.shape != y.shape or not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise ValueError(f"settles needs at least two finite points of the same shape, got {x.shape} and {y.shape}")
    if not 0 < share <= 1:
        raise ValueError(f"share must be in (0, 1], got {share}")
    order = np.argsort(x, kind="stable")
    x, y = x[order], y[order]
    change = y[-1] - y[0]
    span = f"from {_num(y[0], digits)} at {x[0]:g} to {_num(y[-1], digits)} at {x[-1]:g}"
    if change == 0:
        return f"{what} ends where it starts ({_num(y[0], digits)})"
    at = int(np.argmax((y - y[0]) / change >= share))
    way = (x[at] - x[0]) / (x[-1] - x[0]) if x[-1] > x[0] else 1.0
    return f"{what} goes {span} and first covers {share:.0%} of that change at {x[at]:g} ({way:.0%} of the way)"
