"""The local SageMaker runtime (`python -m local_runtime`) in a process group of its own."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path

from constants import RUNTIME_HEALTH_PATH
from local_runtime.process_group import ServerProcess

REPO_ROOT = Path(__file__).resolve().parents[1]  # where `local_runtime` is importable


class RuntimeProcess(ServerProcess):
    name = "local runtime"

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
        super().__init__(port=port, log_path=log_path, env=env, cwd=REPO_ROOT)
        self.control_plane_url = control_plane_url
        self.region = region
        self.work_dir = work_dir

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

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

    def ready_url(self) -> str:
        return self.url + RUNTIME_HEALTH_PATH

    def start(self, *, timeout: float = 60.0) -> None:
        self.work_dir.mkdir(parents=True, exist_ok=True)
        super().start(timeout=timeout)
