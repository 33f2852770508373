"""stop_process stops a whole process group, not only its leader."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from local_runtime import process_group
from local_runtime.process_group import stop_process

# The leader exits at once on SIGTERM; its child (like node under npx) takes a while to stop.
LEADER_QUITS_CHILD_LINGERS = (
    "trap 'exit 0' TERM; (trap 'sleep 0.5; exit 0' TERM; sleep 30) & echo $! > {pid}; wait"
)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_stop_returns_only_once_every_member_of_the_group_is_gone(tmp_path: Path) -> None:
    pid_file = tmp_path / "child.pid"
    proc = subprocess.Popen(
        ["bash", "-c", LEADER_QUITS_CHILD_LINGERS.format(pid=pid_file)], start_new_session=True
    )
    deadline = time.monotonic() + 10
    while not pid_file.exists() or not pid_file.read_text().strip():
        assert time.monotonic() < deadline, "the child never started"
        time.sleep(0.05)
    child = int(pid_file.read_text())

    stop_process(proc)

    assert proc.returncode is not None
    assert not _alive(child)


def test_a_child_that_ignores_sigterm_is_killed(tmp_path: Path) -> None:
    pid_file = tmp_path / "child.pid"
    script = "trap 'exit 0' TERM; (trap '' TERM; sleep 30) & echo $! > {pid}; wait"
    proc = subprocess.Popen(["bash", "-c", script.format(pid=pid_file)], start_new_session=True)
    deadline = time.monotonic() + 10
    while not pid_file.exists() or not pid_file.read_text().strip():
        assert time.monotonic() < deadline, "the child never started"
        time.sleep(0.05)
    child = int(pid_file.read_text())

    stop_process(proc, timeout=0.5)

    assert not _alive(child)
    assert not any(_alive(p) for p in _group_members(proc.pid))


def _group_members(group: int) -> list[int]:
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == group:
            members.append(int(stat.parent.name))
    return members


def test_a_leader_reaped_earlier_is_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    # Once reaped, the leader's pid (and so its group number) may belong to a new process
    # group, e.g. a container started since: stop must not signal it. Pid reuse cannot be
    # forced here: the group is made to look alive, and a spy on os.killpg is the victim.
    proc = subprocess.Popen(["true"], start_new_session=True)
    proc.wait()
    signalled: list[tuple[int, int]] = []
    monkeypatch.setattr(process_group, "_group_alive", lambda group, leader: True)
    monkeypatch.setattr(os, "killpg", lambda group, sig: signalled.append((group, sig)))

    stop_process(proc)

    assert signalled == []
