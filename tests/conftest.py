import pytest

import affectkit


@pytest.fixture(scope="session")
def smoke_world():
    return affectkit.make_world("smoke", seed=0)


@pytest.fixture(scope="session")
def lab_world():
    return affectkit.make_world("lab", seed=0)
