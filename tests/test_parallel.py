"""Trainings side by side (affectkit.parallel): the same numbers as one after the
other in one process at one thread, in the order asked, errors raised here."""

from functools import partial

import pandas as pd
import pytest
import torch

from affectkit import parallel
from affectkit.cmdm.experiments import collapse_settings, run_settings, table5_settings
from affectkit.easum.experiments import run_dg, run_ds, spl_settings


def test_jobs_come_back_in_order():
    jobs = [partial(pow, 2, i) for i in range(7)]
    assert parallel.run_jobs(jobs, workers=2, progress=False) == [2 ** i for i in range(7)]


def test_a_workers_error_is_raised_here():
    with pytest.raises(ValueError, match="invalid literal"):
        parallel.run_jobs([partial(int, "3"), partial(int, "three")], workers=2, progress=False)
    # the pool survives a job's error
    assert parallel.run_jobs([partial(int, "3"), partial(int, "4")], workers=2, progress=False) == [3, 4]


def test_a_seeds_data_is_made_once_per_process():
    made = []

    def make(seed):
        made.append(seed)
        return [seed]

    first = parallel.made_once(("t", 0), lambda: make(0))
    assert parallel.made_once(("t", 0), lambda: make(0)) is first and made == [0]
    parallel.made_once(("t", 1), lambda: make(1))          # the next seed replaces it
    parallel.made_once(("t", 0), lambda: make(0))
    assert made == [0, 1, 0]
    parallel.forget()
    parallel.made_once(("t", 0), lambda: make(0))
    assert made == [0, 1, 0, 0]
    parallel.forget()


def test_a_job_is_a_typed_description():
    """The runners hand run_jobs frozen dataclasses: what to train, not the trained data."""
    import dataclasses

    from affectkit.cmdm.experiments import SettingJob, collapse_settings
    from affectkit.config import get_profile

    job = SettingJob(None, get_profile("smoke"), 0, "vanilla", collapse_settings(0.2, 1.0)["vanilla"], 1, "cpu", None, False)
    assert dataclasses.is_dataclass(job) and job.seed == 0
    with pytest.raises(dataclasses.FrozenInstanceError):
        job.seed = 1
    row, kept = job()
    assert row["seed"] == 0 and kept is None


@pytest.mark.parametrize("bad", [0, -1, 2.5, "two", True, None])
def test_workers_must_be_a_whole_number(bad):
    with pytest.raises(ValueError, match="workers must be"):
        parallel.workers_for(4, workers=bad)


def test_auto_workers(monkeypatch):
    monkeypatch.delenv("AFFECTKIT_WORKERS", raising=False)
    assert parallel.workers_for(5, workers=3) == 3
    assert parallel.workers_for(2, workers=8) == 2                  # never more than the jobs
    assert parallel.workers_for(9, profile="smoke") == 1            # smoke-sized jobs train here
    assert parallel.workers_for(9, profile="paper") == 1            # one paper-size world in memory, not one per worker
    monkeypatch.setattr(parallel, "_script_main", lambda: True)
    assert parallel.workers_for(9) == 1                             # a script file without a guard is safe
    monkeypatch.setattr(parallel, "_script_main", lambda: False)
    monkeypatch.setattr(torch, "get_num_threads", lambda: 1)
    assert parallel.workers_for(9) == 1                             # a one-thread process (a test worker)
    monkeypatch.setattr(torch, "get_num_threads", lambda: 16)
    assert parallel.workers_for(9) == min(9, parallel.cores())
    assert parallel.workers_for(9, profile="lab") == min(9, parallel.cores())
    monkeypatch.setenv("AFFECTKIT_WORKERS", "2")
    assert parallel.workers_for(9, profile="smoke") == 2


def test_cmdm_runs_side_by_side_equal_one_after_the_other(one_thread):
    settings = {**collapse_settings(0.2, 1.0), **table5_settings(n_labeled=40, combos=("AVL",))}
    serial = run_settings(settings, profile="smoke", seeds=(0, 1), workers=1, progress=False)
    keep, pools = {}, {}
    side = run_settings(settings, profile="smoke", seeds=(0, 1), workers=2, progress=False, keep=keep, pools=pools)
    pd.testing.assert_frame_equal(serial, side)
    assert set(keep) == set(settings) and all("model" in k and "latents" in k for k in keep.values())
    assert set(pools) == {(0, 40), (1, 40)}


def test_easum_runs_side_by_side_equal_one_after_the_other(one_thread):
    out = []
    for workers in (1, 2):
        models = {}
        dg = run_dg({"omega0": 0.0, "mm": 0.5}, profile="smoke", seeds=(0, 1), workers=workers, progress=False,
                    models=models)
        teachers = {s: models[("mm", s)].model for s in (0, 1)}
        ds_models = {}
        ds = run_ds(spl_settings(domains=("mosi", "meld")), teachers, profile="smoke", seeds=(0, 1),
                    workers=workers, progress=False, models=ds_models)
        out.append((dg, ds, sorted(models), sorted(ds_models)))
    pd.testing.assert_frame_equal(out[0][0], out[1][0])
    pd.testing.assert_frame_equal(out[0][1], out[1][1])
    assert out[0][2:] == out[1][2:] and len(out[1][3]) == 12
    assert list(out[1][0].setting) == ["untrained", "omega0", "mm"] * 2


def test_a_result_comes_back_whole():
    """A worker's result is the kit's own object, read back with plain pickle: tensors (written
    as raw bytes, no shared memory), models and DataFrames come back equal."""
    model = torch.nn.TransformerEncoderLayer(8, 2, 16, batch_first=True)
    value = {"t": torch.arange(6.0).reshape(2, 3), "empty": torch.empty(0, 4), "half": torch.ones(3, dtype=torch.bfloat16),
             "model": model, "frame": pd.DataFrame({"a": [1.0, 2.0], "b": ["x", "y"]})}
    back = parallel._read(parallel._call(lambda: value))
    assert torch.equal(back["t"], value["t"]) and back["empty"].shape == (0, 4) and back["half"].dtype == torch.bfloat16
    for (k, a), b in zip(back["model"].state_dict().items(), model.state_dict().values()):
        assert torch.equal(a, b), k
    assert isinstance(next(back["model"].parameters()), torch.nn.Parameter)
    pd.testing.assert_frame_equal(back["frame"], value["frame"])


def test_any_executor_and_errors_per_job():
    """A concurrent.futures executor runs the jobs too; iter_jobs reports each job's error and
    keeps the others' results."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(2) as pool:
        assert parallel.run_jobs([partial(pow, 3, i) for i in range(5)], executor=pool, progress=False) == \
            [3 ** i for i in range(5)]
        found = {i: (value, error) for i, value, error in
                 parallel.iter_jobs([partial(int, "1"), partial(int, "x"), partial(int, "3")], executor=pool)}
    assert found[0] == (1, None) and found[2] == (3, None)
    assert isinstance(found[1][1], ValueError) and found[1][1].__traceback__ is not None
    for bad in (0, -2, 1.5, True, object()):
        with pytest.raises(ValueError, match="executor must be"):
            parallel.where(bad)


def test_without_dask_the_scheduler_says_how_to_install(without_dask, monkeypatch):
    with pytest.raises(ImportError, match=r"pip install 'affectkit\[dask\]'"):
        parallel.run_jobs([partial(int, "1")], executor="tcp://127.0.0.1:8786", progress=False)
    monkeypatch.setenv("AFFECTKIT_SCHEDULER", "tcp://127.0.0.1:8786")
    with pytest.raises(ImportError, match="dask extra"):
        parallel.run_jobs([partial(int, "1")], progress=False)
