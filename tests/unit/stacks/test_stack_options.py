"""The production options in the synthesized template: what each creates, lint and cdk-nag.

One synth per configuration, shared by the module: the two shipped examples, plus two variants
that reach the branches the examples do not (rolling, linear, VPC, imported key and topic,
retained captures, a topic without a key).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from aws_cdk.assertions import Match

from tests.support.assemblies import (
    IMPORTED_KEY,
    IMPORTED_TOPIC,
    SECURITY_GROUPS,
    SUBNETS,
    Assemblies,
)
from tests.support.cdk import Synthesized, acknowledged, assert_every_acknowledgement_is_needed

ENDPOINT = "AWS::SageMaker::Endpoint"
ENDPOINT_CONFIG = "AWS::SageMaker::EndpointConfig"
MODEL = "AWS::SageMaker::Model"
ALARM = "AWS::CloudWatch::Alarm"

OPTION_CONFIGS = ("production", "serverless", "rolling_vpc", "linear")


@pytest.fixture(scope="module")
def production(assemblies: Assemblies) -> Synthesized:
    return assemblies.get("production")


@pytest.fixture(scope="module")
def serverless(assemblies: Assemblies) -> Synthesized:
    return assemblies.get("serverless")


@pytest.fixture(scope="module")
def rolling_vpc(assemblies: Assemblies) -> Synthesized:
    return assemblies.get("rolling_vpc")


@pytest.fixture(scope="module")
def linear(assemblies: Assemblies) -> Synthesized:
    return assemblies.get("linear")


def _resources(synthesized: Synthesized, type_: str) -> dict[str, Any]:
    return dict(synthesized.template.find_resources(type_))


def _only(synthesized: Synthesized, type_: str) -> tuple[str, dict[str, Any]]:
    found = _resources(synthesized, type_)
    assert len(found) == 1, f"expected one {type_}, found {sorted(found)}"
    return next(iter(found.items()))


def _statements(synthesized: Synthesized) -> dict[str, dict[str, Any]]:
    policies = _resources(synthesized, "AWS::IAM::Policy")
    execution = [p for i, p in policies.items() if i.startswith("XgboostEndpointExecutionPolicy")]
    assert len(execution) == 1
    return {s["Sid"]: s for s in execution[0]["Properties"]["PolicyDocument"]["Statement"]}


def _alarms_by_metric(synthesized: Synthesized) -> dict[str, dict[str, Any]]:
    return {a["Properties"]["MetricName"]: a for a in _resources(synthesized, ALARM).values()}


# --- instances: autoscaling -------------------------------------------------------------------


def test_autoscaling_tracks_invocations_per_instance_on_the_endpoints_variant(
    production: Synthesized,
) -> None:
    endpoint_id, _ = _only(production, ENDPOINT)
    target_id, target = _only(production, "AWS::ApplicationAutoScaling::ScalableTarget")
    props = target["Properties"]
    assert props["ServiceNamespace"] == "sagemaker"
    assert props["ScalableDimension"] == "sagemaker:variant:DesiredInstanceCount"
    assert (props["MinCapacity"], props["MaxCapacity"]) == (2, 6)
    # The resource id names the endpoint through GetAtt: the target waits for the endpoint.
    assert props["ResourceId"] == {
        "Fn::Join": [
            "",
            ["endpoint/", {"Fn::GetAtt": [endpoint_id, "EndpointName"]}, "/variant/AllTraffic"],
        ]
    }
    # No role of ours: Application Auto Scaling uses its SageMaker service-linked role.
    assert "RoleARN" not in props
    production.template.has_resource_properties(
        "AWS::ApplicationAutoScaling::ScalingPolicy",
        {
            "PolicyType": "TargetTrackingScaling",
            "ScalingTargetId": {"Ref": target_id},
            "TargetTrackingScalingPolicyConfiguration": {
                "TargetValue": 200,
                "PredefinedMetricSpecification": {
                    "PredefinedMetricType": "SageMakerVariantInvocationsPerInstance"
                },
                "ScaleInCooldown": 300,
                "ScaleOutCooldown": 60,
            },
        },
    )


def test_endpoint_updates_keep_the_autoscaled_instance_count_only(production: Synthesized) -> None:
    _, endpoint = _only(production, ENDPOINT)
    assert endpoint["Properties"]["RetainAllVariantProperties"] is True
    excluded = endpoint["Properties"]["ExcludeRetainedVariantProperties"]
    assert excluded == [
        {"VariantPropertyType": "DesiredWeight"},
        {"VariantPropertyType": "DataCaptureConfig"},
    ]


@pytest.mark.parametrize("config", ["serverless", "linear"])
def test_without_autoscaling_there_is_no_scaling_and_nothing_retained(
    config: str, request: pytest.FixtureRequest
) -> None:
    synthesized: Synthesized = request.getfixturevalue(config)
    synthesized.template.resource_count_is("AWS::ApplicationAutoScaling::ScalableTarget", 0)
    synthesized.template.has_resource_properties(
        ENDPOINT, {"RetainAllVariantProperties": Match.absent()}
    )


# --- safe updates -----------------------------------------------------------------------------


def _alarm_names(synthesized: Synthesized, stack: str) -> dict[str, str]:
    return {
        "5xx": f"{stack}-AllTraffic-errors-5xx",
        "4xx": f"{stack}-AllTraffic-errors-4xx",
        "latency": f"{stack}-AllTraffic-latency-p99",
    }


def test_canary_deployment_rolls_back_on_the_stacks_5xx_and_latency_alarms(
    production: Synthesized,
) -> None:
    names = _alarm_names(production, "SagemakerXgbProduction")
    _, endpoint = _only(production, ENDPOINT)
    assert endpoint["Properties"]["DeploymentConfig"] == {
        "AutoRollbackConfiguration": {
            "Alarms": [{"AlarmName": names["5xx"]}, {"AlarmName": names["latency"]}]
        },
        "BlueGreenUpdatePolicy": {
            "TrafficRoutingConfiguration": {
                "Type": "CANARY",
                "CanarySize": {"Type": "CAPACITY_PERCENT", "Value": 50},
                "WaitIntervalInSeconds": 600,
            },
            "TerminationWaitInSeconds": 300,
            "MaximumExecutionTimeoutInSeconds": 3600,
        },
    }
    # Alarms are named, not Ref'd: the endpoint must still wait for them to exist.
    alarm_ids = set(_resources(production, ALARM))
    assert alarm_ids <= set(endpoint["DependsOn"])
    created = {a["Properties"]["AlarmName"] for a in _resources(production, ALARM).values()}
    assert created == set(names.values())


def test_linear_deployment_steps_a_share_of_the_fleet(linear: Synthesized) -> None:
    _, endpoint = _only(linear, ENDPOINT)
    routing = endpoint["Properties"]["DeploymentConfig"]["BlueGreenUpdatePolicy"][
        "TrafficRoutingConfiguration"
    ]
    assert routing == {
        "Type": "LINEAR",
        "LinearStepSize": {"Type": "CAPACITY_PERCENT", "Value": 25},
        "WaitIntervalInSeconds": 300,
    }


def test_rolling_deployment_replaces_the_fleet_in_batches(rolling_vpc: Synthesized) -> None:
    _, endpoint = _only(rolling_vpc, ENDPOINT)
    config = endpoint["Properties"]["DeploymentConfig"]
    assert "BlueGreenUpdatePolicy" not in config
    assert config["RollingUpdatePolicy"] == {
        "MaximumBatchSize": {"Type": "CAPACITY_PERCENT", "Value": 25},
        "WaitIntervalInSeconds": 120,
        "MaximumExecutionTimeoutInSeconds": 3600,
    }
    assert len(config["AutoRollbackConfiguration"]["Alarms"]) == 2


def test_serverless_updates_all_at_once_with_rollback_alarms(serverless: Synthesized) -> None:
    _, endpoint = _only(serverless, ENDPOINT)
    policy = endpoint["Properties"]["DeploymentConfig"]["BlueGreenUpdatePolicy"]
    assert policy["TrafficRoutingConfiguration"] == {
        "Type": "ALL_AT_ONCE",
        "WaitIntervalInSeconds": 300,
    }
    assert policy["MaximumExecutionTimeoutInSeconds"] == 1800


# --- observability ----------------------------------------------------------------------------


def test_alarms_watch_errors_and_p99_model_latency_in_microseconds(
    production: Synthesized,
) -> None:
    alarms = _alarms_by_metric(production)
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
    topic_id, topic = _only(production, "AWS::SNS::Topic")
    key_id, key = _only(production, "AWS::KMS::Key")
    assert topic["Properties"]["KmsMasterKeyId"] == {"Fn::GetAtt": [key_id, "Arn"]}
    for alarm in _resources(production, ALARM).values():
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": topic_id}]
        assert alarm["Properties"]["OKActions"] == [{"Ref": topic_id}]
    # CloudWatch must be able to encrypt what it publishes to that topic.
    statements = key["Properties"]["KeyPolicy"]["Statement"]
    assert {
        "Sid": "AllowCloudWatchAlarmsToNotify",
        "Effect": "Allow",
        "Principal": {"Service": "cloudwatch.amazonaws.com"},
        "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
        "Resource": "*",
    } in statements
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
    _, topic = _only(rolling_vpc, "AWS::SNS::Topic")
    assert "KmsMasterKeyId" not in topic["Properties"]
    rolling_vpc.template.resource_count_is("AWS::SNS::TopicPolicy", 1)


def test_alarms_can_notify_an_imported_topic(linear: Synthesized) -> None:
    linear.template.resource_count_is("AWS::SNS::Topic", 0)
    for alarm in _resources(linear, ALARM).values():
        assert alarm["Properties"]["AlarmActions"] == [IMPORTED_TOPIC]


@pytest.mark.parametrize(
    ("config", "instance_widget"), [("production", True), ("serverless", False)]
)
def test_dashboard_shows_traffic_errors_latency_and_alarms(
    config: str, instance_widget: bool, request: pytest.FixtureRequest
) -> None:
    synthesized: Synthesized = request.getfixturevalue(config)
    _, dashboard = _only(synthesized, "AWS::CloudWatch::Dashboard")
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
    bucket_id, _ = _only(production, "AWS::S3::Bucket")
    key_id, _ = _only(production, "AWS::KMS::Key")
    _, config = _only(production, ENDPOINT_CONFIG)
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
    bucket_id, bucket = _only(production, "AWS::S3::Bucket")
    key_id, _ = _only(production, "AWS::KMS::Key")
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
    _, bucket = _only(rolling_vpc, "AWS::S3::Bucket")
    assert bucket["DeletionPolicy"] == "Retain"
    assert "LifecycleConfiguration" not in bucket["Properties"]  # expire_days 0: keep forever
    assert bucket["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"][0][
        "ServerSideEncryptionByDefault"
    ] == {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": IMPORTED_KEY}
    rolling_vpc.template.resource_count_is("Custom::S3AutoDeleteObjects", 0)
    rolling_vpc.template.resource_count_is("AWS::Lambda::Function", 0)
    _, config = _only(rolling_vpc, ENDPOINT_CONFIG)
    assert config["Properties"]["DataCaptureConfig"]["CaptureOptions"] == [{"CaptureMode": "Input"}]


def test_execution_role_may_only_put_captures_under_the_prefix(production: Synthesized) -> None:
    bucket_id, _ = _only(production, "AWS::S3::Bucket")
    key_id, _ = _only(production, "AWS::KMS::Key")
    statements = _statements(production)
    assert statements["WriteDataCapture"] == {
        "Sid": "WriteDataCapture",
        "Effect": "Allow",
        "Action": "s3:PutObject",
        "Resource": {"Fn::Join": ["", [{"Fn::GetAtt": [bucket_id, "Arn"]}, "/data-capture/*"]]},
    }
    assert statements["EncryptDataCapture"] == {
        "Sid": "EncryptDataCapture",
        "Effect": "Allow",
        # S3 needs kms:Decrypt as well for a multipart upload to an SSE-KMS bucket.
        "Action": ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
        "Resource": {"Fn::GetAtt": [key_id, "Arn"]},
    }
    s3_actions = set()
    for statement in statements.values():
        actions = statement["Action"]
        s3_actions |= {a for a in ([actions] if isinstance(actions, str) else actions)}
    assert {a for a in s3_actions if a.startswith("s3:")} == {"s3:GetObject", "s3:PutObject"}


def test_capture_destination_is_an_output(production: Synthesized) -> None:
    bucket_id, _ = _only(production, "AWS::S3::Bucket")
    production.template.has_output(
        "DataCaptureUri",
        {"Value": {"Fn::Join": ["", ["s3://", {"Ref": bucket_id}, "/data-capture"]]}},
    )


# --- encryption and isolation -----------------------------------------------------------------


def test_created_key_rotates_and_encrypts_the_storage_volume(production: Synthesized) -> None:
    key_id, key = _only(production, "AWS::KMS::Key")
    assert key["Properties"]["EnableKeyRotation"] is True
    assert key["Properties"]["PendingWindowInDays"] == 7
    assert key["DeletionPolicy"] == "Delete"  # captures are not retained: nothing to decrypt later
    _, config = _only(production, ENDPOINT_CONFIG)
    assert config["Properties"]["KmsKeyId"] == {"Fn::GetAtt": [key_id, "Arn"]}
    # The key policy grants the account (IAM decides), CloudWatch's alarm publishing and
    # CloudWatch Logs for the endpoint's log group, no more.
    principals = [s["Principal"] for s in key["Properties"]["KeyPolicy"]["Statement"]]
    assert len(principals) == 3
    assert {"Service": "cloudwatch.amazonaws.com"} in principals


def test_created_key_encrypts_the_endpoint_log_group_and_only_it(production: Synthesized) -> None:
    key_id, key = _only(production, "AWS::KMS::Key")
    _, log_group = _only(production, "AWS::Logs::LogGroup")
    assert log_group["Properties"]["KmsKeyId"] == {"Fn::GetAtt": [key_id, "Arn"]}
    statements = {s["Sid"]: s for s in key["Properties"]["KeyPolicy"]["Statement"] if "Sid" in s}
    logs = statements["AllowEndpointLogGroup"]
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
    assert _statements(rolling_vpc)["EncryptDataCapture"]["Resource"] == IMPORTED_KEY


def test_network_isolation_installs_the_handler_offline(production: Synthesized) -> None:
    _, model = _only(production, MODEL)
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
    _, model = _only(rolling_vpc, MODEL)
    assert model["Properties"]["VpcConfig"] == {
        "Subnets": SUBNETS,
        "SecurityGroupIds": SECURITY_GROUPS,
    }
    # Isolation stays on in a VPC: SageMaker fetches the artefact through the VPC, the
    # container itself still gets no network.
    assert model["Properties"]["EnableNetworkIsolation"] is True
    statements = _statements(rolling_vpc)
    expected = [
        _ec2_arn("network-interface", "*"),
        *(_ec2_arn("subnet", s) for s in SUBNETS),
        *(_ec2_arn("security-group", g) for g in SECURITY_GROUPS),
    ]
    created = statements["CreateNetworkInterfaces"]["Resource"]
    assert sorted(map(json.dumps, created)) == sorted(map(json.dumps, expected))
    assert statements["ManageNetworkInterfaces"]["Resource"] == _ec2_arn("network-interface", "*")
    describe = statements["DescribeVpc"]
    assert describe["Resource"] == "*"
    assert all(a.startswith("ec2:Describe") for a in describe["Action"])


def test_no_role_anywhere_gets_a_full_access_managed_policy(production: Synthesized) -> None:
    managed = [
        json.dumps(role["Properties"].get("ManagedPolicyArns", []))
        for role in _resources(production, "AWS::IAM::Role").values()
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


# --- serverless -------------------------------------------------------------------------------


def test_serverless_variant_has_memory_and_concurrency_instead_of_instances(
    serverless: Synthesized,
) -> None:
    _, config = _only(serverless, ENDPOINT_CONFIG)
    (variant,) = config["Properties"]["ProductionVariants"]
    assert variant["ServerlessConfig"] == {"MemorySizeInMB": 2048, "MaxConcurrency": 10}
    assert "InstanceType" not in variant and "InitialInstanceCount" not in variant
    assert "KmsKeyId" not in config["Properties"]
    assert "DataCaptureConfig" not in config["Properties"]
    for type_ in ("AWS::S3::Bucket", "AWS::KMS::Key", "AWS::SNS::Topic"):
        serverless.template.resource_count_is(type_, 0)


# --- lint and cdk-nag, for every configuration ------------------------------------------------


@pytest.mark.parametrize("config", OPTION_CONFIGS)
def test_cfn_lint_finds_no_error_and_no_warning(config: str, assemblies: Assemblies) -> None:
    findings = assemblies.lint_findings(config)
    assert findings == [], json.dumps(findings, indent=2)


@pytest.mark.parametrize("config", ["production", "rolling_vpc"])
def test_every_acknowledgement_answers_a_real_finding_with_a_reason(
    config: str,
    assemblies: Assemblies,
    built_model: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert_every_acknowledgement_is_needed(
        assemblies.get(config),
        artifact=built_model.tarball,
        outdir=tmp_path,
        monkeypatch=monkeypatch,
        **assemblies.overrides(config),
    )


def test_option_acknowledgements_are_the_expected_ones(
    production: Synthesized, rolling_vpc: Synthesized
) -> None:
    def rules(synthesized: Synthesized) -> set[str]:
        return {r.split("[")[0].removeprefix("Annotation::") for r in acknowledged(synthesized)}

    # Wildcards (the default stack's, the capture prefix, the VPC's network interfaces) and the
    # capture bucket's missing server access logs: nothing else is waved through.
    assert rules(production) == {"AwsSolutions-IAM5", "AwsSolutions-S1"}
    assert rules(rolling_vpc) == {"AwsSolutions-IAM5", "AwsSolutions-S1"}
    vpc_wildcard = [r for r in acknowledged(rolling_vpc) if "network-interface/*" in r]
    assert len(vpc_wildcard) == 1


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
    statement = _statements(synthesized)["ReadRollbackAlarms"]
    assert statement["Action"] == "cloudwatch:DescribeAlarms"
    expected = [_alarm_arn(f"{endpoint}-AllTraffic-{s}") for s in ("errors-5xx", "latency-p99")]
    assert statement["Resource"] == expected
    _, endpoint_resource = _only(synthesized, "AWS::SageMaker::Endpoint")
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
    emptier_id, _ = _only(production, "Custom::S3AutoDeleteObjects")
    _, endpoint = _only(production, "AWS::SageMaker::Endpoint")
    assert emptier_id in endpoint["DependsOn"]
