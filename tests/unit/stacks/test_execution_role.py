"""The endpoint's execution role in the synthesized stack: trusted by SageMaker alone, with a
policy of exactly what serving needs."""

from __future__ import annotations

from typing import Any

from aws_cdk.assertions import Match

from tests.support.cdk import Synthesized


def _only(synthesized: Synthesized, type_: str) -> tuple[str, dict[str, Any]]:
    found = dict(synthesized.template.find_resources(type_))
    assert len(found) == 1, f"expected one {type_}, found {sorted(found)}"
    return next(iter(found.items()))


def test_execution_role_trusts_sagemaker_only_and_has_no_managed_policy(
    default_synth: Synthesized,
) -> None:
    default_synth.template.has_resource_properties(
        "AWS::IAM::Role",
        {
            "AssumeRolePolicyDocument": {
                "Statement": [
                    {
                        "Action": "sts:AssumeRole",
                        "Effect": "Allow",
                        "Principal": {"Service": "sagemaker.amazonaws.com"},
                    }
                ],
                "Version": "2012-10-17",
            },
            "ManagedPolicyArns": Match.absent(),
        },
    )


def _arn(*parts: Any) -> dict[str, Any]:
    return {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, *parts]]}


def test_execution_policy_is_exactly_least_privilege(default_synth: Synthesized) -> None:
    role_id, _ = _only(default_synth, "AWS::IAM::Role")
    mapping_id = next(iter(default_synth.template.find_mappings("*")))
    _, policy = _only(default_synth, "AWS::IAM::Policy")
    assert policy["Properties"]["Roles"] == [{"Ref": role_id}]
    statements = {s["Sid"]: s for s in policy["Properties"]["PolicyDocument"]["Statement"]}
    assert sorted(statements) == [
        "AuthenticateToEcr",
        "PublishEndpointMetrics",
        "PullServingImage",
        "ReadModelArtifact",
        "WriteEndpointLogs",
    ]
    read = statements["ReadModelArtifact"]
    assert read["Action"] == "s3:GetObject"
    bucket_part, key_part = read["Resource"]["Fn::Join"][1][3:5]
    assert bucket_part == {"Fn::Sub": "cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}"}
    assert key_part.startswith("/") and key_part.endswith(".gz") and "*" not in key_part
    assert statements["PullServingImage"] == {
        "Sid": "PullServingImage",
        "Effect": "Allow",
        "Action": [
            "ecr:BatchCheckLayerAvailability",
            "ecr:BatchGetImage",
            "ecr:GetDownloadUrlForLayer",
        ],
        "Resource": _arn(
            ":ecr:",
            {"Ref": "AWS::Region"},
            ":",
            {"Fn::FindInMap": [mapping_id, {"Ref": "AWS::Region"}, "account"]},
            ":repository/sagemaker-xgboost",
        ),
    }
    assert statements["AuthenticateToEcr"]["Action"] == "ecr:GetAuthorizationToken"
    assert statements["AuthenticateToEcr"]["Resource"] == "*"
    group = ":log-group:/aws/sagemaker/Endpoints/SagemakerXgbEndpoint"
    account = [":logs:", {"Ref": "AWS::Region"}, ":", {"Ref": "AWS::AccountId"}]
    assert statements["WriteEndpointLogs"]["Resource"] == [
        _arn(*account, group),
        _arn(*account, group + ":*"),
    ]
    metrics = statements["PublishEndpointMetrics"]
    assert metrics["Action"] == "cloudwatch:PutMetricData"
    assert metrics["Condition"] == {
        "StringEquals": {"cloudwatch:namespace": ["AWS/SageMaker", "/aws/sagemaker/Endpoints"]}
    }


def test_policy_grants_no_wildcard_action_and_no_write_beyond_logs_and_metrics(
    default_synth: Synthesized,
) -> None:
    _, policy = _only(default_synth, "AWS::IAM::Policy")
    actions: set[str] = set()
    for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
        assert statement["Effect"] == "Allow"
        action = statement["Action"]
        actions |= {action} if isinstance(action, str) else set(action)
    assert not {a for a in actions if "*" in a}
    assert {a for a in actions if a.startswith("s3:")} == {"s3:GetObject"}
    writes = {a for a in actions if a.split(":")[1].startswith(("Put", "Create", "Delete"))}
    assert writes == {
        "cloudwatch:PutMetricData",
        "logs:CreateLogGroup",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
    }
