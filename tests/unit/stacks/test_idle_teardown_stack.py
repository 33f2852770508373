"""Synth tests for `idle_teardown`: the wiring, least privilege by exact ARN, cdk-nag."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from aws_cdk.assertions import Match

from tests.support.assemblies import Assemblies
from tests.support.cdk import (
    Synthesized,
    assert_every_acknowledgement_is_needed,
    nag_violations,
    synth,
)

TEARDOWN = {"after_hours": 24, "notify": "ops@example.com"}
ENDPOINT = "XgboostEndpointA77C119F"
FUNCTION = "AWS::Lambda::Function"
USER_TOPIC = "arn:aws:sns:eu-west-2:123456789012:team-alerts"


@pytest.fixture(scope="module")
def teardown(assemblies: Assemblies) -> Synthesized:
    return assemblies.get("idle_teardown")


def _only(synthesized: Synthesized, resource_type: str) -> tuple[str, dict[str, Any]]:
    [(logical_id, resource)] = synthesized.template.find_resources(resource_type).items()
    return logical_id, resource


def _teardown_policy(synthesized: Synthesized) -> list[dict[str, Any]]:
    policies = synthesized.template.find_resources("AWS::IAM::Policy")
    [policy] = [p for name, p in policies.items() if name.startswith("IdleTeardownPolicy")]
    return list(policy["Properties"]["PolicyDocument"]["Statement"])


def test_off_by_default(default_synth: Synthesized) -> None:
    for resource_type in (FUNCTION, "AWS::Events::Rule", "AWS::SNS::Topic"):
        default_synth.template.resource_count_is(resource_type, 0)


def test_the_lambda_may_touch_this_stack_and_this_endpoint_only(teardown: Synthesized) -> None:
    topic, _ = _only(teardown, "AWS::SNS::Topic")
    log_group = next(
        name for name in teardown.template.find_resources("AWS::Logs::LogGroup") if "Idle" in name
    )
    assert _teardown_policy(teardown) == [
        {
            "Sid": "ReadInvocations",
            "Action": "cloudwatch:GetMetricStatistics",
            "Effect": "Allow",
            "Resource": "*",
        },
        {
            "Sid": "ThisStackOnly",
            "Action": ["cloudformation:DeleteStack", "cloudformation:DescribeStacks"],
            "Effect": "Allow",
            "Resource": {"Ref": "AWS::StackId"},
        },
        {
            "Sid": "ThisEndpointOnly",
            "Action": ["sagemaker:DeleteEndpoint", "sagemaker:DescribeEndpoint"],
            "Effect": "Allow",
            "Resource": {"Ref": ENDPOINT},
        },
        {
            "Sid": "OwnLogs",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Effect": "Allow",
            "Resource": {"Fn::GetAtt": [log_group, "Arn"]},
        },
        {"Sid": "Notify", "Action": "sns:Publish", "Effect": "Allow", "Resource": {"Ref": topic}},
    ]
    # Only its own policy: no managed policy, no iam:PassRole (DeleteStack passes no role).
    _, function = _only(teardown, FUNCTION)
    role = function["Properties"]["Role"]["Fn::GetAtt"][0]
    assert "ManagedPolicyArns" not in teardown.json["Resources"][role]["Properties"]
    assert "iam:PassRole" not in json.dumps(_teardown_policy(teardown))


def test_an_hourly_schedule_invokes_it_and_nothing_else_may(teardown: Synthesized) -> None:
    function_id, function = _only(teardown, FUNCTION)
    rule_id, rule = _only(teardown, "AWS::Events::Rule")
    assert rule["Properties"]["ScheduleExpression"] == "rate(1 hour)"
    assert rule["Properties"]["Targets"][0]["Arn"] == {"Fn::GetAtt": [function_id, "Arn"]}
    _, permission = _only(teardown, "AWS::Lambda::Permission")
    assert permission["Properties"] == {
        "Action": "lambda:InvokeFunction",
        "FunctionName": {"Fn::GetAtt": [function_id, "Arn"]},
        "Principal": "events.amazonaws.com",
        "SourceArn": {"Fn::GetAtt": [rule_id, "Arn"]},
    }
    assert function["Properties"]["Environment"]["Variables"] == {
        "STACK_ID": {"Ref": "AWS::StackId"},
        "ENDPOINT_NAME": {"Fn::GetAtt": [ENDPOINT, "EndpointName"]},
        "VARIANT_NAME": "AllTraffic",
        "IDLE_HOURS": "24",
        "TOPIC_ARN": {"Ref": _only(teardown, "AWS::SNS::Topic")[0]},
    }
    assert function["Properties"]["Runtime"].startswith("python3.")


def test_an_email_is_subscribed_to_an_encrypted_tls_only_topic(teardown: Synthesized) -> None:
    topic, resource = _only(teardown, "AWS::SNS::Topic")
    assert "alias/aws/sns" in json.dumps(resource["Properties"]["KmsMasterKeyId"])
    teardown.template.has_resource_properties(
        "AWS::SNS::Subscription",
        {"Protocol": "email", "Endpoint": "ops@example.com", "TopicArn": {"Ref": topic}},
    )
    teardown.template.has_resource_properties(
        "AWS::SNS::TopicPolicy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [Match.object_like({"Effect": "Deny", "Action": "sns:Publish"})]
                )
            }
        },
    )


def test_a_topic_arn_is_notified_and_no_topic_is_made(built_model: Any, tmp_path: Path) -> None:
    synthesized = synth(
        artifact=built_model.tarball,
        outdir=tmp_path,
        idle_teardown={"after_hours": 1, "notify": USER_TOPIC},
    )
    synthesized.template.resource_count_is("AWS::SNS::Topic", 0)
    assert _teardown_policy(synthesized)[-1] == {
        "Sid": "Notify",
        "Action": "sns:Publish",
        "Effect": "Allow",
        "Resource": USER_TOPIC,
    }


def test_with_the_stacks_key_the_topic_uses_it_and_the_lambda_may_use_it(
    built_model: Any, tmp_path: Path
) -> None:
    synthesized = synth(
        artifact=built_model.tarball, outdir=tmp_path, idle_teardown=True, kms="create"
    )
    key, _ = _only(synthesized, "AWS::KMS::Key")
    _, topic = _only(synthesized, "AWS::SNS::Topic")
    assert topic["Properties"]["KmsMasterKeyId"] == {"Fn::GetAtt": [key, "Arn"]}
    assert _teardown_policy(synthesized)[-1] == {
        "Sid": "NotifyEncrypted",
        "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
        "Effect": "Allow",
        "Resource": {"Fn::GetAtt": [key, "Arn"]},
    }
    assert nag_violations(tmp_path) == []


def test_cdk_nag_is_clean(teardown: Synthesized) -> None:
    assert nag_violations(teardown.outdir) == []  # cfn-lint: test_options_lint.py


def test_every_acknowledgement_answers_a_real_finding(
    teardown: Synthesized, built_model: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert_every_acknowledgement_is_needed(
        teardown,
        artifact=built_model.tarball,
        outdir=tmp_path,
        monkeypatch=monkeypatch,
        idle_teardown=TEARDOWN,
    )
