"""The observability options in the synthesized template: alarms, dashboard, data capture.

The option configs (tests/support/assemblies.py) are synthesized once per run: the shipped
examples, plus variants that reach the branches the examples do not (rolling, linear, VPC,
imported key and topic, retained captures, a topic without a key).
"""

from __future__ import annotations

import json

import pytest
from aws_cdk.assertions import Match

from tests.support.assemblies import (
    IMPORTED_KEY,
    IMPORTED_TOPIC,
)
from tests.support.cdk import Synthesized
from tests.support.template_queries import (
    ALARM,
    ENDPOINT_CONFIG,
    alarms_by_metric,
    only,
    resources,
    statements,
)

# --- observability ----------------------------------------------------------------------------


def test_alarms_watch_errors_and_p99_model_latency_in_microseconds(
    production: Synthesized,
) -> None:
    alarms = alarms_by_metric(production)
    assert set(alarms) == {"Invocation5XXErrors", "Invocation4XXErrors", "ModelLatency"}
    expected = {
        "Invocation5XXErrors": ("Sum", 1),
        "Invocation4XXErrors": ("Sum", 50),
        "ModelLatency": ("ExtendedStatistic:p99", 500_000),  # 500 ms in microseconds
    }
    for metric, (statistic, threshold) in expected.items():
        props = alarms[metric]["Properties"]
        if statistic.startswith("ExtendedStatistic:"):
            assert props["ExtendedStatistic"] == statistic.split(":")[1]
        else:
            assert props["Statistic"] == statistic
        assert props["Threshold"] == threshold
        assert props["Namespace"] == "AWS/SageMaker"
        assert props["Dimensions"] == [
            {"Name": "EndpointName", "Value": "SagemakerXgbProduction"},
            {"Name": "VariantName", "Value": "AllTraffic"},
        ]
        assert props["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
        assert props["TreatMissingData"] == "notBreaching"
        assert (props["Period"], props["EvaluationPeriods"]) == (60, 3)


def test_alarms_notify_the_stacks_encrypted_topic(production: Synthesized) -> None:
    topic_id, topic = only(production, "AWS::SNS::Topic")
    key_id, key = only(production, "AWS::KMS::Key")
    assert topic["Properties"]["KmsMasterKeyId"] == {"Fn::GetAtt": [key_id, "Arn"]}
    for alarm in resources(production, ALARM).values():
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": topic_id}]
        assert alarm["Properties"]["OKActions"] == [{"Ref": topic_id}]
    # CloudWatch must be able to encrypt what it publishes to that topic.
    key_statements = key["Properties"]["KeyPolicy"]["Statement"]
    assert {
        "Sid": "AllowCloudWatchAlarmsToNotify",
        "Effect": "Allow",
        "Principal": {"Service": "cloudwatch.amazonaws.com"},
        "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
        "Resource": "*",
    } in key_statements
    production.template.has_resource_properties(
        "AWS::SNS::TopicPolicy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Effect": "Deny",
                                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                            }
                        )
                    ]
                )
            }
        },
    )


def test_a_created_topic_without_a_stack_key_is_unencrypted_but_tls_only(
    rolling_vpc: Synthesized,
) -> None:
    _, topic = only(rolling_vpc, "AWS::SNS::Topic")
    assert "KmsMasterKeyId" not in topic["Properties"]
    rolling_vpc.template.resource_count_is("AWS::SNS::TopicPolicy", 1)


def test_alarms_can_notify_an_imported_topic(linear: Synthesized) -> None:
    linear.template.resource_count_is("AWS::SNS::Topic", 0)
    for alarm in resources(linear, ALARM).values():
        assert alarm["Properties"]["AlarmActions"] == [IMPORTED_TOPIC]


@pytest.mark.parametrize(
    ("config", "instance_widget"), [("production", True), ("serverless", False)]
)
def test_dashboard_shows_traffic_errors_latency_and_alarms(
    config: str, instance_widget: bool, request: pytest.FixtureRequest
) -> None:
    synthesized: Synthesized = request.getfixturevalue(config)
    _, dashboard = only(synthesized, "AWS::CloudWatch::Dashboard")
    assert "DashboardName" not in dashboard["Properties"]
    body = json.dumps(dashboard["Properties"]["DashboardBody"])
    for metric in ("Invocations", "Invocation4XXErrors", "Invocation5XXErrors", "ModelLatency"):
        assert metric in body
    assert "errors-5xx" in body and "latency-p99" in body  # the alarm status widget
    assert ("CPUUtilization" in body) is instance_widget


def test_linear_variant_has_no_dashboard(linear: Synthesized) -> None:
    linear.template.resource_count_is("AWS::CloudWatch::Dashboard", 0)


# --- data capture -----------------------------------------------------------------------------


def test_data_capture_writes_to_the_stacks_bucket_under_its_key(production: Synthesized) -> None:
    bucket_id, _ = only(production, "AWS::S3::Bucket")
    key_id, _ = only(production, "AWS::KMS::Key")
    _, config = only(production, ENDPOINT_CONFIG)
    capture = config["Properties"]["DataCaptureConfig"]
    assert capture == {
        "EnableCapture": True,
        "InitialSamplingPercentage": 10,
        "DestinationS3Uri": {"Fn::Join": ["", ["s3://", {"Ref": bucket_id}, "/data-capture"]]},
        "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}],
        "CaptureContentTypeHeader": {
            "JsonContentTypes": ["application/json"],
            "CsvContentTypes": ["text/csv"],
        },
        "KmsKeyId": {"Fn::GetAtt": [key_id, "Arn"]},
    }


def test_capture_bucket_is_encrypted_private_tls_only_and_emptied_on_destroy(
    production: Synthesized,
) -> None:
    bucket_id, bucket = only(production, "AWS::S3::Bucket")
    key_id, _ = only(production, "AWS::KMS::Key")
    props = bucket["Properties"]
    assert props["BucketEncryption"] == {
        "ServerSideEncryptionConfiguration": [
            {
                "BucketKeyEnabled": True,
                "ServerSideEncryptionByDefault": {
                    "SSEAlgorithm": "aws:kms",
                    "KMSMasterKeyID": {"Fn::GetAtt": [key_id, "Arn"]},
                },
            }
        ]
    }
    assert props["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert props["LifecycleConfiguration"]["Rules"] == [
        {"Id": "expire-captures", "ExpirationInDays": 30, "Status": "Enabled"}
    ]
    assert bucket["DeletionPolicy"] == "Delete"
    production.template.has_resource_properties(
        "AWS::S3::BucketPolicy",
        {
            "Bucket": {"Ref": bucket_id},
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Effect": "Deny",
                                "Action": "s3:*",
                                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                            }
                        )
                    ]
                )
            },
        },
    )
    production.template.has_resource_properties(
        "Custom::S3AutoDeleteObjects", {"BucketName": {"Ref": bucket_id}}
    )


def test_retained_capture_bucket_survives_destroy_and_needs_no_lambda(
    rolling_vpc: Synthesized,
) -> None:
    _, bucket = only(rolling_vpc, "AWS::S3::Bucket")
    assert bucket["DeletionPolicy"] == "Retain"
    assert "LifecycleConfiguration" not in bucket["Properties"]  # expire_days 0: keep forever
    assert bucket["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"][0][
        "ServerSideEncryptionByDefault"
    ] == {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": IMPORTED_KEY}
    rolling_vpc.template.resource_count_is("Custom::S3AutoDeleteObjects", 0)
    rolling_vpc.template.resource_count_is("AWS::Lambda::Function", 0)
    _, config = only(rolling_vpc, ENDPOINT_CONFIG)
    assert config["Properties"]["DataCaptureConfig"]["CaptureOptions"] == [{"CaptureMode": "Input"}]


def test_execution_role_may_only_put_captures_under_the_prefix(production: Synthesized) -> None:
    bucket_id, _ = only(production, "AWS::S3::Bucket")
    key_id, _ = only(production, "AWS::KMS::Key")
    by_sid = statements(production)
    assert by_sid["WriteDataCapture"] == {
        "Sid": "WriteDataCapture",
        "Effect": "Allow",
        "Action": "s3:PutObject",
        "Resource": {"Fn::Join": ["", [{"Fn::GetAtt": [bucket_id, "Arn"]}, "/data-capture/*"]]},
    }
    assert by_sid["EncryptDataCapture"] == {
        "Sid": "EncryptDataCapture",
        "Effect": "Allow",
        # S3 needs kms:Decrypt as well for a multipart upload to an SSE-KMS bucket.
        "Action": ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
        "Resource": {"Fn::GetAtt": [key_id, "Arn"]},
    }
    s3_actions = set()
    for statement in by_sid.values():
        actions = statement["Action"]
        s3_actions |= {a for a in ([actions] if isinstance(actions, str) else actions)}
    assert {a for a in s3_actions if a.startswith("s3:")} == {"s3:GetObject", "s3:PutObject"}


def test_capture_destination_is_an_output(production: Synthesized) -> None:
    bucket_id, _ = only(production, "AWS::S3::Bucket")
    production.template.has_output(
        "DataCaptureUri",
        {"Value": {"Fn::Join": ["", ["s3://", {"Ref": bucket_id}, "/data-capture"]]}},
    )
