"""Top-level settings: the defaults, and a bad value fails synth naming the key, the allowed
values and the given one."""

from __future__ import annotations

import aws_cdk as cdk
import pytest

import app as app_module
from stacks.settings import SETTING_KEYS, ConfigError, EndpointSettings, load_settings
from tests.support.cdk import cdk_json_context


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
