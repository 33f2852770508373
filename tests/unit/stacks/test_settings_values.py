"""One coercion policy for every field at every depth, and one report per bad value."""

from __future__ import annotations

import pytest

from stacks.settings import (
    AutoscalingSettings,
    ConfigError,
    DataCaptureSettings,
    PublicApiSettings,
    ServerlessSettings,
    load_settings,
)


def problems(values: dict[str, object]) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_settings(values)
    lines = str(caught.value).splitlines()
    assert lines[0] == "Invalid configuration:"
    return [line.removeprefix("  - ") for line in lines[1:]]


@pytest.mark.parametrize(
    ("values", "only"),
    [
        # An invalid instance_count used to read as the default 1 and clash with min_capacity.
        ({"instance_count": "abc", "autoscaling": {"min_capacity": 2}},
         "instance_count: allowed an integer from 1 to 20; given 'abc'"),
        ({"instance_type": "ml.m5.lage", "serverless": True},
         "instance_type: allowed ml.<family>.<size>"),
        ({"instance_count": 0, "deployment": {"strategy": "canary"}},
         "instance_count: allowed an integer from 1 to 20; given 0"),
        ({"autoscaling": {"min_capacity": 30}, "instance_count": 1},
         "autoscaling.min_capacity: allowed an integer from 1 to 20; given 30"),
        ({"serverless": {"memory_mb": 1}, "instance_count": 3},
         "serverless.memory_mb: allowed 1024 to 6144 in steps of 1024 (MB); given 1"),
        ({"kms": "create", "instance_type": "ml.m5d.larg"}, "instance_type: allowed"),
        ({"public_api": {"rate_limit": "fast", "burst_limit": 1}},
         "public_api.rate_limit: allowed a number from 0.1 to 10000 (requests/s); given 'fast'"),
    ],
)  # fmt: skip
def test_a_bad_value_is_reported_once_without_a_false_combination(
    values: dict[str, object], only: str
) -> None:
    found = problems(values)
    assert len(found) == 1, found
    assert found[0].startswith(only)


def test_rules_on_the_valid_keys_still_run_beside_a_bad_value() -> None:
    found = problems({"instance_count": "abc", "serverless": True, "kms": "create"})
    assert [line.split(":")[0] for line in found] == ["instance_count", "kms"]


@pytest.mark.parametrize(
    ("values", "keys"),
    [
        ({"serverless": {"max_concurrency": 5, "provisioned_concurrency": 6}, "kms": "create"},
         ["kms", "serverless.provisioned_concurrency"]),
        ({"serverless": True, "vpc": {"subnet_ids": ["subnet-0123456789abcdef0",
                                                    "subnet-89abcdef"]}},
         ["vpc", "vpc"]),
        ({"deployment": {"strategy": "linear", "step_percent": 5}},
         ["deployment.step_percent", "deployment.strategy", "deployment.timeout_seconds"]),
    ],
)  # fmt: skip
def test_a_broken_rule_does_not_silence_the_other_rules_on_that_setting(
    values: dict[str, object], keys: list[str]
) -> None:
    assert sorted(line.split(":")[0] for line in problems(values)) == keys


@pytest.mark.parametrize(
    ("values", "attribute", "expected"),
    [
        ({"instance_count": " 3 "}, "instance_count", 3),
        ({"log_retention_days": "365"}, "log_retention_days", 365),
        ({"dashboard": "TRUE"}, "dashboard", True),
        ({"autoscaling": {"max_capacity": "8"}}, "autoscaling",
         AutoscalingSettings(max_capacity=8)),
        ({"autoscaling": '{"max_capacity": "8"}'}, "autoscaling",
         AutoscalingSettings(max_capacity=8)),
        ({"serverless": {"memory_mb": "4096", "provisioned_concurrency": "2"}}, "serverless",
         ServerlessSettings(memory_mb=4096, provisioned_concurrency=2)),
        ({"data_capture": {"retain": "true", "expire_days": "0"}}, "data_capture",
         DataCaptureSettings(retain=True, expire_days=0)),
        # public_api.rate_limit: "10" used to be refused while autoscaling took "4".
        ({"public_api": {"rate_limit": "10", "burst_limit": "20"}}, "public_api",
         PublicApiSettings(rate_limit=10, burst_limit=20)),
        ({"public_api": '{"rate_limit": "2.5", "burst_limit": 5}'}, "public_api",
         PublicApiSettings(rate_limit=2.5, burst_limit=5)),
        ({"autoscaling": {"max_capacity": None}}, "autoscaling", AutoscalingSettings()),
        ({"instance_count": None}, "instance_count", 1),
        ({"serverless": {"provisioned_concurrency": None}}, "serverless", ServerlessSettings()),
        ({"serverless": {"provisioned_concurrency": ""}}, "serverless", ServerlessSettings()),
        ({"kms": False}, "kms", None),
        ({"kms": "false"}, "kms", None),
        ({"kms": ""}, "kms", None),
        ({"autoscaling": ""}, "autoscaling", None),
        ({"autoscaling": "null"}, "autoscaling", None),
        ({"endpoint_name": "null"}, "endpoint_name", None),
        ({"alarms": {"sns_topic": ""}}, "alarms", load_settings({"alarms": True}).alarms),
    ],
)  # fmt: skip
def test_strings_from_the_command_line_are_read_the_same_at_every_depth(
    values: dict[str, object], attribute: str, expected: object
) -> None:
    assert getattr(load_settings(values), attribute) == expected


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"autoscaling": {"max_capacity": True}},
         "autoscaling.max_capacity: allowed an integer from 1 to 20; given true"),
        ({"autoscaling": {"max_capacity": 2.0}}, "given 2.0"),
        ({"autoscaling": {"max_capacity": "2.5"}}, "given '2.5'"),
        ({"log_retention_days": True}, "log_retention_days: allowed one of 1, 3, 5"),
        ({"serverless": {"memory_mb": True}}, "serverless.memory_mb: allowed 1024 to 6144"),
        ({"public_api": {"rate_limit": True}}, "public_api.rate_limit: allowed a number"),
        ({"dashboard": 1}, "dashboard: allowed true or false; given 1"),
        ({"dashboard": "yes"}, "dashboard: allowed true or false; given 'yes'"),
        ({"data_capture": {"retain": "1"}}, "data_capture.retain: allowed true or false"),
        ({"kms": True}, "kms: allowed 'create', a KMS key ARN"),
        ({"serverless": {"provisioned_concurrency": 0}},
         "serverless.provisioned_concurrency: allowed an integer from 1 to 200; given 0"),
        ({"serverless": {"provisioned_concurrency": "0"}},
         "serverless.provisioned_concurrency: allowed an integer from 1 to 200; given '0'"),
    ],
)  # fmt: skip
def test_what_the_policy_refuses_is_refused_everywhere(
    values: dict[str, object], message: str
) -> None:
    assert any(message in line for line in problems(values)), problems(values)


@pytest.mark.parametrize(
    "text", ['{"max_capacity": 4,}', "{max_capacity: 4}", '{"max_capacity": 4', "[1,"]
)
def test_malformed_inline_json_is_called_malformed_json(text: str) -> None:
    (line,) = problems({"autoscaling": text})
    assert line.startswith("autoscaling: malformed JSON: ")
    assert "allowed an object with keys min_capacity" in line
    assert line.endswith(f"given {text!r}")


def test_a_json_string_that_is_not_an_object_is_refused_as_such() -> None:
    (line,) = problems({"autoscaling": "[1, 2]"})
    assert line == (
        "autoscaling: allowed an object with keys min_capacity, max_capacity, "
        "target_invocations_per_instance, scale_in_cooldown_seconds, "
        "scale_out_cooldown_seconds, true or false; given '[1, 2]'"
    )


def test_unknown_keys_at_any_depth_suggest_the_key_meant() -> None:
    found = problems({"instance_cout": 2, "deployment": {"stratgy": "canary"}})
    assert sorted(found, reverse=True) == [
        "instance_cout: unknown key (did you mean 'instance_count'?); allowed only the keys "
        "stack_name, model_artifact, model, endpoint_name, instance_type, instance_count, "
        "variant_name, log_retention_days, serverless, autoscaling, deployment, alarms, "
        "dashboard, data_capture, batch_transform, kms, network_isolation, vpc, public_api, "
        "idle_teardown",
        "deployment.stratgy: unknown key (did you mean 'strategy'?); allowed only the keys "
        "strategy, step_percent, wait_seconds, termination_wait_seconds, timeout_seconds",
    ]


def test_a_bad_list_is_reported_once_with_the_whole_list() -> None:
    found = problems({"vpc": {"subnet_ids": ["subnet-1", "subnet-2"], "security_group_ids": []}})
    assert found == [
        "vpc.subnet_ids: allowed a list of 2 to 16 ids like subnet-0123456789abcdef0 "
        "(two or more AZs); "
        'given ["subnet-1", "subnet-2"]',
        "vpc.security_group_ids: allowed a list of 1 to 5 ids like sg-0123456789abcdef0; given []",
    ]


def test_models_are_frozen() -> None:
    settings = load_settings({"autoscaling": True})
    with pytest.raises(ValueError, match="frozen"):
        settings.autoscaling.max_capacity = 9  # type: ignore[union-attr]
