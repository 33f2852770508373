"""Commands the local cloud runs: output returned and logged, run in their own process group,
killed with their children past the timeout, with this interpreter first on PATH."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

from local_cloud.commands import run_command, tool_path


def test_command_output_is_returned_and_logged(tmp_path: Path) -> None:
    log = tmp_path / "logs" / "x.log"
    cmd = [
        sys.executable,
        "-c",
        "import sys; print('out'); print('err', file=sys.stderr); sys.exit(3)",
    ]
    result = run_command(cmd, cwd=tmp_path, env=dict(os.environ), log_path=log)
    assert result.returncode == 3
    assert sorted(result.output.split()) == ["err", "out"]  # stderr merged into stdout
    assert log.read_text().startswith("$ ")
    assert "out" in log.read_text()


def test_a_command_past_its_timeout_is_killed_with_its_children(tmp_path: Path) -> None:
    script = (
        "import subprocess, sys, time; "
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']); "
        "print(child.pid, flush=True); time.sleep(60)"
    )
    result = run_command(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env=dict(os.environ),
        log_path=tmp_path / "t.log",
        timeout=1.0,
    )
    assert result.returncode != 0
    assert "killed after 1 s" in result.output
    grandchild = int(result.output.split()[0])
    assert _gone_soon(grandchild)


def test_tool_path_puts_this_interpreter_first() -> None:
    env = tool_path({"PATH": "/usr/bin"})
    assert env["PATH"].split(os.pathsep) == [str(Path(sys.executable).parent), "/usr/bin"]


def _gone_soon(pid: int, *, within: float = 10.0) -> bool:
    """The signal was sent to its group; its death is asynchronous."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
        except OSError:
            return True
        if state == "Z":
            return True
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)  # don't leak it when the test fails
    return False
