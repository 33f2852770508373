"""The local SageMaker runtime (`python -m local_runtime`) in a process group of its own."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType

from local_cloud.control_plane import free_port, stop_process, wait_for_http

HEALTH_PATH = "/_local/health"
REPO_ROOT = Path(__file__).resolve().parents[1]  # where `local_runtime` is importable


class RuntimeProcess:
    def __init__(
        self,
        *,
        control_plane_url: str,
        region: str,
        work_dir: Path,
        port: int = 0,
        log_path: Path | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.control_plane_url = control_plane_url
        self.region = region
        self.work_dir = work_dir
        self.port = port or free_port()
        self.log_path = log_path
        self.env = dict(env or {})
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "local_runtime",
            "--port",
            str(self.port),
            "--control-plane-url",
            self.control_plane_url,
            "--region",
            self.region,
            "--work-dir",
            str(self.work_dir),
        ]

    def start(self, *, timeout: float = 60.0) -> None:
        if self._proc is not None:
            raise RuntimeError("local runtime already started")
        self.work_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        try:
            self._proc = subprocess.Popen(
                self.command(),
                cwd=REPO_ROOT,
                env={**os.environ, **self.env},
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        finally:
            if self.log_path:
                log.close()  # type: ignore[union-attr]
        try:
            wait_for_http(self.url + HEALTH_PATH, timeout=timeout, proc=self._proc)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        if self._proc is not None:
            stop_process(self._proc)
            self._proc = None

    def __enter__(self) -> RuntimeProcess:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
