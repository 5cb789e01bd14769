"""Notebook 06: domain-specific models and soft pseudo labels.

Differences are read in one convention, as the notebook prints them: "a minus b"
in the metric's own units (for MAE a negative difference is a gain).
"""

import math

from . import Claim, Exercise
from ._checks import number, pair

LOWER_IS_BETTER = {"mae"}


def _diffs(r, a="soft", b="none"):
    """Corpus -> (metric, [a minus b per seed]) on its main metric (MAE or weighted F1)."""
    runs = {}
    for row in r["spl_runs"]:
        metric = "mae" if row["task"] == "sentiment" else "weighted_f1"
        runs.setdefault(row["domain"], (metric, {}))[1][(row["spl"], row["seed"])] = row[metric]
    out = {}
    for domain, (metric, values) in runs.items():
        seeds = sorted({s for _, s in values})
        out[domain] = metric, [values[a, s] - values[b, s] for s in seeds]
    return out


def _better(metric, d):
    return d < 0 if metric in LOWER_IS_BETTER else d > 0


def _mean(xs):
    return sum(xs) / len(xs)


def _mae(r):
    return {row["modalities"]: row["mean"] for row in r["modality_ablation"] if row["metric"] == "mae"}


CLAIMS = [
    Claim("EASUM Table 5: soft pseudo labels lower MOSI's MAE",
          lambda r: "MAE soft minus none, per seed: " + ", ".join(f"{d:+.4f}" for d in _diffs(r)["mosi"][1]),
          lambda r: all(d < 0 for d in _diffs(r)["mosi"][1])),
    Claim("EASUM Table 5: soft pseudo labels help every corpus",
          lambda r: "soft minus none, mean over seeds: " + ", ".join(
              f"{dom} {m} {_mean(d):+.4f}" for dom, (m, d) in _diffs(r).items()),
          lambda r: all(_better(m, _mean(d)) for m, d in _diffs(r).values()), expect=False),
    Claim("EASUM Sec. 3.4: soft pseudo labels beat hard ones",
          lambda r: "soft minus hard, better on: " + ", ".join(
              f"{dom} {sum(_better(m, x) for x in d)} of {len(d)} seeds" for dom, (m, d) in _diffs(r, "soft", "hard").items()),
          lambda r: all(_better(m, x) for m, d in _diffs(r, "soft", "hard").values() for x in d), expect=False),
    Claim("EASUM Table 4: text + audio + visual at least as good as text alone (MOSI MAE)",
          lambda r: f"MAE T {_mae(r)['L']:.4f}, T+A+V {_mae(r)['LAV']:.4f}",
          lambda r: _mae(r)["LAV"] <= _mae(r)["L"]),
    Claim("EASUM Sec. 3.4: the DG model's pseudo labels carry information on every corpus",
          lambda r: "; ".join(f"{row['domain']} {row['argmax accuracy vs the hidden truth']:.2f} vs majority "
                              f"{row['chance (majority)']:.2f}" for row in r["teacher_aux_accuracy"]),
          lambda r: all(row["argmax accuracy vs the hidden truth"] > row["chance (majority)"]
                        for row in r["teacher_aux_accuracy"])),
]


def logits(seed: int = 0):
    """The exercises' (student, teacher) logits, (8, 9) each, drawn as the notebook says."""
    import torch
    g = torch.Generator().manual_seed(seed)
    return torch.randn(8, 9, generator=g), 2 * torch.randn(8, 9, generator=g)


def _kl(answer, profile):
    values, bad = pair(answer, ("KL(teacher || student)", "KL(student || teacher)"))
    if bad:
        return bad
    a, b = values
    if min(a, b) < 0:
        return False, "a KL divergence is never negative: check the log-probabilities"
    if abs(a - b) > 1e-3:
        return True, f"{a:.3f} vs {b:.3f}: KL is not symmetric, so its direction is part of the method"
    return False, "the two directions came out equal: did you swap the arguments in both?"


def _entropy(answer, profile):
    values, bad = pair(answer, ("the soft labels' entropy", "the one-hot labels' entropy"))
    if bad:
        return bad
    soft, hard = values
    if abs(hard) > 1e-9:
        return False, "a one-hot label has entropy 0: all its mass on one class"
    if 0 < soft <= math.log(9) + 1e-6:
        return True, f"{soft:.2f} nats of the at most {math.log(9):.2f}: the soft label keeps the teacher's doubt"
    return False, f"{soft:.3g}: the entropy of a softmax over 9 classes lies in (0, log 9]"


def _soft_ce(answer, profile):
    import torch.nn.functional as F

    from ..easum import soft_label_kl

    v, bad = number(answer, "the soft cross-entropy")
    if bad:
        return bad
    student, teacher = logits(0)
    p = F.softmax(teacher, -1)
    want = float(-(p * F.log_softmax(student, -1)).sum(-1).mean())
    kl = float(soft_label_kl(student, teacher))
    if abs(v - want) <= 1e-4:
        return True, (f"{want:.3f} = KL {kl:.3f} + the teacher's entropy {want - kl:.3f}: the gradients of the "
                      "two losses with respect to the student are the same")
    if abs(v - kl) <= 1e-4:
        return False, f"{v:.3f} is the KL itself: the cross-entropy adds the teacher's entropy"
    return False, (f"{v:.4g}: take the teacher's softmax times the student's log_softmax, sum over the 9 classes, "
                   "negate, and average over the 8 rows (exercise 1's logits)")


EXERCISES = {
    1: Exercise(_kl, "two different non-negative numbers: KL depends on its direction"),
    2: Exercise(_entropy, "(soft entropy > 0, 0.0)"),
    3: Exercise(_soft_ce, "one number: KL(teacher || student) + the teacher's entropy"),
}
