"""The whole lifecycle through the real CDK CLI against moto_server and the local runtime.

A tmp copy of the app (so the repo's build/ and cdk.out/ stay untouched) is bootstrapped and
deployed once per module; the tests then run in file order: predict, update, destroy. Each phase
needs only the deployed fixture, so any one of them also runs alone (`-k update`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

from clients import call_raw, predict, verify_deploy, verify_teardown
from clients.errors import InvocationError
from clients.payload import predictions_of
from clients.target import Target
from local_cloud.cdk import CdkCli
from tests.support.local_aws import aws_environ, local_account

STACK = "SagemakerXgbEndpoint"


@dataclass
class Deployment:
    app_dir: Path
    cdk: CdkCli
    env: dict[str, str]
    session: boto3.session.Session

    def outputs(self) -> dict[str, str]:
        return json.loads(self.cdk.outputs_file.read_text())[STACK]

    def card(self) -> dict[str, Any]:
        return json.loads((self.app_dir / "build" / "model-card.json").read_text())

    def client(self, service: str) -> Any:
        return self.session.client(service, endpoint_url=self.env["AWS_ENDPOINT_URL"])

    def target(self, rows: list[list[float]], payload_format: str = "json") -> Target:
        return Target(
            endpoint_name=self.outputs()["EndpointName"],
            rows=rows,
            region=self.session.region_name,
            payload_format=payload_format,
        )

    def verify_argv(self) -> list[str]:
        card = self.app_dir / "build" / "model-card.json"
        return ["--stack-name", STACK, "--model-card", str(card), "--region", self.region]

    @property
    def region(self) -> str:
        return str(self.session.region_name)

    def physical_id(self, resource_type: str) -> str:
        """Name of the stack's one resource of this type (moto may give an ARN)."""
        resources = self.client("cloudformation").list_stack_resources(StackName=STACK)
        ids = [
            r["PhysicalResourceId"]
            for r in resources["StackResourceSummaries"]
            if r["ResourceType"] == resource_type
        ]
        assert len(ids) == 1, ids
        return ids[0].split("/")[-1]


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    with local_account(tmp_path_factory.mktemp("e2e")) as account:
        account.cdk.bootstrap(region=account.control_plane.region)
        account.cdk.deploy()
        with aws_environ(account.env):  # the clients read endpoints and credentials from here
            yield Deployment(
                app_dir=account.app_dir, cdk=account.cdk, env=account.env, session=account.session
            )


def test_deploy_outputs_a_live_endpoint_tagged_with_the_models_hash(deployed: Deployment) -> None:
    outputs = deployed.outputs()
    assert set(outputs) >= {
        "EndpointName",
        "InvokeUrl",
        "ExecutionRoleArn",
        "ModelDataUrl",
        "LogGroupName",
    }
    sagemaker = deployed.client("sagemaker")
    endpoint = sagemaker.describe_endpoint(EndpointName=outputs["EndpointName"])
    assert endpoint["EndpointStatus"] == "InService"
    tags = {
        t["Key"]: t["Value"]
        for t in sagemaker.list_tags(ResourceArn=endpoint["EndpointArn"])["Tags"]
    }
    assert tags["app"] == "sagemaker-xgb-cdk"
    assert tags["model-sha256"] == deployed.card()["tarball"]["sha256"]


@pytest.mark.parametrize("payload_format", ["json", "npy"])
@pytest.mark.parametrize("client", [predict, call_raw], ids=["boto3", "raw"])
def test_both_clients_get_the_cards_predictions(
    deployed: Deployment, client: Any, payload_format: str
) -> None:
    card = deployed.card()
    result = client.invoke(deployed.target(card["sample"]["instances"], payload_format))
    assert result.status == 200
    assert predictions_of(result.text) == pytest.approx(card["sample"]["predictions"])


@pytest.mark.parametrize("client", [predict, call_raw], ids=["boto3", "raw"])
def test_bad_request_comes_back_as_424_model_error_with_the_handlers_message(
    deployed: Deployment, client: Any
) -> None:
    with pytest.raises(InvocationError) as caught:
        client.invoke(deployed.target([[1.0, 2.0, 3.0]]))
    error = caught.value
    assert (error.status, error.code, error.original_status) == (424, "ModelError", 400)
    handler_body = json.loads(error.original_message or "{}")
    assert handler_body["message"] == "expected 30 features per row, got 3"


def test_update_moves_the_endpoint_to_a_new_model_and_config(deployed: Deployment) -> None:
    sagemaker = deployed.client("sagemaker")
    endpoint_name = deployed.outputs()["EndpointName"]
    old_config = sagemaker.describe_endpoint(EndpointName=endpoint_name)["EndpointConfigName"]
    old_model = deployed.physical_id("AWS::SageMaker::Model")
    old_card = deployed.card()

    cdk_json = deployed.app_dir / "cdk.json"
    settings = json.loads(cdk_json.read_text())
    settings["build"] = "python3 -m model_build --n-estimators 50"
    cdk_json.write_text(json.dumps(settings, indent=2))
    deployed.cdk.deploy()

    new_card = deployed.card()
    assert new_card["tarball"]["sha256"] != old_card["tarball"]["sha256"]
    live = sagemaker.describe_endpoint(EndpointName=deployed.outputs()["EndpointName"])
    new_config = deployed.physical_id("AWS::SageMaker::EndpointConfig")
    new_model = deployed.physical_id("AWS::SageMaker::Model")
    # An update that failed would leave the endpoint on the old config (facts sheet).
    assert live["EndpointConfigName"] == new_config != old_config
    assert new_model != old_model
    variants = sagemaker.describe_endpoint_config(EndpointConfigName=new_config)
    assert [v["ModelName"] for v in variants["ProductionVariants"]] == [new_model]

    result = predict.invoke(deployed.target(new_card["sample"]["instances"]))
    served = predictions_of(result.text)
    assert served == pytest.approx(new_card["sample"]["predictions"])
    assert served != pytest.approx(old_card["sample"]["predictions"])
    assert verify_deploy.main(deployed.verify_argv()) == 0  # what make deploy ends with


def _repoint(sagemaker: Any, endpoint_name: str, config_name: str) -> None:
    """What moto allows in place of UpdateEndpoint: the same name, re-created on a config."""
    sagemaker.delete_endpoint(EndpointName=endpoint_name)
    sagemaker.create_endpoint(EndpointName=endpoint_name, EndpointConfigName=config_name)


def test_verify_deploy_names_a_config_switched_behind_cloudformations_back(
    deployed: Deployment, capsys: pytest.CaptureFixture[str]
) -> None:
    sagemaker = deployed.client("sagemaker")
    endpoint_name = deployed.outputs()["EndpointName"]
    stack_config = sagemaker.describe_endpoint(EndpointName=endpoint_name)["EndpointConfigName"]
    variant = sagemaker.describe_endpoint_config(EndpointConfigName=stack_config)[
        "ProductionVariants"
    ][0]
    rogue = "hand-made-config"
    sagemaker.create_endpoint_config(
        EndpointConfigName=rogue,
        ProductionVariants=[
            {
                key: variant[key]
                for key in ("VariantName", "ModelName", "InstanceType", "InitialInstanceCount")
            }
        ],
    )
    _repoint(sagemaker, endpoint_name, rogue)
    try:
        assert verify_deploy.main(deployed.verify_argv()) == 1
        out = capsys.readouterr().out
    finally:
        _repoint(sagemaker, endpoint_name, stack_config)
        sagemaker.delete_endpoint_config(EndpointConfigName=rogue)
    mismatches = [line for line in out.splitlines() if line.startswith("MISMATCH")]
    # Same model, so only the config is wrong, and the line names both sides.
    assert mismatches == [
        f"MISMATCH  endpoint config: live {rogue}; "
        f"expected {stack_config} (stack {STACK}'s EndpointConfig)"
    ]
    assert f"deploy NOT verified: 1 mismatch(es) in stack {STACK}" in out
    assert verify_deploy.main(deployed.verify_argv()) == 0  # put back: verified again


def test_destroy_leaves_nothing_behind(
    deployed: Deployment, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--stack-name", STACK, "--outputs-file", str(deployed.cdk.outputs_file)]
    assert verify_teardown.main(argv) == 1  # still deployed: the check sees it
    capsys.readouterr()

    deployed.cdk.destroy()

    assert verify_teardown.main(argv) == 0
    out = capsys.readouterr().out
    for kind in (
        "endpoints",
        "endpoint configs",
        "models",
        "stack",
        "execution roles",
        "log groups",
    ):
        assert f"{kind}: 0 left" in out

    deployed.cdk.destroy()  # the second destroy finds nothing to do and still succeeds
    assert verify_teardown.main(argv) == 0
