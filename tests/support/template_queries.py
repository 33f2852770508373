"""Queries on a synthesized template that the option tests share."""

from __future__ import annotations

from typing import Any

from tests.support.cdk import Synthesized

ENDPOINT = "AWS::SageMaker::Endpoint"
ENDPOINT_CONFIG = "AWS::SageMaker::EndpointConfig"
MODEL = "AWS::SageMaker::Model"
ALARM = "AWS::CloudWatch::Alarm"


def resources(synthesized: Synthesized, type_: str) -> dict[str, Any]:
    return dict(synthesized.template.find_resources(type_))


def only(synthesized: Synthesized, type_: str) -> tuple[str, dict[str, Any]]:
    found = resources(synthesized, type_)
    assert len(found) == 1, f"expected one {type_}, found {sorted(found)}"
    return next(iter(found.items()))


def statements(synthesized: Synthesized) -> dict[str, dict[str, Any]]:
    """The execution policy's statements by Sid."""
    policies = resources(synthesized, "AWS::IAM::Policy")
    execution = [p for i, p in policies.items() if i.startswith("XgboostEndpointExecutionPolicy")]
    assert len(execution) == 1
    return {s["Sid"]: s for s in execution[0]["Properties"]["PolicyDocument"]["Statement"]}


def alarms_by_metric(synthesized: Synthesized) -> dict[str, dict[str, Any]]:
    return {a["Properties"]["MetricName"]: a for a in resources(synthesized, ALARM).values()}
