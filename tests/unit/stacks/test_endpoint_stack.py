"""Fine-grained assertions on the synthesized endpoint stack."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk.assertions import Capture, Match

from stacks.image_registry import REGISTRY_ACCOUNTS
from tests.support.cdk import Synthesized, synth
from tests.support.template_queries import ENDPOINT, ENDPOINT_CONFIG, MODEL, only


@pytest.fixture(scope="module")
def card(built_model: Any) -> dict[str, Any]:
    return dict(json.loads(built_model.card_path.read_text()))


def test_stack_holds_exactly_the_endpoint_resources(default_synth: Synthesized) -> None:
    counts = {
        MODEL: 1,
        ENDPOINT_CONFIG: 1,
        ENDPOINT: 1,
        "AWS::IAM::Role": 1,
        "AWS::IAM::Policy": 1,
        "AWS::Logs::LogGroup": 1,
    }
    for type_, count in counts.items():
        default_synth.template.resource_count_is(type_, count)
    assert len(default_synth.json["Resources"]) == sum(counts.values())


def test_model_and_endpoint_config_have_no_names(default_synth: Synthesized) -> None:
    # Every property is replace-only: a fixed name would break every update.
    default_synth.template.has_resource_properties(MODEL, {"ModelName": Match.absent()})
    default_synth.template.has_resource_properties(
        ENDPOINT_CONFIG, {"EndpointConfigName": Match.absent()}
    )


def test_model_runs_the_handler_in_script_mode(default_synth: Synthesized) -> None:
    _, model = only(default_synth, MODEL)
    container = model["Properties"]["PrimaryContainer"]
    assert container["Environment"] == {
        "SAGEMAKER_PROGRAM": "inference.py",
        "SAGEMAKER_SUBMIT_DIRECTORY": "/opt/ml/model/code",
        "SAGEMAKER_CONTAINER_LOG_LEVEL": "20",
        "SAGEMAKER_REGION": {"Ref": "AWS::Region"},
        # Network isolation is on by default: the handler installs offline.
        "PIP_NO_BUILD_ISOLATION": "false",
    }


def test_model_has_no_network_by_default(default_synth: Synthesized) -> None:
    _, model = only(default_synth, MODEL)
    assert model["Properties"]["EnableNetworkIsolation"] is True


def test_image_comes_from_the_region_mapping(default_synth: Synthesized) -> None:
    mapping_id, mapping = next(iter(default_synth.template.find_mappings("*").items()))
    assert {region: row["account"] for region, row in mapping.items()} == REGISTRY_ACCOUNTS
    assert mapping["eu-west-2"]["account"] == "764974769150"
    assert mapping["us-east-1"]["account"] == "683313688378"
    _, model = only(default_synth, MODEL)
    assert model["Properties"]["PrimaryContainer"]["Image"] == {
        "Fn::Join": [
            "",
            [
                {"Fn::FindInMap": [mapping_id, {"Ref": "AWS::Region"}, "account"]},
                ".dkr.ecr.",
                {"Ref": "AWS::Region"},
                ".",
                {"Ref": "AWS::URLSuffix"},
                "/sagemaker-xgboost:3.2-0",
            ],
        ]
    }


def test_model_data_is_the_uploaded_asset(default_synth: Synthesized) -> None:
    _, model = only(default_synth, MODEL)
    url = model["Properties"]["PrimaryContainer"]["ModelDataUrl"]
    assert url["Fn::Sub"].startswith("s3://cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}/")


def test_model_waits_for_the_role_policy_not_only_the_role(default_synth: Synthesized) -> None:
    policy_id, _ = only(default_synth, "AWS::IAM::Policy")
    role_id, _ = only(default_synth, "AWS::IAM::Role")
    _, model = only(default_synth, MODEL)
    assert model["DependsOn"] == [policy_id]
    assert model["Properties"]["ExecutionRoleArn"] == {"Fn::GetAtt": [role_id, "Arn"]}


def test_endpoint_config_serves_the_model_on_configured_instances(
    default_synth: Synthesized,
) -> None:
    model_id, _ = only(default_synth, MODEL)
    default_synth.template.has_resource_properties(
        ENDPOINT_CONFIG,
        {
            "ProductionVariants": [
                {
                    "VariantName": "AllTraffic",
                    "ModelName": {"Fn::GetAtt": [model_id, "ModelName"]},
                    "InstanceType": "ml.m5.large",
                    "InitialInstanceCount": 1,
                    "InitialVariantWeight": 1,
                }
            ]
        },
    )


def test_endpoint_is_named_after_the_stack_and_follows_its_config(
    default_synth: Synthesized,
) -> None:
    config_id, _ = only(default_synth, ENDPOINT_CONFIG)
    log_group_id, _ = only(default_synth, "AWS::Logs::LogGroup")
    _, endpoint = only(default_synth, ENDPOINT)
    assert endpoint["Properties"]["EndpointName"] == "SagemakerXgbEndpoint"
    assert endpoint["Properties"]["EndpointConfigName"] == {
        "Fn::GetAtt": [config_id, "EndpointConfigName"]
    }
    # SageMaker creates the log group on start; the stack's must exist first.
    assert endpoint["DependsOn"] == [log_group_id]


def test_model_config_and_endpoint_are_tagged_with_the_artefact_hash(
    default_synth: Synthesized, card: dict[str, Any]
) -> None:
    sha256 = card["tarball"]["sha256"]
    for type_ in (MODEL, ENDPOINT_CONFIG, ENDPOINT):
        default_synth.template.has_resource_properties(
            type_,
            {
                "Tags": Match.array_with(
                    [
                        {"Key": "app", "Value": "sagemaker-xgb-cdk"},
                        {"Key": "model-sha256", "Value": sha256},
                    ]
                )
            },
        )


def test_stack_owns_the_endpoint_log_group_and_deletes_it(default_synth: Synthesized) -> None:
    default_synth.template.has_resource(
        "AWS::Logs::LogGroup",
        {
            "Properties": {
                "LogGroupName": "/aws/sagemaker/Endpoints/SagemakerXgbEndpoint",
                "RetentionInDays": 30,
            },
            "DeletionPolicy": "Delete",
            "UpdateReplacePolicy": "Delete",
        },
    )


def test_outputs_say_what_they_are(default_synth: Synthesized) -> None:
    outputs = default_synth.json["Outputs"]
    assert sorted(outputs) == [
        "EndpointName",
        "ExecutionRoleArn",
        "InvokeUrl",
        "LogGroupName",
        "ModelDataUrl",
        "ModelSha256",
    ]
    for output in outputs.values():
        assert len(output["Description"]) > 10
    endpoint_id, _ = only(default_synth, ENDPOINT)
    invoke = Capture()
    default_synth.template.has_output("InvokeUrl", {"Value": invoke})
    parts = invoke.as_object()["Fn::Join"][1]
    assert parts[0] == "https://runtime.sagemaker."
    assert {"Fn::GetAtt": [endpoint_id, "EndpointName"]} in parts
    assert parts[-1] == "/invocations"


def test_stack_describes_itself(default_synth: Synthesized) -> None:
    assert "XGBoost" in default_synth.json["Description"]


def test_settings_reach_the_template(built_model: Any, tmp_path_factory: Any) -> None:
    custom = synth(
        artifact=built_model.tarball,
        outdir=tmp_path_factory.mktemp("cdk-custom"),
        stack_name="FraudModelStaging",
        endpoint_name="fraud-staging",
        instance_type="ml.c5.xlarge",
        instance_count="2",  # as `-c instance_count=2` passes it
        log_retention_days=7,
    )
    assert custom.stack_name == "FraudModelStaging"
    custom.template.has_resource_properties(ENDPOINT, {"EndpointName": "fraud-staging"})
    custom.template.has_resource_properties(
        ENDPOINT_CONFIG,
        {
            "ProductionVariants": [
                Match.object_like({"InstanceType": "ml.c5.xlarge", "InitialInstanceCount": 2})
            ]
        },
    )
    custom.template.has_resource_properties(
        "AWS::Logs::LogGroup",
        {"LogGroupName": "/aws/sagemaker/Endpoints/fraud-staging", "RetentionInDays": 7},
    )
