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


# what a job's result may name: its own classes, torch's, transformers', numpy's, pandas' and
# pyarrow's (models, results, arrays, DataFrames and their string columns) and plain containers; never a function that runs
# something, so that reading a result builds data and nothing else
_PACKAGES = ("affectkit.", "torch.", "transformers.", "numpy.", "pandas.", "pyarrow.")
_FUNCTIONS = {("affectkit.parallel", "_tensor"), ("copyreg", "_reconstructor"), ("copyreg", "__newobj__"),
              ("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
              ("numpy.core.multiarray", "scalar"), ("numpy._core.multiarray", "scalar"),
              ("numpy.core.numeric", "_frombuffer"), ("numpy._core.numeric", "_frombuffer"),
              ("pandas._libs.internals", "_unpickle_block"), ("pandas.core.internals.blocks", "new_block"),
              ("pandas.core.indexes.base", "_new_Index"), ("pyarrow.lib", "_restore_array"),
              ("pyarrow.lib", "type_for_alias"), ("pyarrow.lib", "py_buffer"),
              # the activations a transformer layer keeps as an attribute (pure functions of a tensor)
              ("torch.nn.functional", "relu"), ("torch.nn.functional", "gelu"), ("torch._C._nn", "gelu"),
              ("torch.nn.functional", "silu"), ("torch.nn.functional", "tanh")}
_BUILTINS = {"set", "frozenset", "slice", "range", "complex", "bytearray", "object"}


class _ResultUnpickler(pickle.Unpickler):
    """Reads a job's result: classes of the packages above, the few functions in
    :data:`_FUNCTIONS`, torch dtypes, plain containers; refuses anything else."""

    def find_class(self, module, name):
        if (module, name) in _FUNCTIONS or (module == "builtins" and name in _BUILTINS) \
                or (module, name) == ("collections", "OrderedDict"):
            return super().find_class(module, name)
        if (module + ".").startswith(_PACKAGES):
            found = super().find_class(module, name)
            if isinstance(found, (type, torch.dtype)):
                return found
        raise pickle.UnpicklingError(f"a training's result may not name {module}.{name}")


def _call(job) -> bytes:
    out = io.BytesIO()
    _ResultPickler(out, protocol=pickle.HIGHEST_PROTOCOL).dump(job())
    return out.getvalue()


def _read(data: bytes):
    return _ResultUnpickler(io.BytesIO(data)).load()


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
    """Stop the worker processes (they also stop when this process ends)."""
    while _POOL:
        _POOL.popitem()[1].shutdown(wait=True, cancel_futures=True)


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


def run_jobs(jobs: list, workers: int = 1, desc: str = "training", unit: str = "run",
             progress: bool = True) -> list:
    """``[job() for job in jobs]``, on ``workers`` processes when more than one.

    Each job is a picklable callable without arguments that does not depend on
    another: the kit's are frozen dataclasses of a module (the workers import it),
    e.g. :class:`affectkit.cmdm.experiments.SettingJob`. Results come back in the
    order of ``jobs``; a job's exception is raised here with its worker's
    traceback. A progress bar ticks per finished job.
    """
    jobs = list(jobs)
    bar = progress_bar(total=len(jobs), desc=desc, unit=unit, disable=not progress)
    try:
        if workers <= 1 or len(jobs) <= 1:
            out = []
            for job in jobs:
                out.append(job())
                bar.update()
            return out
        pool = _executor(workers)
        try:
            futures = {pool.submit(_call, job): i for i, job in enumerate(jobs)}
        except cf.process.BrokenProcessPool:   # a worker died earlier (e.g. out of memory): start afresh
            _POOL.pop(workers, None)
            pool = _executor(workers)
            futures = {pool.submit(_call, job): i for i, job in enumerate(jobs)}
        out = [None] * len(jobs)
        try:
            for future in cf.as_completed(futures):
                out[futures[future]] = _read(future.result())
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
