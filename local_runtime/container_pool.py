"""The pool of serving "containers": one process group per model, each running
`python -m local_runtime.script_mode_server` (the container's script-mode server).

Each runs the model's artefact unpacked into a work dir of its own (its /opt/ml/model) and is
reached through a small pool of keep-alive HTTP connections (the container's gthread workers
keep them open), so the hot path forks nothing and touches no file.
Containers stop when no endpoint uses their model, and all stop on shutdown.
"""

from __future__ import annotations

import collections
import hashlib
import http.client
import logging
import os
import re
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from local_runtime.artifacts import ArtifactError, fetch_model, local_path
from local_runtime.process_group import free_port, stop_process, wait_for_http
from local_runtime.resolver import ModelSpec

log = logging.getLogger(__name__)

CONTAINER_MODULE = "local_runtime.script_mode_server"
_PROJECT_ROOT = Path(__file__).resolve().parent.parent
FAILURE_MEMORY = 5.0  # seconds a failed start is remembered, so retries do not restart it each time


class ContainerStartError(Exception):
    """The model's container did not come up healthy."""


class ContainerTimeout(Exception):
    """The container did not answer within the invocation timeout."""


class ContainerUnavailable(Exception):
    """The container closed or refused the connection (it died)."""


@dataclass(frozen=True)
class ContainerReply:
    status: int
    body: bytes
    content_type: str | None
    custom_attributes: str | None


class Container:
    """A running container process group plus its pool of keep-alive connections."""

    def __init__(
        self,
        *,
        spec: ModelSpec,
        proc: subprocess.Popen[bytes],
        port: int,
        model_dir: Path,
        log_path: Path,
        timeout: float,
    ) -> None:
        self.spec = spec
        self.proc = proc
        self.port = port
        self.model_dir = model_dir
        self.log_path = log_path
        self.timeout = timeout
        self._idle: collections.deque[http.client.HTTPConnection] = collections.deque()

    @property
    def pid(self) -> int:
        return self.proc.pid

    def invoke(self, body: bytes, headers: dict[str, str]) -> ContainerReply:
        for _ in range(2):
            conn, reused = self._checkout()
            try:
                conn.request("POST", "/invocations", body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
            except TimeoutError:
                conn.close()
                raise ContainerTimeout from None
            except (ConnectionError, http.client.BadStatusLine) as exc:
                conn.close()
                if reused:  # the server closed an idle keep-alive connection: retry on a new one
                    continue
                raise ContainerUnavailable(str(exc)) from exc
            if resp.will_close:
                conn.close()
            else:
                self._idle.append(conn)
            return ContainerReply(
                status=resp.status,
                body=data,
                content_type=resp.getheader("Content-Type"),
                custom_attributes=resp.getheader("X-Amzn-SageMaker-Custom-Attributes"),
            )
        raise ContainerUnavailable("connection closed twice")

    def _checkout(self) -> tuple[http.client.HTTPConnection, bool]:
        try:
            return self._idle.pop(), True
        except IndexError:
            pass
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            conn.connect()
        except OSError as exc:
            raise ContainerUnavailable(str(exc)) from exc
        conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return conn, False

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> None:
        while self._idle:
            self._idle.pop().close()
        stop_process(self.proc)


def _slug(spec: ModelSpec) -> str:
    digest = hashlib.sha256(repr(spec).encode()).hexdigest()[:10]
    return f"{re.sub(r'[^A-Za-z0-9_.-]', '_', spec.model_name)[:40]}-{digest}"


def _ping_ok(port: int) -> bool:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", "/ping")
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()


class ContainerManager:
    """Starts at most one container per model, on first use, and stops them."""

    def __init__(
        self,
        *,
        s3_client: Any,
        work_dir: Path,
        workers: int | None = None,
        startup_timeout: float = 60.0,
        invoke_timeout: float = 60.0,
        module: str = CONTAINER_MODULE,
    ) -> None:
        self._s3 = s3_client
        self.work_dir = work_dir
        self.workers = workers
        self.startup_timeout = startup_timeout
        self.invoke_timeout = invoke_timeout
        self.module = module
        self._running: dict[ModelSpec, Container] = {}
        self._failed: dict[ModelSpec, tuple[float, str]] = {}
        self._locks: dict[ModelSpec, threading.Lock] = {}
        self._lock = threading.Lock()
        self._closed = False

    def get(self, spec: ModelSpec) -> Container:
        container = self._running.get(spec)
        if container is not None:
            return container
        with self._lock:
            if self._closed:
                raise ContainerStartError("the runtime is shutting down")
            spec_lock = self._locks.setdefault(spec, threading.Lock())
        with spec_lock:  # concurrent first requests start one container, not several
            container = self._running.get(spec)
            if container is not None:
                return container
            failed = self._failed.get(spec)
            if failed and failed[0] > time.monotonic():
                raise ContainerStartError(failed[1])
            try:
                container = self._start(spec)
            except ContainerStartError as exc:
                self._failed[spec] = (time.monotonic() + FAILURE_MEMORY, str(exc))
                raise
            with self._lock:
                if self._closed:
                    container.stop()
                    raise ContainerStartError("the runtime is shutting down")
                self._running[spec] = container
            return container

    def discard(self, container: Container) -> None:
        """Forget and stop a container that failed; the next request starts a fresh one."""
        with self._lock:
            if self._running.get(container.spec) is container:
                del self._running[container.spec]
        container.stop()

    def retain(self, in_use: set[ModelSpec]) -> None:
        """Stop containers whose model no endpoint uses any more."""
        with self._lock:
            unused = [c for spec, c in self._running.items() if spec not in in_use]
            for container in unused:
                del self._running[container.spec]
        for container in unused:
            log.info("stopping container for %s (no endpoint uses it)", container.spec.model_name)
            container.stop()

    def running(self) -> list[Container]:
        return list(self._running.values())

    def stop_all(self) -> None:
        with self._lock:
            self._closed = True
            containers = list(self._running.values())
            self._running.clear()
        for container in containers:
            container.stop()

    def _start(self, spec: ModelSpec) -> Container:
        home = self.work_dir / _slug(spec)
        model_dir = home / "model"
        try:
            fetch_model(self._s3, spec.model_data_url, model_dir)
        except ArtifactError as exc:
            raise ContainerStartError(str(exc)) from exc
        env = spec.env
        program = env.get("SAGEMAKER_PROGRAM")
        if not program:
            raise ContainerStartError(f"model {spec.model_name} sets no SAGEMAKER_PROGRAM")
        submit_dir = local_path(
            env.get("SAGEMAKER_SUBMIT_DIRECTORY", "/opt/ml/model/code"), model_dir
        )
        port = free_port()
        cmd = [sys.executable, "-m", self.module, "--model-dir", str(model_dir)]
        cmd += ["--submit-dir", submit_dir, "--program", program, "--port", str(port)]
        if self.workers:
            cmd += ["--workers", str(self.workers)]
        pythonpath = os.pathsep.join(
            p for p in (str(_PROJECT_ROOT), os.environ.get("PYTHONPATH")) if p
        )
        proc_env = {
            **os.environ,
            **env,
            "SAGEMAKER_SUBMIT_DIRECTORY": submit_dir,
            "PYTHONPATH": pythonpath,
        }
        log_path = home / "container.log"
        with open(log_path, "ab") as log_file:
            proc = subprocess.Popen(
                cmd, stdout=log_file, stderr=subprocess.STDOUT, env=proc_env, start_new_session=True
            )
        container = Container(
            spec=spec,
            proc=proc,
            port=port,
            model_dir=model_dir,
            log_path=log_path,
            timeout=self.invoke_timeout,
        )
        try:
            wait_for_http(f"http://127.0.0.1:{port}/ping", timeout=self.startup_timeout, proc=proc)
            if not _ping_ok(port):
                raise RuntimeError("/ping did not answer 200")
        except BaseException as exc:
            container.stop()
            if not isinstance(exc, Exception):
                raise
            raise ContainerStartError(
                f"container for model {spec.model_name} failed to start ({exc}); see {log_path}"
            ) from exc
        log.info("container for %s ready on port %d (pid %d)", spec.model_name, port, proc.pid)
        return container
