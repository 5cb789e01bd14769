"""Safe file writing, shared by every module that writes: sidecars, checkpoints,
caches and converted corpora.

* :func:`plain_name` refuses a name that would leave its folder ("../x", "a/b").
* :func:`atomic_write` writes through a uniquely named temporary file in the
  target's folder, fsyncs it and renames it over the target; on any failure
  (an exception, Ctrl-C) the temporary file is removed and the target is left
  as it was. A reader never sees half a file, and two writers never share a
  temporary file.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path


def plain_name(name, what: str = "name") -> str:
    """``name`` if it is a plain file name (no folder parts, no '..', no NUL);
    else ValueError naming ``what``."""
    if (not isinstance(name, str) or not name.strip() or name != name.strip() or ".." in name
            or any(sep in name for sep in ("/", "\\", os.sep, os.altsep or "/")) or "\0" in name):
        raise ValueError(f"{what} must be a plain name (no folders, no '..'), got {name!r}")
    return name


def _umask() -> int:
    mask = os.umask(0o022)   # the only portable way to read it is to set it
    os.umask(mask)
    return mask


@contextmanager
def atomic_write(path, suffix: str = ""):
    """Yield a temporary path beside ``path``; when the block ends without error,
    fsync it, give it the permissions a new file gets under the umask, and rename
    it to ``path``; otherwise remove it.

    ``suffix`` is the temporary file's ending, for writers that add one
    themselves (``np.save`` appends ``.npy`` to a name without it).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=f".tmp{suffix}", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())   # mkstemp's file is owner-only; the result follows the umask
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
