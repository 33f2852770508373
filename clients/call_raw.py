"""Call the endpoint with a hand-made SigV4 POST (requests + requests-aws4auth), no SDK client.

    python -m clients.call_raw [--endpoint-name NAME] [--rows JSON] [--format json|npy]

Prints exactly `<status> <body>` then `Invoke URL: <url>`; a non-2xx answer exits 1. The base
URL is AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME, else AWS_ENDPOINT_URL, else the regional runtime.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from urllib.parse import quote

import boto3
import requests
from requests_aws4auth import AWS4Auth

from clients.cli import Expected, UsageError, run_command
from clients.errors import InvocationError
from clients.payload import PayloadError, encode_request, response_text
from clients.predict import print_labels
from clients.target import Target, add_target_arguments, target_from_args

SIGNING_SERVICE = "sagemaker"  # runtime.sagemaker signs as `sagemaker`, not `sagemaker-runtime`
TIMEOUT_SECONDS = 70  # the runtime itself gives the model 60 s


@dataclass(frozen=True)
class RawInvocation:
    status: int
    text: str
    url: str


def runtime_base_url(region: str) -> str:
    base = os.environ.get("AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME")
    base = base or os.environ.get("AWS_ENDPOINT_URL")
    return (base or f"https://runtime.sagemaker.{region}.amazonaws.com").rstrip("/")


def invoke_url(endpoint_name: str, region: str) -> str:
    return f"{runtime_base_url(region)}/endpoints/{quote(endpoint_name, safe='')}/invocations"


def signer(
    region: str,
    *,
    service: str = SIGNING_SERVICE,
    session: boto3.session.Session | None = None,
) -> AWS4Auth:
    """SigV4 for requests, from the credentials boto3 would use (profile, env, role)."""
    credentials = (session or boto3.session.Session()).get_credentials()
    if credentials is None:
        raise UsageError("no AWS credentials: configure a profile or set AWS_ACCESS_KEY_ID")
    frozen = credentials.get_frozen_credentials()
    return AWS4Auth(
        frozen.access_key,
        frozen.secret_key,
        region,
        service,
        session_token=frozen.token or None,
    )


def invoke(target: Target) -> RawInvocation:
    """POST once; a non-2xx answer raises `InvocationError` carrying the URL."""
    url = invoke_url(target.endpoint_name, target.region)
    try:
        request = encode_request(
            target.rows, payload_format=target.payload_format, feature_names=target.feature_names
        )
    except PayloadError as exc:
        raise UsageError(str(exc)) from None
    response = requests.post(
        url,
        data=request.body,
        headers={"Content-Type": request.content_type, "Accept": request.accept},
        auth=signer(target.region),
        timeout=TIMEOUT_SECONDS,
    )
    if not 200 <= response.status_code < 300:
        raise InvocationError.from_http(
            status=response.status_code,
            headers=response.headers,
            body=response.content.decode("utf-8", errors="replace"),
            url=url,
        )
    text = response_text(response.content, response.headers.get("Content-Type"))
    return RawInvocation(status=response.status_code, text=text, url=url)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m clients.call_raw", description=__doc__.split("\n")[0]
    )
    add_target_arguments(parser)
    args = parser.parse_args(argv)
    unreachable = Expected(errors=(requests.RequestException,), prefix="cannot reach the runtime: ")
    return run_command(lambda: _call(target_from_args(args)), unreachable)


def _call(target: Target) -> int:
    result = invoke(target)
    print(f"{result.status} {result.text}")
    print(f"Invoke URL: {result.url}")
    print_labels(result.text, target.card)
    return 0


if __name__ == "__main__":
    sys.exit(main())
