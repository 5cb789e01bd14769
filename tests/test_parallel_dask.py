"""The same tables on a Dask LocalCluster (2 worker processes of one thread) as in this process
at one thread: notebook 03's collapse table and notebook 05's DG table, pandas-equal."""

import pandas as pd
import pytest

distributed = pytest.importorskip("distributed")

from affectkit import parallel  # noqa: E402
from affectkit.cmdm.experiments import collapse_settings, run_settings  # noqa: E402
from affectkit.easum.experiments import run_dg  # noqa: E402
from affectkit.teach.lessons.collapse import SHARED as COLLAPSE  # noqa: E402

DG_OMEGA = 0.1   # notebook 05's omega (EASUM Sec. 4.4)

pytestmark = pytest.mark.xdist_group("dask")


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


def test_collapse_table_on_dask_equals_one_process(client, one_thread):
    settings = collapse_settings(COLLAPSE["beta_collapse"], COLLAPSE["sigma"])   # notebook 03's table
    here = run_settings(settings, profile="smoke", seeds=(0, 1), workers=1, progress=False)
    there = run_settings(settings, profile="smoke", seeds=(0, 1), executor=client, progress=False)
    pd.testing.assert_frame_equal(here, there)


def test_dg_table_on_dask_equals_one_process(client, one_thread):
    omegas = {"omega0": 0.0, "mm": DG_OMEGA}   # notebook 05's table
    here = run_dg(omegas, profile="smoke", seeds=(0, 1), workers=1, progress=False)
    there = run_dg(omegas, profile="smoke", seeds=(0, 1), executor=client, progress=False)
    pd.testing.assert_frame_equal(here, there)


def test_the_scheduler_variable_reaches_every_runner(client, one_thread, monkeypatch):
    settings = {"vanilla": collapse_settings(0.2, 1.0)["vanilla"]}
    here = run_settings(settings, profile="smoke", seeds=(2,), workers=1, progress=False)
    monkeypatch.setenv("AFFECTKIT_SCHEDULER", client.scheduler.address)
    try:
        there = run_settings(settings, profile="smoke", seeds=(2,), workers=1, progress=False)
        assert parallel.where()[0] == "dask"
    finally:
        parallel.shutdown()   # closes the client opened for the address
    pd.testing.assert_frame_equal(here, there)


def test_a_sweep_on_dask_writes_the_same_results(client, tmp_path):
    from affectkit.tools import sweep as sw

    here, there = sw.Sweep(tmp_path / "here", "easum", "dg", "smoke"), sw.Sweep(tmp_path / "there", "easum", "dg", "smoke")
    assert sw.run(here, (0, 1), progress=False)["done"] == 4
    assert sw.run(there, (0, 1), executor=client, progress=False)["done"] == 4
    assert sorted(here.rows(), key=str) == sorted(there.rows(), key=str)
