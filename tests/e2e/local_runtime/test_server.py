"""The local runtime end to end: real moto_server, real artefacts, real containers, real SigV4."""

from __future__ import annotations

import datetime as dt
import http.client
import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
import requests
from botocore.exceptions import ClientError
from requests_aws4auth import AWS4Auth

from constants import LOCAL_ACCOUNT
from local_cloud.local_endpoint import BUCKET, LocalResources
from local_runtime.runtime_server import RuntimeServer
from tests.support.runtime_server import (
    ENDPOINT,
    KEY,
    REGION,
    SECRET,
    SIX_MB,
    VARIANT,
    invocations_url,
    request_body,
    runtime_client,
    signed_post,
)

# --- the happy path ------------------------------------------------------------------------


def test_boto3_invoke_endpoint_returns_the_card_predictions(
    client: Any, sample: dict[str, Any]
) -> None:
    response = client.invoke_endpoint(
        EndpointName=ENDPOINT,
        Body=request_body(sample),
        ContentType="application/json",
        Accept="application/json",
    )
    predictions = json.loads(response["Body"].read())["predictions"]
    assert predictions == pytest.approx(sample["predictions"], abs=1e-6)
    assert response["ContentType"] == "application/json"
    assert response["InvokedProductionVariant"] == VARIANT
    assert response["ResponseMetadata"]["RequestId"]


def test_boto3_finds_the_runtime_through_aws_endpoint_url_sagemaker_runtime(
    runtime: RuntimeServer, sample: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME", runtime.url)
    client = boto3.client(
        "sagemaker-runtime",
        region_name=REGION,
        aws_access_key_id=KEY,
        aws_secret_access_key=SECRET,
    )
    response = client.invoke_endpoint(
        EndpointName=ENDPOINT, Body=request_body(sample), ContentType="application/json"
    )
    assert json.loads(response["Body"].read())["predictions"] == pytest.approx(
        sample["predictions"], abs=1e-6
    )


def test_requests_aws4auth_post_gets_the_same_body_as_boto3(
    runtime: RuntimeServer, client: Any, sample: dict[str, Any]
) -> None:
    body = request_body(sample)
    via_boto3 = client.invoke_endpoint(
        EndpointName=ENDPOINT, Body=body, ContentType="application/json", Accept="application/json"
    )["Body"].read()
    response = signed_post(runtime, body)
    assert response.status_code == 200
    assert response.content == via_boto3
    assert response.headers["x-Amzn-Invoked-Production-Variant"] == VARIANT
    assert response.headers["x-amzn-RequestId"]


@pytest.mark.parametrize(
    ("accept", "content_type"),
    [("text/csv", "text/csv"), ("application/x-npy", "application/x-npy")],
)
def test_accept_reaches_the_container_and_its_content_type_comes_back(
    client: Any, sample: dict[str, Any], accept: str, content_type: str
) -> None:
    response = client.invoke_endpoint(
        EndpointName=ENDPOINT,
        Body=request_body(sample),
        ContentType="application/json",
        Accept=accept,
    )
    assert response["ContentType"].split(";")[0] == content_type  # Flask adds a charset to text/*
    assert response["Body"].read()


def test_health_route_answers_json(runtime: RuntimeServer) -> None:
    response = requests.get(f"{runtime.url}/_local/health", timeout=10)
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert [c["pid"] for c in response.json()["containers"]] == runtime.container_pids()


# --- authentication ------------------------------------------------------------------------


def test_unsigned_request_is_refused_with_missing_authentication_token(
    runtime: RuntimeServer, sample: dict[str, Any]
) -> None:
    response = requests.post(invocations_url(runtime), data=request_body(sample), timeout=10)
    assert response.status_code == 403
    assert response.headers["x-amzn-ErrorType"].startswith("MissingAuthenticationTokenException")
    assert response.json() == {"message": "Missing Authentication Token"}


def _tamper_body(prepared: requests.PreparedRequest) -> None:
    prepared.body = prepared.body.replace(b"[", b"[ ", 1)


def _tamper_signature(prepared: requests.PreparedRequest) -> None:
    auth = prepared.headers["Authorization"]
    last = auth[-1]
    prepared.headers["Authorization"] = auth[:-1] + ("0" if last != "0" else "1")


@pytest.mark.parametrize(
    ("secret", "signed_at", "tamper", "code", "message"),
    [
        pytest.param(
            SECRET, None, _tamper_body, "InvalidSignatureException",
            "The request signature we calculated does not match", id="tampered-body",
        ),
        pytest.param(
            SECRET, None, _tamper_signature, "InvalidSignatureException",
            "The request signature we calculated does not match", id="tampered-signature",
        ),
        pytest.param(
            "wrong-secret", None, None, "InvalidSignatureException",
            "The request signature we calculated does not match", id="wrong-secret",
        ),
        pytest.param(
            SECRET, dt.timedelta(minutes=-6), None, "InvalidSignatureException",
            "Signature expired: ", id="expired-date",
        ),
    ],
)  # fmt: skip
def test_bad_signatures_are_refused_with_403(
    runtime: RuntimeServer,
    sample: dict[str, Any],
    secret: str,
    signed_at: dt.timedelta | None,
    tamper: Any,
    code: str,
    message: str,
) -> None:
    headers = {"Content-Type": "application/json"}
    if signed_at is not None:
        stamp = (dt.datetime.now(dt.UTC) + signed_at).strftime("%Y%m%dT%H%M%SZ")
        headers["X-Amz-Date"] = stamp
    auth = AWS4Auth(KEY, secret, REGION, "sagemaker")
    request = requests.Request(
        "POST", invocations_url(runtime), data=request_body(sample), headers=headers
    )
    prepared = auth(request.prepare())
    if tamper is not None:
        tamper(prepared)
    with requests.Session() as session:
        response = session.send(prepared, timeout=30)
    assert response.status_code == 403
    assert response.headers["x-amzn-ErrorType"].split(":")[0] == code
    assert response.json()["message"].startswith(message)


def test_unknown_access_key_is_an_unrecognized_client(
    runtime: RuntimeServer, sample: dict[str, Any]
) -> None:
    client = runtime_client(runtime.url, key="AKIDUNKNOWN")
    with pytest.raises(ClientError) as caught:
        client.invoke_endpoint(EndpointName=ENDPOINT, Body=request_body(sample))
    assert caught.value.response["Error"]["Code"] == "UnrecognizedClientException"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


# --- request and endpoint errors -------------------------------------------------------------


def test_body_over_6_mb_is_refused_with_413_before_it_is_read(runtime: RuntimeServer) -> None:
    body = b"[" + b"0," * (SIX_MB // 2) + b"0]"
    response = signed_post(runtime, body)
    assert response.status_code == 413
    assert response.text == f"HTTP content length exceeded {SIX_MB} bytes."


def _chunks(total: int, size: int = 1 << 16) -> Iterator[bytes]:
    while total > 0:
        yield b"0" * min(size, total)
        total -= size


@pytest.mark.parametrize(
    ("total", "status"),
    [
        pytest.param(1000, 403, id="small-body-read-then-refused-as-unsigned"),
        pytest.param(SIX_MB + 1, 413, id="oversize-body-refused-while-reading"),
    ],
)
def test_chunked_bodies_are_read_up_to_the_limit(
    runtime: RuntimeServer, total: int, status: int
) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", runtime.port, timeout=30)
    try:
        conn.request(
            "POST", f"/endpoints/{ENDPOINT}/invocations", body=_chunks(total), encode_chunked=True
        )
        response = conn.getresponse()
        assert response.status == status
        response.read()
    finally:
        conn.close()


def test_a_malformed_content_length_is_a_400(runtime: RuntimeServer) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", runtime.port, timeout=30)
    try:
        conn.putrequest("POST", f"/endpoints/{ENDPOINT}/invocations")
        conn.putheader("Content-Length", "-1")
        conn.endheaders()
        response = conn.getresponse()
        assert response.status == 400
        assert response.getheader("x-amzn-ErrorType") == "ValidationError"
    finally:
        conn.close()


def test_botocore_reads_the_413_as_code_413_with_the_message(client: Any) -> None:
    with pytest.raises(ClientError) as caught:
        client.invoke_endpoint(EndpointName=ENDPOINT, Body=b"0" * (SIX_MB + 1))
    assert caught.value.response["Error"] == {
        "Code": "413",
        "Message": f"HTTP content length exceeded {SIX_MB} bytes.",
    }


def test_unknown_endpoint_is_a_validation_error_naming_endpoint_and_account(
    client: Any, sample: dict[str, Any]
) -> None:
    with pytest.raises(ClientError) as caught:
        client.invoke_endpoint(EndpointName="no-such-endpoint", Body=request_body(sample))
    error = caught.value.response["Error"]
    assert error["Code"] == "ValidationError"
    assert error["Message"] == f"Endpoint no-such-endpoint of account {LOCAL_ACCOUNT} not found."
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_container_4xx_is_a_424_model_error_with_the_original_answer(
    client: Any, runtime: RuntimeServer
) -> None:
    with pytest.raises(ClientError) as caught:
        client.invoke_endpoint(
            EndpointName=ENDPOINT, Body=b'{"instances": [1, 2', ContentType="application/json"
        )
    response = caught.value.response
    assert response["Error"]["Code"] == "ModelError"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 424
    assert response["OriginalStatusCode"] == 400
    original = json.loads(response["OriginalMessage"])
    assert original["error"] == "invalid_json"
    assert response["Error"]["Message"] == (
        f'Received client error (400) from primary with message "{response["OriginalMessage"]}". '
        f"See https://{REGION}.console.aws.amazon.com/cloudwatch/home?region={REGION}"
        f"#logEventViewer:group=/aws/sagemaker/Endpoints/{ENDPOINT} in account {LOCAL_ACCOUNT} "
        "for more information."
    )
    assert response["LogStreamArn"] == (
        f"arn:aws:logs:{REGION}:{LOCAL_ACCOUNT}:log-group:/aws/sagemaker/Endpoints/{ENDPOINT}"
    )


def test_endpoint_whose_artefact_is_missing_answers_internal_failure_without_details(
    runtime: RuntimeServer, aws: LocalResources, client: Any, sample: dict[str, Any]
) -> None:
    aws.deploy("broken", f"s3://{BUCKET}/no-such/model.tar.gz")
    with pytest.raises(ClientError) as caught:
        client.invoke_endpoint(EndpointName="broken", Body=request_body(sample))
    assert caught.value.response["Error"]["Code"] == "InternalFailure"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert "Traceback" not in caught.value.response["Error"]["Message"]
    assert "s3://" not in caught.value.response["Error"]["Message"]


def test_unknown_route_is_a_404_json_error(runtime: RuntimeServer) -> None:
    response = requests.get(f"{runtime.url}/endpoints/{ENDPOINT}", timeout=10)
    assert response.status_code == 404
    assert "message" in response.json()
