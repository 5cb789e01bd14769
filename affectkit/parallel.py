"""Independent trainings side by side, one process per CPU core.

A notebook's table is many independent trainings: every (setting, seed) is its
own model, seeded by its own seed, so they can run in any order and anywhere.
On a CPU the kit's small models use a second core poorly from one process
(a lab CMDM step: 90 ms on two threads, 139 ms on one), so two processes of one
thread each finish a table about 1.3x sooner than one process of two threads
(``benchmarks/speed.py``, "runs side by side"). The runners of
:mod:`affectkit.cmdm.experiments` and :mod:`affectkit.easum.experiments` hand
their trainings to :func:`run_jobs`.

What a number depends on: a training's seed and its thread count. Each worker
trains with one thread, so the same seed gives the same number whichever
worker trains it and in whatever order, and the same as a one-thread run in
the notebook's own process (``tests/test_parallel.py`` checks it); a run on
two threads in one process differs in the last digits.

Workers are started with ``spawn`` (a fresh interpreter, safe with torch's
thread pools). A *script* that calls a runner must guard its top level with
``if __name__ == "__main__":`` (the child imports the script); so that a
script without one still works, ``workers="auto"`` trains in the calling
process unless it runs in a notebook, ``python -c`` or ``python -m``.
"""

from __future__ import annotations

import atexit
import concurrent.futures as cf
import multiprocessing
import os
import pickle
import signal
import sys

import torch

from .config import resolve_device
from .progress import bar as progress_bar

_POOL: dict = {}   # workers -> the live executor, reused by every call of a session


def cores() -> int:
    """CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:   # not Linux
        return os.cpu_count() or 1


def _script_main() -> bool:
    """True when ``__main__`` is a script file that a spawned child would run again."""
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    if spec is not None and spec.name.endswith("__main__"):   # python -m pkg: the child skips it
        return False
    return getattr(main, "__file__", None) is not None and spec is None


def workers_for(n_jobs: int, device="auto", workers="auto", profile: str | None = None) -> int:
    """How many processes train ``n_jobs`` independent models.

    ``workers``: a whole number (1: in this process), or "auto": one per core
    and per torch thread of this process (so a process limited to one thread,
    e.g. a test worker, trains here), never more than the jobs; 1 on a GPU, for
    the smoke profile (starting a worker costs more than its training), for
    the paper profile (each worker would hold its own paper-size data, 4-9 GB),
    and from a script file (see the module's docstring).
    ``$AFFECTKIT_WORKERS`` overrides "auto".
    """
    if workers == "auto":
        env = os.environ.get("AFFECTKIT_WORKERS")
        if env:
            workers = env
        elif profile in ("smoke", "paper") or resolve_device(device).type != "cpu" or _script_main():
            return 1
        else:
            return max(1, min(n_jobs, cores(), torch.get_num_threads()))
    try:
        n = int(workers)
    except (TypeError, ValueError):
        raise ValueError(f"workers must be 'auto' or a whole number >= 1, got {workers!r}") from None
    if isinstance(workers, bool) or n < 1 or (not isinstance(workers, str) and n != workers):
        raise ValueError(f"workers must be 'auto' or a whole number >= 1, got {workers!r}")
    return max(1, min(n, n_jobs))


def _start_worker(deterministic: bool):
    # an interrupt (or a kernel's shutdown) is for the notebook's process: it stops waiting
    # and cancels what has not started; a worker finishes its job or ends with the queue
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    torch.set_num_threads(1)
    os.environ["OMP_NUM_THREADS"] = os.environ["MKL_NUM_THREADS"] = "1"
    torch.use_deterministic_algorithms(deterministic, warn_only=True)


def _call(fn, args):
    # plain pickle of the result (tensors by value): no shared-memory handles cross processes
    return pickle.dumps(fn(*args), protocol=pickle.HIGHEST_PROTOCOL)


def _executor(workers: int) -> cf.ProcessPoolExecutor:
    pool = _POOL.get(workers)
    if pool is None:
        pool = cf.ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                                      initializer=_start_worker,
                                      initargs=(torch.are_deterministic_algorithms_enabled(),))
        _POOL[workers] = pool
    return pool


@atexit.register
def shutdown():
    """Stop the worker processes (they also stop when this process ends)."""
    while _POOL:
        _POOL.popitem()[1].shutdown(wait=True, cancel_futures=True)


def run_jobs(fn, jobs: list, workers: int = 1, desc: str = "training", unit: str = "run",
             progress: bool = True) -> list:
    """``[fn(*args) for args in jobs]``, on ``workers`` processes when more than one.

    ``fn`` must be a module-level function (the workers import it) and each job
    must not depend on another. Results come back in the order of ``jobs``; a
    job's exception is raised here with its worker's traceback. A progress bar
    ticks per finished job.
    """
    jobs = list(jobs)
    bar = progress_bar(total=len(jobs), desc=desc, unit=unit, disable=not progress)
    try:
        if workers <= 1 or len(jobs) <= 1:
            out = []
            for args in jobs:
                out.append(fn(*args))
                bar.update()
            return out
        pool = _executor(workers)
        try:
            futures = {pool.submit(_call, fn, args): i for i, args in enumerate(jobs)}
        except cf.process.BrokenProcessPool:   # a worker died earlier (e.g. out of memory): start afresh
            _POOL.pop(workers, None)
            pool = _executor(workers)
            futures = {pool.submit(_call, fn, args): i for i, args in enumerate(jobs)}
        out = [None] * len(jobs)
        try:
            for future in cf.as_completed(futures):
                out[futures[future]] = pickle.loads(future.result())
                bar.update()
        except BaseException:
            for future in futures:
                future.cancel()
            if isinstance(sys.exc_info()[1], cf.process.BrokenProcessPool):
                _POOL.pop(workers, None)
            raise
        return out
    finally:
        bar.close()
