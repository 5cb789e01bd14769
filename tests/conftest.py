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
