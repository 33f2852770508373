"""The idle-teardown Lambda's code, called in-process against moto's control plane.

Two stacks with an endpoint each stand in one account; the handler is configured for the first
(as its construct configures it) and its boto3 clients reach moto (in-process `mock_aws`, so the
one AWS behaviour moto lacks can be applied: see `_cloudformation_forgives_a_deleted_endpoint`).
What moto cannot do: run the schedule, emit SageMaker's metrics (the test writes the
datapoints), enforce the Lambda role's IAM policy (the synth tests pin it:
tests/unit/stacks/test_idle_teardown_stack.py), or delete with a stack's recorded role.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.sagemaker.exceptions import ValidationError
from moto.sagemaker.models import FakeEndpoint

from constants import LOCAL_CREDENTIALS, LOCAL_REGION
from stacks.idle_teardown_lambda import handler

IDLE_HOURS = 2
VARIANT = "AllTraffic"
TEMPLATE = {
    "Resources": {
        "Model": {
            "Type": "AWS::SageMaker::Model",
            "Properties": {
                "ExecutionRoleArn": "arn:aws:iam::123456789012:role/sagemaker-execution",
                "PrimaryContainer": {"Image": "xgboost:local", "ModelDataUrl": "s3://b/m.tar.gz"},
            },
        },
        "Config": {
            "Type": "AWS::SageMaker::EndpointConfig",
            "Properties": {
                "ProductionVariants": [
                    {
                        "VariantName": VARIANT,
                        "ModelName": {"Fn::GetAtt": ["Model", "ModelName"]},
                        "InstanceType": "ml.m5.large",
                        "InitialInstanceCount": 1,
                    }
                ]
            },
        },
        "Endpoint": {
            "Type": "AWS::SageMaker::Endpoint",
            "Properties": {"EndpointConfigName": {"Fn::GetAtt": ["Config", "EndpointConfigName"]}},
        },
        "Topic": {"Type": "AWS::SNS::Topic"},
    },
    "Outputs": {
        "EndpointName": {"Value": {"Fn::GetAtt": ["Endpoint", "EndpointName"]}},
        "TopicArn": {"Value": {"Ref": "Topic"}},
    },
}


@dataclass(frozen=True)
class Account:
    session: boto3.session.Session

    def client(self, service: str) -> Any:
        return self.session.client(service)

    def deploy(self, name: str) -> handler.Config:
        cloudformation = self.client("cloudformation")
        stack_id = cloudformation.create_stack(StackName=name, TemplateBody=json.dumps(TEMPLATE))[
            "StackId"
        ]
        stack = cloudformation.describe_stacks(StackName=stack_id)["Stacks"][0]
        assert stack["StackStatus"] == "CREATE_COMPLETE", stack
        outputs = {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}
        return handler.Config(
            stack_id=stack_id,
            endpoint_name=outputs["EndpointName"],
            variant_name=VARIANT,
            idle_hours=IDLE_HOURS,
            topic_arn=outputs["TopicArn"],
        )

    def created(self, config: handler.Config) -> dt.datetime:
        stack = self.client("cloudformation").describe_stacks(StackName=config.stack_id)
        return stack["Stacks"][0]["CreationTime"]  # type: ignore[no-any-return]

    def stack_status(self, config: handler.Config) -> str:
        try:
            stacks = self.client("cloudformation").describe_stacks(StackName=config.stack_id)
        except ClientError:
            return "gone"
        return str(stacks["Stacks"][0]["StackStatus"])

    def endpoint_status(self, config: handler.Config) -> str:
        try:
            endpoint = self.client("sagemaker").describe_endpoint(EndpointName=config.endpoint_name)
        except ClientError:
            return "gone"
        return str(endpoint["EndpointStatus"])

    def listen(self, config: handler.Config) -> str:
        """An SQS queue subscribed to the stack's topic: what a subscriber would receive."""
        sqs = self.client("sqs")
        url = sqs.create_queue(QueueName=f"listener-{config.endpoint_name}"[:80])["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        self.client("sns").subscribe(TopicArn=config.topic_arn, Protocol="sqs", Endpoint=arn)
        return str(url)

    def messages(self, queue_url: str) -> list[str]:
        answer = self.client("sqs").receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)
        return [json.loads(m["Body"])["Message"] for m in answer.get("Messages", [])]


def _cloudformation_forgives_a_deleted_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    """On AWS, DeleteStack treats a resource that is already gone as deleted (a resource
    handler answers NotFound, which CloudFormation takes as done); moto's stack deletion fails
    on it instead. The handler deletes the endpoint before the stack, so apply AWS's rule."""
    delete = FakeEndpoint.delete_from_cloudformation_json

    def forgiving(cls: type, resource_name: str, *args: Any) -> None:
        with contextlib.suppress(ValidationError):
            delete(resource_name, *args)

    monkeypatch.setattr(FakeEndpoint, "delete_from_cloudformation_json", classmethod(forgiving))


@pytest.fixture()
def account(monkeypatch: pytest.MonkeyPatch) -> Iterator[Account]:
    for name in [k for k in os.environ if k.startswith(("AWS_ENDPOINT_URL", "AWS_PROFILE"))]:
        monkeypatch.delenv(name)
    for name, value in {**LOCAL_CREDENTIALS, "AWS_DEFAULT_REGION": LOCAL_REGION}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_REGION", LOCAL_REGION)
    _cloudformation_forgives_a_deleted_endpoint(monkeypatch)
    with mock_aws():  # the handler's own boto3.session.Session() reaches moto too
        yield Account(boto3.session.Session(region_name=LOCAL_REGION))


def _run(account: Account, config: handler.Config, now: dt.datetime) -> handler.Decision:
    return handler.run(config=config, session=account.session, now=now)


def test_a_stack_younger_than_the_window_is_kept_though_it_has_no_data(account: Account) -> None:
    config = account.deploy("Learner")
    decision = _run(account, config, now=account.created(config) + dt.timedelta(minutes=5))
    assert not decision.delete
    assert f"within the {IDLE_HOURS} h window" in decision.reason
    assert (account.stack_status(config), account.endpoint_status(config)) == (
        "CREATE_COMPLETE",
        "InService",
    )


def test_one_invocation_in_the_window_keeps_the_stack(account: Account) -> None:
    config = account.deploy("Learner")
    now = account.created(config) + dt.timedelta(hours=IDLE_HOURS + 1)
    account.client("cloudwatch").put_metric_data(
        Namespace="AWS/SageMaker",
        MetricData=[
            {
                "MetricName": "Invocations",
                "Dimensions": [
                    {"Name": "EndpointName", "Value": config.endpoint_name},
                    {"Name": "VariantName", "Value": VARIANT},
                ],
                "Timestamp": now - dt.timedelta(minutes=30),
                "Value": 1.0,
            }
        ],
    )
    decision = _run(account, config, now=now)
    assert (decision.delete, decision.reason) == (
        False,
        f"1 invocations in the last {IDLE_HOURS} h",
    )
    assert account.stack_status(config) == "CREATE_COMPLETE"


def test_an_idle_stack_deletes_its_endpoint_and_itself_and_says_so(account: Account) -> None:
    config = account.deploy("Learner")
    other = account.deploy("Neighbour")  # same account, same template: must stay untouched
    queue = account.listen(config)
    now = account.created(config) + dt.timedelta(hours=IDLE_HOURS, minutes=1)

    decision = _run(account, config, now=now)

    assert decision.delete
    assert account.endpoint_status(config) == "gone"
    assert account.stack_status(config) in ("gone", "DELETE_COMPLETE")
    assert (account.stack_status(other), account.endpoint_status(other)) == (
        "CREATE_COMPLETE",
        "InService",
    )
    [message] = account.messages(queue)
    assert message.startswith(f"Stack Learner ({config.stack_id}) is deleting itself: ")
    assert f"no invocations in the last {IDLE_HOURS} h" in message
    assert f"Endpoint {config.endpoint_name} deleted first" in message


def test_a_stack_whose_endpoint_is_already_gone_still_goes(account: Account) -> None:
    config = account.deploy("Learner")
    account.client("sagemaker").delete_endpoint(EndpointName=config.endpoint_name)
    now = account.created(config) + dt.timedelta(hours=IDLE_HOURS + 1)
    assert _run(account, config, now=now).delete
    assert account.stack_status(config) in ("gone", "DELETE_COMPLETE")


NOW = dt.datetime(2026, 11, 30, 12, tzinfo=dt.UTC)
OLD = NOW - dt.timedelta(hours=IDLE_HOURS + 1)


@pytest.mark.parametrize(
    ("stack", "endpoint", "reason"),
    [
        (
            {"StackStatus": "UPDATE_IN_PROGRESS", "CreationTime": OLD},
            None,
            "stack is UPDATE_IN_PROGRESS: an operation is under way",
        ),
        (
            {"StackStatus": "UPDATE_COMPLETE", "CreationTime": OLD, "LastUpdatedTime": NOW},
            None,
            f"last deployed 0.0 h ago, within the {IDLE_HOURS} h window",
        ),
        (
            {"StackStatus": "CREATE_COMPLETE", "CreationTime": OLD},
            {"CreationTime": OLD, "LastModifiedTime": NOW - dt.timedelta(hours=1)},
            f"last deployed 1.0 h ago, within the {IDLE_HOURS} h window",
        ),
    ],
    ids=["deploy-under-way", "stack-updated", "endpoint-modified"],
)
def test_a_deploy_restarts_the_clock_and_one_under_way_is_never_interrupted(
    stack: dict[str, Any], endpoint: dict[str, Any] | None, reason: str
) -> None:
    decision = handler.decide(
        served=0, stack=stack, endpoint=endpoint, now=NOW, idle_hours=IDLE_HOURS
    )
    assert (decision.delete, decision.reason) == (False, reason)


def test_an_old_settled_idle_stack_is_deleted() -> None:
    decision = handler.decide(
        served=0,
        stack={"StackStatus": "UPDATE_ROLLBACK_COMPLETE", "CreationTime": OLD},
        endpoint={"CreationTime": OLD, "LastModifiedTime": OLD},
        now=NOW,
        idle_hours=IDLE_HOURS,
    )
    assert (decision.delete, decision.reason) == (
        True,
        f"no invocations in the last {IDLE_HOURS} h",
    )
