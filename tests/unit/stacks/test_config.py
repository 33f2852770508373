"""Settings: a bad value fails synth naming the key, the allowed values and the given one."""

from __future__ import annotations

import json
from pathlib import Path

import aws_cdk as cdk
import pytest

import app as app_module
from stacks.settings import (
    SETTING_KEYS,
    AlarmSettings,
    AutoscalingSettings,
    ConfigError,
    DataCaptureSettings,
    DeploymentSettings,
    EndpointSettings,
    ServerlessSettings,
    VpcSettings,
    load_settings,
    read_config_file,
)
from tests.support.cdk import cdk_json_context
from tests.support.paths import REPO


def test_defaults_are_the_cheap_safe_choice() -> None:
    assert load_settings({}) == EndpointSettings(
        stack_name="SagemakerXgbEndpoint",
        model_artifact="build/model.tar.gz",
        endpoint_name=None,
        instance_type="ml.m5.large",
        instance_count=1,
        variant_name="AllTraffic",
        log_retention_days=30,
    )


def test_cdk_json_context_parses_to_the_defaults() -> None:
    # The defaults live in the models alone: cdk.json holds the CDK's feature flags.
    context = cdk_json_context()
    assert not set(context) & set(SETTING_KEYS)
    assert app_module.settings_from_context(cdk.App(context=context)) == EndpointSettings()


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"instance_count": "3"}, {"instance_count": 3}),  # -c instance_count=3 gives a string
        ({"instance_count": 20}, {"instance_count": 20}),
        ({"log_retention_days": "365"}, {"log_retention_days": 365}),
        ({"endpoint_name": "churn-model-prod"}, {"endpoint_name": "churn-model-prod"}),
        ({"endpoint_name": ""}, {"endpoint_name": None}),
        ({"instance_type": "ml.g5.2xlarge"}, {"instance_type": "ml.g5.2xlarge"}),
        (
            {"model_artifact": "/tmp/other/model.tar.gz"},
            {"model_artifact": "/tmp/other/model.tar.gz"},
        ),
    ],
)
def test_good_values_are_accepted(values: dict[str, object], expected: dict[str, object]) -> None:
    settings = load_settings(values)
    for key, value in expected.items():
        assert getattr(settings, key) == value


@pytest.mark.parametrize(
    ("key", "given", "message"),
    [
        ("instance_count", 0, "instance_count: allowed an integer from 1 to 20; given 0"),
        ("instance_count", "two", "instance_count: allowed an integer from 1 to 20; given 'two'"),
        ("instance_count", True, "instance_count: allowed an integer from 1 to 20; given true"),
        ("instance_count", 1.5, "instance_count: allowed an integer from 1 to 20; given 1.5"),
        ("log_retention_days", 10, "log_retention_days: allowed one of 1, 3, 5, 7, 14, 30,"),
        ("log_retention_days", 10, "(days); given 10"),
        ("instance_type", "m5.large", "instance_type: allowed ml.<family>.<size>"),
        ("instance_type", "ml.m5.lage", "(did you mean 'ml.m5.large'?); given 'ml.m5.lage'"),
        ("instance_type", "ml.z9.large", "given 'ml.z9.large'"),
        ("endpoint_name", "my_endpoint", "endpoint_name: allowed a SageMaker endpoint name"),
        ("endpoint_name", "x" * 64, "endpoint_name: allowed a SageMaker endpoint name"),
        ("endpoint_name", "-lead", "given '-lead'"),
        ("variant_name", "all traffic", "variant_name: allowed a SageMaker variant name"),
        ("stack_name", "1stack", "stack_name: allowed a CloudFormation stack name"),
        ("model_artifact", "build/model.zip", "model_artifact: allowed a path to a .tar.gz file"),
    ],
)
def test_bad_value_names_key_allowed_and_given(key: str, given: object, message: str) -> None:
    with pytest.raises(ConfigError) as err:
        load_settings({key: given})
    assert message in str(err.value)


def test_every_bad_value_is_reported_at_once() -> None:
    with pytest.raises(ConfigError) as err:
        load_settings({"instance_count": -1, "instance_type": "large", "log_retention_days": 2})
    text = str(err.value)
    assert text.startswith("Invalid configuration:")
    for key in ("instance_count", "instance_type", "log_retention_days"):
        assert f"  - {key}: allowed" in text


def test_config_file_is_read_and_unknown_keys_are_refused(tmp_path: Path) -> None:
    good = tmp_path / "staging.json"
    good.write_text(json.dumps({"instance_type": "ml.c5.large", "instance_count": 2}))
    assert read_config_file(good) == {"instance_type": "ml.c5.large", "instance_count": 2}

    typo = tmp_path / "typo.json"
    typo.write_text(json.dumps({"instnce_type": "ml.c5.large"}))
    with pytest.raises(
        ConfigError,
        match=r"instnce_type: unknown key \(did you mean 'instance_type'\?\); "
        r"allowed only the keys stack_name",
    ):
        load_settings(read_config_file(typo))

    with pytest.raises(ConfigError, match="does not exist"):
        read_config_file(tmp_path / "missing.json")
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    with pytest.raises(ConfigError, match="is not valid JSON"):
        read_config_file(broken)


def test_bad_context_fails_synth_before_any_resource_exists() -> None:
    app = cdk.App(context={**cdk_json_context(), "instance_count": "0"})
    with pytest.raises(ConfigError, match="instance_count: allowed an integer from 1 to 20"):
        app_module.build(app)
    assert app.node.children == []


def test_config_file_from_context_overrides_cdk_json(tmp_path: Path) -> None:
    config = tmp_path / "prod.json"
    config.write_text(json.dumps({"instance_count": 0}))
    app = cdk.App(context={**cdk_json_context(), "config": str(config)})
    with pytest.raises(ConfigError, match="given 0"):
        app_module.build(app)


# --- production options -----------------------------------------------------------------------

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


SERVERLESS = {"serverless": {"max_concurrency": 5}}


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({**SERVERLESS, "instance_type": "ml.c5.large"},
         "instance_type: cannot be used with serverless (serverless is set)"),
        ({**SERVERLESS, "instance_count": 2}, "instance_count: cannot be used with serverless"),
        ({**SERVERLESS, "data_capture": True}, "data_capture: cannot be used with serverless"),
        ({**SERVERLESS, "autoscaling": True}, "autoscaling: cannot be used with serverless"),
        ({**SERVERLESS, "kms": "create"}, "kms: cannot be used with serverless"),
        ({**SERVERLESS, "network_isolation": True},
         "network_isolation: cannot be used with serverless"),
        ({**SERVERLESS, "vpc": {"subnet_ids": ["subnet-0123456789abcdef0", "subnet-89abcdef"],
                                "security_group_ids": ["sg-0123456789abcdef0"]}},
         "vpc: cannot be used with serverless"),
        ({**SERVERLESS, "deployment": {"strategy": "rolling"}},
         "deployment.strategy: cannot be used with serverless"),
        ({"serverless": {"max_concurrency": 5, "provisioned_concurrency": 6}},
         "serverless.provisioned_concurrency: must be at most serverless.max_concurrency (5); "
         "given 6"),
        ({"autoscaling": {"min_capacity": 4, "max_capacity": 2}},
         "autoscaling.min_capacity: must be at most autoscaling.max_capacity (2); given 4"),
        ({"autoscaling": {"min_capacity": 2, "max_capacity": 4}, "instance_count": 1},
         "instance_count: must lie within autoscaling.min_capacity..max_capacity (2..4); given 1"),
        ({"deployment": {"strategy": "canary"}},
         "deployment.strategy: canary needs 2 or more instances (instance_count); "
         "given 'canary' with 1"),
        ({"deployment": {"strategy": "linear", "step_percent": 20}, "instance_count": 3,
          "autoscaling": {"min_capacity": 1, "max_capacity": 4}},
         "linear needs 2 or more instances (instance_count and autoscaling.min_capacity)"),
        ({"deployment": {"strategy": "rolling"}}, "rolling needs 2 or more instances"),
        ({"deployment": {"strategy": "linear", "step_percent": 5}, "instance_count": 4},
         "deployment.step_percent: linear takes 10 to 50 (% of the fleet); given 5"),
        ({"deployment": {"strategy": "canary", "step_percent": 10}, "instance_count": 4},
         "deployment.step_percent: 10% of 4 instances is less than one instance; "
         "raise it to at least 25"),
        ({"deployment": {"wait_seconds": 600, "termination_wait_seconds": 300,
                         "timeout_seconds": 900}},
         "deployment.timeout_seconds: must exceed the deployment's waiting time, 1 x wait_seconds "
         "(600) + termination_wait_seconds (300) = 900; given 900"),
        ({"deployment": {"strategy": "linear", "step_percent": 10, "wait_seconds": 600},
          "instance_count": 10},
         "10 x wait_seconds (600) + termination_wait_seconds (0) = 6000; given 3600"),
    ],
)  # fmt: skip
def test_combinations_that_cannot_deploy_fail_at_synth(
    values: dict[str, object], message: str
) -> None:
    with pytest.raises(ConfigError) as err:
        load_settings(values)
    assert message in str(err.value)


@pytest.mark.parametrize(
    "instance_type",
    ["ml.m5d.large", "ml.c6id.xlarge", "ml.g4dn.xlarge", "ml.p4d.24xlarge", "ml.r6gd.large"],
)
def test_kms_is_refused_on_instance_types_with_local_nvme(instance_type: str) -> None:
    with pytest.raises(ConfigError) as err:
        load_settings({"kms": "create", "instance_type": instance_type})
    text = str(err.value)
    assert f"kms: cannot encrypt instance_type {instance_type!r}" in text
    assert "local NVMe storage" in text


def test_serverless_accepts_the_default_instance_settings_spelled_out() -> None:
    # A file may spell out instance_type/instance_count; only values moved away are refused.
    values = {"instance_type": "ml.m5.large", "instance_count": 1}
    settings = load_settings({**values, "serverless": True})
    assert settings.serverless == ServerlessSettings()


def test_value_and_combination_problems_come_in_one_message() -> None:
    with pytest.raises(ConfigError) as err:
        load_settings(
            {
                "serverless": True,
                "instance_type": "ml.c5.large",
                "data_capture": {"sampling_percent": 101},
                "alarms": {"latency_p99_ms": -1},
                "kms": "create",
            }
        )
    lines = str(err.value).splitlines()
    assert lines[0] == "Invalid configuration:"
    keys = [line.split(":")[0].strip(" -") for line in lines[1:]]
    assert sorted(keys) == [
        "alarms.latency_p99_ms",
        "data_capture.sampling_percent",
        "instance_type",
        "kms",
    ]


def test_config_file_with_a_bad_option_fails_synth(tmp_path: Path) -> None:
    config = tmp_path / "prod.json"
    config.write_text(json.dumps({"serverless": True, "autoscaling": {"max_capacity": 4}}))
    app = cdk.App(context={**cdk_json_context(), "config": str(config)})
    with pytest.raises(ConfigError, match="autoscaling: cannot be used with serverless"):
        app_module.build(app)
    assert app.node.children == []
