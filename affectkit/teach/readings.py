"""Readings: one sentence, computed from a run's numbers, for a table or a figure.

A notebook never types a measured number into its prose: it prints a reading
built here from the numbers of the same run, so the words cannot disagree with
the outputs above them. Every helper returns a ``str``; the notebooks ``print``
it. The wording is shared, and so are the rules that decide a verdict: a
notebook's printed reading and its "What you learned" table
(:mod:`affectkit.teach.lessons`) call the same rule, so the two cannot disagree.
One rule per kind of claim:

- **a beats b** (runs paired by seed): :func:`beats`, a gain on *every* seed
  (:func:`paired` says it in words; "better on 2 of 3 seeds" is no consistent
  gain, whatever the mean);
- **a curve rises / falls** along a knob: :func:`shape` over the *whole*
  curve, every step (:func:`trend` says it in words);
- **a matching term pulls**: :func:`saturated`, the term at 95% of its ceiling
  or more exerts no pull;
- **two scores of one run on one test split differ**: :func:`beyond_noise`,
  a difference larger than twice its binomial standard error (:func:`noise_band`);
- **a set of classes is balanced**: :func:`balanced`, every class within 20%
  of an equal share.
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
    if verdict.startswith("better on") and verdict != "better on every seed":
        verdict += " (no consistent difference)"
    unit = f" {what}" if what else ""
    spread = f" ± {_num(g.std(), digits)}" if g.size > 1 else ""
    return f"{a} vs {b}: {_signed(g.mean(), digits)}{spread}{unit}, {verdict}"


def beats(gains, higher_is_better: bool = True) -> bool:
    """THE rule for a claim "a beats b" over seeds: a gain on every seed.

    Args:
        gains: (n_seeds,) per-seed values of a minus b (runs paired by seed).
        higher_is_better: False for errors (MAE, MSE).
    Returns:
        True when every per-seed difference is a gain (:func:`seed_verdict` says
        "better on every seed"); a positive mean with a loss on one seed is False.
        :func:`paired` prints the same verdict in words.

    Example:
        >>> beats([0.02, 0.01, -0.001])
        False
    """
    return consistent(gains, higher_is_better)


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
    x, y = _sorted_curve(x, y)
    kind = shape(x, y, tol)
    steps = np.diff(y)
    span = f"from {_num(y[0], digits)} at {x[0]} to {_num(y[-1], digits)} at {x[-1]}"
    knob = f" with {against}" if against else ""
    best = f"; highest {_num(y.max(), digits)} at {x[int(np.argmax(y))]}"
    if kind == "flat":
        return f"{what} is flat{knob} ({span})"
    if kind in ("rises", "falls"):
        return f"{what} {kind}{knob} on every step, {span}"
    ups = int((steps > tol).sum())
    return f"{what} goes up and down{knob} ({ups} of {steps.size} steps up), {span}{best}"


def _sorted_curve(x, y):
    x, y = np.asarray(x), np.asarray(y, dtype=float)
    if y.size < 2 or x.shape != y.shape:
        raise ValueError(f"a curve needs at least two points, x and y of one shape; got {x.shape} and {y.shape}")
    order = np.argsort(x, kind="stable")
    return x[order], y[order]


def shape(x, y, tol: float = 0.0) -> str:
    """THE rule for a claim about a curve along a knob: its shape over every step.

    Returns "rises" (no step down), "falls" (no step up), "flat" (no step larger
    than ``tol``) or "up and down". A claim "y grows with x" holds only where the
    shape is "rises": one step down anywhere on the curve (the default latent
    size below a smaller one, a peak in the middle) is not a rise.

    Example:
        >>> shape([2, 4, 8], [0.4, 0.5, 0.45])
        'up and down'
    """
    x, y = _sorted_curve(x, y)
    steps = np.diff(y)
    if np.all(np.abs(steps) <= tol):
        return "flat"
    if np.all(steps >= -tol):
        return "rises"
    if np.all(steps <= tol):
        return "falls"
    return "up and down"


SATURATION = 0.95   # a matching term at this share of its ceiling or more: kernel and gradient ~0


def saturated(value: float, ceiling: float, share: float = SATURATION) -> bool:
    """THE rule for "does a kernel matching term pull?": no, where it sits at
    ``share`` (95%) of its ceiling or more (every kernel value, and its gradient,
    is then close to 0: the latents are many sigma apart)."""
    if ceiling <= 0:
        raise ValueError(f"a ceiling must be positive, got {ceiling}")
    return float(value) >= share * float(ceiling)


def noise_band(p1: float, p2: float, n: int) -> float:
    """Twice the standard error of the difference of two rates (accuracies,
    recalls) measured on the same ``n`` utterances: 2 sqrt((p1(1-p1) + p2(1-p2)) / n)."""
    if n < 1:
        raise ValueError(f"a rate needs at least one utterance, got n = {n}")
    return 2.0 * float(np.sqrt((p1 * (1 - p1) + p2 * (1 - p2)) / n))


def beyond_noise(p1: float, p2: float, n: int) -> bool:
    """THE rule for two rates of one run on one split (one seed): they differ
    where |p1 - p2| exceeds :func:`noise_band`."""
    return abs(float(p1) - float(p2)) > noise_band(p1, p2, n)


def held_out(val_gains, test_gains: dict, a: str, b: str) -> str:
    """What a validation gain means next to the test split, in words.

    Args:
        val_gains: (n_seeds,) a minus b on the validation score that chose each
            model's epoch (the selection split).
        test_gains: part (e.g. corpus) -> (n_seeds,) a minus b on its test metric
            (positive = a better).
    Returns:
        the two verdicts (:func:`paired`) and what they say together: where they
        disagree, the selection split's score is the best of many epochs chosen on
        that very split, so part of a difference there is how that choice fell; the
        test split chose nothing and measures the models.
    """
    v = np.asarray(val_gains, dtype=float).ravel()
    means = {k: float(np.mean(g)) for k, g in test_gains.items()}
    up = sorted(k for k, m in means.items() if m > 0)
    down = sorted(k for k, m in means.items() if m < 0)
    parts = (f"validation (the split that chose each epoch): {paired(v, a, b)}; test, mean over seeds: "
             + ", ".join(f"{k} {_signed(m)}" for k, m in means.items()))
    n = len(means)
    if v.mean() > 0 and len(down) > n / 2:
        why = (f"{a}'s validation gain does not carry over to the test split, where it is worse on {len(down)} of "
               f"{n}: a validation score is the best of the epochs chosen on that same split, so a difference there "
               "is partly how that choice fell; the test split chose nothing: read it, not the validation score")
    elif v.mean() < 0 and len(up) > n / 2:
        why = (f"{a} is worse on validation but better on {len(up)} of {n} test parts: the selection split and the "
               "test split disagree, so neither difference is a finding of this run")
    elif (v.mean() > 0) == (len(up) > n / 2):
        why = "the validation and the test split agree in direction (the seed verdicts say how consistently)"
    else:
        why = "the test parts disagree among themselves: no direction this run can show"
    return f"{parts}. {why[0].upper()}{why[1:]}"


def rates(p1: float, p2: float, n: int, a: str, b: str, what: str = "") -> str:
    """Two rates of one run on one split in words, with :func:`beyond_noise`'s verdict:
    "the latent 0.491 vs the input 0.700 UA (noise band ±0.055, 600 utterances):
    lower, beyond the noise"."""
    unit = f" {what}" if what else ""
    band = noise_band(p1, p2, n)
    if not beyond_noise(p1, p2, n):
        word = "no difference beyond the noise"
    else:
        word = ("higher" if p1 > p2 else "lower") + ", beyond the noise"
    return f"{a} {_num(p1)} vs {b} {_num(p2)}{unit} (noise band ±{_num(band)}, {n} utterances): {word}"


BALANCE_TOLERANCE = 0.2   # a class within 20% of an equal share counts as balanced


def balanced(shares, tol: float = BALANCE_TOLERANCE) -> bool:
    """THE rule for "the classes are balanced": every share within ``tol`` (20%)
    of an equal share 1/K (with 4 classes: between 0.20 and 0.30)."""
    p = np.asarray(shares, dtype=float).ravel()
    if p.size == 0 or not np.isfinite(p).all():
        raise ValueError(f"balanced needs finite class shares, got {shares!r}")
    equal = 1.0 / p.size
    return bool(np.all(np.abs(p - equal) <= tol * equal + 1e-12))


def balance(shares, what: str = "the classes") -> str:
    """:func:`balanced` in words: "the largest class share 0.35, the smallest 0.18
    (equal: 0.25): not balanced (every class within 20% of an equal share)"."""
    p = np.asarray(shares, dtype=float).ravel()
    word = "balanced" if balanced(p) else "not balanced"
    return (f"{what}: largest share {_num(p.max())}, smallest {_num(p.min())} (equal: {_num(1 / p.size)}): "
            f"{word} (the rule: every class within {BALANCE_TOLERANCE:.0%} of an equal share)")


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


def reproducibility(seed: int) -> str:
    """What a run's numbers depend on, in one line (every notebook prints it after
    :func:`affectkit.seed_everything`): the same seed, thread count and device repeat
    every number to the last digit; another thread count changes the last digits
    (floating-point sums in another order, e.g. the 7th digit of an MMD), another
    device more."""
    import torch

    from ..parallel import workers_for
    workers = workers_for(64, profile="lab")
    side = (f" (lab tables train on {workers} processes side by side, one thread each)"
            if workers > 1 else "")
    return (f"seed {seed}, torch {torch.__version__.split('+')[0]} with {torch.get_num_threads()} CPU threads{side}: "
            f"the same seed, thread count and device repeat every number below to the last digit; "
            f"another thread count or device changes the last digits, not the findings")
