"""Idle teardown: delete this stack, endpoint first, once its endpoint has served nothing.

An hourly EventBridge schedule invokes `handler`. It reads one CloudWatch statistic (the
endpoint's Invocations summed over the window) and stops there when there was any traffic.
Otherwise it deletes the stack only when every one of these holds, so a young, updating or
busy stack is never touched:

- no invocation in the last IDLE_HOURS (no datapoint at all counts as none);
- the stack was created or last updated, and the endpoint created or last modified, more than
  IDLE_HOURS ago (a deploy restarts the clock: no data before it means nothing);
- the stack is settled (no create, update, rollback or delete under way).

It then deletes the endpoint (billing stops even if the stack's deletion later stalls), tells
the notification topic, and calls DeleteStack on this stack's ARN without a role, so
CloudFormation deletes the resources with the role the stack was deployed with (CDK's
bootstrap cfn-exec role). Standard library and boto3 only: the Lambda runtime provides both.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.exceptions import ClientError

LOG = logging.getLogger()
LOG.setLevel(logging.INFO)

SETTLED = frozenset({"CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE"})
HOUR = dt.timedelta(hours=1)


@dataclass(frozen=True)
class Config:
    stack_id: str  # the stack's ARN: the only stack this function may describe or delete
    endpoint_name: str
    variant_name: str
    idle_hours: int
    topic_arn: str

    @classmethod
    def from_environment(cls) -> Config:
        env = os.environ
        return cls(
            stack_id=env["STACK_ID"],
            endpoint_name=env["ENDPOINT_NAME"],
            variant_name=env["VARIANT_NAME"],
            idle_hours=int(env["IDLE_HOURS"]),
            topic_arn=env["TOPIC_ARN"],
        )


@dataclass(frozen=True)
class Decision:
    delete: bool
    reason: str


def invocations(cloudwatch: Any, config: Config, *, now: dt.datetime) -> float:
    """The endpoint's Invocations summed over the window (hour-aligned, so a little longer)."""
    start = (now - config.idle_hours * HOUR).replace(minute=0, second=0, microsecond=0)
    answer = cloudwatch.get_metric_statistics(
        Namespace="AWS/SageMaker",
        MetricName="Invocations",
        Dimensions=[
            {"Name": "EndpointName", "Value": config.endpoint_name},
            {"Name": "VariantName", "Value": config.variant_name},
        ],
        StartTime=start,
        EndTime=now,
        Period=3600,
        Statistics=["Sum"],
    )
    return float(sum(point.get("Sum", 0.0) for point in answer.get("Datapoints", [])))


def busy(served: float, idle_hours: int) -> Decision:
    return Decision(False, f"{served:g} invocations in the last {idle_hours} h")


def decide(
    *,
    served: float,
    stack: dict[str, Any],
    endpoint: dict[str, Any] | None,
    now: dt.datetime,
    idle_hours: int,
) -> Decision:
    """Pure: whether to delete, and why (logged on every run, sent when deleting)."""
    window = idle_hours * HOUR
    if served > 0:
        return busy(served, idle_hours)
    status = stack["StackStatus"]
    if status not in SETTLED:
        return Decision(False, f"stack is {status}: an operation is under way")
    moments = [stack.get("CreationTime"), stack.get("LastUpdatedTime")]
    if endpoint is not None:
        moments += [endpoint.get("CreationTime"), endpoint.get("LastModifiedTime")]
    latest = max(m for m in moments if m is not None)
    if now - latest < window:
        age = (now - latest) / HOUR
        return Decision(False, f"last deployed {age:.1f} h ago, within the {idle_hours} h window")
    return Decision(True, f"no invocations in the last {idle_hours} h")


def run(*, config: Config, session: boto3.session.Session, now: dt.datetime) -> Decision:
    """Read, decide and, when idle, tear down. The clients come from `session`."""
    served = invocations(session.client("cloudwatch"), config, now=now)
    if served > 0:  # the busy path: one metric read, nothing else
        decision = busy(served, config.idle_hours)
        LOG.info("keeping %s: %s", config.stack_id, decision.reason)
        return decision
    cloudformation = session.client("cloudformation")
    sagemaker = session.client("sagemaker")
    stack = cloudformation.describe_stacks(StackName=config.stack_id)["Stacks"][0]
    endpoint = _describe_endpoint(sagemaker, config.endpoint_name)
    decision = decide(
        served=served, stack=stack, endpoint=endpoint, now=now, idle_hours=config.idle_hours
    )
    if not decision.delete:
        LOG.info("keeping %s: %s", config.stack_id, decision.reason)
        return decision
    if endpoint is not None:
        sagemaker.delete_endpoint(EndpointName=config.endpoint_name)
    role = stack.get("RoleARN") or "the caller's (no role was recorded with the stack)"
    message = (
        f"Stack {stack['StackName']} ({config.stack_id}) is deleting itself: "
        f"{decision.reason}. Endpoint {config.endpoint_name} deleted first; CloudFormation "
        f"deletes the rest with role {role}. Redeploy to bring it back."
    )
    session.client("sns").publish(
        TopicArn=config.topic_arn,
        Subject=f"{stack['StackName']}: idle endpoint torn down"[:100],
        Message=message,
    )
    cloudformation.delete_stack(StackName=config.stack_id)
    LOG.info(message)
    return decision


def _describe_endpoint(sagemaker: Any, name: str) -> dict[str, Any] | None:
    try:
        return dict(sagemaker.describe_endpoint(EndpointName=name))
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ValidationException":
            return None  # already gone: nothing bills, the stack still goes
        raise


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    decision = run(
        config=Config.from_environment(),
        session=boto3.session.Session(),
        now=dt.datetime.now(dt.UTC),
    )
    return {"deleted": decision.delete, "reason": decision.reason}
