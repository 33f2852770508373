"""`make down` stops everything `make up` started, whatever happened to the state file or to the
parent processes in between; messages name the command the user typed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from local_cloud import session
from local_cloud.runtime_process import REPO_ROOT

pytestmark = pytest.mark.e2e


def _make(target: str, work_dir: Path) -> subprocess.CompletedProcess[str]:
    # The Makefile's own recipe, with the work dir of this test (never the repo's .local-cloud).
    cmd = [sys.executable, "-m", "local_cloud", "--invoked-as", "make", "--work-dir", str(work_dir)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    return subprocess.run(
        [*cmd, target], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def _gone(pids: list[int]) -> bool:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if not any(Path(f"/proc/{p}").exists() and not session._zombie(p) for p in pids):
            return True
        time.sleep(0.2)
    return False


def test_down_after_the_state_file_is_gone_and_the_runtime_was_killed(tmp_path: Path) -> None:
    work = tmp_path / "work"
    up = _make("up", work)
    assert up.returncode == 0, up.stderr
    assert 'eval "$(make env)"' in up.stdout and "`make down`" in up.stdout
    again = _make("up", work)
    assert again.returncode == 1 and "run `make down` first" in again.stderr
    state = session.read_state(work)
    assert state is not None
    # An orphan of the runtime, as its gunicorn container is: own session, the runtime's env.
    runtime_env = Path(f"/proc/{state.runtime_pid}/environ").read_bytes().split(b"\0")
    orphan_env = dict(v.decode().split("=", 1) for v in runtime_env if b"=" in v)
    orphan = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(300)"],
        env=orphan_env,
        start_new_session=True,
    )
    os.kill(state.runtime_pid, signal.SIGKILL)  # the runtime dies first
    session.state_path(work).unlink()  # `make clean` removed the state file
    down = _make("down", work)
    assert down.returncode == 0, down.stderr
    assert "process group" in down.stdout, down.stdout
    orphan.wait(timeout=15)
    assert _gone([state.control_plane_pid, state.runtime_pid, orphan.pid])
    assert session.session_groups(work) == {}
    assert _make("down", work).stdout.strip() == "nothing was running"
    env = _make("env", work)
    assert env.returncode == 1 and "run `make up`" in env.stderr
