"""A session-end check: no process the suite started is still listening when it ends.

Every process a test starts inherits `RUN_MARKER` in its environment (moto, the runtime, the
serving containers, the CDK CLI's children), whatever path or port it was given. When the run
ends, any such process that still holds a listening TCP socket is a leak: it is named, killed,
and the run fails, so a test that forgets to stop a server on its failure path is caught.
"""

from __future__ import annotations

import contextlib
import os
import signal
import uuid
from pathlib import Path

import pytest

RUN_MARKER = "SAGEMAKER_XGB_TEST_RUN"
_LISTEN = "0A"  # TCP state LISTEN in /proc/net/tcp


def pytest_configure(config: pytest.Config) -> None:
    # xdist workers inherit the controller's value, so one marker covers the whole run.
    os.environ.setdefault(RUN_MARKER, uuid.uuid4().hex)


def pytest_sessionfinish(session: pytest.Session) -> None:
    if hasattr(session.config, "workerinput"):  # a worker: the controller checks, once, last
        return
    leaked = listening_processes(os.environ[RUN_MARKER])
    if not leaked:
        return
    for pid in leaked:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line("processes the suite left listening (killed):", red=True)
        for pid, cmdline in leaked.items():
            reporter.write_line(f"  {pid}: {cmdline}", red=True)
    session.exitstatus = pytest.ExitCode.TESTS_FAILED


def listening_processes(marker: str) -> dict[int, str]:
    """pid -> command line of each process carrying `marker` that has a listening socket."""
    sockets = _listening_inodes()
    found: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if f"{RUN_MARKER}={marker}".encode() not in (entry / "environ").read_bytes():
                continue
            inodes = {os.readlink(fd) for fd in (entry / "fd").iterdir()}
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:  # gone meanwhile, or not ours to read
            continue
        if any(f"socket:[{inode}]" in inodes for inode in sockets):
            found[int(entry.name)] = cmdline.strip()[:200]
    return found


def _listening_inodes() -> set[str]:
    inodes: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) > 9 and fields[3] == _LISTEN:
                inodes.add(fields[9])
    return inodes
