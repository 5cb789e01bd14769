"""Independent trainings side by side, one process per CPU core.

A notebook's table is many independent trainings: every (setting, seed) is its
own model, seeded by its own seed, so they can run in any order and anywhere.
On a CPU the kit's small models use a second core poorly from one process
(a lab CMDM step: 90 ms on two threads, 139 ms on one), so two processes of one
thread each finish a table about 1.3x sooner than one process of two threads
(``benchmarks/speed.py``, "runs side by side"). The runners of
:mod:`affectkit.cmdm.experiments` and :mod:`affectkit.easum.experiments` hand
their trainings to :func:`run_jobs` as jobs: small frozen dataclasses
(``SettingJob``, ``DGJob``, ...) whose fields say what to train and whose call
trains it, so a job travels to a worker as a description, not as data.
A job makes its seed's data through :func:`made_once`: a worker trains one
seed's jobs after another and makes that seed's world once.

What a number depends on: a training's seed and its thread count. Each worker
trains with one thread, so the same seed gives the same number whichever
worker trains it and in whatever order, and the same as a one-thread run in
the notebook's own process (``tests/test_parallel.py`` checks it); a run on
two threads in one process differs in the last digits.

Where the jobs run is one argument, ``executor`` (:func:`run_jobs`, and every
runner that trains a table): ``None`` (this process, or the local pool that
``workers`` asks for), a number of local worker processes, any
``concurrent.futures.Executor``, or a **Dask** ``distributed.Client`` or a
scheduler's address (``"tcp://host:8786"``; ``$AFFECTKIT_SCHEDULER`` sets it for
every runner). Dask is the optional extra ``affectkit[dask]``: a ``LocalCluster``
on a laptop, ``dask-jobqueue`` on Slurm / PBS / SGE. The kit grows no scheduler of
its own. Results from the kit's own workers are the kit's own objects, read back
with plain pickle (restricted loading is for the data files users hand in,
:mod:`affectkit.data.pickles`).

Workers are started with ``spawn`` (a fresh interpreter, safe with torch's
thread pools). A *script* that calls a runner must guard its top level with
``if __name__ == "__main__":`` (the child imports the script); so that a
script without one still works, ``workers="auto"`` trains in the calling
process unless it runs in a notebook, ``python -c`` or ``python -m``.
"""

from __future__ import annotations

import atexit
import concurrent.futures as cf
import io
import multiprocessing
import os
import pickle
import signal
import sys

import torch

from .config import resolve_device
from .progress import bar as progress_bar

_POOL: dict = {}   # workers -> the live executor, reused by every call of a session
_LAST: dict = {}   # key -> the value made_once made last in this process


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


def _tensor(data: bytes, dtype: str, shape: tuple, parameter: bool, requires_grad: bool):
    """A tensor from its raw bytes (what :class:`_ResultPickler` writes for each tensor)."""
    t = torch.frombuffer(bytearray(data), dtype=torch.uint8) if data else torch.empty(0, dtype=torch.uint8)
    t = t.view(getattr(torch, dtype.removeprefix("torch."))).reshape(shape)
    return torch.nn.Parameter(t, requires_grad=requires_grad) if parameter else t.requires_grad_(requires_grad)


class _ResultPickler(pickle.Pickler):
    """Writes every tensor as raw bytes rebuilt by :func:`_tensor` (no shared memory,
    no nested ``torch.load`` when it is read back)."""

    def reducer_override(self, obj):
        if isinstance(obj, torch.Tensor):
            t = obj.detach().cpu().contiguous()
            return _tensor, (t.view(-1).view(torch.uint8).numpy().tobytes() if t.numel() else b"", str(t.dtype),
                             tuple(t.shape), isinstance(obj, torch.nn.Parameter), obj.requires_grad)
        return NotImplemented


def _call(job) -> bytes:
    out = io.BytesIO()
    _ResultPickler(out, protocol=pickle.HIGHEST_PROTOCOL).dump(job())
    return out.getvalue()


def _read(data: bytes):
    return pickle.loads(data)   # the kit's own worker wrote it: trusted like the kit's code


def _executor(workers: int) -> cf.ProcessPoolExecutor:
    pool = _POOL.get(workers)
    if pool is None:
        pool = cf.ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                                      initializer=_start_worker,
                                      initargs=(torch.are_deterministic_algorithms_enabled(),))
        if not _POOL:   # registered with the first pool, not on import
            atexit.register(shutdown)
        _POOL[workers] = pool
    return pool


def shutdown():
    """Stop the local worker processes and close the Dask clients this process opened by address
    (both also end with this process)."""
    while _POOL:
        _POOL.popitem()[1].shutdown(wait=True, cancel_futures=True)
    while _CLIENTS:
        _CLIENTS.popitem()[1].close()


def made_once(key, make):
    """``make()``, or the value it made for the previous call with the same ``key``.

    One value is kept per process (a new key replaces it): the jobs of a table come
    seed by seed, so a seed's data (its world, its prepared domains), which every
    setting of that seed trains on, is made once per worker; :func:`forget` drops it.
    """
    if key not in _LAST:
        _LAST.clear()
        _LAST[key] = make()
    return _LAST[key]


def forget():
    """Drop what :func:`made_once` keeps (a runner calls it when its table is done)."""
    _LAST.clear()


SCHEDULER_VARIABLE = "AFFECTKIT_SCHEDULER"
_CLIENTS: dict = {}   # scheduler address -> the Client this process opened for it
INSTALL_DASK = ("running on a Dask cluster needs the dask extra: pip install 'affectkit[dask]' "
                "(or pip install distributed)")


def dask_client(target):
    """A ``distributed.Client``: ``target`` itself, or one connected to the scheduler address
    ``target`` (opened once per process). ImportError, saying how to install it, without Dask."""
    try:
        from distributed import Client
    except ImportError:
        raise ImportError(INSTALL_DASK) from None
    if isinstance(target, Client):
        return target
    if not isinstance(target, str) or not target.strip():
        raise ValueError(f"a Dask scheduler is a Client or an address such as 'tcp://host:8786', got {target!r}")
    if target not in _CLIENTS:
        if not _CLIENTS and not _POOL:
            atexit.register(shutdown)
        _CLIENTS[target] = Client(target)
    return _CLIENTS[target]


def _is_dask_client(obj) -> bool:
    return type(obj).__name__ == "Client" and type(obj).__module__.startswith("distributed")


def where(executor=None, workers: int = 1):
    """Where :func:`run_jobs` runs: ("here", None), ("pool", a local process pool),
    ("futures", a ``concurrent.futures.Executor``) or ("dask", a ``distributed.Client``).

    ``executor``: None (``$AFFECTKIT_SCHEDULER`` when set, else ``workers`` local processes,
    1: here), a number of local processes, an Executor, a Client or a scheduler address."""
    if executor is None:
        address = os.environ.get(SCHEDULER_VARIABLE, "").strip()
        if address:
            return "dask", dask_client(address)
        executor = workers
    if _is_dask_client(executor) or isinstance(executor, str):
        return "dask", dask_client(executor)
    if isinstance(executor, cf.Executor):
        return "futures", executor
    if isinstance(executor, bool) or not isinstance(executor, int) or executor < 1:
        raise ValueError(f"executor must be None, a number of processes >= 1, a concurrent.futures.Executor, "
                         f"a Dask Client or a scheduler address; got {executor!r}")
    return ("here", None) if executor == 1 else ("pool", _executor(executor))


def _on_dask_worker(job, deterministic: bool):
    """A job on a Dask worker: one torch thread, the caller's determinism, then the job."""
    if torch.get_num_threads() != 1:
        torch.set_num_threads(1)
    torch.use_deterministic_algorithms(deterministic, warn_only=True)
    return job()


def iter_jobs(jobs: list, executor=None, workers: int = 1):
    """Run ``jobs`` (see :func:`run_jobs`) and yield ``(index, result, error)`` as each one
    finishes (``error``: the exception a job raised, its traceback attached, else None), so
    that a caller can keep what finished and report what failed. Closing the generator
    early cancels the jobs that have not started."""
    jobs = list(jobs)
    kind, target = where(executor, workers if len(jobs) > 1 else 1)
    if kind == "here":
        for i, job in enumerate(jobs):
            try:
                yield i, job(), None
            except Exception as err:   # noqa: BLE001 - handed to the caller with its traceback
                yield i, None, err
        return
    if kind == "dask":
        from distributed import as_completed

        deterministic = torch.are_deterministic_algorithms_enabled()
        futures = [target.submit(_on_dask_worker, job, deterministic, pure=False) for job in jobs]
        index = {f.key: i for i, f in enumerate(futures)}
        done = as_completed(futures)
    else:
        submit = (lambda job: target.submit(_call, job)) if kind == "pool" else (lambda job: target.submit(job))
        try:
            futures = [submit(job) for job in jobs]
        except cf.process.BrokenProcessPool:   # a worker died earlier (e.g. out of memory): start afresh
            _POOL.pop(workers, None)
            kind, target = where(workers, workers)
            futures = [target.submit(_call, job) for job in jobs]
        index = {id(f): i for i, f in enumerate(futures)}
        done = cf.as_completed(futures)
    try:
        for future in done:
            i = index[future.key] if kind == "dask" else index[id(future)]
            try:
                value = future.result()
            except Exception as err:   # noqa: BLE001 - handed to the caller with its traceback
                if isinstance(err, cf.process.BrokenProcessPool):
                    _POOL.pop(workers, None)
                    raise
                yield i, None, err
                continue
            yield i, _read(value) if kind == "pool" else value, None
    finally:
        for future in futures:
            future.cancel()


def run_jobs(jobs: list, workers: int = 1, desc: str = "training", unit: str = "run",
             progress: bool = True, executor=None) -> list:
    """``[job() for job in jobs]``, on ``workers`` local processes when more than one, or
    wherever ``executor`` says (:func:`where`: an Executor, a Dask Client or address).

    Each job is a picklable callable without arguments that does not depend on
    another: the kit's are frozen dataclasses of a module (the workers import it),
    e.g. :class:`affectkit.cmdm.experiments.SettingJob`. Results come back in the
    order of ``jobs``; the first error a job raises is raised here, with its
    worker's traceback, and the jobs not yet started are cancelled. A progress bar
    ticks per finished job.
    """
    jobs = list(jobs)
    out = [None] * len(jobs)
    results = iter_jobs(jobs, executor, workers)
    with progress_bar(total=len(jobs), desc=desc, unit=unit, disable=not progress) as bar:
        try:
            for i, value, error in results:
                if error is not None:
                    raise error
                out[i] = value
                bar.update()
        finally:
            results.close()   # cancels what has not started
    return out
