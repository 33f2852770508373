"""How the local HTTP servers run: `ServingThread` serves one on a background thread, and
`serve_until_signalled` is the `main()` loop that runs one until SIGTERM or SIGINT."""

from __future__ import annotations

import signal
import socketserver
import threading
from collections.abc import Callable
from typing import Protocol


class ServingThread:
    """Runs a bound server's `serve_forever` on a daemon thread: start() once, stop() any time."""

    def __init__(self, httpd: socketserver.BaseServer, *, name: str) -> None:
        self.httpd = httpd
        self.name = name
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError(f"{self.name} already started")
        # The socket is bound and listening from the constructor: it is ready once this runs.
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop serving (if started) and close the listening socket."""
        if self._thread is not None:
            self.httpd.shutdown()
            self._thread.join()
            self._thread = None
        self.httpd.server_close()


class LocalServer(Protocol):
    @property
    def url(self) -> str: ...

    def start(self) -> None: ...

    def stop(self) -> None: ...


def serve_until_signalled(make_server: Callable[[], LocalServer], *, name: str) -> int:
    """Build and start a server, print `<name> listening on <url>`, stop it on SIGTERM/SIGINT.

    The handlers go in before the server is built, so a signal during start-up still ends in
    stop() rather than killing the process with its resources held.
    """
    stopping = threading.Event()

    def request_stop(signum: int, frame: object) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    server = make_server()
    server.start()
    try:
        print(f"{name} listening on {server.url}", flush=True)
        while not stopping.wait(0.5):  # short waits keep the main thread responsive to signals
            pass
    finally:
        server.stop()
    return 0
