"""The production options (serverless, autoscaling, deployment, alarms, data capture, kms, vpc):
off by default, the examples parse, and a bad nested value names its key path."""

from __future__ import annotations

import pytest

from stacks.settings import (
    AlarmSettings,
    AutoscalingSettings,
    ConfigError,
    DataCaptureSettings,
    DeploymentSettings,
    ServerlessSettings,
    VpcSettings,
    load_settings,
    read_config_file,
)
from tests.support.paths import REPO

EXAMPLES = REPO / "examples"


def test_production_options_are_all_off_by_default() -> None:
    settings = load_settings({})
    assert settings.serverless is None
    assert settings.autoscaling is None
    assert settings.deployment is None
    assert settings.alarms is None
    assert settings.data_capture is None
    assert settings.kms is None
    assert settings.vpc is None
    assert settings.dashboard is False


def test_network_isolation_is_on_by_default_except_serverless() -> None:
    # null (the default) means on: the handler needs no network; serverless cannot have it.
    assert load_settings({}).network_isolation is None
    assert load_settings({}).network_isolated is True
    assert load_settings({"serverless": True}).network_isolated is False
    assert load_settings({"network_isolation": False}).network_isolated is False
    assert load_settings({"network_isolation": "null"}).network_isolated is True


@pytest.mark.parametrize("name", ["production.json", "serverless.json"])
def test_example_configs_parse(name: str) -> None:
    values = read_config_file(EXAMPLES / name)
    settings = load_settings(values)
    assert settings.alarms is not None and settings.dashboard
    assert settings.deployment is not None


def test_production_example_turns_every_instance_option_on() -> None:
    settings = load_settings(read_config_file(EXAMPLES / "production.json"))
    assert settings.serverless is None
    assert settings.autoscaling == AutoscalingSettings(
        min_capacity=2,
        max_capacity=6,
        target_invocations_per_instance=200,
        scale_in_cooldown_seconds=300,
        scale_out_cooldown_seconds=60,
    )
    assert settings.deployment is not None and settings.deployment.strategy == "canary"
    assert settings.alarms is not None and settings.alarms.sns_topic == "create"
    assert settings.data_capture == DataCaptureSettings(
        sampling_percent=10, capture="both", retain=False, expire_days=30
    )
    assert settings.kms == "create"
    assert settings.network_isolation is True


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"serverless": True}, {"serverless": ServerlessSettings()}),
        (
            {"serverless": {"memory_mb": 6144, "max_concurrency": 200,
                            "provisioned_concurrency": 200}},
            {"serverless": ServerlessSettings(memory_mb=6144, max_concurrency=200,
                                              provisioned_concurrency=200)},
        ),
        ({"serverless": False}, {"serverless": None}),
        ({"autoscaling": "true"}, {"autoscaling": AutoscalingSettings()}),  # -c autoscaling=true
        (
            {"autoscaling": '{"max_capacity": 8}'},  # -c 'autoscaling={"max_capacity": 8}'
            {"autoscaling": AutoscalingSettings(max_capacity=8)},
        ),
        ({"dashboard": "true", "network_isolation": "false"},
         {"dashboard": True, "network_isolation": False}),
        ({"deployment": {"strategy": "rolling", "step_percent": 5, "wait_seconds": 0},
          "instance_count": 20},
         {"deployment": DeploymentSettings(strategy="rolling", step_percent=5, wait_seconds=0)}),
        ({"deployment": {"strategy": "linear", "step_percent": 10}, "instance_count": 10},
         {"deployment": DeploymentSettings(strategy="linear", step_percent=10)}),
        ({"alarms": {"sns_topic": "arn:aws:sns:eu-west-2:123456789012:on-call"}},
         {"alarms": AlarmSettings(sns_topic="arn:aws:sns:eu-west-2:123456789012:on-call")}),
        ({"data_capture": {"sampling_percent": 100, "capture": "input", "retain": True}},
         {"data_capture": DataCaptureSettings(sampling_percent=100, capture="input", retain=True)}),
        ({"kms": "create"}, {"kms": "create"}),
        (
            {"kms": "arn:aws:kms:eu-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"},
            {"kms": "arn:aws:kms:eu-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"},
        ),
        (
            {"vpc": {"subnet_ids": ["subnet-0123456789abcdef0", "subnet-89abcdef"],
                     "security_group_ids": ["sg-0123456789abcdef0"]}},
            {"vpc": VpcSettings(subnet_ids=("subnet-0123456789abcdef0", "subnet-89abcdef"),
                                security_group_ids=("sg-0123456789abcdef0",))},
        ),
        ({"kms": "create", "instance_type": "ml.inf2.xlarge"}, {"kms": "create"}),
        ({"kms": "create", "instance_type": "ml.trn1.2xlarge"}, {"kms": "create"}),
    ],
)  # fmt: skip
def test_good_option_values_are_accepted(
    values: dict[str, object], expected: dict[str, object]
) -> None:
    settings = load_settings(values)
    for key, value in expected.items():
        assert getattr(settings, key) == value


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"serverless": {"memory_mb": 1000}},
         "serverless.memory_mb: allowed 1024 to 6144 in steps of 1024 (MB); given 1000"),
        ({"serverless": {"memory_mb": 7168}}, "serverless.memory_mb: allowed 1024 to 6144"),
        ({"serverless": {"max_concurrency": 0}},
         "serverless.max_concurrency: allowed an integer from 1 to 200; given 0"),
        ({"serverless": {"max_concurrency": 201}}, "given 201"),
        ({"serverless": {"provisioned_concurrency": 300}},
         "serverless.provisioned_concurrency: allowed an integer from 1 to 200; given 300"),
        ({"serverless": {"provisioned_concurrency": 0}},  # the README: 1 to max, or null
         "serverless.provisioned_concurrency: allowed an integer from 1 to 200; given 0"),
        ({"serverless": "yes"}, "serverless: allowed an object with keys memory_mb"),
        ({"serverless": {"memory": 2048}},
         "serverless.memory: unknown key (did you mean 'memory_mb'?); "
         "allowed only the keys memory_mb, max_concurrency"),
        ({"autoscaling": {"max_capacity": 21}},
         "autoscaling.max_capacity: allowed an integer from 1 to 20; given 21"),
        ({"autoscaling": {"scale_in_cooldown_seconds": -1}},
         "autoscaling.scale_in_cooldown_seconds: allowed an integer from 0 to 3600 (seconds)"),
        ({"autoscaling": {"target_invocations_per_instance": 0}},
         "autoscaling.target_invocations_per_instance: allowed an integer from 1 to 100000"),
        ({"deployment": {"strategy": "blue_green"}},
         "deployment.strategy: allowed one of 'all_at_once', 'canary', 'linear', 'rolling'; "
         "given 'blue_green'"),
        ({"deployment": {"timeout_seconds": 60}},
         "deployment.timeout_seconds: allowed an integer from 600 to 28800 (seconds); given 60"),
        ({"alarms": {"latency_p99_ms": 0}},
         "alarms.latency_p99_ms: allowed an integer from 1 to 60000 (milliseconds); given 0"),
        ({"alarms": {"period_seconds": 90}},
         "alarms.period_seconds: allowed a multiple of 60 from 60 to 3600 (seconds); given 90"),
        ({"alarms": {"sns_topic": "on-call"}},
         "alarms.sns_topic: allowed 'create' (a topic in this stack), an SNS topic ARN, or null"),
        ({"data_capture": {"sampling_percent": 0}},
         "data_capture.sampling_percent: allowed an integer from 1 to 100 (% of requests); "
         "given 0"),
        ({"data_capture": {"capture": "all"}},
         "data_capture.capture: allowed one of 'both', 'input', 'output'; given 'all'"),
        ({"data_capture": {"retain": "sometimes"}},
         "data_capture.retain: allowed true or false; given 'sometimes'"),
        ({"kms": "alias/my-key"}, "kms: allowed 'create', a KMS key ARN"),
        ({"dashboard": "on"}, "dashboard: allowed true or false; given 'on'"),
        ({"network_isolation": 1},
         "network_isolation: allowed true, false, or null (on unless serverless); given 1"),
        ({"vpc": {"subnet_ids": ["subnet-1"], "security_group_ids": ["sg-0123456789abcdef0"]}},
         "vpc.subnet_ids: allowed a list of 2 to 16 ids like subnet-0123456789abcdef0"),
        # SageMaker's VPC guide: subnets in at least two Availability Zones.
        ({"vpc": {"subnet_ids": ["subnet-0123456789abcdef0"],
                  "security_group_ids": ["sg-0123456789abcdef0"]}},
         "vpc.subnet_ids: allowed a list of 2 to 16 ids like subnet-0123456789abcdef0 (two or "
         'more AZs); given ["subnet-0123456789abcdef0"]'),
        ({"vpc": {"subnet_ids": ["subnet-0123456789abcdef0", "subnet-89abcdef"]}},
         "vpc: needs both subnet_ids and security_group_ids"),
        ({"instance_type": "ml.m5.larg"}, "(did you mean 'ml.m5.large'?)"),
        ({"instance_type": "ml.g4d.xlarge"}, "(did you mean 'ml.g4dn.xlarge'?)"),
    ],
)  # fmt: skip
def test_bad_option_names_nested_key_allowed_and_given(
    values: dict[str, object], message: str
) -> None:
    with pytest.raises(ConfigError) as err:
        load_settings(values)
    assert message in str(err.value)
