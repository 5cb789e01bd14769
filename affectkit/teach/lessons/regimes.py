"""Notebook 11: when does each idea pay off? Grids over the world's knobs, explored, then confirmed.

Only the confirmation (fresh seeds) makes findings: every claim below reads the fresh seeds'
gains; the exploration is shown in the notebook, never asserted. A gain is "with the idea minus
without it", positive when the idea helped (for MAE: without minus with), and "pays off" is the
kit's one rule for "a beats b": a gain on every fresh seed (:func:`~affectkit.teach.readings.beats`).
"""

from ..readings import beats
from . import Claim, Exercise
from ._checks import finite_list, number
from ._text import ASSERTED

NOTEBOOK = "11_when_it_helps"
TITLE = "When each idea pays off"

# The grids, fixed before anything was run (the notebook's parameters cell holds the same values):
# each tests the kit's reading of one sentence of its paper ("argument": the sentence, where it is;
# "reading": what it implies for the knob, the kit's words), at the notebooks' default point and around it.
GRIDS = {
    "labels": {
        "idea": "CMDM's unlabeled pool (A+V+L semi- vs fully supervised)",
        "argument": ("CMDM Sec. 1: \"shortage of high quality supervised data has been a big obstacle\", which its "
                     "pool of unlabeled clips is to overcome"),
        "reading": "the pool should pay off most where few labels are used",
        "knob": "share of the train labels used", "short": "labels", "values": (0.03, 0.1, 1.0), "default": 0.1,
        "metric": "test UA", "default_from": "notebook 04", "note": "", "favours": "low"},
    "shift": {
        "idea": "EASUM's moment matching (DG model with omega = 0.1 vs 0)",
        "argument": ("EASUM Sec. 3.3: \"To align data distribution across domains, we minimize the k order moment "
                     "distance\""),
        "reading": "matching should pay off most where the corpora lie far apart",
        "knob": "domain_shift (how far the corpora's means lie apart)", "short": "domain_shift",
        "values": (0.5, 1.0, 2.0), "default": 1.0,
        "metric": "DG test accuracy, mean over the four corpora", "default_from": "notebook 05",
        "note": "; DG models of 10 epochs here, 20 there", "favours": "high"},
    "size": {
        "idea": "EASUM's soft pseudo labels (DS model with vs without them)",
        "argument": ("EASUM Sec. 5.2 (Table 5): \"in the case of the MSA tasks, it notably benefited from "
                     "introducing the auxiliary emotion pseudo labels\"; MOSI gained most (0.100 MAE; MOSEI, 13 "
                     "times larger, 0.024)"),
        "reading": ("a teacher trained on four corpora should add most where the DS model has the fewest labels "
                    "of its own"),
        "knob": "share of MOSEI's train split (0.08: MOSI's size)", "short": "MOSEI share",
        "values": (0.08, 0.25, 1.0), "default": 1.0,
        "metric": "MOSEI test MAE (the gain: without minus with)", "default_from": "notebook 06",
        "note": "; teachers of 10 epochs here, 20 there", "favours": "low"},
}
SHARED = {"label_fractions": list(GRIDS["labels"]["values"]), "domain_shifts": list(GRIDS["shift"]["values"]),
          "corpus_fractions": list(GRIDS["size"]["values"]), "dg_epochs": 10}


def _gains(r, grid, which, value):
    """Per-seed gains of one grid point on the "explore" or "fresh" seeds (seed order)."""
    rows = sorted((row for row in r["regimes"][grid][f"{which}_gains"] if row["value"] == value),
                  key=lambda row: row["seed"])
    return [row["gain"] for row in rows]


def _mean(xs):
    return sum(xs) / len(xs)


def _std(xs):
    m = _mean(xs)
    return (sum((x - m) ** 2 for x in xs) / len(xs)) ** 0.5


def spread(gains) -> str:
    """Per-seed gains in words: mean ± std (over seeds) and how many were positive."""
    return f"{_mean(gains):+.3f} ± {_std(gains):.3f}, positive on {sum(g > 0 for g in gains)} of {len(gains)} seeds"


def _point(r, grid, which_point):
    g = r["regimes"][grid]
    return g["picked"] if which_point == "picked" else g["default"]


def _result(grid, which_point):
    def result(r):
        value = _point(r, grid, which_point)
        return (f"{GRIDS[grid]['short']} = {value:g}: fresh seeds {spread(_gains(r, grid, 'fresh', value))} "
                f"(exploration seeds {spread(_gains(r, grid, 'explore', value))})")
    return result


def _holds(grid, which_point):
    return lambda r: beats(_gains(r, grid, "fresh", _point(r, grid, which_point)))


def _claims(grid, picked_expect, default_expect):
    g = GRIDS[grid]
    return [
        Claim(f"{g['idea']} pays off where the exploration pointed, confirmed on fresh seeds (tests {g['argument']}; "
              f"the kit's reading: {g['reading']})",
              _result(grid, "picked"), _holds(grid, "picked"), expect=picked_expect),
        Claim(f"{g['idea']} pays off at {g['default_from']}'s regime ({g['short']} = {g['default']:g}{g['note']}; "
              "fresh seeds)",
              _result(grid, "default"), _holds(grid, "default"), expect=default_expect),
    ]


def _favoured(r, grid):
    """(the confirmed point the kit's reading favours, the other one, per-seed fresh gain of the first minus
    the second), or None when the exploration picked the default (one confirmed point)."""
    g = r["regimes"][grid]
    if g["picked"] == g["default"]:
        return None
    low, high = sorted((g["picked"], g["default"]))
    a, b = (low, high) if GRIDS[grid]["favours"] == "low" else (high, low)
    return a, b, [x - y for x, y in zip(_gains(r, grid, "fresh", a), _gains(r, grid, "fresh", b))]


def _reading_claim(grid):
    g = GRIDS[grid]

    def result(r):
        found = _favoured(r, grid)
        if found is None:
            return "the exploration picked the default point: one confirmed point, nothing to compare"
        a, b, diff = found
        return f"fresh seeds, the gain at {g['short']} = {a:g} minus at {b:g}: {spread(diff)}"

    def holds(r):
        found = _favoured(r, grid)
        return None if found is None else beats(found[2])

    return Claim(f"The kit's reading of {g['argument'].split(':')[0]} ({g['reading']}), between the two confirmed "
                 "points: the gain is larger at the one the reading favours, on every fresh seed",
                 result, holds, expect=False,
                 no_verdict=lambda r: "the exploration picked the default point (one confirmed point)")


def _shrinks(r):
    """grid -> (explored mean, fresh mean) of the gain at the picked point."""
    out = {}
    for grid in GRIDS:
        value = r["regimes"][grid]["picked"]
        out[grid] = _mean(_gains(r, grid, "explore", value)), _mean(_gains(r, grid, "fresh", value))
    return out


# grid -> (pays off at the picked point, at the default point): the lab verdicts on the fresh seeds
# that the claims expect (and :func:`pointer` tells the notebooks of each paper)
EXPECT = {"labels": (False, True), "shift": (False, False), "size": (False, False)}

CLAIMS = [
    *(c for grid, (picked, default) in EXPECT.items() for c in [*_claims(grid, picked, default), _reading_claim(grid)]),
]


def sidecar(r, need, profile):
    found = r["regimes"]
    need(set(found) == set(GRIDS), f"regimes: {sorted(found)}")
    for grid, g in found.items():
        explore, fresh = g["explore_seeds"], g["fresh_seeds"]
        need(not set(explore) & set(fresh), f"{grid}: the fresh seeds were not explored ({explore}, {fresh})")
        need(g["picked"] in g["values"] and g["default"] in g["values"], f"{grid}: picked and default are grid points")
        explored = {(row["value"], row["seed"]) for row in g["explore_gains"]}
        need(explored == {(v, s) for v in g["values"] for s in explore},
             f"{grid}: one exploration gain per grid point and seed")
        means = {v: _mean(_gains(r, grid, "explore", v)) for v in g["values"]}
        need(g["picked"] == max(means, key=means.get), f"{grid}: the picked point has the largest explored gain")
        confirmed = {(row["value"], row["seed"]) for row in g["fresh_gains"]}
        need(confirmed == {(v, s) for v in {g["picked"], g["default"]} for s in fresh},
             f"{grid}: the picked and the default point on every fresh seed, nothing else")


def readme(r) -> list:
    lines = []
    for grid, g in GRIDS.items():
        found = r["regimes"][grid]
        curve = ", ".join(f"{v:g}: {_mean(_gains(r, grid, 'explore', v)):+.3f}" for v in found["values"])
        points = dict.fromkeys([found["picked"], found["default"]])
        confirmed = "; ".join(f"{g['short']} = {v:g} ({_role(v, found)}): {spread(_gains(r, grid, 'fresh', v))}"
                              for v in points)
        paid = [v for v in points if beats(_gains(r, grid, "fresh", v))]
        verdict = (f"pays off at {', '.join(f'{v:g}' for v in paid)} on every fresh seed" if paid
                   else "no regime paid off on every fresh seed")
        lines.append(f"{g['idea']}, gain in {g['metric']} by {g['short']}: explored on "
                     f"{len(found['explore_seeds'])} seed(s) {curve}; "
                     f"fresh seeds: {confirmed}; {verdict} {ASSERTED}")
    shrinks = _shrinks(r)
    lines.append("the picked point's mean gain, exploration -> fresh seeds: "
                 + "; ".join(f"{GRIDS[grid]['short']} {e:+.3f} -> {f:+.3f}" for grid, (e, f) in shrinks.items())
                 + f"; smaller on fresh seeds in {sum(f < e for e, f in shrinks.values())} of {len(GRIDS)} grids "
                 "(observed; with three grids, 2 of 3 would also happen half the time with no selection at all)")
    return lines


def pointer(grid: str) -> str:
    """What notebook 11 found for ``grid`` at the lab profile, in words, for the notebooks of its paper
    (read from :data:`EXPECT`, the verdicts its tests assert)."""
    g, (picked, default) = GRIDS[grid], EXPECT[grid]
    paid = {True: "gained on every fresh seed", False: "did not gain on every fresh seed"}
    return (f"When does it pay off? Notebook 11 tries {g['idea']} at several settings of {g['short']} "
            f"({', '.join(f'{v:g}' for v in g['values'])}), explored on two seeds and confirmed on three fresh ones. "
            f"At the lab profile it {paid[default]} at {g['default_from']}'s regime ({g['short']} = {g['default']:g}"
            f"{g['note']}), "
            f"and it {paid[picked]} at the point its exploration picked (notebook 11's What-you-learned table "
            "asserts both).")


def _role(value, found) -> str:
    """"picked", "default" or "picked and default": what a confirmed point is."""
    return " and ".join(r for r in ("picked", "default") if found[r] == value)


def _prediction(what):
    def check(answer, profile):
        if not (isinstance(answer, (tuple, list)) and len(answer) == 2):
            return False, f"give a pair (your prediction, the per-seed gains you measured), got {answer!r}"
        predicted, bad = number(answer[0], "your prediction")
        if bad:
            return bad
        gains = answer[1]
        if not isinstance(gains, (list, tuple)) and hasattr(gains, "tolist"):
            gains = gains.tolist()
        if not isinstance(gains, (list, tuple)) or not gains:
            return False, f"the second element is the list of per-seed gains you measured, got {gains!r}"
        values, bad = finite_list(gains, "a per-seed gain")
        if bad:
            return bad
        m, s = _mean(values), _std(values)
        inside = abs(predicted - m) <= max(s, 0.005)
        return True, (f"you predicted {predicted:+.3f}; {what} measured {spread(values)}: "
                      + ("inside the seeds' spread" if inside else
                         f"off by {predicted - m:+.3f}, more than the seeds' spread: what did the curve's "
                         "neighbours or the paper's argument lead you to expect, and what did the seeds do?"))
    return check


EXERCISES = {
    1: Exercise(_prediction("the pool's gain at 30% of the labels"),
                "(your prediction, the per-seed UA gains of semi_by_labels([0.3], ...) on the exploration seeds)"),
    2: Exercise(_prediction("the pool's gain when it comes from the labeled data's own distribution"),
                "(your prediction, the per-seed UA gains at 10% labels with unlabeled_shift=0.0)"),
}
