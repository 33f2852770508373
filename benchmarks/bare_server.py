"""The baseline of the endpoint benchmark: an HTTP server that answers every POST with the same
bytes, built like the local front door (stdlib ThreadingHTTPServer, HTTP/1.1 keep-alive, Nagle
off, one send per answer) but doing no work: no signature, no lookup, no container, no model.

Run: ``python -m benchmarks.bare_server --port P --body-file F --content-type T``; prints
``bare server listening on http://127.0.0.1:P`` once ready; SIGTERM or SIGINT stops it.
"""

from __future__ import annotations

import argparse
import http.server
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path


def make_server(port: int, body: bytes, content_type: str) -> http.server.ThreadingHTTPServer:
    head = (
        f"HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode("latin-1")
    answer = head + body

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.wfile.write(answer)

        def do_GET(self) -> None:
            self.wfile.write(answer)

        def log_message(self, format: str, *args: object) -> None:
            pass

    class Server(http.server.ThreadingHTTPServer):
        daemon_threads = True
        request_queue_size = 128  # socketserver's 5 resets bursts of new connections

    return Server(("127.0.0.1", port), Handler)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bare_server", description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--body-file", type=Path, required=True, help="the bytes to answer")
    parser.add_argument("--content-type", default="application/json")
    args = parser.parse_args(argv)
    server = make_server(args.port, args.body_file.read_bytes(), args.content_type)
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2})
    thread.start()
    print(f"bare server listening on http://127.0.0.1:{server.server_address[1]}", flush=True)
    try:
        while not stopping.wait(0.5):
            pass
    finally:
        server.shutdown()
        thread.join()
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
