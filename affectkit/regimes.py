"""When does an idea pay off? One knob of the world swept on exploration seeds, confirmed on fresh ones.

A paper's idea is a pair of settings, the model *with* it and *without* it
(semi-supervised vs fully supervised, moment matching vs none, soft pseudo
labels vs none), and its payoff is the seed-paired gain of one over the
other. On the synthetic world the conditions the paper's argument depends on
are knobs (the label budget, the corpora's shift, a corpus's size), so the
payoff can be measured as a curve over a knob:

1. **explore**: every grid point (fixed before anything is run) on the
   exploration seeds (:func:`seeds`); :func:`curve` per point, :func:`pick`
   the point whose gain looks largest;
2. **confirm**: the picked point and the default one trained again on fresh
   seeds (never used by any notebook). Picking the best of several noisy points
   is optimistic (the winner's curse), so only what holds on the fresh seeds is
   a finding.

The runners (:func:`semi_by_labels`, :func:`mm_by_shift`, :func:`soft_by_size`)
are the kit's own tables (:func:`affectkit.cmdm.experiments.run_settings`,
:func:`affectkit.easum.experiments.run_dg` and ``run_ds``), so their jobs run
side by side, on a Dask cluster (``executor=``) and at any profile. Each
returns one row per (grid point, arm, seed): columns "value" (the knob),
"arm" ("with" / "without"), "seed" and the metric.
"""

from __future__ import annotations

import math

import pandas as pd

from .checks import count, number
from .checks import seed as check_seed
from .cmdm.experiments import labeled_count, run_settings, table5_settings
from .cmdm.objectives import CMDMLoss
from .config import get_profile
from .data.labels import IEMOCAP4
from .easum.experiments import MAIN_METRIC, DSSetting, run_dg, run_ds

FRESH_SEED = 1000   # the first confirmation seed: no notebook trains on seeds from here up
ARMS = ("with", "without")


def seeds(profile, first: int = 0) -> tuple:
    """(exploration seeds, fresh seeds) of a profile: two seeds from ``first`` (one at a profile of one
    seed), and as many fresh seeds as the profile has, from :data:`FRESH_SEED` up."""
    prof = get_profile(profile)
    first = count(first, "the first exploration seed", minimum=0)
    if first > FRESH_SEED - 2:
        raise ValueError(f"the first exploration seed is a whole number in 0..{FRESH_SEED - 2} (the fresh seeds "
                         f"start at {FRESH_SEED}), got {first!r}")
    explore = tuple(range(first, first + min(2, len(prof.seeds))))
    return explore, tuple(FRESH_SEED + i for i in range(len(prof.seeds)))


def to_confirm(picked, default) -> list:
    """The grid points a confirmation trains: the picked one and the default one (once if they are the same)."""
    return [picked] if picked == default else [picked, default]


def paired_gains(runs: pd.DataFrame, metric: str, higher_is_better: bool = True) -> pd.DataFrame:
    """The payoff per (grid point, seed): "with" minus "without" on ``metric`` (the other way round when
    lower is better, so a positive gain always means the idea helped).

    Returns: columns "value", "seed", "gain"."""
    if not isinstance(higher_is_better, bool):
        raise TypeError(f"higher_is_better is True or False, got {higher_is_better!r}")
    missing = {"value", "arm", "seed", metric} - set(runs)
    if missing:
        raise ValueError(f"runs need the columns value, arm, seed and {metric!r}; missing {sorted(missing)}")
    twice = runs.duplicated(["value", "arm", "seed"])
    if twice.any():
        raise ValueError("runs hold a (value, arm, seed) more than once, e.g. "
                         f"{runs.loc[twice, ['value', 'arm', 'seed']].iloc[0].to_dict()}: one run per seed and arm")
    table = runs.pivot_table(index=["value", "seed"], columns="arm", values=metric, dropna=False)
    if not set(ARMS) <= set(table):
        raise ValueError(f"runs need both arms {ARMS}; have {list(table.columns)}")
    gain = table["with"] - table["without"] if higher_is_better else table["without"] - table["with"]
    if gain.isna().any():
        raise ValueError(f"no finite {metric!r} for both arms at (value, seed) {gain.index[gain.isna()][0]}")
    return gain.rename("gain").reset_index()


def curve(gains: pd.DataFrame) -> pd.DataFrame:
    """Per grid point: "mean" and "std" (over seeds, ddof 0) of the gain, "worst" (the smallest per-seed
    gain), "better_on" (seeds with a positive gain) and "seeds"."""
    grouped = gains.groupby("value")["gain"]
    return pd.DataFrame({"mean": grouped.mean(), "std": grouped.std(ddof=0), "worst": grouped.min(),
                         "better_on": grouped.apply(lambda g: int((g > 0).sum())),
                         "seeds": grouped.size()}).reset_index()


def pick(explored: pd.DataFrame):
    """The grid point whose mean gain is largest on the exploration seeds (the first of equals)."""
    if explored.empty:
        raise ValueError("nothing explored: the curve has no grid point")
    return explored.loc[explored["mean"].idxmax(), "value"].item()


def outcome(values, default, explored: pd.DataFrame, fresh: pd.DataFrame) -> dict:
    """A grid's search as plain data (a notebook's sidecar): the grid "values", the "default" and the
    "picked" point, the seeds, and every per-seed gain ("explore_gains", "fresh_gains": [{value, seed, gain}]).
    Checked: every grid point explored, the default among them, no fresh seed explored."""
    values = points(values, "the grid points", zero=True)
    if sorted(set(explored["value"])) != sorted(values) or float(default) not in values:
        raise ValueError(f"the exploration covers {sorted(set(explored['value']))} and the default is {default!r}; "
                         f"the grid is {values} and holds the default")
    if set(explored["seed"]) & set(fresh["seed"]):
        raise ValueError(f"fresh seeds {sorted(set(fresh['seed']))} overlap the exploration seeds "
                         f"{sorted(set(explored['seed']))}: a confirmation needs seeds the search never saw")
    return {"values": [float(v) for v in values], "default": float(default), "picked": float(pick(curve(explored))),
            "explore_seeds": sorted(int(s) for s in explored["seed"].unique()),
            "fresh_seeds": sorted(int(s) for s in fresh["seed"].unique()),
            "explore_gains": [{"value": float(v), "seed": int(s), "gain": float(g)}
                              for v, s, g in explored[["value", "seed", "gain"]].itertuples(index=False)],
            "fresh_gains": [{"value": float(v), "seed": int(s), "gain": float(g)}
                            for v, s, g in fresh[["value", "seed", "gain"]].itertuples(index=False)]}


# -- the papers' arguments as grids -------------------------------------------------------


def points(values, what: str, high: float = math.inf, zero: bool = False) -> list:
    """A grid's points as a list of numbers, checked: at least one, each finite and in (0, high]
    (``[0, high]`` with ``zero``); a clear error naming ``what`` otherwise."""

    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise TypeError(f"{what} is a list of grid points, got {values!r}")
    values = [number(v, what, 0.0, high, low_open=not zero) for v in values]
    if not values:
        raise ValueError(f"{what}: a grid needs at least one point")
    if len(set(values)) != len(values):
        raise ValueError(f"{what} name a point twice: {values}")
    return values


def _seeds(seeds):
    """None (the profile's) or a non-empty list of distinct seeds, checked."""
    if seeds is None:
        return None
    if isinstance(seeds, (str, bytes)) or not hasattr(seeds, "__iter__"):
        raise TypeError(f"seeds is a list of seeds, got {seeds!r}")
    out = tuple(check_seed(s) for s in seeds)
    if not out or len(set(out)) != len(out):
        raise ValueError(f"seeds must be distinct and at least one, got {list(seeds)}")
    return out


def _epochs(epochs):
    return None if epochs is None else count(epochs, "epochs")


def _name(value: float) -> str:
    """A grid point's part of a setting name, exact (it is read back as the point's value)."""
    return repr(float(value))


def labels_settings(fractions, loss, profile="lab") -> dict:
    """:func:`semi_by_labels`'s settings: "<fraction> | with" (A+V+L with the class-balanced pool) and
    "<fraction> | without" (Table 5's fully supervised row) at each share of the train labels."""
    if not isinstance(loss, CMDMLoss):
        raise TypeError(f"loss is a CMDMLoss (e.g. notebook 04's, affectkit.teach.lessons.semi.SEMI_LOSS), got {loss!r}")
    prof = get_profile(profile)
    settings, counts = {}, {}
    for f in points(fractions, "the shares of the train labels", 1.0):
        n = counts[f] = labeled_count(prof.n_train, len(IEMOCAP4), f)
        table = table5_settings(loss, n, combos=("AVL",))
        settings[f"{_name(f)} | without"], settings[f"{_name(f)} | with"] = table["AVL fully"], table["AVL semi"]
    _distinct(counts, "labeled utterances")
    return settings


def _distinct(counts: dict, what: str):
    """Two grid points that train on the same number of utterances are one point under two names."""
    if len(set(counts.values())) != len(counts):
        raise ValueError(f"grid points give the same number of {what} at this profile: {counts}")


def semi_by_labels(fractions, loss, profile="lab", seeds=None, epochs: int | None = None, device="auto",
                   progress: bool = True, workers="auto", executor=None, **world) -> pd.DataFrame:
    """CMDM's semi-supervised payoff against the label budget: A+V+L with the class-balanced pool ("with")
    and without it ("without", Table 5's fully supervised row) at each ``fraction`` of the train labels.

    ``loss``: the objective (notebook 04's); ``epochs``: the training length in epochs of the full train
    split (a smaller label budget trains for the same steps); ``world``: knobs of the synthetic world
    (e.g. ``unlabeled_shift=0.0``). Metric: test "ua"."""
    runs = run_settings(labels_settings(fractions, loss, profile), profile=profile, seeds=_seeds(seeds),
                        epochs=_epochs(epochs),
                        device=device, progress=progress, workers=workers, executor=executor, **world)
    return split_setting(runs)


def mm_by_shift(shifts, omega: float, profile="lab", seeds=None, epochs: int | None = None, device="auto",
                progress: bool = True, workers="auto", teachers: dict | None = None, executor=None) -> pd.DataFrame:
    """EASUM's moment matching against how far the corpora sit apart: DG models with matching at
    ``omega`` ("with") and without (omega 0) on domains made with ``domain_shift`` = each of ``shifts``.

    Metric: "test_acc", the mean over the corpora of the DG model's test accuracy on its own targets;
    also "md_total". ``teachers``: if a dict, filled with ``teachers[(shift, seed)]`` = the "with" model
    (the DS models' teacher)."""
    if teachers is not None and not isinstance(teachers, dict):
        raise TypeError(f"teachers is a dict to fill with (shift, seed) -> DG model, or None; got {teachers!r}")
    seeds, epochs = _seeds(seeds), _epochs(epochs)
    parts = []
    for shift in points(shifts, "the domain shifts", zero=True):
        models = {} if teachers is not None else None
        runs = run_dg({"with": omega, "without": 0.0}, profile, seeds, epochs, device, progress, models=models,
                      untrained=False, workers=workers, executor=executor, domain_shift=float(shift))
        acc = runs.filter(like="test_acc_")
        parts.append(runs.assign(value=float(shift), arm=runs["setting"], test_acc=acc.mean(axis=1)))
        for (name, seed), result in (models or {}).items():
            if name == "with":
                teachers[(float(shift), seed)] = result.model
    return pd.concat(parts, ignore_index=True)


def size_settings(fractions, domain: str, profile="lab") -> dict:
    """:func:`soft_by_size`'s settings: "<fraction> | with" (soft pseudo labels) and "<fraction> | without"
    (none), each a DS model on the first ``fraction`` of ``domain``'s train split."""
    sizes = get_profile(profile).domain_sizes
    if domain not in sizes:
        raise ValueError(f"unknown corpus {domain!r}; the synthetic domains are {sorted(sizes)}")
    settings, counts = {}, {}
    for f in points(fractions, "the shares of the train split", 1.0):
        n = counts[f] = max(1, round(f * sizes[domain][0]))
        for arm, spl in (("without", "none"), ("with", "soft")):
            settings[f"{_name(f)} | {arm}"] = DSSetting(domain, spl, n_train=n)
    _distinct(counts, f"{domain} train utterances")
    return settings


def soft_by_size(fractions, domain: str, teachers: dict, profile="lab", seeds=None, device="auto",
                 progress: bool = True, workers="auto", executor=None) -> pd.DataFrame:
    """EASUM's soft pseudo labels against the size of the DS corpus: a DS model on the first
    ``fraction`` of ``domain``'s train split with the teacher's soft labels ("with") and without them,
    for each of ``fractions`` (the same number of steps at every size; column "n_train": the count).
    ``teachers``: seed -> DG model.

    Metric: the corpus's main one (:func:`metric_of`: "mae" for a sentiment corpus, lower is better;
    "weighted_f1" for an emotion corpus)."""
    settings = size_settings(fractions, domain, profile)
    seeds = _seeds(seeds) or get_profile(profile).seeds
    if not isinstance(teachers, dict) or not set(seeds) <= set(teachers):
        have = sorted(teachers) if isinstance(teachers, dict) else teachers
        raise ValueError(f"teachers maps every seed {list(seeds)} to its DG model, got {have!r} (mm_by_shift's "
                         "teachers are keyed (shift, seed): pass {seed: teachers[shift, seed] for seed in seeds})")
    runs = run_ds(settings, teachers, profile, seeds, device=device, progress=progress, workers=workers,
                  executor=executor)
    return split_setting(runs)


def metric_of(domain: str) -> tuple:
    """(metric, higher_is_better) of :func:`soft_by_size` on ``domain``'s synthetic corpus."""
    from .data.domains import TASKS

    if domain not in TASKS:
        raise ValueError(f"unknown corpus {domain!r}; the synthetic domains are {sorted(TASKS)}")
    metric, lower = MAIN_METRIC[TASKS[domain]]
    return metric, not lower


def split_setting(runs: pd.DataFrame) -> pd.DataFrame:
    """Rows whose "setting" is named "<value> | <arm>" (the grids here, ``affectkit sweep``'s regimes
    grids) with the columns "value" (a float) and "arm" added, ready for :func:`paired_gains`."""
    parts = runs["setting"].astype(str).str.split(" | ", regex=False, expand=True)
    if parts.shape[1] != 2 or parts.isna().any().any():
        raise ValueError('settings are named "<value> | with" or "<value> | without"; got '
                         f"{sorted(set(runs['setting']))[:4]}")
    return runs.assign(value=parts[0].astype(float), arm=parts[1])
