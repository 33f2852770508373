"""The public API end to end with no AWS: moto, the local runtime, the local API Gateway.

The app is deployed with examples/public-api.json through the real CDK CLI (a plain change-set
deploy: the patched control plane creates every API Gateway resource of the template); then
`POST /predict` at the local form of the `PublicApiUrl` output, on the control plane's port,
goes through key check, schema check, SigV4 to the runtime, the real XGBoost handler, and back
through the integration response mapping. Tests run in file order and end with destroy.
"""

from __future__ import annotations

import json
import socket
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

from clients import call_api
from clients.payload import predictions_of
from local_cloud.cdk import CdkCli
from local_cloud.runtime_process import REPO_ROOT
from local_runtime.api_gateway_stage import local_invoke_url
from stacks.public_api.contract import REQUEST_SCHEMA
from tests.support.assemblies import Assemblies
from tests.support.local_aws import aws_environ, deploy_shared, local_account

pytestmark = pytest.mark.e2e

STACK = "SagemakerXgbEndpoint"
EXAMPLE = REPO_ROOT / "examples" / "public-api.json"


@dataclass(frozen=True)
class DeployedApi:
    """What the stack's template made, as the control plane's API Gateway API reports it."""

    api_id: str
    stage: str
    api_key_id: str
    usage_plan_ids: list[str]


@dataclass(frozen=True)
class DemoRun:
    lines: list[str]


@dataclass
class LocalApi:
    app_dir: Path
    cdk: CdkCli
    session: boto3.session.Session
    provisioned: DeployedApi
    demo_run: DemoRun
    control_plane_url: str

    @property
    def url(self) -> str:
        return local_invoke_url(
            self.control_plane_url, api_id=self.provisioned.api_id, stage=self.provisioned.stage
        )

    def outputs(self) -> dict[str, str]:
        return dict(json.loads(self.cdk.outputs_file.read_text())[STACK])

    def card(self) -> dict[str, Any]:
        return dict(json.loads((self.app_dir / "build" / "model-card.json").read_text()))

    def api_key(self) -> str:
        assert self.provisioned.api_key_id is not None
        apigateway = self.session.client("apigateway")
        key = apigateway.get_api_key(apiKey=self.provisioned.api_key_id, includeValue=True)
        return str(key["value"])


@pytest.fixture(scope="module")
def local_api(
    tmp_path_factory: pytest.TempPathFactory, assemblies: Assemblies
) -> Iterator[LocalApi]:
    with local_account(tmp_path_factory.mktemp("public-api")) as account:
        control_plane, env = account.control_plane, account.env
        account.cdk.bootstrap(region=control_plane.region)
        deploy_shared(account, assemblies, "public-api-cli")
        outputs = json.loads(account.cdk.outputs_file.read_text())[STACK]
        apigateway = account.session.client("apigateway", endpoint_url=control_plane.url)
        api_id = outputs["PublicApiUrl"].removeprefix("https://").split(".", 1)[0]
        deployed = DeployedApi(
            api_id=api_id,
            stage=apigateway.get_stages(restApiId=api_id)["item"][0]["stageName"],
            api_key_id=outputs["PublicApiKeyId"],
            usage_plan_ids=[p["id"] for p in apigateway.get_usage_plans()["items"]],
        )
        # boto3 in the clients reaches moto through AWS_ENDPOINT_URL
        with aws_environ(env):
            card = json.loads((account.app_dir / "build" / "model-card.json").read_text())
            key = apigateway.get_api_key(apiKey=deployed.api_key_id, includeValue=True)["value"]
            route = local_invoke_url(control_plane.url, api_id=api_id, stage=deployed.stage)
            lines = call_api.check_public_api(route, api_key=key, rows=card["sample"]["instances"])
            yield LocalApi(
                app_dir=account.app_dir,
                cdk=account.cdk,
                session=account.session,
                provisioned=deployed,
                demo_run=DemoRun(lines=[f"POST {route}", *lines]),
                control_plane_url=control_plane.url,
            )


def test_demo_stage_gets_predictions_then_403_then_400(local_api: LocalApi) -> None:
    route, with_key, without_key, malformed = local_api.demo_run.lines
    assert route.startswith("POST http://localhost:")
    assert route.endswith(f"/restapis/{local_api.provisioned.api_id}/v1/_user_request_/predict")
    assert with_key.startswith("with key: 200 ")
    assert predictions_of(with_key.split(" 200 ", 1)[1]) == pytest.approx(
        local_api.card()["sample"]["predictions"]
    )
    assert without_key == 'without key: 403 {"message": "Forbidden"}'
    assert malformed.startswith('malformed body: 400 {"message": "Invalid request body"')


def test_deploy_outputs_the_url_and_moto_holds_the_route_to_the_endpoint(
    local_api: LocalApi,
) -> None:
    outputs = local_api.outputs()
    api_id = local_api.provisioned.api_id
    assert outputs["PublicApiUrl"].startswith(f"https://{api_id}.execute-api.")
    assert outputs["PublicApiUrl"].endswith("/predict")
    apigateway = local_api.session.client("apigateway")
    resources = apigateway.get_resources(restApiId=api_id, embed=["methods"])["items"]
    method = next(r for r in resources if r["path"] == "/predict")["resourceMethods"]["POST"]
    assert method["apiKeyRequired"] is True
    assert method["methodIntegration"]["type"] == "AWS"
    assert method["methodIntegration"]["uri"].endswith(
        f":runtime.sagemaker:path//endpoints/{outputs['EndpointName']}/invocations"
    )


def test_provisioned_model_carries_the_schema_the_emulator_validates_with(
    local_api: LocalApi,
) -> None:
    apigateway = local_api.session.client("apigateway")
    model = apigateway.get_model(restApiId=local_api.provisioned.api_id, modelName="PredictRequest")
    assert json.loads(model["schema"]) == REQUEST_SCHEMA
    plan = apigateway.get_usage_plan(usagePlanId=local_api.provisioned.usage_plan_ids[0])
    example = json.loads(EXAMPLE.read_text())["public_api"]
    assert plan["throttle"] == {
        "rateLimit": example["rate_limit"],
        "burstLimit": example["burst_limit"],
    }
    assert plan["quota"]["limit"] == example["quota_limit"]


def test_post_with_the_key_gets_the_cards_predictions(local_api: LocalApi) -> None:
    card = local_api.card()
    body = json.dumps({"instances": card["sample"]["instances"]}).encode()
    result = call_api.post(local_api.url, body, api_key=local_api.api_key())
    assert result.status == 200, result.text
    assert predictions_of(result.text) == pytest.approx(card["sample"]["predictions"])


def test_call_api_tool_reads_the_key_by_id_from_the_control_plane(
    local_api: LocalApi, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [
        "--url",
        local_api.url,
        "--api-key-id",
        str(local_api.provisioned.api_key_id),
        "--model-card",
        str(local_api.app_dir / "build" / "model-card.json"),
    ]
    assert call_api.main(argv) == 0
    status_line, url_line = capsys.readouterr().out.splitlines()
    assert status_line.startswith("200 ")
    assert predictions_of(status_line[4:]) == pytest.approx(
        local_api.card()["sample"]["predictions"]
    )
    assert url_line == f"URL: {local_api.url}"


@pytest.mark.parametrize("key", [None, "not-the-key"], ids=["no key", "wrong key"])
def test_post_without_a_valid_key_is_forbidden(local_api: LocalApi, key: str | None) -> None:
    result = call_api.post(local_api.url, b'{"features": [1.0]}', api_key=key)
    assert (result.status, json.loads(result.text)) == (403, {"message": "Forbidden"})


@pytest.mark.parametrize(
    "body",
    [b'{"instances": "not rows"}', b'{"rows": [[1, 2]]}', b"[[true, 1]]", b"{not json"],
    ids=["string instances", "unknown key", "booleans", "not JSON"],
)
def test_malformed_body_gets_400_with_a_message_before_the_endpoint(
    local_api: LocalApi, body: bytes
) -> None:
    result = call_api.post(local_api.url, body, api_key=local_api.api_key())
    assert result.status == 400
    answer = json.loads(result.text)
    assert answer["message"] == "Invalid request body"
    assert answer["detail"]


def test_models_own_400_comes_back_as_400_with_the_handlers_message(local_api: LocalApi) -> None:
    # Valid for the schema, wrong for the model: the container answers 400 (runtime: 424).
    result = call_api.post(local_api.url, b'{"features": [1.0, 2.0]}', api_key=local_api.api_key())
    assert result.status == 400
    answer = json.loads(result.text)
    assert "features" in answer["message"]


def test_non_json_content_type_is_refused_with_415(local_api: LocalApi) -> None:
    result = call_api.post(
        local_api.url, b"1,2,3", api_key=local_api.api_key(), content_type="text/csv"
    )
    assert result.status == 415


def test_unreadable_content_length_gets_400_with_a_message_not_a_dropped_connection(
    local_api: LocalApi,
) -> None:
    url = urllib.parse.urlsplit(local_api.url)
    with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
        sock.sendall(
            f"POST {url.path} HTTP/1.1\r\nHost: {url.netloc}\r\n"
            "Content-Length: twelve\r\n\r\n".encode()
        )
        answer = sock.makefile("rb").read()  # the server closes: the body's end is unknown
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 ")
    assert json.loads(body) == {"message": "Invalid Content-Length: 'twelve'"}


def test_destroy_leaves_no_api_key_or_plan_behind(local_api: LocalApi) -> None:
    local_api.cdk.destroy()
    stacks = local_api.session.client("cloudformation").list_stacks()["StackSummaries"]
    assert {s["StackStatus"] for s in stacks if s["StackName"] == STACK} <= {"DELETE_COMPLETE"}
    apigateway = local_api.session.client("apigateway")
    assert apigateway.get_rest_apis()["items"] == []
    assert apigateway.get_api_keys()["items"] == []
    assert apigateway.get_usage_plans()["items"] == []
