"""Run a command to completion in its own process group, logged, and killable on any exit path.

Own process group: Ctrl-C at the terminal reaches only our Python, which then stops the child's
whole group (npx -> node -> python app.py) instead of leaving half of it running.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from local_runtime.process_group import stop_process


@dataclass(frozen=True)
class Completed:
    returncode: int
    output: str

    def tail(self, lines: int = 25) -> str:
        return "\n".join(self.output.rstrip().splitlines()[-lines:])


def run_command(
    cmd: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    log_path: Path,
    echo: bool = False,
    timeout: float = 600.0,
) -> Completed:
    """Run `cmd`, appending its output to `log_path` (and to stdout when `echo`)."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    captured: list[str] = []
    with open(log_path, "a", encoding="utf-8") as log:
        log.write(f"$ {' '.join(cmd)}  (in {cwd})\n")
        log.flush()
        proc = subprocess.Popen(
            list(cmd),
            cwd=cwd,
            env=dict(env),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        timed_out = threading.Event()

        def kill_on_timeout() -> None:
            timed_out.set()
            stop_process(proc)

        timer = threading.Timer(timeout, kill_on_timeout)
        timer.start()
        try:
            assert proc.stdout is not None
            for raw in proc.stdout:
                line = raw.decode("utf-8", errors="replace")
                captured.append(line)
                log.write(line)
                if echo:
                    sys.stdout.write(line)
                    sys.stdout.flush()
            proc.wait()
        finally:
            timer.cancel()
            stop_process(proc)  # no-op once it exited; kills the group on an interrupt
    output = "".join(captured)
    if timed_out.is_set():
        output += f"\n(killed after {timeout:.0f} s)\n"
    return Completed(returncode=proc.returncode, output=output)


def tool_path(env: Mapping[str, str]) -> dict[str, str]:
    """`env` with this interpreter's bin dir first on PATH: cdk.json's `python3` is the venv's."""
    bin_dir = str(Path(sys.executable).parent)
    path = env.get("PATH", os.environ.get("PATH", ""))
    return {**env, "PATH": os.pathsep.join([bin_dir, path]) if path else bin_dir}
