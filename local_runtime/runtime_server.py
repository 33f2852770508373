"""The local runtime's HTTP server: plays runtime.sagemaker.<region>.amazonaws.com on loopback.

Threaded, HTTP/1.1 keep-alive, Nagle off and each answer written in one send, so a signed 1-row
request costs little more than the container's own work.
"""

from __future__ import annotations

import contextlib
import email.utils
import http.server
import json
import logging
import os
import shutil
import socket
import tempfile
import threading
import uuid
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType

import boto3
from botocore.config import Config

from constants import LOCAL_CREDENTIALS, RUNTIME_HEALTH_PATH
from local_runtime import errors
from local_runtime.container_pool import CONTAINER_MODULE, ContainerManager
from local_runtime.front_door import FrontDoor, Reply
from local_runtime.resolver import CachedResolver, describe
from local_runtime.serving_thread import ServingThread
from local_runtime.sigv4 import SigV4Verifier

log = logging.getLogger(__name__)

_PREFIX = "/endpoints/"
_SUFFIX = "/invocations"
_DISCARD_LIMIT = 64 << 20  # most body bytes swallowed after a refusal before hanging up


def default_credentials() -> dict[str, str]:
    """The local access key -> secret map: the caller's environment, as boto3 would read it."""
    access_key = os.environ.get("AWS_ACCESS_KEY_ID", LOCAL_CREDENTIALS["AWS_ACCESS_KEY_ID"])
    secret = os.environ.get("AWS_SECRET_ACCESS_KEY", LOCAL_CREDENTIALS["AWS_SECRET_ACCESS_KEY"])
    return {access_key: secret}


class _HTTPServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    # socketserver listens with a backlog of 5: a burst of new connections (100 clients at
    # once) would be reset by the kernel before a thread could accept them.
    request_queue_size = 128
    front_door: FrontDoor
    runtime: RuntimeServer

    def __init__(self, address: tuple[str, int], runtime: RuntimeServer) -> None:
        self.runtime = runtime
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, _Handler)


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive
    disable_nagle_algorithm = True
    timeout = 120  # idle keep-alive connections do not pin a thread forever
    server: _HTTPServer
    _unread = 0  # body bytes left unread by a refusal, discarded after the answer

    def setup(self) -> None:
        super().setup()
        with self.server.connections_lock:
            self.server.connections.add(self.connection)

    def finish(self) -> None:
        with self.server.connections_lock:
            self.server.connections.discard(self.connection)
        super().finish()

    def do_POST(self) -> None:
        self._dispatch()

    def do_GET(self) -> None:
        self._dispatch()

    def do_PUT(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        try:
            reply = self._route()
        except errors.AwsError as exc:
            self.close_connection = True  # the body may be unread
            reply = Reply.from_error(exc)
        except Exception:
            log.exception("unexpected error answering %s %s", self.command, self.path)
            self.close_connection = True  # the body may be unread
            reply = Reply.from_error(errors.internal_failure())
        self._send(reply)
        if self._unread:
            self._discard_unread()

    def _route(self) -> Reply:
        path = self.path.split("?", 1)[0]
        if path == RUNTIME_HEALTH_PATH and self.command == "GET":
            return self.server.runtime.health()
        if not (self.command == "POST" and path.startswith(_PREFIX) and path.endswith(_SUFFIX)):
            self._drain()
            return Reply.from_error(errors.unknown_operation())
        # Judge the size from the header, before reading a byte of the body.
        length = self.headers.get("Content-Length")
        if length is not None and not length.isdigit():
            self.close_connection = True
            return Reply.from_error(errors.bad_content_length(length))
        if length is not None and int(length) > errors.MAX_PAYLOAD_BYTES:
            self.close_connection = True
            self._unread = int(length)
            return Reply.from_error(errors.PayloadTooLarge())
        body = self._read_body(length)
        if body is None:  # a chunked body outgrew the limit
            self.close_connection = True
            self._unread = _DISCARD_LIMIT
            return Reply.from_error(errors.PayloadTooLarge())
        endpoint = path[len(_PREFIX) : -len(_SUFFIX)]
        return self.server.runtime.front_door.invoke(
            endpoint=endpoint, path=self.path, headers=self.headers, body=body
        )

    def _read_body(self, length: str | None) -> bytes | None:
        """The body, or None when a chunked one outgrows the limit."""
        if length is not None:
            return self.rfile.read(int(length))
        if self.headers.get("Transfer-Encoding", "").lower() != "chunked":
            return b""
        chunks: list[bytes] = []
        size = 0
        while True:
            line = self.rfile.readline(1024)
            try:
                chunk_size = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise errors.AwsError(400, "ValidationError", "Malformed chunked body") from None
            if chunk_size == 0:
                while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(chunks)
            size += chunk_size
            if size > errors.MAX_PAYLOAD_BYTES:
                return None
            chunks.append(self.rfile.read(chunk_size))
            self.rfile.readline(1024)

    def _discard_unread(self) -> None:
        """Lingering close: a socket closed with unread data sends RST, and the client would see
        "connection reset" instead of our 413; swallow (not keep) what it still sends."""
        remaining, self._unread = min(self._unread, _DISCARD_LIMIT), 0
        try:
            self.connection.shutdown(socket.SHUT_WR)
            self.connection.settimeout(2.0)
            while remaining > 0:
                chunk = self.rfile.read1(min(remaining, 1 << 16))
                if not chunk:
                    break
                remaining -= len(chunk)
        except OSError:
            pass

    def _drain(self) -> None:
        length = self.headers.get("Content-Length")
        if length and length.isdigit() and int(length) <= errors.MAX_PAYLOAD_BYTES:
            self.rfile.read(int(length))
        elif length or self.headers.get("Transfer-Encoding"):
            self.close_connection = True

    def _send(self, reply: Reply) -> None:
        reason = self.responses.get(reply.status, ("",))[0]
        lines = [
            f"HTTP/1.1 {reply.status} {reason}",
            f"Date: {email.utils.formatdate(usegmt=True)}",
            f"x-amzn-RequestId: {uuid.uuid4()}",
            f"Content-Length: {len(reply.body)}",
        ]
        lines += [f"{name}: {value}" for name, value in reply.headers.items()]
        if self.close_connection:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        self.wfile.write(head + reply.body)  # one send: no Nagle/delayed-ACK stall
        self.log_request(reply.status, len(reply.body))

    def log_message(self, format: str, *args: object) -> None:
        log.debug("%s " + format, self.address_string(), *args)


class RuntimeServer:
    """The local SageMaker runtime; `start()` returns once it accepts requests."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        control_plane_url: str,
        region: str,
        credentials: Mapping[str, str] | None = None,
        work_dir: Path | None = None,
        cache_ttl: float = 1.0,
        container_workers: int | None = None,
        invoke_timeout: float = 60.0,
        container_module: str = CONTAINER_MODULE,
    ) -> None:
        self.host = host
        self.region = region
        self.credentials = dict(credentials or default_credentials())
        self._own_work_dir = work_dir is None
        self.work_dir = work_dir or Path(tempfile.mkdtemp(prefix="local-runtime-"))
        access_key, secret = next(iter(self.credentials.items()))
        session = boto3.session.Session(
            aws_access_key_id=access_key, aws_secret_access_key=secret, region_name=region
        )
        config = Config(
            retries={"max_attempts": 2, "mode": "standard"}, s3={"addressing_style": "path"}
        )
        sagemaker = session.client("sagemaker", endpoint_url=control_plane_url, config=config)
        s3 = session.client("s3", endpoint_url=control_plane_url, config=config)
        self.containers = ContainerManager(
            s3_client=s3,
            work_dir=self.work_dir,
            workers=container_workers,
            invoke_timeout=invoke_timeout,
            module=container_module,
        )
        self.resolver = CachedResolver(
            lambda name: describe(sagemaker, name), ttl=cache_ttl, on_change=self._retire_unused
        )
        self.front_door = FrontDoor(
            verifier=SigV4Verifier(credentials=self.credentials, region=region),
            resolver=self.resolver,
            containers=self.containers,
            region=region,
        )
        self._httpd = _HTTPServer((host, port), self)
        self._serving = ServingThread(self._httpd, name="runtime")

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def health(self) -> Reply:
        containers = [
            {"model": c.spec.model_name, "pid": c.pid, "port": c.port}
            for c in self.containers.running()
        ]
        body = {"status": "ok", "containers": containers}
        return Reply(200, json.dumps(body).encode(), {"Content-Type": "application/json"})

    def container_pids(self) -> list[int]:
        return [c.pid for c in self.containers.running()]

    def start(self) -> None:
        self._serving.start()

    def stop(self) -> None:
        self._serving.stop()
        with self._httpd.connections_lock:
            open_connections = list(self._httpd.connections)
        for conn in open_connections:  # wake handler threads parked on idle keep-alive reads
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        self.containers.stop_all()
        if self._own_work_dir:
            shutil.rmtree(self.work_dir, ignore_errors=True)

    def _retire_unused(self) -> None:
        self.containers.retain(self.resolver.models_in_use())

    def __enter__(self) -> RuntimeServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
