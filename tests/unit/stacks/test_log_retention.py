"""Retention days map to `aws_logs.RetentionDays` by value, not by position in the enum."""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import aws_logs as logs
from aws_cdk.assertions import Template

from stacks.log_retention import RETENTION_DAYS, retention


def test_every_finite_retention_cdk_knows_is_offered() -> None:
    assert set(RETENTION_DAYS.values()) == set(logs.RetentionDays) - {logs.RetentionDays.INFINITE}


def test_each_day_count_is_the_retention_cdk_writes_for_its_member() -> None:
    stack = cdk.Stack()
    expected = {}
    for days in RETENTION_DAYS:
        group = logs.LogGroup(stack, f"Group{days}", retention=retention(days))
        expected[stack.get_logical_id(group.node.default_child)] = days  # type: ignore[arg-type]
    groups = Template.from_stack(stack).find_resources("AWS::Logs::LogGroup")
    written = {id_: group["Properties"]["RetentionInDays"] for id_, group in groups.items()}
    assert written == expected


def test_a_day_count_cloudwatch_does_not_offer_is_refused_with_the_allowed_ones() -> None:
    with pytest.raises(ValueError, match=r"one of 1, 3, 5, 7, .*3653 \(days\); given 2"):
        retention(2)


def test_every_retention_the_settings_accept_maps_to_a_cdk_retention() -> None:
    from stacks.settings import LOG_RETENTION_DAYS

    assert set(LOG_RETENTION_DAYS) == set(RETENTION_DAYS)
