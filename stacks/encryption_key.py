"""The KMS key for the endpoint's storage volume, capture bucket and alarm topic.

`kms: "create"` makes a customer-managed key with yearly rotation; a key ARN imports yours (its key
policy must then let this account's CloudFormation role create grants, as the default does).
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

CREATE = "create"
DELETION_WINDOW_DAYS = 7


def endpoint_key(scope: Construct, id_: str, *, setting: str, retain: bool) -> kms.IKey:
    if setting != CREATE:
        return kms.Key.from_key_arn(scope, id_, setting)
    key = kms.Key(
        scope,
        id_,
        description=f"{cdk.Stack.of(scope).stack_name}: SageMaker endpoint storage and captures",
        enable_key_rotation=True,
        # Captured data outlives the stack only if the key does: retain them together.
        removal_policy=cdk.RemovalPolicy.RETAIN if retain else cdk.RemovalPolicy.DESTROY,
        pending_window=cdk.Duration.days(DELETION_WINDOW_DAYS),
    )
    # moto 5.2.5 fails to create a tagged AWS::KMS::Key from a template (KeyError 'TagKey'), which
    # would stop the local deploy; the description names the stack instead of the stack tags.
    cdk.Tags.of(key).remove("app", priority=1000)
    return key


def allow_log_group(key: kms.IKey, *, sid: str, log_group_name: str) -> str:
    """CloudWatch Logs may use the key for this log group only (its encryption context).

    Returns the log group's ARN. The name must be fixed: a generated one would make the key
    policy and the log group refer to each other.

    A no-op on an imported key: its own policy must allow the same (docs/security.md).
    """
    stack = cdk.Stack.of(key)
    arn = stack.format_arn(
        service="logs",
        resource="log-group",
        resource_name=log_group_name,
        arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
    )
    key.add_to_resource_policy(
        iam.PolicyStatement(
            sid=sid,
            principals=[iam.ServicePrincipal(f"logs.{stack.region}.amazonaws.com")],
            actions=[
                "kms:Encrypt*",
                "kms:Decrypt*",
                "kms:ReEncrypt*",
                "kms:GenerateDataKey*",
                "kms:Describe*",
            ],
            resources=["*"],  # in a key policy, "*" is this key
            conditions={"ArnEquals": {"kms:EncryptionContext:aws:logs:arn": arn}},
        )
    )
    return arn


def allow_alarm_notifications(key: kms.IKey) -> None:
    """CloudWatch alarms must encrypt what they publish to a topic encrypted with this key."""
    key.add_to_resource_policy(
        iam.PolicyStatement(
            sid="AllowCloudWatchAlarmsToNotify",
            principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
            actions=["kms:Decrypt", "kms:GenerateDataKey*"],
            resources=["*"],  # in a key policy, "*" is this key
        )
    )
