"""Each moto divergence `local_aws` mends, checked with a standard client (the CDK CLI's default
change-set deploy, boto3, the AWS CLI, SageMaker SDK v3) against the running control plane.

One stack with the public API is deployed by plain `cdk deploy` (no method flag); tests run in
file order and end with `cdk destroy` and `clients.verify_teardown`.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from clients import call_api, check_outputs, verify_teardown
from local_cloud.runtime_process import REPO_ROOT
from local_runtime.process_group import wait_for_http
from tests.support.assemblies import Assemblies
from tests.support.local_aws import LocalAccount, aws_environ, deploy_shared, local_account

pytestmark = pytest.mark.e2e

STACK = "SagemakerXgbEndpoint"
EXAMPLE = REPO_ROOT / "examples" / "public-api.json"
AWS_CLI = (sys.executable, "-m", "awscli")  # AWS CLI v1 from PyPI (requirements-dev.txt)


@pytest.fixture(scope="module")
def account(
    tmp_path_factory: pytest.TempPathFactory, assemblies: Assemblies
) -> Iterator[LocalAccount]:
    with local_account(tmp_path_factory.mktemp("divergences")) as local:
        local.cdk.bootstrap(region=local.control_plane.region)
        deploy_shared(local, assemblies, "public-api-cli")
        with aws_environ(local.env):
            yield local


def _outputs(account: LocalAccount) -> dict[str, str]:
    return dict(json.loads(account.cdk.outputs_file.read_text())[STACK])


def test_default_change_set_deploy_writes_every_output(account: LocalAccount) -> None:
    outputs = _outputs(account)
    for key in ("EndpointName", "InvokeUrl", "PublicApiUrl", "PublicApiKeyId", "ModelSha256"):
        assert outputs.get(key), key
    assert "/None/" not in outputs["PublicApiUrl"]
    assert check_outputs.main(["--outputs-file", str(account.cdk.outputs_file)]) == 0
    log = (account.cdk.log_dir / "cdk-deploy.log").read_text()
    assert "--method" not in log.splitlines()[0]  # the CLI's default: a change set
    assert "NodeVersionSupportWarning" not in log  # silenced with the SDK's own switch
    cloudformation = account.session.client("cloudformation")
    stack = cloudformation.describe_stacks(StackName=STACK)["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    assert {o["OutputKey"] for o in stack["Outputs"]} == set(outputs)


def test_every_stack_resource_is_listed_with_its_type(account: LocalAccount) -> None:
    cli = subprocess.run(
        [*AWS_CLI, "cloudformation", "list-stack-resources", "--stack-name", STACK],
        capture_output=True,
        text=True,
        check=True,
        env=account.env,
    )
    summaries = json.loads(cli.stdout)["StackResourceSummaries"]
    template = json.loads((account.cdk.assembly_dir / f"{STACK}.template.json").read_text())
    assert {s["LogicalResourceId"] for s in summaries} >= {"CDKMetadata"}
    assert [s for s in summaries if not s["ResourceType"]] == []
    declared = {name: body["Type"] for name, body in template["Resources"].items()}
    assert {s["LogicalResourceId"]: s["ResourceType"] for s in summaries} == declared


def test_check_outputs_refuses_an_empty_outputs_file(tmp_path: Path) -> None:
    empty = tmp_path / "cdk-outputs.json"
    empty.write_text("{}")
    assert check_outputs.main(["--outputs-file", str(empty)]) == 1


def test_deleting_a_missing_change_set_succeeds_while_the_stack_exists(
    account: LocalAccount,
) -> None:
    cloudformation = account.session.client("cloudformation")
    cloudformation.delete_change_set(StackName=STACK, ChangeSetName="cdk-deploy-change-set")
    with pytest.raises(ClientError) as raised:
        cloudformation.describe_change_set(StackName=STACK, ChangeSetName="never-made")
    assert raised.value.response["Error"]["Code"] == "ChangeSetNotFound"


def _api_template(*, deployment_depends_on_method: bool) -> str:
    method: dict[str, Any] = {
        "Type": "AWS::ApiGateway::Method",
        "Properties": {
            "RestApiId": {"Ref": "Api"},
            "ResourceId": {"Fn::GetAtt": ["Api", "RootResourceId"]},
            "HttpMethod": "GET",
            "AuthorizationType": "NONE",
            "Integration": {"Type": "MOCK", "IntegrationHttpMethod": "GET", "Uri": ""},
        },
    }
    deployment: dict[str, Any] = {
        "Type": "AWS::ApiGateway::Deployment",
        "Properties": {"RestApiId": {"Ref": "Api"}},
    }
    resources: dict[str, Any] = {
        "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "divergence-api"}},
        "Deployment": deployment,  # before the Method in template order
    }
    if deployment_depends_on_method:
        deployment["DependsOn"] = ["Method"]
        resources["Method"] = method
    return json.dumps({"Resources": resources, "Outputs": {"Api": {"Value": {"Ref": "Api"}}}})


def _create_and_execute(account: LocalAccount, stack: str, template: str) -> dict[str, Any]:
    cloudformation = account.session.client("cloudformation")
    change_set = cloudformation.create_change_set(
        StackName=stack, ChangeSetName="cs", TemplateBody=template, ChangeSetType="CREATE"
    )
    cloudformation.execute_change_set(ChangeSetName=change_set["Id"])
    return dict(cloudformation.describe_stacks(StackName=stack)["Stacks"][0])


def test_change_set_creates_resources_after_what_they_depend_on(account: LocalAccount) -> None:
    stack = _create_and_execute(
        account, "DependsOnOrder", _api_template(deployment_depends_on_method=True)
    )
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    api_id = stack["Outputs"][0]["OutputValue"]
    assert account.session.client("apigateway").get_deployments(restApiId=api_id)["items"]
    account.session.client("cloudformation").delete_stack(StackName="DependsOnOrder")


def test_a_failing_change_set_rolls_back_and_can_be_created_again(account: LocalAccount) -> None:
    apigateway = account.session.client("apigateway")
    apis_before = {api["id"] for api in apigateway.get_rest_apis()["items"]}
    # A Deployment of an API with no methods fails on AWS too ("doesn't contain any methods").
    stack = _create_and_execute(
        account, "FailsOnce", _api_template(deployment_depends_on_method=False)
    )
    assert stack["StackStatus"] == "ROLLBACK_COMPLETE"
    events = account.session.client("cloudformation").describe_stack_events(StackName="FailsOnce")
    failed = [e for e in events["StackEvents"] if e["ResourceStatus"] == "CREATE_FAILED"]
    assert failed and failed[0]["LogicalResourceId"] == "Deployment"
    assert "methods" in failed[0]["ResourceStatusReason"]
    assert {api["id"] for api in apigateway.get_rest_apis()["items"]} == apis_before
    cloudformation = account.session.client("cloudformation")
    cloudformation.delete_stack(StackName="FailsOnce")  # what the CDK CLI does before a retry
    again = _create_and_execute(
        account, "FailsOnce", _api_template(deployment_depends_on_method=True)
    )
    assert again["StackStatus"] == "CREATE_COMPLETE"
    cloudformation.delete_stack(StackName="FailsOnce")


def test_a_failing_update_rolls_back_to_the_previous_template(account: LocalAccount) -> None:
    cloudformation = account.session.client("cloudformation")
    template = _api_template(deployment_depends_on_method=True)
    assert _create_and_execute(account, "Updated", template)["StackStatus"] == "CREATE_COMPLETE"
    broken = json.loads(template)
    broken["Resources"]["Plan"] = {
        "Type": "AWS::ApiGateway::UsagePlan",
        "Properties": {"UsagePlanName": "rolled-back-plan"},
    }
    broken["Resources"]["PlanKey"] = {  # no such key: fails on AWS as here
        "Type": "AWS::ApiGateway::UsagePlanKey",
        "Properties": {"UsagePlanId": {"Ref": "Plan"}, "KeyId": "nokey", "KeyType": "API_KEY"},
    }
    broken["Outputs"]["Plan"] = {"Value": {"Ref": "Plan"}}
    cloudformation.create_change_set(
        StackName="Updated",
        ChangeSetName="update",
        TemplateBody=json.dumps(broken),
        ChangeSetType="UPDATE",
    )
    cloudformation.execute_change_set(StackName="Updated", ChangeSetName="update")
    stack = cloudformation.describe_stacks(StackName="Updated")["Stacks"][0]
    assert stack["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    assert [o["OutputKey"] for o in stack["Outputs"]] == ["Api"]
    plans = account.session.client("apigateway").get_usage_plans()["items"]
    assert "rolled-back-plan" not in [p["name"] for p in plans]
    events = cloudformation.describe_stack_events(StackName="Updated")["StackEvents"]
    failed = next(e for e in events if e["ResourceStatus"] == "CREATE_FAILED")
    assert failed["LogicalResourceId"] == "PlanKey"
    cloudformation.delete_stack(StackName="Updated")


def test_an_unexecuted_create_change_set_is_replaced_not_duplicated(account: LocalAccount) -> None:
    cloudformation = account.session.client("cloudformation")
    template = _api_template(deployment_depends_on_method=True)
    for _ in range(2):
        cloudformation.create_change_set(
            StackName="Reviewed", ChangeSetName="cs", TemplateBody=template, ChangeSetType="CREATE"
        )
    stacks = [
        s for s in cloudformation.list_stacks()["StackSummaries"] if s["StackName"] == "Reviewed"
    ]
    assert [s["StackStatus"] for s in stacks] == ["REVIEW_IN_PROGRESS"]
    with pytest.raises(ClientError) as raised:
        cloudformation.create_change_set(
            StackName=STACK, ChangeSetName="cs", TemplateBody=template, ChangeSetType="CREATE"
        )
    assert raised.value.response["Error"]["Code"] == "AlreadyExistsException"
    cloudformation.delete_stack(StackName="Reviewed")


def test_template_api_gateway_resources_exist(account: LocalAccount) -> None:
    outputs = _outputs(account)
    apigateway = account.session.client("apigateway")
    api_id = outputs["PublicApiUrl"].removeprefix("https://").split(".", 1)[0]
    assert [s["stageName"] for s in apigateway.get_stages(restApiId=api_id)["item"]] == ["v1"]
    key = apigateway.get_api_key(apiKey=outputs["PublicApiKeyId"], includeValue=True)
    assert key["enabled"] is True and len(key["value"]) >= 20
    (plan,) = apigateway.get_usage_plans()["items"]
    assert plan["apiStages"] == [{"apiId": api_id, "stage": "v1"}]
    plan_keys = apigateway.get_usage_plan_keys(usagePlanId=plan["id"])["items"]
    assert [k["id"] for k in plan_keys] == [outputs["PublicApiKeyId"]]
    assert apigateway.get_model(restApiId=api_id, modelName="PredictRequest")["schema"]


def test_call_api_gets_200_with_the_key_and_403_without(
    account: LocalAccount, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--outputs-file", str(account.cdk.outputs_file)]
    args += ["--model-card", str(account.app_dir / "build" / "model-card.json")]
    assert call_api.main(args) == 0
    out = capsys.readouterr().out
    assert out.startswith('200 {"predictions": [')
    assert f"URL: {account.control_plane.url}/restapis/" in out
    assert call_api.main([*args, "--auth", "none"]) == 1
    assert capsys.readouterr().out.startswith('403 {"message": "Forbidden"}')


def _has_empty_object(value: Any) -> bool:
    if isinstance(value, dict):
        return value == {} or any(_has_empty_object(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_empty_object(v) for v in value)
    return False


def test_describe_responses_take_aws_shapes_for_boto3_and_the_aws_cli(
    account: LocalAccount,
) -> None:
    sagemaker = account.session.client("sagemaker")
    endpoint = sagemaker.describe_endpoint(EndpointName=_outputs(account)["EndpointName"])
    config = sagemaker.describe_endpoint_config(EndpointConfigName=endpoint["EndpointConfigName"])
    model = sagemaker.describe_model(ModelName=config["ProductionVariants"][0]["ModelName"])
    for response in (endpoint, config, model):
        response.pop("ResponseMetadata")
        assert not _has_empty_object(response), response
    assert "DataCaptureConfig" not in endpoint and "DataCaptureConfig" not in config
    assert "AsyncInferenceConfig" not in config
    name = endpoint["EndpointConfigName"]
    cli = subprocess.run(
        [*AWS_CLI, "sagemaker", "describe-endpoint-config", "--endpoint-config-name", name],
        capture_output=True,
        text=True,
        check=True,
        env=account.env,
    )
    assert "DataCaptureConfig" not in json.loads(cli.stdout)


def test_sagemaker_sdk_v3_reads_the_resources_and_invokes(account: LocalAccount) -> None:
    from sagemaker.core.resources import Endpoint, EndpointConfig, Model

    endpoint = Endpoint.get(endpoint_name=_outputs(account)["EndpointName"])
    assert endpoint.endpoint_status == "InService"
    config = EndpointConfig.get(endpoint_config_name=endpoint.endpoint_config_name)
    model = Model.get(model_name=config.production_variants[0].model_name)
    assert model.primary_container.model_data_url == _outputs(account)["ModelDataUrl"]
    card = json.loads((account.app_dir / "build" / "model-card.json").read_text())
    body = json.dumps({"instances": card["sample"]["instances"]})
    answer = endpoint.invoke(body=body, content_type="application/json")
    predictions = json.loads(answer.body.read())["predictions"]
    assert predictions == pytest.approx(card["sample"]["predictions"])


def test_destroy_removes_everything_verify_teardown_passes(account: LocalAccount) -> None:
    account.cdk.destroy()
    assert account.session.client("apigateway").get_rest_apis()["items"] == []
    args = ["--stack-name", STACK, "--outputs-file", str(account.cdk.outputs_file)]
    assert verify_teardown.main(args) == 0
    wait_for_http(account.control_plane.url + "/moto-api/", timeout=5)  # still serving
