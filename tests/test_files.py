"""Safe writing: a file written atomically gets the permissions the umask gives a new file."""

import os

import pytest

from affectkit.files import atomic_write


@pytest.mark.parametrize("mask", [0o022, 0o002, 0o077])
def test_an_atomic_write_follows_the_umask(tmp_path, mask):
    old = os.umask(mask)
    try:
        with atomic_write(tmp_path / "corpus.npz", suffix=".npz") as tmp:
            tmp.write_bytes(b"data")
    finally:
        os.umask(old)
    assert (tmp_path / "corpus.npz").stat().st_mode & 0o777 == 0o666 & ~mask
