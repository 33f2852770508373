"""A detached local cloud (`up`/`down`/`env`): both servers outlive this process; their pids and
ports live in `.local-cloud/state.json` so a later `env` finds them.

`down` does not trust that file alone: every process `up` starts carries `SESSION_VARIABLE` (the
work dir's absolute path) in its environment, and so does every child (the runtime's gunicorn
containers, which lead process groups of their own). `down` stops every process group of ours
that carries it, so it also stops what a deleted state file (`make clean`) or a crashed parent
(the runtime SIGKILLed, its containers left running) would otherwise orphan."""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import signal
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from constants import LOCAL_CREDENTIALS, LOCAL_REGION
from local_cloud.control_plane import ControlPlane
from local_cloud.runtime_process import RuntimeProcess

EXPORTED = (
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    *LOCAL_CREDENTIALS,
    "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION",
    "AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED",
)
# What each server's command line contains: a pid from state.json is only signalled if its
# process still is ours (pids get reused).
SIGNATURES = {"control_plane": "local_aws", "runtime": "local_runtime"}
SESSION_VARIABLE = "LOCAL_CLOUD_SESSION"


class SessionError(RuntimeError):
    pass


@dataclass(frozen=True)
class SessionState:
    control_plane_pid: int
    control_plane_url: str
    runtime_pid: int
    runtime_url: str
    region: str

    def env(self) -> dict[str, str]:
        values = {
            "AWS_ENDPOINT_URL": self.control_plane_url,
            "AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME": self.runtime_url,
            "AWS_REGION": self.region,
            "AWS_DEFAULT_REGION": self.region,
            **LOCAL_CREDENTIALS,
            "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
            "AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED": "true",
        }
        return {key: values[key] for key in EXPORTED}

    def export_lines(self) -> list[str]:
        return [f"export {k}={shlex.quote(v)}" for k, v in self.env().items()]

    def pids(self) -> dict[str, int]:
        return {"control_plane": self.control_plane_pid, "runtime": self.runtime_pid}


def state_path(work_dir: Path) -> Path:
    return work_dir / "state.json"


def read_state(work_dir: Path) -> SessionState | None:
    try:
        return SessionState(**json.loads(state_path(work_dir).read_text()))
    except FileNotFoundError:
        return None
    except (ValueError, TypeError) as exc:
        raise SessionError(f"{state_path(work_dir)} is unreadable ({exc}); remove it") from None


def alive(pid: int, signature: str) -> bool:
    """The process exists and its command line names `signature` (not a reused pid)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return False
    return signature in cmdline


def running(state: SessionState) -> dict[str, bool]:
    return {role: alive(pid, SIGNATURES[role]) for role, pid in state.pids().items()}


def up(
    work_dir: Path, *, region: str = LOCAL_REGION, down_command: str = "python -m local_cloud down"
) -> SessionState:
    existing = read_state(work_dir)
    if (existing is not None and any(running(existing).values())) or session_groups(work_dir):
        raise SessionError(f"a local cloud is already up: run `{down_command}` first")
    log_dir = work_dir / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    marker = {SESSION_VARIABLE: session_id(work_dir)}
    control_plane = ControlPlane(region=region, log_path=log_dir / "moto.log")
    control_plane.extra_env.update(marker)
    runtime = RuntimeProcess(
        control_plane_url=control_plane.url,
        region=region,
        work_dir=work_dir / "runtime",
        log_path=log_dir / "runtime.log",
        env={**control_plane.env(), **marker},
    )
    control_plane.invoke_runtime_at(runtime.url)
    control_plane.start()
    try:
        runtime.start()
    except BaseException:
        control_plane.stop()
        raise
    assert control_plane.pid is not None and runtime.pid is not None
    state = SessionState(
        control_plane_pid=control_plane.pid,
        control_plane_url=control_plane.url,
        runtime_pid=runtime.pid,
        runtime_url=runtime.url,
        region=region,
    )
    state_path(work_dir).write_text(json.dumps(asdict(state), indent=2) + "\n")
    return state  # both keep running: they are in sessions of their own


def down(work_dir: Path, *, timeout: float = 10.0) -> list[str]:
    """Stop what `up` started; returns what was stopped. Harmless when nothing runs."""
    state = None
    with contextlib.suppress(SessionError):  # an unreadable state file: the marker still finds them
        state = read_state(work_dir)
    stopped = []
    for role, pid in (state.pids() if state else {}).items():
        if alive(pid, SIGNATURES[role]):
            _stop_group(pid, timeout=timeout)
            stopped.append(f"{role} (pid {pid})")
    for pgid, command in session_groups(work_dir).items():
        _stop_group(pgid, timeout=timeout)
        stopped.append(f"{command} (process group {pgid})")
    state_path(work_dir).unlink(missing_ok=True)
    return stopped


def session_id(work_dir: Path) -> str:
    return str(work_dir.resolve())


def session_groups(work_dir: Path) -> dict[int, str]:
    """Process groups (their leader's pgid -> a short command) that carry this work dir's
    session marker; never this process's own group."""
    wanted = f"{SESSION_VARIABLE}={session_id(work_dir)}".encode()
    own = os.getpgrp()
    groups: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if wanted not in (entry / "environ").read_bytes().split(b"\0"):
                continue
            pgid = os.getpgid(int(entry.name))
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except (OSError, ProcessLookupError):
            continue  # gone, or not ours to read
        if pgid != own and not _zombie(int(entry.name)):
            groups.setdefault(pgid, " ".join(a.decode(errors="replace") for a in argv[:3]))
    return groups


def _stop_group(pid: int, *, timeout: float) -> None:
    # Each server leads its own process group (start_new_session), so pid == pgid.
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pid, sig)
        except (ProcessLookupError, PermissionError):
            return
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not _group_alive(pid):
                return
            time.sleep(0.1)


def _group_alive(pgid: int) -> bool:
    """Some process of the group still runs (a zombie does not count)."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if os.getpgid(int(entry.name)) == pgid and not _zombie(int(entry.name)):
                    return True
            except (ProcessLookupError, OSError):
                continue
    return False


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] == "Z"
    except OSError:
        return True
