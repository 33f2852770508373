"""The security options in the synthesized template: keys, isolation, VPC, the roles' rights.

The option configs (tests/support/assemblies.py) are synthesized once per run: the shipped
examples, plus variants that reach the branches the examples do not (rolling, linear, VPC,
imported key and topic, retained captures, a topic without a key).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.support.assemblies import (
    IMPORTED_KEY,
    SECURITY_GROUPS,
    SUBNETS,
)
from tests.support.cdk import Synthesized
from tests.support.template_queries import (
    ENDPOINT_CONFIG,
    MODEL,
    only,
    resources,
    statements,
)

# --- encryption and isolation -----------------------------------------------------------------


def test_created_key_rotates_and_encrypts_the_storage_volume(production: Synthesized) -> None:
    key_id, key = only(production, "AWS::KMS::Key")
    assert key["Properties"]["EnableKeyRotation"] is True
    assert key["Properties"]["PendingWindowInDays"] == 7
    assert key["DeletionPolicy"] == "Delete"  # captures are not retained: nothing to decrypt later
    _, config = only(production, ENDPOINT_CONFIG)
    assert config["Properties"]["KmsKeyId"] == {"Fn::GetAtt": [key_id, "Arn"]}
    # The key policy grants the account (IAM decides), CloudWatch's alarm publishing and
    # CloudWatch Logs for the endpoint's log group, no more.
    principals = [s["Principal"] for s in key["Properties"]["KeyPolicy"]["Statement"]]
    assert len(principals) == 3
    assert {"Service": "cloudwatch.amazonaws.com"} in principals


def test_created_key_encrypts_the_endpoint_log_group_and_only_it(production: Synthesized) -> None:
    key_id, key = only(production, "AWS::KMS::Key")
    _, log_group = only(production, "AWS::Logs::LogGroup")
    assert log_group["Properties"]["KmsKeyId"] == {"Fn::GetAtt": [key_id, "Arn"]}
    by_sid = {s["Sid"]: s for s in key["Properties"]["KeyPolicy"]["Statement"] if "Sid" in s}
    logs = by_sid["AllowEndpointLogGroup"]
    assert logs["Principal"] == {
        "Service": {"Fn::Join": ["", ["logs.", {"Ref": "AWS::Region"}, ".amazonaws.com"]]}
    }
    arn = logs["Condition"]["ArnEquals"]["kms:EncryptionContext:aws:logs:arn"]
    log_group = ':log-group:/aws/sagemaker/Endpoints/SagemakerXgbProduction"]]}'
    assert json.dumps(arn).endswith(log_group)
    assert "kms:Decrypt*" in logs["Action"] and "kms:*" not in logs["Action"]


def test_imported_key_is_used_by_arn_and_not_created(rolling_vpc: Synthesized) -> None:
    rolling_vpc.template.resource_count_is("AWS::KMS::Key", 0)
    rolling_vpc.template.has_resource_properties(ENDPOINT_CONFIG, {"KmsKeyId": IMPORTED_KEY})
    assert statements(rolling_vpc)["EncryptDataCapture"]["Resource"] == IMPORTED_KEY


def test_network_isolation_installs_the_handler_offline(production: Synthesized) -> None:
    _, model = only(production, MODEL)
    assert model["Properties"]["EnableNetworkIsolation"] is True
    environment = model["Properties"]["PrimaryContainer"]["Environment"]
    assert environment["PIP_NO_BUILD_ISOLATION"] == "false"


def _ec2_arn(kind: str, name: str) -> dict[str, Any]:
    return {
        "Fn::Join": [
            "",
            [
                "arn:",
                {"Ref": "AWS::Partition"},
                ":ec2:",
                {"Ref": "AWS::Region"},
                ":",
                {"Ref": "AWS::AccountId"},
                f":{kind}/{name}",
            ],
        ]
    }


def test_vpc_places_the_model_in_the_subnets_with_exact_ec2_rights(
    rolling_vpc: Synthesized,
) -> None:
    _, model = only(rolling_vpc, MODEL)
    assert model["Properties"]["VpcConfig"] == {
        "Subnets": SUBNETS,
        "SecurityGroupIds": SECURITY_GROUPS,
    }
    # Isolation stays on in a VPC: SageMaker fetches the artefact through the VPC, the
    # container itself still gets no network.
    assert model["Properties"]["EnableNetworkIsolation"] is True
    by_sid = statements(rolling_vpc)
    expected = [
        _ec2_arn("network-interface", "*"),
        *(_ec2_arn("subnet", s) for s in SUBNETS),
        *(_ec2_arn("security-group", g) for g in SECURITY_GROUPS),
    ]
    created = by_sid["CreateNetworkInterfaces"]["Resource"]
    assert sorted(map(json.dumps, created)) == sorted(map(json.dumps, expected))
    assert by_sid["ManageNetworkInterfaces"]["Resource"] == _ec2_arn("network-interface", "*")
    describe = by_sid["DescribeVpc"]
    assert describe["Resource"] == "*"
    assert all(a.startswith("ec2:Describe") for a in describe["Action"])


def test_no_role_anywhere_gets_a_full_access_managed_policy(production: Synthesized) -> None:
    managed = [
        json.dumps(role["Properties"].get("ManagedPolicyArns", []))
        for role in resources(production, "AWS::IAM::Role").values()
    ]
    assert not any("FullAccess" in m or "AdministratorAccess" in m for m in managed)
    # Only CDK's auto-delete Lambda has a managed policy: basic execution (its own logs).
    assert [m for m in managed if m != "[]"] == [
        json.dumps(
            [
                {
                    "Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/service-role/"
                    "AWSLambdaBasicExecutionRole"
                }
            ]
        )
    ]


# --- what AWS's guides require of the roles and the ordering ----------------------------------


def _alarm_arn(name: str) -> dict[str, Any]:
    return {
        "Fn::Join": [
            "",
            [
                "arn:",
                {"Ref": "AWS::Partition"},
                ":cloudwatch:",
                {"Ref": "AWS::Region"},
                ":",
                {"Ref": "AWS::AccountId"},
                f":alarm:{name}",
            ],
        ]
    }


@pytest.mark.parametrize(
    ("config", "endpoint"),
    [("production", "SagemakerXgbProduction"), ("serverless", "SagemakerXgbServerless")],
)
def test_execution_role_reads_exactly_the_rollback_alarms(
    config: str, endpoint: str, request: pytest.FixtureRequest
) -> None:
    """Deployment guardrails guide: the execution role needs cloudwatch:DescribeAlarms on the
    auto-rollback alarms (5XX and p99 latency, not the notify-only 4XX)."""
    synthesized: Synthesized = request.getfixturevalue(config)
    statement = statements(synthesized)["ReadRollbackAlarms"]
    assert statement["Action"] == "cloudwatch:DescribeAlarms"
    expected = [_alarm_arn(f"{endpoint}-AllTraffic-{s}") for s in ("errors-5xx", "latency-p99")]
    assert statement["Resource"] == expected
    _, endpoint_resource = only(synthesized, "AWS::SageMaker::Endpoint")
    rollback = endpoint_resource["Properties"]["DeploymentConfig"]["AutoRollbackConfiguration"]
    assert [a["AlarmName"] for a in rollback["Alarms"]] == [
        f"{endpoint}-AllTraffic-{s}" for s in ("errors-5xx", "latency-p99")
    ]


def test_no_deployment_no_alarm_permission(default_synth: Synthesized) -> None:
    assert "cloudwatch:DescribeAlarms" not in json.dumps(default_synth.json)


def test_destroy_deletes_the_endpoint_before_emptying_the_capture_bucket(
    production: Synthesized,
) -> None:
    # CloudFormation deletes in reverse dependency order: the endpoint (the writer) goes first.
    emptier_id, _ = only(production, "Custom::S3AutoDeleteObjects")
    _, endpoint = only(production, "AWS::SageMaker::Endpoint")
    assert emptier_id in endpoint["DependsOn"]
