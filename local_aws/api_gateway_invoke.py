"""A deployed REST API answers on the control plane's own port, at the local form of its invoke
URL, `POST /restapis/<api-id>/<stage>/_user_request_/<path>` (the path LocalStack and moto use
for `https://<api-id>.execute-api.<region>.amazonaws.com/<stage>/<path>`).

moto stores the API but never invokes it. `local_runtime.api_gateway_stage.LocalApiGateway` does
what the deployed API does (stage, API key and usage plan, request model, SageMaker integration)
against this control plane's API Gateway and the local SageMaker runtime named by
`AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME` in this process's environment.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any, cast

import boto3
from botocore.credentials import Credentials
from moto.moto_server.werkzeug_app import DomainDispatcherApplication
from werkzeug.wrappers import Request

from local_runtime.api_gateway_stage import LocalApiGateway
from local_runtime.front_door import Reply
from local_runtime.sigv4 import Headers
from stacks.public_api.contract import message_body

USER_REQUEST = re.compile(r"^/restapis/[^/]+/[^/]+/_user_request_(/.*)?$")
RUNTIME_VARIABLE = "AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME"
StartResponse = Callable[..., Any]


class _Gateway:
    """Built on the first invoke: the control plane's port and credentials come from its env."""

    def __init__(self) -> None:
        self._gateway: LocalApiGateway | None = None

    def handle(self, environ: dict[str, Any]) -> Reply:
        runtime_url = os.environ.get(RUNTIME_VARIABLE)
        if not runtime_url:
            body = b'{"message": "no SageMaker runtime: set ' + RUNTIME_VARIABLE.encode() + b'"}'
            return Reply(502, body, {"Content-Type": "application/json"})
        length = environ.get("CONTENT_LENGTH") or "0"
        if not length.isdigit():  # the body's end is unknown (werkzeug closes the connection)
            body = message_body(f"Invalid Content-Length: {length!r}")
            return Reply(400, body, {"Content-Type": "application/json"})
        request = Request(environ)
        return self._local(runtime_url).handle(
            method=request.method,
            path=request.full_path.rstrip("?"),
            headers=cast(Headers, request.headers),
            body=request.get_data(),
        )

    def _local(self, runtime_url: str) -> LocalApiGateway:
        if self._gateway is None:
            access_key = os.environ.get("AWS_ACCESS_KEY_ID", "testing")
            secret_key = os.environ.get("AWS_SECRET_ACCESS_KEY", "testing")
            region = os.environ.get("AWS_REGION", "us-east-1")
            session = boto3.session.Session(
                aws_access_key_id=access_key, aws_secret_access_key=secret_key, region_name=region
            )
            own_url = f"http://127.0.0.1:{os.environ['MOTO_PORT']}"
            self._gateway = LocalApiGateway(
                apigateway=session.client("apigateway", endpoint_url=own_url),
                runtime_url=runtime_url,
                region=region,
                credentials=Credentials(access_key, secret_key),
            )
        return self._gateway


def rest_api_invoke_urls_answer() -> None:
    """AWS serves a deployed stage at its invoke URL; moto only stores the API. The local form of
    the URL, on the control plane's port, now runs the route as API Gateway would."""
    gateway = _Gateway()
    original = DomainDispatcherApplication.__call__

    def __call__(
        self: Any, environ: dict[str, Any], start_response: StartResponse
    ) -> Iterable[bytes]:
        if not USER_REQUEST.match(environ.get("PATH_INFO", "")):
            return cast(Iterable[bytes], original(self, environ, start_response))
        reply = gateway.handle(environ)
        headers = [*reply.headers.items(), ("Content-Length", str(len(reply.body)))]
        start_response(f"{reply.status} {_reason(reply.status)}", headers)
        return [reply.body]

    DomainDispatcherApplication.__call__ = __call__  # type: ignore[method-assign]


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"
