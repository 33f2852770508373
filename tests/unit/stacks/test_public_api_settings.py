"""The `public_api` setting: off by default, `true` for defaults, an object for each field."""

from __future__ import annotations

import json

import pytest

from stacks.settings import ConfigError, PublicApiSettings, load_settings, read_config_file
from tests.support.cdk import REPO


def test_public_api_is_off_by_default() -> None:
    assert load_settings({}).public_api is None


@pytest.mark.parametrize("value", [False, "false", "null"])
def test_false_or_null_keeps_it_off(value: object) -> None:
    assert load_settings({"public_api": value}).public_api is None


@pytest.mark.parametrize("value", [True, "true", {}, "{}"])
def test_true_or_an_empty_object_gives_the_defaults(value: object) -> None:
    assert load_settings({"public_api": value}).public_api == PublicApiSettings()


def test_example_config_turns_it_on_with_its_limits() -> None:
    values = read_config_file(REPO / "examples" / "public-api.json")
    settings = load_settings(values).public_api
    assert settings == PublicApiSettings(
        auth="api_key",
        rate_limit=10,
        burst_limit=20,
        quota_limit=10_000,
        quota_period="DAY",
        stage_name="v1",
    )


def test_context_string_from_the_command_line_is_read_as_json() -> None:
    raw = json.dumps({"auth": "iam", "rate_limit": 2.5, "burst_limit": 5})
    settings = load_settings({"public_api": raw}).public_api
    assert settings == PublicApiSettings(auth="iam", rate_limit=2.5, burst_limit=5)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("yes", "public_api: allowed an object with keys auth, rate_limit"),
        (3, "public_api: allowed an object with keys auth, rate_limit"),
        ({"auth": "cognito"}, "public_api.auth: allowed one of 'api_key', 'iam'; given 'cognito'"),
        ({"rate_limit": 0}, "public_api.rate_limit: allowed a number from 0.1 to 10000"),
        ({"burst_limit": 2.5}, "public_api.burst_limit: allowed an integer from 1 to 5000"),
        ({"quota_limit": True}, "public_api.quota_limit: allowed an integer"),
        (
            {"quota_period": "YEAR"},
            "public_api.quota_period: allowed one of 'DAY', 'WEEK', 'MONTH'",
        ),
        ({"stage_name": "v 1"}, "public_api.stage_name: allowed a stage name"),
        (
            {"ratelimit": 5},
            "public_api.ratelimit: unknown key (did you mean 'rate_limit'?); "
            "allowed only the keys auth, rate_limit",
        ),
        ({"rate_limit": 50, "burst_limit": 20}, "public_api.burst_limit: allowed at least"),
    ],
)
def test_bad_value_names_the_key_what_is_allowed_and_what_was_given(
    value: object, expected: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({"public_api": value})
    assert expected in str(caught.value)


def test_every_bad_field_is_reported_together_with_other_settings() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({"instance_count": 0, "public_api": {"auth": "x", "quota_period": "YEAR"}})
    message = str(caught.value)
    for key in ("instance_count", "public_api.auth", "public_api.quota_period"):
        assert key in message
