"""The optional public API: off by default; with examples/public-api.json, an API Gateway route
straight into the SageMaker runtime, checked with assertions and cdk-nag (cfn-lint:
test_options_lint.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from stacks.public_api.contract import REQUEST_SCHEMA, RESPONSE_RULES
from tests.support.assemblies import Assemblies
from tests.support.cdk import (
    REPO,
    Synthesized,
    assert_every_acknowledgement_is_needed,
    synth,
)

EXAMPLE = REPO / "examples" / "public-api.json"
METHOD = "AWS::ApiGateway::Method"


@pytest.fixture(scope="module")
def example() -> dict[str, Any]:
    return dict(json.loads(EXAMPLE.read_text())["public_api"])


@pytest.fixture(scope="module")
def api_synth(assemblies: Assemblies) -> Synthesized:
    return assemblies.get("public-api")


@pytest.fixture(scope="module")
def iam_synth(assemblies: Assemblies) -> Synthesized:
    return assemblies.get("iam_api")


def _only(synthesized: Synthesized, type_: str) -> tuple[str, dict[str, Any]]:
    found = dict(synthesized.template.find_resources(type_))
    assert len(found) == 1, f"expected one {type_}, found {sorted(found)}"
    return next(iter(found.items()))


def _endpoint_id(synthesized: Synthesized) -> str:
    return _only(synthesized, "AWS::SageMaker::Endpoint")[0]


def test_default_template_has_no_public_api(default_synth: Synthesized) -> None:
    types = {r["Type"] for r in default_synth.json["Resources"].values()}
    assert not any(t.startswith("AWS::ApiGateway::") for t in types)
    assert not {"PublicApiUrl", "PublicApiKeyId"} & set(default_synth.json["Outputs"])


def test_method_integrates_directly_with_the_sagemaker_runtime(api_synth: Synthesized) -> None:
    _, method = _only(api_synth, METHOD)
    props = method["Properties"]
    integration = props["Integration"]
    assert props["HttpMethod"] == "POST"
    assert integration["Type"] == "AWS"  # no Lambda: API Gateway calls InvokeEndpoint itself
    assert integration["IntegrationHttpMethod"] == "POST"
    parts = integration["Uri"]["Fn::Join"][1]
    assert parts[:4] == ["arn:", {"Ref": "AWS::Partition"}, ":apigateway:", {"Ref": "AWS::Region"}]
    assert parts[-3:] == [
        ":runtime.sagemaker:path//endpoints/",
        {"Fn::GetAtt": [_endpoint_id(api_synth), "EndpointName"]},
        "/invocations",
    ]
    assert integration["Credentials"]["Fn::GetAtt"][1] == "Arn"
    assert integration["PassthroughBehavior"] == "NEVER"
    assert integration["RequestTemplates"] == {"application/json": "$input.body"}
    assert integration["RequestParameters"] == {
        "integration.request.header.Content-Type": "'application/json'",
        "integration.request.header.Accept": "'application/json'",
    }


def test_integration_responses_map_model_errors_to_400_and_the_rest_sensibly(
    api_synth: Synthesized,
) -> None:
    _, method = _only(api_synth, METHOD)
    responses = method["Properties"]["Integration"]["IntegrationResponses"]
    selected = {r.get("SelectionPattern"): r["StatusCode"] for r in responses}
    assert selected == {
        None: "200",
        "424": "400",
        "413": "413",
        "429": "429",
        RESPONSE_RULES[3].selection_pattern: "502",
        r"5\d\d": "502",
    }
    model_error = next(r for r in responses if r.get("SelectionPattern") == "424")
    template = model_error["ResponseTemplates"]["application/json"]
    assert "$input.path('$.OriginalMessage')" in template
    assert "$context.responseOverride.status = 502" in template
    declared = {r["StatusCode"] for r in method["Properties"]["MethodResponses"]}
    assert declared == {r["StatusCode"] for r in responses}


def test_integration_role_may_only_invoke_this_endpoint(api_synth: Synthesized) -> None:
    role_id, role = next(
        (k, v)
        for k, v in api_synth.template.find_resources("AWS::IAM::Role").items()
        if k.startswith("PublicApi")
    )
    statement = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert statement == [
        {
            "Action": "sts:AssumeRole",
            "Effect": "Allow",
            "Principal": {"Service": "apigateway.amazonaws.com"},
        }
    ]
    policies = [
        p
        for p in api_synth.template.find_resources("AWS::IAM::Policy").values()
        if p["Properties"]["Roles"] == [{"Ref": role_id}]
    ]
    assert len(policies) == 1
    assert policies[0]["Properties"]["PolicyDocument"]["Statement"] == [
        {
            "Action": "sagemaker:InvokeEndpoint",
            "Effect": "Allow",
            "Resource": {"Ref": _endpoint_id(api_synth)},
            "Sid": "InvokeThisEndpoint",
        }
    ]
    _, method = _only(api_synth, METHOD)
    assert method["Properties"]["Integration"]["Credentials"] == {"Fn::GetAtt": [role_id, "Arn"]}


def test_request_body_is_validated_against_the_shared_schema(api_synth: Synthesized) -> None:
    model_id, model = _only(api_synth, "AWS::ApiGateway::Model")
    assert model["Properties"]["ContentType"] == "application/json"
    assert model["Properties"]["Schema"] == REQUEST_SCHEMA
    validator_id, validator = _only(api_synth, "AWS::ApiGateway::RequestValidator")
    assert validator["Properties"]["ValidateRequestBody"] is True
    _, method = _only(api_synth, METHOD)
    assert method["Properties"]["RequestValidatorId"] == {"Ref": validator_id}
    assert method["Properties"]["RequestModels"] == {"application/json": {"Ref": model_id}}
    _, bad_body = _only(api_synth, "AWS::ApiGateway::GatewayResponse")
    assert bad_body["Properties"]["ResponseType"] == "BAD_REQUEST_BODY"
    assert bad_body["Properties"]["StatusCode"] == "400"
    template = bad_body["Properties"]["ResponseTemplates"]["application/json"]
    assert "$context.error.validationErrorString" in template


def test_api_key_and_usage_plan_carry_the_configured_limits(
    api_synth: Synthesized, example: dict[str, Any]
) -> None:
    _, method = _only(api_synth, METHOD)
    assert method["Properties"]["ApiKeyRequired"] is True
    assert method["Properties"]["AuthorizationType"] == "NONE"
    stage_id, _ = _only(api_synth, "AWS::ApiGateway::Stage")
    api_id, _ = _only(api_synth, "AWS::ApiGateway::RestApi")
    plan_id, plan = _only(api_synth, "AWS::ApiGateway::UsagePlan")
    assert plan["Properties"]["Throttle"] == {
        "RateLimit": example["rate_limit"],
        "BurstLimit": example["burst_limit"],
    }
    assert plan["Properties"]["Quota"] == {
        "Limit": example["quota_limit"],
        "Period": example["quota_period"],
    }
    assert plan["Properties"]["ApiStages"] == [
        {"ApiId": {"Ref": api_id}, "Stage": {"Ref": stage_id}, "Throttle": {}}
    ]
    key_id, key = _only(api_synth, "AWS::ApiGateway::ApiKey")
    assert key["Properties"]["Enabled"] is True
    assert "Value" not in key["Properties"]  # API Gateway generates it; nothing in the template
    _, plan_key = _only(api_synth, "AWS::ApiGateway::UsagePlanKey")
    assert plan_key["Properties"] == {
        "KeyId": {"Ref": key_id},
        "KeyType": "API_KEY",
        "UsagePlanId": {"Ref": plan_id},
    }


def test_stage_throttles_and_logs_access_to_a_log_group_the_stack_deletes(
    api_synth: Synthesized, example: dict[str, Any]
) -> None:
    _, stage = _only(api_synth, "AWS::ApiGateway::Stage")
    props = stage["Properties"]
    assert props["StageName"] == example["stage_name"]
    (setting,) = props["MethodSettings"]  # one setting, for every method
    assert (setting["HttpMethod"], setting["ResourcePath"]) == ("*", "/*")
    assert setting["ThrottlingRateLimit"] == example["rate_limit"]
    assert setting["ThrottlingBurstLimit"] == example["burst_limit"]
    destination = json.dumps(props["AccessLogSetting"]["DestinationArn"])
    log_groups = {
        k: v
        for k, v in api_synth.template.find_resources("AWS::Logs::LogGroup").items()
        if k.startswith("PublicApi")
    }
    assert len(log_groups) == 1
    ((group_id, group),) = log_groups.items()
    assert f'{{"Ref": "{group_id}"}}' in destination
    assert group["DeletionPolicy"] == "Delete"
    assert group["Properties"]["RetentionInDays"] == 30
    assert '"status":"$context.status"' in props["AccessLogSetting"]["Format"]


def test_stage_traces_with_x_ray(api_synth: Synthesized) -> None:
    _, stage = _only(api_synth, "AWS::ApiGateway::Stage")
    assert stage["Properties"]["TracingEnabled"] is True


def test_account_logging_role_is_set_before_the_stage_and_kept_on_destroy(
    api_synth: Synthesized,
) -> None:
    """API Gateway's logging guide: access logs need the account's CloudWatch Logs role, or
    the stage fails with "CloudWatch Logs role ARN must be set in account settings"."""
    account_id, account = _only(api_synth, "AWS::ApiGateway::Account")
    role_id = account["Properties"]["CloudWatchRoleArn"]["Fn::GetAtt"][0]
    role = api_synth.template.find_resources("AWS::IAM::Role")[role_id]
    assert account["DeletionPolicy"] == role["DeletionPolicy"] == "Retain"
    assert json.dumps(role["Properties"]["ManagedPolicyArns"]).endswith(
        'service-role/AmazonAPIGatewayPushToCloudWatchLogs"]]}]'
    )
    assert role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {
        "Service": "apigateway.amazonaws.com"
    }
    _, stage = _only(api_synth, "AWS::ApiGateway::Stage")
    assert account_id in stage["DependsOn"]


def test_existing_account_logging_role_is_left_alone(built_model: Any, tmp_path: Path) -> None:
    existing = synth(
        artifact=built_model.tarball,
        outdir=tmp_path,
        public_api=json.dumps({"account_logging_role": "existing"}),
    )
    existing.template.resource_count_is("AWS::ApiGateway::Account", 0)
    assert "AmazonAPIGatewayPushToCloudWatchLogs" not in json.dumps(existing.json)


def test_outputs_give_the_route_url_and_the_key_id(api_synth: Synthesized) -> None:
    outputs = api_synth.json["Outputs"]
    url = outputs["PublicApiUrl"]["Value"]["Fn::Join"][1]
    assert url[0] == "https://" and url[-1] == "/predict"
    key_id, _ = _only(api_synth, "AWS::ApiGateway::ApiKey")
    assert outputs["PublicApiKeyId"]["Value"] == {"Ref": key_id}
    assert not [k for k in outputs if k.startswith("PublicApiRestApiEndpoint")]


def test_iam_auth_signs_instead_of_keys(iam_synth: Synthesized) -> None:
    _, method = _only(iam_synth, METHOD)
    assert method["Properties"]["AuthorizationType"] == "AWS_IAM"
    assert method["Properties"]["ApiKeyRequired"] is False
    for type_ in ("AWS::ApiGateway::ApiKey", "AWS::ApiGateway::UsagePlan"):
        iam_synth.template.resource_count_is(type_, 0)
    assert "PublicApiKeyId" not in iam_synth.json["Outputs"]
    assert "PublicApiUrl" in iam_synth.json["Outputs"]


@pytest.mark.parametrize(
    ("variant", "overrides"),
    [
        ("api_synth", {"config": str(EXAMPLE)}),
        ("iam_synth", {"public_api": json.dumps({"auth": "iam"})}),
    ],
)
def test_cdk_nag_passes_and_every_acknowledgement_answers_a_real_finding(
    variant: str,
    overrides: dict[str, str],
    request: pytest.FixtureRequest,
    built_model: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    synthesized: Synthesized = request.getfixturevalue(variant)
    assert_every_acknowledgement_is_needed(
        synthesized,
        artifact=built_model.tarball,
        outdir=tmp_path,
        monkeypatch=monkeypatch,
        **overrides,
    )
