"""Call the endpoint through boto3's `sagemaker-runtime` client and print `<status> <body>`.

    python -m clients.predict [--endpoint-name NAME] [--rows JSON] [--format json|npy]

boto3 honours AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME / AWS_ENDPOINT_URL itself, so the same command
calls AWS or the local runtime.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from clients.cli import Expected, UsageError, run_command
from clients.errors import InvocationError
from clients.payload import PayloadError, encode_request, predicted_labels, response_text
from clients.target import Target, add_target_arguments, target_from_args


@dataclass(frozen=True)
class Invocation:
    status: int
    text: str


def invoke(target: Target, *, client: Any = None) -> Invocation:
    """Invoke once; a non-2xx answer raises `InvocationError` with the raw body."""
    client = client or boto3.client("sagemaker-runtime", region_name=target.region)
    raw_bodies: list[bytes] = []

    def keep_raw_body(response_dict: dict[str, Any], **_: Any) -> None:
        raw_bodies.append(response_dict.get("body") or b"")

    event = "before-parse.sagemaker-runtime.InvokeEndpoint"
    client.meta.events.register(event, keep_raw_body)
    try:
        request = encode_request(
            target.rows, payload_format=target.payload_format, feature_names=target.feature_names
        )
    except PayloadError as exc:
        raise UsageError(str(exc)) from None
    try:
        response = client.invoke_endpoint(
            EndpointName=target.endpoint_name,
            ContentType=request.content_type,
            Accept=request.accept,
            Body=request.body,
        )
    except ClientError as exc:
        raw = raw_bodies[-1].decode("utf-8", errors="replace") if raw_bodies else None
        raise InvocationError.from_client_error(exc.response, raw_body=raw) from exc
    finally:
        client.meta.events.unregister(event, keep_raw_body)
    status = int(response["ResponseMetadata"]["HTTPStatusCode"])
    text = response_text(response["Body"].read(), response.get("ContentType"))
    return Invocation(status=status, text=text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m clients.predict", description=__doc__.split("\n")[0]
    )
    add_target_arguments(parser)
    args = parser.parse_args(argv)
    return run_command(lambda: _call(target_from_args(args)), Expected(errors=(BotoCoreError,)))


def _call(target: Target) -> int:
    result = invoke(target)
    print(f"{result.status} {result.text}")
    print_labels(result.text, target.card)
    return 0


def print_labels(text: str, card: dict[str, Any] | None) -> None:
    """A classifier's answer as labels, one line: `predicted: benign, malignant`."""
    try:
        labels = predicted_labels(text, card)
    except (ValueError, KeyError, IndexError, TypeError):
        labels = None  # a response the card does not describe: the body above says it all
    if labels is not None:
        print(f"predicted: {', '.join(labels)}")


if __name__ == "__main__":
    sys.exit(main())
