"""Work done once per test run and shared by every xdist worker (the pytest-xdist pattern).

pytest's "session" fixtures are per worker: with `-n 2` the model would be trained, and each
config synthesized, twice. Here the first worker to ask does the work under a file lock in the
run's shared base temp and marks it done; the others wait on the lock and read the result.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

DONE = ".done"


def shared_root(factory: pytest.TempPathFactory) -> Path:
    """The run's base temp, common to all workers (a worker's own is one level down)."""
    base = factory.getbasetemp()
    root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    shared = root / "shared"
    shared.mkdir(exist_ok=True)
    return shared


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def once(root: Path, name: str, make: Callable[[Path], None]) -> Path:
    """`root/name`, made by `make(folder)` by the first caller of the run; a failed attempt
    leaves no mark, so the next caller tries again (and reports the error itself)."""
    folder = root / name
    with file_lock(root / f"{name}.lock"):
        if not (folder / DONE).exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            make(folder)
            (folder / DONE).touch()
    return folder
