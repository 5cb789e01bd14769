"""Two notebook tables three ways: in this process (one thread), on today's local pool (2
processes of one thread), on a Dask LocalCluster (2 worker processes of one thread).

    .venv/bin/python benchmarks/dask_tables.py [--profile lab] [--seeds 0 1 2]

The tables: notebook 03's collapse study (CMDM Sec. 3.2: vanilla, matching alone, + the
unpaired term, + reconstruction) and notebook 05's DG table (omega 0 and moment matching at
the paper's 0.1, plus the untrained model). Prints seconds per way, the ratios, and whether
each way's table is pandas-equal to the one-process table. The cluster's start is timed
apart (a laptop or a cluster starts it once per session). Results: benchmarks/RESULTS.md.
"""

import argparse
import time
from functools import partial

import pandas as pd
import torch
from distributed import Client, LocalCluster

from affectkit import parallel
from affectkit.cmdm.experiments import collapse_settings, run_settings
from affectkit.easum.experiments import run_dg
from affectkit.teach.lessons.collapse import SHARED

TABLES = {
    "03 collapse": lambda profile, seeds, **how: run_settings(
        collapse_settings(SHARED["beta_collapse"], SHARED["sigma"]), profile=profile, seeds=seeds, progress=False, **how),
    "05 DG": lambda profile, seeds, **how: run_dg({"omega0": 0.0, "mm": 0.1}, profile=profile, seeds=seeds,
                                                  progress=False, **how),
}


def timed(make, *args, **kwargs):
    start = time.perf_counter()
    out = make(*args, **kwargs)
    return out, time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--profile", default="lab")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = parser.parse_args()
    torch.set_num_threads(1)
    (cluster, client), start = timed(lambda: (lambda c: (c, Client(c)))(
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)))
    print(f"LocalCluster of 2 one-thread workers started in {start:.1f} s")
    parallel.run_jobs([partial(abs, -1)] * 2, workers=2, progress=False)   # start the local pool outside the timings
    for name, table in TABLES.items():
        one, t_one = timed(table, args.profile, args.seeds, workers=1)
        pool, t_pool = timed(table, args.profile, args.seeds, workers=2)
        dask, t_dask = timed(table, args.profile, args.seeds, executor=client)
        same = []
        for other in (pool, dask):
            try:
                pd.testing.assert_frame_equal(one, other)
                same.append(True)
            except AssertionError:
                same.append(False)
        print(f"{name}: {len(one)} models; one process {t_one:.1f} s, local pool {t_pool:.1f} s "
              f"({t_one / t_pool:.2f}x), Dask LocalCluster {t_dask:.1f} s ({t_one / t_dask:.2f}x); equal to one "
              f"process: pool {same[0]}, Dask {same[1]}", flush=True)
    client.close()
    cluster.close()
    parallel.shutdown()


if __name__ == "__main__":
    main()
