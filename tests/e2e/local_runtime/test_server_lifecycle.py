"""The local runtime's containers over time: a hang, a redeploy, a delete, a signal."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from typing import Any

import boto3
import pytest
import requests
from botocore.exceptions import ClientError

from constants import LOCAL_ACCOUNT
from local_cloud.control_plane import ControlPlane
from local_cloud.local_endpoint import LocalResources
from local_runtime.runtime_server import RuntimeServer
from tests.support.runtime_server import (
    ENDPOINT,
    KEY,
    REGION,
    SECRET,
    card_of,
    is_alive,
    request_body,
    runtime_client,
    runtime_server,
)
from tests.support.signals import sigint_default

# --- lifecycle -------------------------------------------------------------------------------


def test_container_that_stops_answering_gives_a_model_timeout(
    control_plane: ControlPlane, aws: LocalResources, built_model: Any, sample: dict[str, Any]
) -> None:
    aws.deploy_tarball("slow", built_model.tarball)
    with runtime_server(control_plane, invoke_timeout=1.0) as server:
        client = runtime_client(server.url)
        client.invoke_endpoint(
            EndpointName="slow", Body=request_body(sample)
        )  # starts the container
        [pid] = server.container_pids()
        os.killpg(pid, signal.SIGSTOP)
        try:
            with pytest.raises(ClientError) as caught:
                client.invoke_endpoint(EndpointName="slow", Body=request_body(sample))
        finally:
            os.killpg(pid, signal.SIGCONT)
    response = caught.value.response
    assert response["Error"]["Code"] == "ModelError"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 424
    assert (
        "timed out while waiting for a response from container primary"
        in (response["Error"]["Message"])
    )
    assert not is_alive(pid)


def test_redeployed_endpoint_serves_the_new_model_and_stops_the_old_container(
    runtime: RuntimeServer,
    client: Any,
    aws: LocalResources,
    built_model: Any,
    second_model: Any,
    sample: dict[str, Any],
) -> None:
    body = request_body(sample)
    client.invoke_endpoint(EndpointName=ENDPOINT, Body=body, ContentType="application/json")
    [old_pid] = runtime.container_pids()
    second = card_of(second_model)["sample"]
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
    assert not is_alive(old_pid)

    aws.deploy_tarball(ENDPOINT, built_model.tarball)  # back to the first model for the other tests
    client.invoke_endpoint(EndpointName=ENDPOINT, Body=body, ContentType="application/json")


def test_deleted_endpoint_is_not_found_and_stop_leaves_no_container(
    control_plane: ControlPlane, aws: LocalResources, built_model: Any, sample: dict[str, Any]
) -> None:
    aws.deploy_tarball("short-lived", built_model.tarball)
    with runtime_server(control_plane, cache_ttl=0) as server:
        client = runtime_client(server.url)
        client.invoke_endpoint(EndpointName="short-lived", Body=request_body(sample))
        pids = server.container_pids()
        assert pids
        aws.sagemaker.delete_endpoint(EndpointName="short-lived")
        with pytest.raises(ClientError) as caught:
            client.invoke_endpoint(EndpointName="short-lived", Body=request_body(sample))
    assert caught.value.response["Error"]["Code"] == "ValidationError"
    assert caught.value.response["Error"]["Message"] == (
        f"Endpoint short-lived of account {LOCAL_ACCOUNT} not found."
    )
    assert not any(is_alive(pid) for pid in pids)


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
        client.invoke_endpoint(EndpointName="cli", Body=request_body(sample))
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
    assert not any(is_alive(pid) for pid in pids)
