"""The capacity options in the synthesized template: autoscaling, safe updates, serverless.

The option configs (tests/support/assemblies.py) are synthesized once per run: the shipped
examples, plus variants that reach the branches the examples do not (rolling, linear, VPC,
imported key and topic, retained captures, a topic without a key).
"""

from __future__ import annotations

import pytest
from aws_cdk.assertions import Match

from tests.support.cdk import Synthesized
from tests.support.template_queries import (
    ALARM,
    ENDPOINT,
    ENDPOINT_CONFIG,
    only,
    resources,
)

# --- instances: autoscaling -------------------------------------------------------------------


def test_autoscaling_tracks_invocations_per_instance_on_the_endpoints_variant(
    production: Synthesized,
) -> None:
    endpoint_id, _ = only(production, ENDPOINT)
    target_id, target = only(production, "AWS::ApplicationAutoScaling::ScalableTarget")
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
    _, endpoint = only(production, ENDPOINT)
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
    _, endpoint = only(production, ENDPOINT)
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
    alarm_ids = set(resources(production, ALARM))
    assert alarm_ids <= set(endpoint["DependsOn"])
    created = {a["Properties"]["AlarmName"] for a in resources(production, ALARM).values()}
    assert created == set(names.values())


def test_linear_deployment_steps_a_share_of_the_fleet(linear: Synthesized) -> None:
    _, endpoint = only(linear, ENDPOINT)
    routing = endpoint["Properties"]["DeploymentConfig"]["BlueGreenUpdatePolicy"][
        "TrafficRoutingConfiguration"
    ]
    assert routing == {
        "Type": "LINEAR",
        "LinearStepSize": {"Type": "CAPACITY_PERCENT", "Value": 25},
        "WaitIntervalInSeconds": 300,
    }


def test_rolling_deployment_replaces_the_fleet_in_batches(rolling_vpc: Synthesized) -> None:
    _, endpoint = only(rolling_vpc, ENDPOINT)
    config = endpoint["Properties"]["DeploymentConfig"]
    assert "BlueGreenUpdatePolicy" not in config
    assert config["RollingUpdatePolicy"] == {
        "MaximumBatchSize": {"Type": "CAPACITY_PERCENT", "Value": 25},
        "WaitIntervalInSeconds": 120,
        "MaximumExecutionTimeoutInSeconds": 3600,
    }
    assert len(config["AutoRollbackConfiguration"]["Alarms"]) == 2


def test_serverless_updates_all_at_once_with_rollback_alarms(serverless: Synthesized) -> None:
    _, endpoint = only(serverless, ENDPOINT)
    policy = endpoint["Properties"]["DeploymentConfig"]["BlueGreenUpdatePolicy"]
    assert policy["TrafficRoutingConfiguration"] == {
        "Type": "ALL_AT_ONCE",
        "WaitIntervalInSeconds": 300,
    }
    assert policy["MaximumExecutionTimeoutInSeconds"] == 1800


# --- serverless -------------------------------------------------------------------------------


def test_serverless_variant_has_memory_and_concurrency_instead_of_instances(
    serverless: Synthesized,
) -> None:
    _, config = only(serverless, ENDPOINT_CONFIG)
    (variant,) = config["Properties"]["ProductionVariants"]
    assert variant["ServerlessConfig"] == {"MemorySizeInMB": 2048, "MaxConcurrency": 10}
    assert "InstanceType" not in variant and "InitialInstanceCount" not in variant
    assert "KmsKeyId" not in config["Properties"]
    assert "DataCaptureConfig" not in config["Properties"]
    for type_ in ("AWS::S3::Bucket", "AWS::KMS::Key", "AWS::SNS::Topic"):
        serverless.template.resource_count_is(type_, 0)
