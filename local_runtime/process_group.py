"""A local server in a subprocess of its own process group: started, probed until it answers,
and stopped (SIGTERM, then SIGKILL) on every exit path of the `with` block that owns it.

The runtime starts its containers this way, and `local_cloud` its control plane and runtime:
it lives on the emulator's side so the imports run one way (local_cloud -> local_runtime).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Self


def free_port(host: str = "127.0.0.1") -> int:
    """A port nobody listens on now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def wait_for_http(url: str, *, timeout: float, proc: subprocess.Popen[bytes] | None = None) -> None:
    """Poll `url` until it answers any HTTP status; fail early if `proc` died."""
    deadline = time.monotonic() + timeout
    while True:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with code {proc.returncode} before {url} answered")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return  # it answered, with an error status: it is up
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{url} did not answer within {timeout:.0f} s") from None
            time.sleep(0.1)


def stop_process(proc: subprocess.Popen[bytes], *, timeout: float = 10.0) -> None:
    """SIGTERM the process group, wait until every member is gone, then SIGKILL what lingers.

    The group, not just its leader: `npx` exits on SIGTERM before the node and python it
    started have, and a caller that returns then leaves them running (and holding ports).
    The leader is reaped last: until then its pid names only this group, whereas a group whose
    leader was reaped earlier may be gone and its number taken by another process's group.
    """
    if proc.returncode is not None:
        return  # reaped before this call: the group number is no longer safely ours
    group = proc.pid  # started with start_new_session: the leader's pid names the group
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(group, sig)
        except ProcessLookupError:
            break
        deadline = time.monotonic() + timeout
        while _group_alive(group, proc) and time.monotonic() < deadline:
            time.sleep(0.05)
        if not _group_alive(group, proc):
            break
    proc.wait(timeout=timeout)


def _group_alive(group: int, leader: subprocess.Popen[bytes]) -> bool:
    """Whether any process of `group` still runs; zombies (the unreaped leader among them)
    do not count. Without /proc (not Linux), whether the leader runs."""
    proc_dir = Path("/proc")
    if not proc_dir.is_dir():
        return leader.poll() is None
    for stat in proc_dir.glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # gone since the listing
        if int(fields[2]) == group and fields[0] != "Z":
            return True
    return False


class ServerProcess:
    """Subclasses say what to run (`command`) and where it answers once ready (`ready_url`)."""

    name = "server"

    def __init__(
        self,
        *,
        port: int = 0,
        log_path: Path | None = None,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
    ) -> None:
        self.port = port or free_port()
        self.log_path = log_path
        self.extra_env = dict(env or {})
        self.cwd = cwd
        self._proc: subprocess.Popen[bytes] | None = None

    def command(self) -> list[str]:
        raise NotImplementedError

    def ready_url(self) -> str:
        raise NotImplementedError

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def start(self, *, timeout: float = 60.0) -> None:
        if self._proc is not None:
            raise RuntimeError(f"{self.name} already started")
        log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        try:
            self._proc = subprocess.Popen(
                self.command(),
                cwd=self.cwd,
                env={**os.environ, **self.extra_env},
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # our own group: stop() reaches every child
            )
        finally:
            if self.log_path:
                log.close()  # type: ignore[union-attr]
        try:
            wait_for_http(self.ready_url(), timeout=timeout, proc=self._proc)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        if self._proc is not None:
            stop_process(self._proc)
            self._proc = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
