"""The SageMaker property builders, settings in and property objects out: no App, no synth."""

from __future__ import annotations

import pytest

from stacks.endpoint_properties import (
    OFFLINE_PIP,
    container_environment,
    data_capture_config,
    deployment_config,
    excluded_retained_properties,
    model_vpc_config,
    production_variant,
    serverless_config,
)
from stacks.settings import (
    DataCaptureSettings,
    DeploymentSettings,
    ServerlessSettings,
    VpcSettings,
)

KEY_ARN = "arn:aws:kms:eu-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ALARMS = ["ep-AllTraffic-errors-5xx", "ep-AllTraffic-latency-p99"]


def test_container_runs_the_handler_in_script_mode_in_the_given_region() -> None:
    environment = container_environment(region="eu-west-2", network_isolation=False)
    assert environment == {
        "SAGEMAKER_PROGRAM": "inference.py",
        "SAGEMAKER_SUBMIT_DIRECTORY": "/opt/ml/model/code",
        "SAGEMAKER_CONTAINER_LOG_LEVEL": "20",
        "SAGEMAKER_REGION": "eu-west-2",
    }


def test_network_isolation_makes_pip_build_offline() -> None:
    environment = container_environment(region="eu-west-2", network_isolation=True)
    assert environment.items() >= OFFLINE_PIP.items()


def test_model_has_no_vpc_config_without_vpc_settings() -> None:
    assert model_vpc_config(None) is None


def test_model_vpc_config_lists_the_subnets_and_security_groups() -> None:
    vpc = VpcSettings(
        subnet_ids=("subnet-0123abcd", "subnet-4567cdef"), security_group_ids=("sg-89abcdef",)
    )
    config = model_vpc_config(vpc)
    assert config is not None
    assert config.subnets == ["subnet-0123abcd", "subnet-4567cdef"]
    assert config.security_group_ids == ["sg-89abcdef"]


def test_instance_variant_takes_all_traffic_on_its_instances() -> None:
    variant = production_variant(
        variant_name="Blue",
        model_name="model-1",
        instance_type="ml.c5.xlarge",
        instance_count=3,
        serverless=None,
    )
    assert (variant.variant_name, variant.model_name) == ("Blue", "model-1")
    assert (variant.instance_type, variant.initial_instance_count) == ("ml.c5.xlarge", 3)
    assert variant.initial_variant_weight == 1
    assert variant.serverless_config is None


def test_serverless_variant_has_no_instances() -> None:
    variant = production_variant(
        variant_name="AllTraffic",
        model_name="model-1",
        instance_type="ml.m5.large",
        instance_count=2,
        serverless=ServerlessSettings(memory_mb=3072, max_concurrency=7),
    )
    assert variant.instance_type is None
    assert variant.initial_instance_count is None
    assert variant.serverless_config is not None
    assert variant.serverless_config.memory_size_in_mb == 3072


def test_serverless_config_keeps_none_warm_unless_asked() -> None:
    cold = serverless_config(ServerlessSettings(memory_mb=1024, max_concurrency=5))
    assert (cold.memory_size_in_mb, cold.max_concurrency) == (1024, 5)
    assert cold.provisioned_concurrency is None
    warm = serverless_config(ServerlessSettings(provisioned_concurrency=2))
    assert warm.provisioned_concurrency == 2


@pytest.mark.parametrize(
    ("capture", "modes"),
    [("both", ["Input", "Output"]), ("input", ["Input"]), ("output", ["Output"])],
)
def test_data_capture_records_the_chosen_directions(capture: str, modes: list[str]) -> None:
    config = data_capture_config(
        DataCaptureSettings(capture=capture),
        destination_uri="s3://b/data-capture",
        kms_key_arn=None,
    )
    assert [option.capture_mode for option in config.capture_options] == modes


def test_data_capture_samples_into_the_bucket_as_readable_text() -> None:
    config = data_capture_config(
        DataCaptureSettings(sampling_percent=25),
        destination_uri="s3://bucket/data-capture",
        kms_key_arn=KEY_ARN,
    )
    assert config.enable_capture is True
    assert config.initial_sampling_percentage == 25
    assert config.destination_s3_uri == "s3://bucket/data-capture"
    assert config.kms_key_id == KEY_ARN
    header = config.capture_content_type_header
    assert header.json_content_types == ["application/json"]
    assert header.csv_content_types == ["text/csv"]


def test_data_capture_without_key_names_none() -> None:
    config = data_capture_config(
        DataCaptureSettings(), destination_uri="s3://bucket/data-capture", kms_key_arn=None
    )
    assert config.kms_key_id is None


def test_rolling_deployment_updates_in_batches_and_rolls_back_on_the_alarms() -> None:
    settings = DeploymentSettings(
        strategy="rolling", step_percent=25, wait_seconds=120, timeout_seconds=900
    )
    config = deployment_config(settings, rollback_alarm_names=ALARMS)
    assert config.blue_green_update_policy is None
    policy = config.rolling_update_policy
    assert (policy.maximum_batch_size.type, policy.maximum_batch_size.value) == (
        "CAPACITY_PERCENT",
        25,
    )
    assert policy.wait_interval_in_seconds == 120
    assert policy.maximum_execution_timeout_in_seconds == 900
    assert [a.alarm_name for a in config.auto_rollback_configuration.alarms] == ALARMS


@pytest.mark.parametrize(
    ("strategy", "canary", "linear"),
    [("all_at_once", False, False), ("canary", True, False), ("linear", False, True)],
)
def test_blue_green_deployment_shifts_traffic_by_its_strategy(
    strategy: str, canary: bool, linear: bool
) -> None:
    settings = DeploymentSettings(
        strategy=strategy, step_percent=20, wait_seconds=60, termination_wait_seconds=30
    )
    config = deployment_config(settings, rollback_alarm_names=ALARMS)
    assert config.rolling_update_policy is None
    policy = config.blue_green_update_policy
    assert policy.termination_wait_in_seconds == 30
    assert policy.maximum_execution_timeout_in_seconds == settings.timeout_seconds
    routing = policy.traffic_routing_configuration
    assert routing.type == strategy.upper()
    assert routing.wait_interval_in_seconds == 60
    assert (routing.canary_size is not None) is canary
    assert (routing.linear_step_size is not None) is linear
    step = routing.canary_size or routing.linear_step_size
    if step is not None:
        assert step.value == 20


def test_guarded_deployment_without_alarms_is_refused() -> None:
    with pytest.raises(ValueError, match="rollback alarms"):
        deployment_config(DeploymentSettings(), rollback_alarm_names=[])


def test_variant_properties_are_not_retained_without_autoscaling() -> None:
    assert excluded_retained_properties(False) is None


def test_autoscaled_count_is_retained_but_weights_and_capture_still_update() -> None:
    excluded = excluded_retained_properties(True)
    assert excluded is not None
    assert [p.variant_property_type for p in excluded] == ["DesiredWeight", "DataCaptureConfig"]
