"""Notebook 06: domain-specific models and soft pseudo labels.

Differences are read in one convention, as the notebook prints them: "a minus b"
in the metric's own units (for MAE a negative difference is a gain).
"""

import math

from ..readings import beats, paired
from . import Claim, Exercise
from ._checks import number, pair, unit
from ._text import ASSERTED, f, gain_row

NOTEBOOK = "06_soft_label_ablation"
TITLE = "EASUM's domain-specific models"
DOMAINS = {"mosi", "mosei", "meld", "iemocap"}
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


def _pair_gains(runs, column, a, b):
    """Per-seed ``a`` minus ``b`` of the rows of ``runs`` (column ``column`` names the setting), and
    whether lower is better (their metric's convention)."""
    values = {(row[column], row["seed"]): row["value"] for row in runs}
    seeds = sorted({s for setting, s in values if setting == a})
    return [values[a, s] - values[b, s] for s in seeds], bool(runs[0]["lower_is_better"])


TEXT_FIRST = {"L": "T", "LA": "T+A", "LV": "T+V", "LAV": "T+A+V"}   # EASUM Table 4's names


def _mod(r, a, b):
    return _pair_gains(r["modality_runs"], "modalities", a, b)


def _mod_result(r, pairs):
    metric = r["modality_runs"][0]["metric"]
    parts = []
    for a, b in pairs:
        g, lower = _mod(r, a, b)
        parts.append(paired(g, TEXT_FIRST[a], TEXT_FIRST[b], metric, higher_is_better=not lower, digits=4))
    return "; ".join(parts) + f" ({r['modality_runs'][0]['domain']})"


def _mod_beats(r, a, b):
    g, lower = _mod(r, a, b)
    return beats(g, higher_is_better=not lower)


def _eta(r):
    """The paper's eta minus eta = 0 (no pseudo labels), per seed, on the eta sweep's corpus."""
    runs = r["eta_runs"]
    return _pair_gains(runs, "eta", runs[0]["paper_eta"], 0.0)


def _eta_result(r):
    runs = r["eta_runs"]
    first, metric = runs[0], runs[0]["metric"]
    by_eta = {}
    for row in runs:
        by_eta.setdefault(row["eta"], []).append(row["value"])
    curve = ", ".join(f"{eta:g} {_mean(v):.3f}" for eta, v in sorted(by_eta.items()))
    g, lower = _eta(r)
    return (f"{first['domain']} {metric} by eta (mean over seeds): {curve}; "
            + paired(g, f"eta = {first['paper_eta']:g}", "eta = 0", metric, higher_is_better=not lower, digits=4))


def _all_corpora(r, a, b):
    """Every corpus: a beats b on every seed (readings.beats, in each corpus's own convention)."""
    return all(beats(d, higher_is_better=m not in LOWER_IS_BETTER) for m, d in _diffs(r, a, b).values())


def _corpora_result(r, a, b):
    return f"{a} minus {b}: " + "; ".join(
        f"{dom} {paired(d, a, b, m, higher_is_better=m not in LOWER_IS_BETTER, digits=4).split(': ', 1)[1]}"
        for dom, (m, d) in _diffs(r, a, b).items())


def _init_gains(r):
    """Corpus -> (metric, [warm start minus scratch per seed]) on its main metric, in the metric's own units."""
    values, metric = {}, {}
    for row in r["ds_init_runs"]:
        m = "weighted_f1" if row.get("mae") is None or row["mae"] != row["mae"] else "mae"
        metric[row["domain"]] = m
        values[row["domain"], row["init"], row["seed"]] = row[m]
    out = {}
    for d, m in metric.items():
        seeds = sorted({s for dom, i, s in values if dom == d and i == "dg"})
        out[d] = m, [values[d, "dg", s] - values[d, "scratch", s] for s in seeds]
    return out


def _init_result(r):
    return "warm start minus scratch: " + "; ".join(
        f"{d} {paired(g, 'dg', 'scratch', m, higher_is_better=m not in LOWER_IS_BETTER, digits=4).split(': ', 1)[1]}"
        for d, (m, g) in _init_gains(r).items())


def _init_row(r, domain):
    return next(row for row in r["ds_init_gain"] if row["domain"] == domain)


CLAIMS = [
    Claim("EASUM Table 5: soft pseudo labels lower MOSI's MAE",
          lambda r: paired(_diffs(r)["mosi"][1], "soft", "none", "MAE", higher_is_better=False, digits=4),
          lambda r: beats(_diffs(r)["mosi"][1], higher_is_better=False), expect=False),
    Claim("The kit's weaker reading of EASUM Table 5: soft pseudo labels lower MOSI's mean MAE over seeds",
          lambda r: f"soft minus none, mean over seeds: {_mean(_diffs(r)['mosi'][1]):+.4f} MAE",
          lambda r: sum(_diffs(r)["mosi"][1]) < 0, shown=False),
    Claim("EASUM Table 5: soft pseudo labels \"consistently\" help: every corpus",
          lambda r: _corpora_result(r, "soft", "none"),
          lambda r: _all_corpora(r, "soft", "none"), expect=False),
    Claim("The kit's hypothesis (EASUM Sec. 3.4 argues for soft labels and never tests hard ones): soft pseudo "
          "labels beat hard ones on every corpus",
          lambda r: _corpora_result(r, "soft", "hard"),
          lambda r: _all_corpora(r, "soft", "hard"), expect=False),
    Claim("EASUM Sec. 4.4 sets eta = 1 for MELD (the eta sweep's corpus): at the paper's eta the pseudo labels "
          "beat none (eta = 0)",
          _eta_result,
          lambda r: beats(_eta(r)[0], higher_is_better=not _eta(r)[1]), expect=False),
    Claim("EASUM Table 4 (MAE): T+A+V beats text alone",
          lambda r: _mod_result(r, [("LAV", "L")]),
          lambda r: _mod_beats(r, "LAV", "L") and _mae(r)["LAV"] <= _mae(r)["L"]),
    Claim("EASUM Table 4: the model \"grows with the addition of modalities\" (MAE): each added modality "
          "helps (T+A and T+V beat T, T+A+V beats both)",
          lambda r: _mod_result(r, [("LA", "L"), ("LV", "L"), ("LAV", "LA"), ("LAV", "LV")]),
          lambda r: all(_mod_beats(r, a, b) for a, b in (("LA", "L"), ("LV", "L"), ("LAV", "LA"), ("LAV", "LV"))),
          expect=False),
    Claim("EASUM Table 4: \"the visual modality boosts the model's performance more than the acoustic\": T+V beats T+A",
          lambda r: _mod_result(r, [("LV", "LA")]),
          lambda r: _mod_beats(r, "LV", "LA"), expect=False),
    Claim("EASUM Table 4: \"optimal performance when all modalities were used\": T+A+V beats T, T+A and T+V",
          lambda r: _mod_result(r, [("LAV", "L"), ("LAV", "LA"), ("LAV", "LV")]),
          lambda r: all(_mod_beats(r, "LAV", b) for b in ("L", "LA", "LV")), expect=False),
    Claim("EASUM Sec. 5.3 (Table 6: pseudo labels \"generally in parallel with the annotations\"): the DG model's "
          "pseudo labels carry information on every corpus",
          lambda r: "; ".join(f"{row['domain']} {row['argmax accuracy vs the hidden truth']:.2f} vs majority "
                              f"{row['chance (majority)']:.2f}" for row in r["teacher_aux_accuracy"]),
          lambda r: all(row["argmax accuracy vs the hidden truth"] > row["chance (majority)"]
                        for row in r["teacher_aux_accuracy"])),
    Claim("The kit's question (EASUM takes the warm start for granted and never measures it): the DS model "
          "warm-started from the DG model (its fusion and embedding layer) beats one from scratch on every corpus",
          _init_result, lambda r: all(beats(g, higher_is_better=m not in LOWER_IS_BETTER)
                                      for m, g in _init_gains(r).values()), expect=False),
    Claim("The kit's question, on MELD: the warm start beats the start from scratch on every seed",
          lambda r: f"meld: {gain_row(_init_row(r, 'meld'))} ({_init_row(r, 'meld')['metric']})",
          lambda r: _init_row(r, "meld")["worst"] > 0, shown=False),
]


def sidecar(r, need, profile):
    rows = r["spl_table"]
    need({"domain", "spl", "metric", "mean", "std"} <= set(rows[0]), "spl_table's columns")
    need({(row["domain"], row["spl"]) for row in rows} == {(d, s) for d in DOMAINS for s in ("none", "soft", "hard")},
         "spl_table: none, soft and hard per corpus")
    need({"modalities", "metric", "mean", "std"} <= set(r["modality_ablation"][0]), "modality_ablation's columns")
    need({row["modalities"] for row in r["modality_ablation"]} == {"L", "LA", "LV", "LAV"}, "modality_ablation's rows")
    need({"eta", "metric", "mean"} <= set(r["eta_sweep"][0]) and len({row["eta"] for row in r["eta_sweep"]}) >= 4,
         "eta_sweep: four etas or more")
    need(set(r["spl_gain_main"]) == DOMAINS, "spl_gain_main: the four corpora")
    need({row["domain"] for row in r["ds_init_gain"]} == DOMAINS, "ds_init_gain: the four corpora")
    need({row["init"] for row in r["ds_init_runs"]} == {"dg", "scratch"}, "ds_init_runs: dg and scratch")
    need({row["init"] for row in r["spl_runs"]} == {"dg"}, "Table 5 with the paper's warm start")
    copied = r["warm_start_copied"]
    need(any(k.startswith("fusion.mag.") for k in copied) and all(k.startswith(("fusion.", "encoder.embeddings."))
                                                                  for k in copied),
         f"the warm start copies the fusion and the embedding layer, no encoder layer: {copied}")
    samples = r["spl_samples"]
    need(len(samples) == 8 and all(isinstance(row["top pseudo label right"], bool) for row in samples),
         "spl_samples: eight rows")
    need(all(unit(row["argmax accuracy vs the hidden truth"]) for row in r["teacher_aux_accuracy"]),
         "teacher_aux_accuracy: rates")
    need({row["modalities"] for row in r["modality_runs"]} == {"L", "LA", "LV", "LAV"}, "modality_runs' rows")
    need({0.0, r["eta_runs"][0]["paper_eta"]} <= {row["eta"] for row in r["eta_runs"]}, "eta_runs: 0 and the paper's")


def readme(r) -> list:
    gain = {row["domain"]: row for row in r["spl_gain"]}
    every = [d.upper() for d, row in gain.items() if row["better_on"] == row["seeds"]]
    lines = ["soft minus no pseudo labels with the warm start (EASUM Table 5; positive = better, MAE for "
             "MOSI/MOSEI, weighted F1 for MELD/IEMOCAP): "
             + "; ".join(f"{d} {gain_row(row)}" for d, row in gain.items())
             + f"; better on every seed: {', '.join(every) or 'no corpus'} (each verdict is in notebook 06's "
               f"What-you-learned table {ASSERTED}; the paper: MOSI +0.100, MOSEI +0.024, MELD +0.006, "
               "IEMOCAP +0.007)"]
    if "ds_init_gain" in r:
        lines.append("the DS model warm-started from the DG model (EASUM's way) minus from scratch (soft labels): "
                     + "; ".join(f"{row['domain']} {gain_row(row)}" for row in r["ds_init_gain"])
                     + f"; better for MELD on every seed {ASSERTED}, mixed on the other corpora (observed; "
                     "EASUM never measures it)")
    mae = _mae(r)
    lines.append(f"MOSI-like MAE by modalities: T {f(mae['L'])}, T+A {f(mae['LA'])}, T+V {f(mae['LV'])}, "
                 f"T+A+V {f(mae['LAV'])} (EASUM Table 4: 0.789 / 0.746 / 0.741 / 0.663); the verdicts of EASUM's "
                 f"modality claims (T+A+V beats T; each added modality helps; T+V beats T+A; T+A+V best), seed by "
                 f"seed, are in notebook 06's What-you-learned table {ASSERTED}")
    return lines


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

    from ...easum import soft_label_kl

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
