"""Notebook 06: domain-specific models and soft pseudo labels."""

import math

from . import Claim, Exercise
from ._checks import number


def _mosi(r):
    runs = {(row["spl"], row["seed"]): row["mae"] for row in r["spl_runs"] if row["domain"] == "mosi"}
    seeds = sorted({s for _, s in runs})
    return [runs["none", s] - runs["soft", s] for s in seeds]


def _mae(r):
    return {row["modalities"]: row["mean"] for row in r["modality_ablation"] if row["metric"] == "mae"}


CLAIMS = [
    Claim("EASUM Table 5: soft pseudo labels lower MOSI's MAE",
          lambda r: "MAE without minus with, per seed: " + ", ".join(f"{g:+.4f}" for g in _mosi(r)),
          lambda r: all(g > 0 for g in _mosi(r))),
    Claim("EASUM Table 5: soft pseudo labels help every corpus",
          lambda r: "mean gain: " + ", ".join(f"{d} {g:+.4f}" for d, g in r["spl_gain_main"].items()),
          lambda r: all(g > 0 for g in r["spl_gain_main"].values()), expect=False),
    Claim("EASUM Table 4: text + audio + visual at least as good as text alone (MOSI MAE)",
          lambda r: f"MAE T {_mae(r)['L']:.4f}, T+A+V {_mae(r)['LAV']:.4f}",
          lambda r: _mae(r)["LAV"] <= _mae(r)["L"]),
    Claim("EASUM Sec. 3.4: the DG model's pseudo labels carry information on every corpus",
          lambda r: "; ".join(f"{row['domain']} {row['argmax accuracy vs the hidden truth']:.2f} vs majority "
                              f"{row['chance (majority)']:.2f}" for row in r["teacher_aux_accuracy"]),
          lambda r: all(row["argmax accuracy vs the hidden truth"] > row["chance (majority)"]
                        for row in r["teacher_aux_accuracy"])),
]


def _kl(answer, profile):
    if not (isinstance(answer, (tuple, list)) and len(answer) == 2):
        return False, "give a pair: (KL(teacher || student), KL(student || teacher))"
    a, bad = number(answer[0], "KL(teacher || student)")
    if bad:
        return bad
    b, bad = number(answer[1], "KL(student || teacher)")
    if bad:
        return bad
    if min(a, b) < 0:
        return False, "a KL divergence is never negative: check the log-probabilities"
    if abs(a - b) > 1e-3:
        return True, f"{a:.3f} vs {b:.3f}: KL is not symmetric, so its direction is part of the method"
    return False, "the two directions came out equal: did you swap the arguments in both?"


def _entropy(answer, profile):
    if not (isinstance(answer, (tuple, list)) and len(answer) == 2):
        return False, "give a pair: (entropy of the soft labels, entropy of the one-hot labels)"
    soft, bad = number(answer[0], "the soft labels' entropy")
    if bad:
        return bad
    hard, bad = number(answer[1], "the one-hot labels' entropy")
    if bad:
        return bad
    if abs(hard) > 1e-9:
        return False, "a one-hot label has entropy 0: all its mass on one class"
    if 0 < soft <= math.log(9) + 1e-6:
        return True, f"{soft:.2f} nats of the at most {math.log(9):.2f}: the soft label keeps the teacher's doubt"
    return False, f"{soft:.3g}: the entropy of a softmax over 9 classes lies in (0, log 9]"


EXERCISES = {
    1: Exercise(_kl, "two different non-negative numbers: KL depends on its direction"),
    2: Exercise(_entropy, "(soft entropy > 0, 0.0)"),
}
