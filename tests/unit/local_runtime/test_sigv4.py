"""SigV4 verification against requests signed by botocore and by requests-aws4auth."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from email.message import Message

import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from requests_aws4auth import AWS4Auth

from local_runtime.errors import AwsError
from local_runtime.sigv4 import SigV4Verifier

REGION = "eu-west-2"
HOST = "127.0.0.1:8080"
PATH = "/endpoints/churn/invocations"
BODY = b'{"instances": [[1.0, 2.0]]}'
NOW = dt.datetime(2026, 11, 26, 2, 0, 0, tzinfo=dt.UTC)


@pytest.fixture
def verifier() -> SigV4Verifier:
    return SigV4Verifier(credentials={"testing": "testing"}, region=REGION, clock=lambda: NOW)


def _headers(pairs: dict[str, str]) -> Message:
    """Case-insensitive headers, as http.server hands them over."""
    message = Message()
    for name, value in pairs.items():
        message[name] = value
    return message


def botocore_signed(
    *,
    key: str = "testing",
    secret: str = "testing",
    region: str = REGION,
    service: str = "sagemaker",
    at: dt.datetime = NOW,
    token: str | None = "testing",
    unsigned_payload: bool = False,
    body: bytes = BODY,
) -> dict[str, str]:
    scheme = "https" if unsigned_payload else "http"  # botocore signs payloads over http always
    request = AWSRequest(
        method="POST",
        url=f"{scheme}://{HOST}{PATH}",
        data=body,
        headers={"Content-Type": "application/json", "Accept": "application/json"},
    )
    request.context["payload_signing_enabled"] = not unsigned_payload
    signer = SigV4Auth(Credentials(key, secret, token), service, region)
    pinned = pytest.MonkeyPatch()
    pinned.setattr("botocore.auth.get_current_datetime", lambda: at.replace(tzinfo=None))
    try:
        signer.add_auth(request)
    finally:
        pinned.undo()
    return {"Host": HOST, **dict(request.headers.items())}


def aws4auth_signed(*, body: bytes = BODY) -> dict[str, str]:
    auth = AWS4Auth("testing", "testing", REGION, "sagemaker")
    stamp = NOW.strftime("%Y%m%dT%H%M%SZ")
    prepared = requests.Request(
        "POST",
        f"http://{HOST}{PATH}",
        data=body,
        headers={"Content-Type": "application/json", "X-Amz-Date": stamp},
    ).prepare()
    signed = auth(prepared)
    return {"Host": HOST, **dict(signed.headers.items())}


def _verify(verifier: SigV4Verifier, headers: dict[str, str], body: bytes = BODY) -> str:
    return verifier.verify(method="POST", path=PATH, headers=_headers(headers), body=body)


@pytest.mark.parametrize(
    "sign",
    [
        pytest.param(lambda: botocore_signed(), id="botocore"),
        pytest.param(lambda: botocore_signed(token=None), id="botocore-no-session-token"),
        pytest.param(
            lambda: botocore_signed(unsigned_payload=True), id="botocore-unsigned-payload"
        ),
        pytest.param(lambda: aws4auth_signed(), id="requests-aws4auth"),
        pytest.param(lambda: botocore_signed(at=NOW - dt.timedelta(minutes=4)), id="4-min-old"),
        pytest.param(lambda: botocore_signed(at=NOW + dt.timedelta(minutes=4)), id="4-min-ahead"),
    ],
)
def test_correctly_signed_requests_pass_and_name_the_access_key(
    verifier: SigV4Verifier, sign: Callable[[], dict[str, str]]
) -> None:
    assert _verify(verifier, sign()) == "testing"


def _with(headers: dict[str, str], **changes: str) -> dict[str, str]:
    return {**headers, **{name.replace("_", "-"): value for name, value in changes.items()}}


def _drop(headers: dict[str, str], name: str) -> dict[str, str]:
    return {k: v for k, v in headers.items() if k.lower() != name.lower()}


def _flip_last(headers: dict[str, str]) -> dict[str, str]:
    auth = headers["Authorization"]
    return {**headers, "Authorization": auth[:-1] + ("0" if auth[-1] != "0" else "1")}


@pytest.mark.parametrize(
    ("headers", "body", "status", "code", "message"),
    [
        pytest.param(
            _drop(botocore_signed(), "Authorization"), BODY, 403,
            "MissingAuthenticationTokenException", "Missing Authentication Token", id="unsigned",
        ),
        pytest.param(
            botocore_signed(), BODY + b" ", 403, "InvalidSignatureException",
            "The request signature we calculated does not match", id="body-changed",
        ),
        pytest.param(
            aws4auth_signed(), BODY + b" ", 403, "InvalidSignatureException",
            "The request signature we calculated does not match", id="body-changed-content-sha",
        ),
        pytest.param(
            _flip_last(botocore_signed()), BODY, 403, "InvalidSignatureException",
            "The request signature we calculated does not match", id="signature-changed",
        ),
        pytest.param(
            _with(botocore_signed(), Accept="text/csv"), BODY, 403, "InvalidSignatureException",
            "The request signature we calculated does not match", id="signed-header-changed",
        ),
        pytest.param(
            botocore_signed(secret="wrong"), BODY, 403, "InvalidSignatureException",
            "The request signature we calculated does not match", id="wrong-secret",
        ),
        pytest.param(
            botocore_signed(key="AKIDUNKNOWN"), BODY, 403, "UnrecognizedClientException",
            "The security token included in the request is invalid.", id="unknown-key",
        ),
        pytest.param(
            botocore_signed(at=NOW - dt.timedelta(minutes=6)), BODY, 403,
            "InvalidSignatureException", "Signature expired: 20261126T015400Z is now earlier "
            "than 20261126T015500Z (20261126T020000Z - 5 min.)", id="expired",
        ),
        pytest.param(
            botocore_signed(at=NOW + dt.timedelta(minutes=6)), BODY, 403,
            "InvalidSignatureException", "Signature not yet current: ", id="from-the-future",
        ),
        pytest.param(
            botocore_signed(region="us-east-1"), BODY, 403, "InvalidSignatureException",
            "Credential should be scoped to a valid region, not 'us-east-1'.", id="wrong-region",
        ),
        pytest.param(
            botocore_signed(service="s3"), BODY, 403, "InvalidSignatureException",
            "Credential should be scoped to correct service: 'sagemaker'.", id="wrong-service",
        ),
        pytest.param(
            _drop(botocore_signed(), "X-Amz-Date"), BODY, 400, "IncompleteSignatureException",
            "Authorization header requires existence of", id="no-date",
        ),
        pytest.param(
            _with(botocore_signed(), Authorization="AWS4-HMAC-SHA256 Credential=x"), BODY, 400,
            "IncompleteSignatureException", "Authorization header requires", id="malformed",
        ),
    ],
)  # fmt: skip
def test_bad_requests_get_the_error_aws_answers(
    verifier: SigV4Verifier,
    headers: dict[str, str],
    body: bytes,
    status: int,
    code: str,
    message: str,
) -> None:
    with pytest.raises(AwsError) as caught:
        _verify(verifier, headers, body)
    assert (caught.value.status, caught.value.code) == (status, code)
    assert caught.value.message.startswith(message)
