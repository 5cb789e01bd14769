import os

import pytest

if os.environ.get("PYTEST_XDIST_WORKER"):
    # `make test` runs two workers on two cores: one thread each (and for the kernels they
    # start), or four threads fight over two cores and every step waits
    os.environ["OMP_NUM_THREADS"] = os.environ["MKL_NUM_THREADS"] = "1"
    import torch
    torch.set_num_threads(1)

import affectkit


@pytest.fixture(scope="session")
def smoke_world():
    return affectkit.make_world("smoke", seed=0)


@pytest.fixture(scope="session")
def lab_world():
    return affectkit.make_world("lab", seed=0)


@pytest.fixture
def one_thread():
    """torch on one thread for the test (as a worker trains), restored afterwards."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture
def without_dask(monkeypatch):
    """An interpreter without the dask extra: importing ``distributed`` fails."""
    import builtins

    real = builtins.__import__

    def no_dask(name, *args, **kwargs):
        if name.split(".")[0] == "distributed":
            raise ImportError("No module named 'distributed'")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_dask)
