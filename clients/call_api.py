"""Call the public API (API Gateway `POST /predict`) with an API key, no AWS signature needed.

    python -m clients.call_api [--url URL] [--api-key KEY | --api-key-id ID] [--rows JSON]
                               [--auth api_key|iam|none] [--body RAW]

Prints `<status> <body>` then `URL: <url>`; a non-2xx answer exits 1. The URL defaults to the
stack's `PublicApiUrl` output; the key to `--api-key`, else the value of `--api-key-id` or the
`PublicApiKeyId` output, read with apigateway GetApiKey. `--auth iam` signs with SigV4
(service execute-api) instead; `--auth none` sends no credentials (expect 403).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import requests
from requests_aws4auth import AWS4Auth

from clients.call_raw import signer
from clients.cli import Expected, UsageError, run_command
from clients.outputs_file import named_stack, read_outputs, stacks_with
from clients.payload import JSON_TYPE, predictions_of
from clients.rows import resolve_rows
from clients.target import add_source_arguments, resolve_region
from constants import PUBLIC_API_KEY_ID_OUTPUT, PUBLIC_API_URL_OUTPUT

AUTH_MODES = ("api_key", "iam", "none")
TIMEOUT_SECONDS = 35  # API Gateway gives its integration 29 s
_EXECUTE_API = re.compile(
    r"^https://(?P<api>[^./]+)\.execute-api\.[^/]+/(?P<stage>[^/]+)(?P<path>/.*)?$"
)


def local_invoke_url(url: str, endpoint_url: str | None) -> str:
    """With the SDK's endpoint override (`AWS_ENDPOINT_URL`: a local cloud), an execute-api URL
    becomes its local form, `<endpoint>/restapis/<id>/<stage>/_user_request_/<path>`."""
    match = _EXECUTE_API.match(url)
    if not endpoint_url or match is None:
        return url
    path = match["path"] or "/"
    return (
        f"{endpoint_url.rstrip('/')}/restapis/{match['api']}/{match['stage']}/_user_request_{path}"
    )


@dataclass(frozen=True)
class ApiResponse:
    status: int
    text: str
    url: str

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


def stack_outputs(outputs_file: Path, stack_name: str | None) -> dict[str, Any]:
    """The outputs of the stack that has a `PublicApiUrl` (or of `stack_name`)."""
    outputs = read_outputs(
        outputs_file,
        missing=f"no {PUBLIC_API_URL_OUTPUT}: pass --url or deploy with "
        f"--outputs-file {outputs_file} (file not found)",
    )
    if stack_name is not None:
        return dict(named_stack(outputs, outputs_file, stack_name))
    with_api = stacks_with(outputs, PUBLIC_API_URL_OUTPUT)
    if len(with_api) != 1:
        raise UsageError(
            f"{outputs_file}: expected one stack with a {PUBLIC_API_URL_OUTPUT} output, found "
            f"{', '.join(with_api) or 'none'} "
            "(deploy with -c config=examples/public-api.json, or pass --stack-name / --url)"
        )
    return dict(outputs[with_api[0]])


def resolve_api_key(
    *, api_key: str | None, api_key_id: str | None, outputs: dict[str, Any], region: str | None
) -> str:
    """The key's value: given, or read by id (flag, else output) with apigateway GetApiKey."""
    if api_key:
        return api_key
    key_id = api_key_id or outputs.get(PUBLIC_API_KEY_ID_OUTPUT)
    if not key_id:
        raise UsageError(
            "no API key: pass --api-key or --api-key-id "
            f"(no {PUBLIC_API_KEY_ID_OUTPUT} output found)"
        )
    client = boto3.client("apigateway", region_name=resolve_region(region))
    try:
        value = client.get_api_key(apiKey=key_id, includeValue=True).get("value")
    except client.exceptions.NotFoundException:
        raise UsageError(f"API key {key_id} does not exist") from None
    if not value:
        raise UsageError(f"API key {key_id} has no value (not allowed to read it?)")
    return str(value)


def post(
    url: str,
    body: bytes,
    *,
    api_key: str | None = None,
    auth: AWS4Auth | None = None,
    content_type: str = JSON_TYPE,
) -> ApiResponse:
    headers = {"Content-Type": content_type, "Accept": JSON_TYPE}
    if api_key is not None:
        headers["x-api-key"] = api_key
    response = requests.post(url, data=body, headers=headers, auth=auth, timeout=TIMEOUT_SECONDS)
    text = response.content.decode("utf-8", errors="replace")
    return ApiResponse(status=response.status_code, text=text, url=url)


def check_public_api(url: str, *, api_key: str, rows: list[list[float]]) -> list[str]:
    """The issue's acceptance, as the local demo runs it: predictions with the key, 403 without
    it, 400 with a message for a malformed body. Returns one line per check; raises on a miss."""
    body = json.dumps({"instances": rows}).encode()
    lines = []
    good = post(url, body, api_key=api_key)
    if good.status != 200 or len(predictions_of(good.text)) != len(rows):
        raise RuntimeError(f"POST with the key: expected 200 and predictions, got {good.status}")
    lines.append(f"with key: {good.status} {good.text}")
    no_key = post(url, body)
    if no_key.status != 403:
        raise RuntimeError(f"POST without a key: expected 403, got {no_key.status}")
    lines.append(f"without key: {no_key.status} {no_key.text}")
    malformed = post(url, b'{"instances": "not rows"}', api_key=api_key)
    message = json.loads(malformed.text).get("message") if malformed.text else None
    if malformed.status != 400 or not message:
        raise RuntimeError(f"malformed body: expected 400 with a message, got {malformed.status}")
    lines.append(f"malformed body: {malformed.status} {malformed.text}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m clients.call_api", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--url", help=f"route URL (default: the {PUBLIC_API_URL_OUTPUT} output)")
    parser.add_argument("--api-key", help="API key value (x-api-key)")
    parser.add_argument(
        "--api-key-id", help=f"API key id (default: the {PUBLIC_API_KEY_ID_OUTPUT} output)"
    )
    parser.add_argument("--auth", choices=AUTH_MODES, default="api_key")
    add_source_arguments(parser)
    parser.add_argument("--body", help="send this raw body instead of the rows")
    args = parser.parse_args(argv)
    unreachable = Expected(errors=(requests.RequestException,), prefix="cannot reach the API: ")
    return run_command(lambda: _call(args), unreachable)


def _call(args: argparse.Namespace) -> int:
    key_given = args.api_key or args.api_key_id
    needs_outputs = not args.url or (args.auth == "api_key" and not key_given)
    outputs = stack_outputs(args.outputs_file, args.stack_name) if needs_outputs else {}
    url = args.url or outputs.get(PUBLIC_API_URL_OUTPUT)
    if not url:
        raise UsageError(f"no {PUBLIC_API_URL_OUTPUT} output for the stack: pass --url")
    if args.body is not None:
        body = args.body.encode()
    else:
        rows = resolve_rows(rows_json=args.rows, model_card=args.model_card, named=False)
        body = json.dumps({"instances": rows}).encode()
    api_key = None
    auth = None
    if args.auth == "api_key":
        api_key = resolve_api_key(
            api_key=args.api_key,
            api_key_id=args.api_key_id,
            outputs=outputs,
            region=args.region,
        )
    elif args.auth == "iam":
        auth = signer(resolve_region(args.region), service="execute-api")
    url = local_invoke_url(str(url), os.environ.get("AWS_ENDPOINT_URL"))
    result = post(url, body, api_key=api_key, auth=auth)
    print(f"{result.status} {result.text}")
    print(f"URL: {result.url}")
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
