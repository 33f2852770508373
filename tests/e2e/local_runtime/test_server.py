"""The local runtime end to end: real moto_server, real artefacts, real containers, real SigV4."""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
from botocore.config import Config
from botocore.exceptions import ClientError
from requests_aws4auth import AWS4Auth

from constants import LOCAL_ACCOUNT
from local_cloud.control_plane import ControlPlane
from local_cloud.local_endpoint import BUCKET, LocalResources
from local_runtime.runtime_server import RuntimeServer
from model_build import BuildResult, TrainParams, build
from tests.support.signals import sigint_default

REGION = "eu-west-2"
KEY, SECRET = "testing", "testing"
VARIANT = "AllTraffic"
ENDPOINT = "churn"
SIX_MB = 6_291_456


def _card(built: Any) -> dict[str, Any]:
    return json.loads(Path(built.card_path).read_text())


@pytest.fixture(scope="module")
def second_model(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """Another artefact with other predictions, for the redeploy test."""
    out_dir = tmp_path_factory.mktemp("second-model")
    return build(
        out_dir=out_dir, params=TrainParams(n_estimators=7, max_depth=2), log=lambda _: None
    )


def _runtime_server(control_plane: ControlPlane, **options: Any) -> RuntimeServer:
    """A runtime on a free port with one container worker, signed by the test key."""
    return RuntimeServer(
        control_plane_url=control_plane.url,
        region=REGION,
        credentials={KEY: SECRET},
        container_workers=1,
        **options,
    )


def _runtime_client(url: str, *, key: str = KEY) -> Any:
    """A sagemaker-runtime client that does not retry, so every error reaches the test."""
    return boto3.client(
        "sagemaker-runtime",
        endpoint_url=url,
        region_name=REGION,
        aws_access_key_id=key,
        aws_secret_access_key=SECRET,
        config=Config(retries={"max_attempts": 1}),
    )


@pytest.fixture(scope="module")
def control_plane() -> Iterator[ControlPlane]:
    with ControlPlane() as plane:
        yield plane


@pytest.fixture(scope="module")
def aws(control_plane: ControlPlane) -> LocalResources:
    return LocalResources(control_plane.url)


@pytest.fixture(scope="module")
def runtime(
    control_plane: ControlPlane, aws: LocalResources, built_model: Any
) -> Iterator[RuntimeServer]:
    aws.deploy_tarball(ENDPOINT, built_model.tarball)
    # TTL 0: every request sees the control plane's current state (deletes, moves) at once.
    with _runtime_server(control_plane, cache_ttl=0) as server:
        yield server


@pytest.fixture(scope="module")
def client(runtime: RuntimeServer) -> Any:
    return _runtime_client(runtime.url)


@pytest.fixture(scope="module")
def sample(built_model: Any) -> dict[str, Any]:
    return _card(built_model)["sample"]


def _body(sample: dict[str, Any]) -> bytes:
    return json.dumps({"instances": sample["instances"]}).encode()


def _url(runtime: RuntimeServer, endpoint: str = ENDPOINT) -> str:
    return f"{runtime.url}/endpoints/{endpoint}/invocations"


def _signed(runtime: RuntimeServer, body: bytes, *, secret: str = SECRET) -> requests.Response:
    auth = AWS4Auth(KEY, secret, REGION, "sagemaker")
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    return requests.post(_url(runtime), data=body, headers=headers, auth=auth, timeout=60)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


# --- the happy path ------------------------------------------------------------------------


def test_boto3_invoke_endpoint_returns_the_card_predictions(
    client: Any, sample: dict[str, Any]
) -> None:
    response = client.invoke_endpoint(
        EndpointName=ENDPOINT,
        Body=_body(sample),
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
        EndpointName=ENDPOINT, Body=_body(sample), ContentType="application/json"
    )
    assert json.loads(response["Body"].read())["predictions"] == pytest.approx(
        sample["predictions"], abs=1e-6
    )


def test_requests_aws4auth_post_gets_the_same_body_as_boto3(
    runtime: RuntimeServer, client: Any, sample: dict[str, Any]
) -> None:
    body = _body(sample)
    via_boto3 = client.invoke_endpoint(
        EndpointName=ENDPOINT, Body=body, ContentType="application/json", Accept="application/json"
    )["Body"].read()
    response = _signed(runtime, body)
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
        EndpointName=ENDPOINT, Body=_body(sample), ContentType="application/json", Accept=accept
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
    response = requests.post(_url(runtime), data=_body(sample), timeout=10)
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
    request = requests.Request("POST", _url(runtime), data=_body(sample), headers=headers)
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
    client = _runtime_client(runtime.url, key="AKIDUNKNOWN")
    with pytest.raises(ClientError) as caught:
        client.invoke_endpoint(EndpointName=ENDPOINT, Body=_body(sample))
    assert caught.value.response["Error"]["Code"] == "UnrecognizedClientException"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


# --- request and endpoint errors -------------------------------------------------------------


def test_body_over_6_mb_is_refused_with_413_before_it_is_read(runtime: RuntimeServer) -> None:
    body = b"[" + b"0," * (SIX_MB // 2) + b"0]"
    response = _signed(runtime, body)
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
        client.invoke_endpoint(EndpointName="no-such-endpoint", Body=_body(sample))
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
        client.invoke_endpoint(EndpointName="broken", Body=_body(sample))
    assert caught.value.response["Error"]["Code"] == "InternalFailure"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert "Traceback" not in caught.value.response["Error"]["Message"]
    assert "s3://" not in caught.value.response["Error"]["Message"]


def test_unknown_route_is_a_404_json_error(runtime: RuntimeServer) -> None:
    response = requests.get(f"{runtime.url}/endpoints/{ENDPOINT}", timeout=10)
    assert response.status_code == 404
    assert "message" in response.json()


# --- lifecycle -------------------------------------------------------------------------------


def test_container_that_stops_answering_gives_a_model_timeout(
    control_plane: ControlPlane, aws: LocalResources, built_model: Any, sample: dict[str, Any]
) -> None:
    aws.deploy_tarball("slow", built_model.tarball)
    with _runtime_server(control_plane, invoke_timeout=1.0) as server:
        client = _runtime_client(server.url)
        client.invoke_endpoint(EndpointName="slow", Body=_body(sample))  # starts the container
        [pid] = server.container_pids()
        os.killpg(pid, signal.SIGSTOP)
        try:
            with pytest.raises(ClientError) as caught:
                client.invoke_endpoint(EndpointName="slow", Body=_body(sample))
        finally:
            os.killpg(pid, signal.SIGCONT)
    response = caught.value.response
    assert response["Error"]["Code"] == "ModelError"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 424
    assert (
        "timed out while waiting for a response from container primary"
        in (response["Error"]["Message"])
    )
    assert not _alive(pid)


def test_redeployed_endpoint_serves_the_new_model_and_stops_the_old_container(
    runtime: RuntimeServer,
    client: Any,
    aws: LocalResources,
    built_model: Any,
    second_model: Any,
    sample: dict[str, Any],
) -> None:
    body = _body(sample)
    client.invoke_endpoint(EndpointName=ENDPOINT, Body=body, ContentType="application/json")
    [old_pid] = runtime.container_pids()
    second = _card(second_model)["sample"]
    assert second["predictions"] != pytest.approx(sample["predictions"], abs=1e-6)

    aws.deploy_tarball(ENDPOINT, second_model.tarball)
    response = client.invoke_endpoint(
        EndpointName=ENDPOINT,
        Body=json.dumps({"instances": second["instances"]}).encode(),
        ContentType="application/json",
    )
    assert json.loads(response["Body"].read())["predictions"] == pytest.approx(
        second["predictions"], abs=1e-6
    )
    assert old_pid not in runtime.container_pids()
    assert not _alive(old_pid)

    aws.deploy_tarball(ENDPOINT, built_model.tarball)  # back to the first model for the other tests
    client.invoke_endpoint(EndpointName=ENDPOINT, Body=body, ContentType="application/json")


def test_deleted_endpoint_is_not_found_and_stop_leaves_no_container(
    control_plane: ControlPlane, aws: LocalResources, built_model: Any, sample: dict[str, Any]
) -> None:
    aws.deploy_tarball("short-lived", built_model.tarball)
    with _runtime_server(control_plane, cache_ttl=0) as server:
        client = _runtime_client(server.url)
        client.invoke_endpoint(EndpointName="short-lived", Body=_body(sample))
        pids = server.container_pids()
        assert pids
        aws.sagemaker.delete_endpoint(EndpointName="short-lived")
        with pytest.raises(ClientError) as caught:
            client.invoke_endpoint(EndpointName="short-lived", Body=_body(sample))
    assert caught.value.response["Error"]["Code"] == "ValidationError"
    assert caught.value.response["Error"]["Message"] == (
        f"Endpoint short-lived of account {LOCAL_ACCOUNT} not found."
    )
    assert not any(_alive(pid) for pid in pids)


@pytest.mark.parametrize(
    "signum", [pytest.param(signal.SIGTERM, id="SIGTERM"), pytest.param(signal.SIGINT, id="SIGINT")]
)
def test_cli_prints_its_url_and_stops_its_containers_on_signal(
    control_plane: ControlPlane,
    aws: LocalResources,
    built_model: Any,
    sample: dict[str, Any],
    signum: int,
) -> None:
    aws.deploy_tarball("cli", built_model.tarball)
    cmd = [sys.executable, "-m", "local_runtime", "--port", "0", "--region", REGION]
    cmd += ["--control-plane-url", control_plane.url, "--workers", "1"]
    env = {**os.environ, "AWS_ACCESS_KEY_ID": KEY, "AWS_SECRET_ACCESS_KEY": SECRET}
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, env=env, text=True, preexec_fn=sigint_default
    )
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        assert line.startswith("local runtime listening on http://127.0.0.1:")
        url = line.split()[-1]
        client = boto3.client(
            "sagemaker-runtime",
            endpoint_url=url,
            region_name=REGION,
            aws_access_key_id=KEY,
            aws_secret_access_key=SECRET,
        )
        client.invoke_endpoint(EndpointName="cli", Body=_body(sample))
        pids = [
            c["pid"] for c in requests.get(f"{url}/_local/health", timeout=10).json()["containers"]
        ]
        assert pids
        proc.send_signal(signum)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert not any(_alive(pid) for pid in pids)
