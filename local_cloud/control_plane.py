"""A local AWS control plane: moto_server (CloudFormation, S3, IAM, SageMaker, ...) on loopback.

The CDK CLI and boto3 reach it through the environment that `env()` returns (the facts sheet's
recipe). Started on a free port so several runs can share a machine; stopped on every exit path
by the caller's `with` block or `stop()`.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType

LOCAL_ACCOUNT = "123456789012"  # moto's default account
LOCAL_REGION = "eu-west-2"
LOCAL_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}


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
    """SIGTERM the process group, then SIGKILL it if it lingers."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=timeout)


class ControlPlane:
    """moto_server in a subprocess of its own process group."""

    def __init__(
        self,
        *,
        port: int = 0,
        region: str = LOCAL_REGION,
        log_path: Path | None = None,
    ) -> None:
        self.port = port or free_port()
        self.region = region
        self.log_path = log_path
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        # `localhost`, not 127.0.0.1: with the IP the CDK CLI's asset upload fails (facts sheet).
        return f"http://localhost:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def env(self) -> dict[str, str]:
        """Variables that point the CDK CLI, boto3 and the AWS CLI at this control plane."""
        return {
            "AWS_ENDPOINT_URL": self.url,
            "AWS_REGION": self.region,
            "AWS_DEFAULT_REGION": self.region,
            "CDK_DEFAULT_ACCOUNT": LOCAL_ACCOUNT,
            "CDK_DEFAULT_REGION": self.region,
            "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
            **LOCAL_CREDENTIALS,
        }

    def start(self, *, timeout: float = 30.0) -> None:
        if self._proc is not None:
            raise RuntimeError("control plane already started")
        moto_server = Path(sys.executable).with_name("moto_server")
        cmd = [str(moto_server), "-H", "127.0.0.1", "-p", str(self.port)]
        log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        try:
            self._proc = subprocess.Popen(
                cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        finally:
            if self.log_path:
                log.close()  # type: ignore[union-attr]
        try:
            wait_for_http(f"{self.url}/moto-api/", timeout=timeout, proc=self._proc)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        if self._proc is not None:
            stop_process(self._proc)
            self._proc = None

    def __enter__(self) -> ControlPlane:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
