"""The `idle_teardown` setting: bounds, who is notified, the combination rule, off by default."""

from __future__ import annotations

import json

import pytest

from stacks.settings import ConfigError, load_settings
from tests.support.cdk import REPO


def test_off_by_default_and_in_every_example() -> None:
    assert load_settings({}).idle_teardown is None
    for example in sorted((REPO / "examples").glob("*.json")):
        assert "idle_teardown" not in json.loads(example.read_text()), example.name


@pytest.mark.parametrize(
    ("given", "after_hours", "notify"),
    [
        (True, 24, "create"),
        ('{"after_hours": "2"}', 2, "create"),
        ({"after_hours": 720, "notify": "ml-team@example.org"}, 720, "ml-team@example.org"),
        (
            {"notify": "arn:aws:sns:eu-west-2:123456789012:team-alerts"},
            24,
            "arn:aws:sns:eu-west-2:123456789012:team-alerts",
        ),
    ],
)
def test_good_values(given: object, after_hours: int, notify: str) -> None:
    teardown = load_settings({"idle_teardown": given}).idle_teardown
    assert teardown is not None
    assert (teardown.after_hours, teardown.notify) == (after_hours, notify)


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (
            {"after_hours": 0},
            "idle_teardown.after_hours: allowed an integer from 1 to 720 (hours); given 0",
        ),
        (
            {"after_hours": 721},
            "idle_teardown.after_hours: allowed an integer from 1 to 720 (hours); given 721",
        ),
        (
            {"notify": "ops"},
            "idle_teardown.notify: allowed 'create' (a topic in this stack), an SNS topic ARN, "
            "or an email address; given 'ops'",
        ),
        ({"after": 3}, "idle_teardown.after"),
    ],
)
def test_bad_values_name_the_key_what_is_allowed_and_what_was_given(
    given: object, message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({"idle_teardown": given})
    assert message in str(caught.value)


def test_refused_with_a_serverless_endpoint_that_bills_nothing_idle() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({"idle_teardown": True, "serverless": True})
    assert "idle_teardown: an idle serverless endpoint without provisioned_concurrency" in str(
        caught.value
    )
    with_provisioned = {"idle_teardown": True, "serverless": {"provisioned_concurrency": 1}}
    assert load_settings(with_provisioned).idle_teardown is not None
