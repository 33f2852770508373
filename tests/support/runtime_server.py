"""The local runtime a test runs in process: its constants, how to start one and sign for it."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import boto3
import requests
from botocore.config import Config
from requests_aws4auth import AWS4Auth

from local_cloud.control_plane import ControlPlane
from local_runtime.runtime_server import RuntimeServer

REGION = "eu-west-2"
KEY, SECRET = "testing", "testing"
VARIANT = "AllTraffic"
ENDPOINT = "churn"
SIX_MB = 6_291_456


def card_of(built: Any) -> dict[str, Any]:
    return json.loads(Path(built.card_path).read_text())


def runtime_server(control_plane: ControlPlane, **options: Any) -> RuntimeServer:
    """A runtime on a free port with one container worker, signed by the test key."""
    return RuntimeServer(
        control_plane_url=control_plane.url,
        region=REGION,
        credentials={KEY: SECRET},
        container_workers=1,
        **options,
    )


def runtime_client(url: str, *, key: str = KEY) -> Any:
    """A sagemaker-runtime client that does not retry, so every error reaches the test."""
    return boto3.client(
        "sagemaker-runtime",
        endpoint_url=url,
        region_name=REGION,
        aws_access_key_id=key,
        aws_secret_access_key=SECRET,
        config=Config(retries={"max_attempts": 1}),
    )


def request_body(sample: dict[str, Any]) -> bytes:
    return json.dumps({"instances": sample["instances"]}).encode()


def invocations_url(runtime: RuntimeServer, endpoint: str = ENDPOINT) -> str:
    return f"{runtime.url}/endpoints/{endpoint}/invocations"


def signed_post(runtime: RuntimeServer, body: bytes, *, secret: str = SECRET) -> requests.Response:
    auth = AWS4Auth(KEY, secret, REGION, "sagemaker")
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    return requests.post(
        invocations_url(runtime), data=body, headers=headers, auth=auth, timeout=60
    )


def is_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
