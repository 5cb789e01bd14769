"""Resumable sweeps: a notebook's table at any size, one result file per (setting, seed).

    affectkit sweep cmdm --grid collapse --seeds 0-9 --profile paper --out runs/collapse [--scheduler ADDR]
    affectkit sweep cmdm --grid collapse --out runs/collapse --table     # mean, std, 95% interval, a figure

A grid is the settings of one of the notebooks' tables (:data:`GRIDS`); every
(setting, seed) is an independent training (the runners' own job classes) handed
to :func:`affectkit.parallel.iter_jobs`: this process, local worker processes, or
a Dask cluster (``--scheduler``, ``$AFFECTKIT_SCHEDULER``). Each result is written
to ``OUT/results/`` (atomically) as soon as it arrives, so a sweep that is killed
and run again trains only what is missing. A job that fails is reported with its
setting, seed and traceback (``OUT/failed/``), and the others go on.

Notebook 11's grids ("labels", "shift", "size": when each idea pays off) run every grid
point with and without the idea, named "<value> | with" and "<value> | without", at
notebook 11's training lengths; the pairing by seed and the explore-then-confirm step
are :mod:`affectkit.regimes`' (read the results with ``--table``, or pass the seeds to
explore and then fresh seeds to the same folder).

Some grids first need one thing per seed: Table 7's semi-supervised rows a
class-balanced pool, EASUM's DS models their DG teacher. Those are trained once per
seed, saved in ``OUT/needs/`` and read by the seed's jobs: on a cluster, ``OUT``
must be a folder every worker can read.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..files import atomic_write

GRIDS = {"cmdm": ("collapse", "table7", "labels"), "easum": ("dg", "ds", "shift", "size")}
METRIC = {"collapse": "spread", "table7": "ua", "dg": "md_total", "ds": "weighted_f1",   # the figure's
          "labels": "ua", "shift": "test_acc", "size": "mae"}
TEACHER_GRIDS = ("ds", "size")   # the grids whose DS models need a DG teacher per seed


def settings_of(method: str, grid: str, profile="lab") -> dict:
    """name -> setting of a grid (the notebooks' own choices: notebook 03's collapse study and
    Table 7, notebook 05's DG table, notebook 06's pseudo-label grid, notebook 11's three regimes
    grids "labels", "shift" and "size": every point, both arms, "<value> | with" / "<value> | without")."""
    if grid not in GRIDS.get(method, ()):
        raise ValueError(f"unknown grid {grid!r} for {method}; known: {', '.join(GRIDS.get(method, ())) or '-'} "
                         f"(methods: {', '.join(GRIDS)})")
    from .. import regimes
    from ..teach.lessons.regimes import GRIDS as REGIMES

    if method == "cmdm":
        from ..cmdm.experiments import collapse_settings, table7_settings
        from ..cmdm.objectives import CMDMLoss
        from ..teach.lessons.collapse import SHARED
        from ..teach.lessons.semi import SEMI_LOSS

        if grid == "collapse":
            return collapse_settings(SHARED["beta_collapse"], SHARED["sigma"])
        if grid == "labels":
            return regimes.labels_settings(REGIMES["labels"]["values"], SEMI_LOSS, profile)
        return table7_settings(CMDMLoss(sigma=SHARED["sigma"]))
    from ..easum.experiments import spl_settings

    if grid == "shift":   # a DG setting here is (omega, the domains' knobs)
        return {f"{float(v)!r} | {arm}": (omega, {"domain_shift": float(v)}) for v in REGIMES["shift"]["values"]
                for arm, omega in (("with", DG_OMEGA), ("without", 0.0))}
    if grid == "size":
        return regimes.size_settings(REGIMES["size"]["values"], "mosei", profile)
    return {"omega0": 0.0, "mm": DG_OMEGA} if grid == "dg" else spl_settings()


def epochs_of(grid: str, prof):
    """The training length of a grid's jobs: notebook 11's for its regimes grids (capped by the
    profile's), else None (the profile's own)."""
    from ..teach.lessons.regimes import SHARED as REGIMES_SHARED
    from ..teach.lessons.semi import SEMI_BUDGET_EPOCHS

    if grid == "labels":
        return min(SEMI_BUDGET_EPOCHS, prof.epochs)
    if grid == "shift":
        return min(REGIMES_SHARED["dg_epochs"], prof.easum_training.dg_epochs)
    return None


DG_OMEGA = 0.1   # EASUM Sec. 4.4: the DG models and the DS models' teachers


def parse_seeds(text: str) -> tuple:
    """"0-9", "0,2,5" or "3" -> a tuple of seeds."""
    seeds = []
    for part in str(text).split(","):
        m = re.fullmatch(r"\s*(\d+)\s*(?:-\s*(\d+)\s*)?", part)
        if not m:
            raise ValueError(f"seeds are like 0-9, 0,2,5 or 3; got {text!r}")
        lo, hi = int(m.group(1)), int(m.group(2) or m.group(1))
        if hi < lo:
            raise ValueError(f"a seed range runs upwards: {part.strip()!r}")
        seeds += range(lo, hi + 1)
    return tuple(dict.fromkeys(seeds))


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9.=+-]+", "_", name).strip("_") or "setting"


def _plain(value):
    """A row's value as JSON: numpy scalars as numbers, NaN as null, tuples as lists."""
    if isinstance(value, (np.generic,)):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


@dataclass(frozen=True)
class TeacherJob:
    """A seed's DG teacher for the DS grid: trained at omega :data:`DG_OMEGA`, its weights saved to ``path``."""

    profile: object
    seed: int
    device: object
    path: str
    epochs: int | None = None   # None: the profile's

    def __call__(self) -> str:
        from ..easum.dg import save_dg
        from ..easum.experiments import domains_for, train_dg

        prepared, balanced = domains_for(self.profile, self.seed, None, {})
        result = train_dg(prepared, DG_OMEGA, self.seed, self.profile.name, self.epochs, self.device, balanced)
        save_dg(self.path, result.model, {"profile": self.profile.name, "seed": self.seed, "omega": DG_OMEGA})
        return self.path


@dataclass(frozen=True)
class PoolNeedJob:
    """A seed's class-balanced pool for Table 7's semi-supervised rows, its indices saved to ``path``."""

    profile: object
    seed: int
    device: object
    path: str

    def __call__(self) -> str:
        from ..cmdm.experiments import balanced_pool, data_for

        pool = balanced_pool(data_for(None, self.profile, self.seed), self.seed, None, None, self.device, self.profile)
        with atomic_write(self.path, suffix=".npy") as tmp:
            np.save(tmp, np.asarray(pool["indices"]))
        return self.path


@dataclass(frozen=True)
class FolderJob:
    """One (setting, seed) of a grid, reading what its seed needs from the sweep's folder."""

    method: str
    grid: str
    profile: object
    seed: int
    name: str
    setting: object
    device: object
    need: str | None   # the seed's pool indices or teacher weights, or None
    epochs: int | None = None   # None: the profile's

    def __call__(self) -> dict:
        if self.method == "cmdm":
            from ..cmdm.experiments import SettingJob

            indices = np.load(self.need) if self.need else None
            row, _ = SettingJob(None, self.profile, self.seed, self.name, self.setting, self.epochs, self.device,
                                indices, False)()
            return {"setting": self.name, **row}
        if self.grid in ("dg", "shift"):
            from ..easum.experiments import DGJob

            omega, world = self.setting if isinstance(self.setting, tuple) else (self.setting, {})
            row, _ = DGJob(self.profile, self.seed, None, world, self.name, omega, self.epochs, self.device, True,
                           False)()
            if world:   # notebook 11's payoff: the mean over the corpora of the DG test accuracy
                row["test_acc"] = float(np.mean([v for k, v in row.items() if k.startswith("test_acc_")]))
            return row
        from ..easum.dg import load_dg
        from ..easum.experiments import DSJob

        teacher, _ = load_dg(self.need)
        row, _ = DSJob(self.profile, self.seed, None, {}, self.name, self.setting, teacher, None, self.device,
                       False)()
        return row


class Sweep:
    """A sweep's folder: ``sweep.json`` (what it is), ``results/``, ``failed/``, ``needs/``."""

    def __init__(self, out, method: str, grid: str, profile: str):
        self.out, self.method, self.grid, self.profile = Path(out), method, grid, profile
        self.settings = settings_of(method, grid, profile)
        self.manifest = {"method": method, "grid": grid, "profile": profile}

    @classmethod
    def open(cls, out) -> Sweep:
        """The sweep already in ``out`` (for ``--table``)."""
        path = Path(out) / "sweep.json"
        if not path.exists():
            raise FileNotFoundError(f"{out} holds no sweep (no sweep.json): run `affectkit sweep METHOD --grid ... "
                                    f"--out {out}` first")
        m = json.loads(path.read_text())
        return cls(out, m["method"], m["grid"], m["profile"])

    def claim(self):
        """Write ``sweep.json``, or check that the folder's sweep is this one."""
        path = self.out / "sweep.json"
        if path.exists():
            found = json.loads(path.read_text())
            if found != self.manifest:
                raise ValueError(f"{self.out} holds another sweep ({found}); this one is {self.manifest}: "
                                 "choose another --out")
            return
        if self.out.exists() and not self.out.is_dir():
            raise ValueError(f"--out {self.out} is a file, not a folder")
        with atomic_write(path) as tmp:
            tmp.write_text(json.dumps(self.manifest, indent=2) + "\n")

    def result_path(self, name: str, seed: int) -> Path:
        return self.out / "results" / f"{_slug(name)}__seed{seed}.json"

    def failed_path(self, name: str, seed: int) -> Path:
        return self.out / "failed" / f"{_slug(name)}__seed{seed}.txt"

    def need_path(self, seed: int) -> Path | None:
        if self.grid in TEACHER_GRIDS:
            return self.out / "needs" / f"teacher__seed{seed}.pt"
        if self.grid == "table7":
            return self.out / "needs" / f"pool__seed{seed}.npy"
        return None

    def rows(self) -> list:
        """Every result written so far, as row dicts."""
        return [json.loads(p.read_text())["row"] for p in sorted((self.out / "results").glob("*.json"))]


def _need_job(sweep: Sweep, prof, seed: int, device):
    path = str(sweep.need_path(seed))
    if sweep.grid in TEACHER_GRIDS:   # notebook 11's teachers are its shift grid's DG models
        return TeacherJob(prof, seed, device, path, epochs_of("shift", prof) if sweep.grid == "size" else None)
    return PoolNeedJob(prof, seed, device, path)


def _needs_pool(setting) -> bool:
    return bool(getattr(setting, "semi", False) and getattr(setting, "balanced", False))


def run(sweep: Sweep, seeds, device="cpu", executor=None, workers: int = 1, progress: bool = True,
        log=None) -> dict:
    """Train what is missing of ``sweep`` for ``seeds``; returns {"done", "skipped", "failed": [...]}.
    ``executor``, ``workers``: where the jobs run (:func:`affectkit.parallel.where`); ``log``: where a
    failure is reported (default stderr)."""
    from ..config import get_profile
    from ..parallel import iter_jobs
    from ..progress import bar

    prof = get_profile(sweep.profile)
    sweep.claim()
    for folder in ("results", "needs"):   # what a killed sweep was writing when it died
        for stale in (sweep.out / folder).glob(".*.tmp*"):
            stale.unlink(missing_ok=True)
    failed = []

    def drive(jobs, labels, desc, on_result):
        """Run ``jobs``; ``labels[i]`` = (setting, seed) for messages; ``on_result(i, value)``."""
        if not jobs:
            return
        left = len(jobs)
        with bar(total=len(jobs), desc=desc, unit="job", disable=not progress) as b:
            for i, value, error in iter_jobs(jobs, executor, workers):
                left -= 1
                name, seed = labels[i]
                if error is None:
                    on_result(i, value)
                else:
                    text = "".join(traceback.format_exception(type(error), error, error.__traceback__))
                    failed.append({"setting": name, "seed": seed, "error": f"{type(error).__name__}: {error}"})
                    with atomic_write(sweep.failed_path(name, seed)) as tmp:
                        tmp.write_text(text)
                    print(f"failed: {name} (seed {seed}): {type(error).__name__}: {error}", file=log or sys.stderr)
                b.update()
                b.set_postfix(failed=len(failed), left=left)

    # what a seed needs first (a teacher, a pool), once per seed
    need_seeds = [s for s in seeds if sweep.need_path(s) is not None and not sweep.need_path(s).exists()
                  and (sweep.grid in TEACHER_GRIDS or any(_needs_pool(x) for x in sweep.settings.values()))]
    drive([_need_job(sweep, prof, s, device) for s in need_seeds], [(f"needs of seed {s}", s) for s in need_seeds],
          "teachers" if sweep.grid in TEACHER_GRIDS else "balanced pools", lambda i, value: None)
    broken = {f["seed"] for f in failed}
    todo, skipped = [], 0
    for seed in seeds:
        for name, setting in sweep.settings.items():
            if sweep.result_path(name, seed).exists():
                skipped += 1
            elif seed not in broken:
                need = sweep.need_path(seed)
                uses = need is not None and (sweep.grid in TEACHER_GRIDS or _needs_pool(setting))
                todo.append(FolderJob(sweep.method, sweep.grid, prof, seed, name, setting, device,
                                      str(need) if uses else None, epochs_of(sweep.grid, prof)))
    done = []

    def keep(i, row):
        job = todo[i]
        with atomic_write(sweep.result_path(job.name, job.seed)) as tmp:
            tmp.write_text(json.dumps({"setting": job.name, "seed": job.seed,
                                       "row": {k: _plain(v) for k, v in row.items()}}, indent=1) + "\n")
        sweep.failed_path(job.name, job.seed).unlink(missing_ok=True)
        done.append((job.name, job.seed))

    drive(todo, [(j.name, j.seed) for j in todo], f"sweep {sweep.method} {sweep.grid}", keep)
    return {"done": len(done), "skipped": skipped, "failed": failed}


def table(sweep: Sweep):
    """Mean, std (over seeds, ddof=1), n and the 95% t-interval's half width of every numeric column
    per setting, in the grid's order: a DataFrame indexed by setting."""
    import pandas as pd
    from scipy import stats

    rows = sweep.rows()
    if not rows:
        raise FileNotFoundError(f"{sweep.out} has no results yet")
    df = pd.DataFrame(rows)
    numeric = [c for c in df.columns if c != "seed" and pd.api.types.is_numeric_dtype(df[c])
               and not pd.api.types.is_bool_dtype(df[c])
               and (df[c].nunique(dropna=False) > 1 or c == METRIC[sweep.grid])]   # not a fixed label
    order = [s for s in sweep.settings if s in set(df["setting"])]
    g = df.groupby("setting")[numeric]
    mean, std, n = g.mean(), g.std(ddof=1), g.count()
    half = std * stats.t.ppf(0.975, (n - 1).clip(lower=1)) / np.sqrt(n)
    half = half.where(n > 1)
    out = pd.concat({"mean": mean, "std": std, "ci95": half, "n": n}, axis=1).swaplevel(axis=1).sort_index(axis=1)
    return out.reindex(order)


def compact(summary):
    """:func:`table` as text: "mean ± ci95" per setting and column, and the seeds counted."""
    import pandas as pd

    metrics = list(dict.fromkeys(summary.columns.get_level_values(0)))
    out = pd.DataFrame({m: [f"{a:.4f}" + ("" if pd.isna(b) else f" ± {b:.4f}")
                            for a, b in zip(summary[m]["mean"], summary[m]["ci95"])] for m in metrics},
                       index=summary.index)
    out["seeds"] = (summary.xs("n", axis=1, level=1).max(axis=1).astype(int).to_numpy() if metrics else 0)
    return out


def figure(sweep: Sweep, summary, metric: str | None = None):
    """A bar per setting of ``metric`` (default: the grid's), the 95% interval as error bars."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    metric = metric or METRIC[sweep.grid]
    if metric not in summary.columns.get_level_values(0):
        raise ValueError(f"no column {metric!r} in this sweep's results")
    part = summary[metric].dropna(subset=["mean"])
    fig, ax = plt.subplots(figsize=(7, 0.35 * len(part) + 1.6))
    ax.barh(part.index, part["mean"], xerr=part["ci95"].fillna(0), color="#4C72B0", capsize=3)
    ax.invert_yaxis()
    ax.set_xlabel(f"{metric} (mean over seeds; bars: 95% t-interval)")
    ax.set_ylabel("setting")
    ax.set_title(f"{sweep.method} {sweep.grid} at the {sweep.profile} profile: {int(part['n'].max())} seeds")
    fig.tight_layout()
    return fig


def parser(prog: str = "python -m affectkit.tools.sweep") -> argparse.ArgumentParser:
    """The command line of ``affectkit sweep``."""
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.split("\n\n")[0])
    parser.add_argument("method", choices=tuple(GRIDS), help="cmdm or easum")
    parser.add_argument("--grid", default=None,
                        help="which table: cmdm collapse | table7 | labels, easum dg | ds | shift | size "
                             "(not needed with --table)")
    parser.add_argument("--seeds", default="0-2", help="seeds: 0-9, 0,2,5 or 3 (default 0-2)")
    parser.add_argument("--profile", default="lab", choices=("smoke", "lab", "paper"), help="sizes (default lab)")
    parser.add_argument("--out", required=True, help="the sweep's folder: one result file per (setting, seed)")
    parser.add_argument("--scheduler", default=None,
                        help="a Dask scheduler address (tcp://host:8786; default $AFFECTKIT_SCHEDULER); needs "
                             "pip install 'affectkit[dask]'")
    parser.add_argument("--workers", type=int, default=1, help="local worker processes without --scheduler (default 1)")
    parser.add_argument("--device", default="cpu", help="cpu (default), cuda or auto")
    parser.add_argument("--table", action="store_true",
                        help="do not train: aggregate OUT's results into table.csv and table.png, and print the table")
    parser.add_argument("--metric", default=None, help="--table: the figure's column (default: the grid's)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def main(argv=None, prog: str = "python -m affectkit.tools.sweep") -> int:
    args = parser(prog).parse_args(argv)
    name = f"{prog} {args.method}"
    try:
        if args.table:
            sweep = Sweep.open(args.out)
            if sweep.method != args.method:
                raise ValueError(f"{args.out} is a {sweep.method} sweep, not {args.method}")
            summary = table(sweep)
            summary.to_csv(sweep.out / "table.csv")
            figure(sweep, summary, args.metric).savefig(sweep.out / "table.png", dpi=120)
            print(compact(summary).to_string())
            print(f"wrote {sweep.out / 'table.csv'} and {sweep.out / 'table.png'}", file=sys.stderr)
            return 0
        if args.grid is None:
            raise ValueError(f"--grid is needed to train: {args.method}: {', '.join(GRIDS[args.method])}")
        if args.workers < 1:
            raise ValueError(f"--workers must be >= 1, got {args.workers}")
        sweep = Sweep(args.out, args.method, args.grid, args.profile)
        seeds = parse_seeds(args.seeds)
        start = time.perf_counter()
        report = run(sweep, seeds, args.device, args.scheduler, args.workers, progress=not args.quiet)
    except ImportError as err:
        print(f"{name}: {err}", file=sys.stderr)
        return 2
    except (FileNotFoundError, ValueError, OSError) as err:
        print(f"{name}: {err}", file=sys.stderr)
        return 2
    total = len(seeds) * len(sweep.settings)
    print(json.dumps({"grid": args.grid, "profile": args.profile, "seeds": list(seeds), "jobs": total,
                      "trained": report["done"], "already_done": report["skipped"], "failed": report["failed"],
                      "seconds": round(time.perf_counter() - start, 1), "out": str(sweep.out)}, indent=2))
    return 1 if report["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
