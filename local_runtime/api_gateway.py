"""A local stand-in for the public API's API Gateway stage, so `POST /predict` runs without AWS.

    python -m local_runtime.api_gateway --control-plane-url URL --runtime-url URL --region R

An HTTP server on 127.0.0.1 in front of `local_runtime.api_gateway_stage.LocalApiGateway`, whose
docstring says what it answers, in which order, and what it does not emulate.
"""

from __future__ import annotations

import argparse
import http.server
import logging
import os
import sys

import boto3
from botocore.credentials import Credentials

from constants import LOCAL_CREDENTIALS
from local_runtime.api_gateway_stage import LocalApiGateway, json_reply
from local_runtime.serving_thread import ServingThread, serve_until_signalled
from stacks.public_api.contract import message_body

log = logging.getLogger(__name__)


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: with Nagle on, the second waits for a delayed ACK.
    disable_nagle_algorithm = True
    server: _Server

    def do_POST(self) -> None:
        self._dispatch()

    def do_GET(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        length = self.headers.get("Content-Length") or "0"
        try:
            if not length.isdigit():
                self.close_connection = True  # the body's end is unknown
                reply = json_reply(400, message_body(f"Invalid Content-Length: {length!r}"))
            else:
                body = self.rfile.read(int(length)) if int(length) else b""
                reply = self.server.gateway.handle(
                    method=self.command, path=self.path, headers=self.headers, body=body
                )
        except Exception:
            log.exception("unexpected error answering %s %s", self.command, self.path)
            reply = json_reply(500, message_body("Internal server error"))
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        self.wfile.write(reply.body)

    def log_message(self, format: str, *args: object) -> None:
        log.debug("%s " + format, self.address_string(), *args)


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # socketserver's default backlog of 5 resets bursts of clients

    def __init__(self, address: tuple[str, int], gateway: LocalApiGateway) -> None:
        self.gateway = gateway
        super().__init__(address, _Handler)


class ApiGatewayServer:
    """`LocalApiGateway` on 127.0.0.1 (port 0: a free one); `start()` returns once it listens."""

    def __init__(
        self,
        *,
        control_plane_url: str,
        runtime_url: str,
        region: str,
        access_key: str | None = None,
        secret_key: str | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        # The same credentials the local runtime accepts: the caller's environment.
        access_key = access_key or os.environ.get(
            "AWS_ACCESS_KEY_ID", LOCAL_CREDENTIALS["AWS_ACCESS_KEY_ID"]
        )
        secret_key = secret_key or os.environ.get(
            "AWS_SECRET_ACCESS_KEY", LOCAL_CREDENTIALS["AWS_SECRET_ACCESS_KEY"]
        )
        session = boto3.session.Session(
            aws_access_key_id=access_key, aws_secret_access_key=secret_key, region_name=region
        )
        self.gateway = LocalApiGateway(
            apigateway=session.client("apigateway", endpoint_url=control_plane_url),
            runtime_url=runtime_url,
            region=region,
            credentials=Credentials(access_key, secret_key),
        )
        self.host = host
        self._httpd = _Server((host, port), self.gateway)
        self._serving = ServingThread(self._httpd, name="local API Gateway")

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self._httpd.server_address[1]}"

    def start(self) -> None:
        self._serving.start()

    def stop(self) -> None:
        self._serving.stop()

    def __enter__(self) -> ApiGatewayServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m local_runtime.api_gateway", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--control-plane-url", required=True, help="moto_server URL")
    parser.add_argument("--runtime-url", required=True, help="local SageMaker runtime URL")
    parser.add_argument("--region", required=True)
    parser.add_argument("--log-level", default="INFO")
    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level, format="%(asctime)s %(name)s %(message)s")
    return serve_until_signalled(
        lambda: ApiGatewayServer(
            control_plane_url=args.control_plane_url,
            runtime_url=args.runtime_url,
            region=args.region,
            host=args.host,
            port=args.port,
        ),
        name="local API Gateway",
    )


if __name__ == "__main__":
    sys.exit(main())
