"""Valid values that cannot deploy together fail synth, with every other problem in one error."""

from __future__ import annotations

import pytest

from stacks.settings import ConfigError, ServerlessSettings, load_settings

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
