"""CloudWatch alarms on one endpoint variant, optionally notifying an SNS topic.

The 5XX and latency alarms double as the auto-rollback alarms of a guarded deployment; the 4XX
alarm only notifies (client errors are the callers' to fix, not a reason to roll back).

Alarms are named `<endpoint>-<variant>-<what>` (the endpoint name is unique per account and
region): the console shows whose they are, and the endpoint and dashboard refer to them by name,
not by `Ref`/`GetAtt`, which keeps the template deployable where alarms are not (moto).
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from constructs import Construct

from stacks.encryption_key import allow_alarm_notifications
from stacks.settings import AlarmSettings

NAMESPACE = "AWS/SageMaker"
MICROSECONDS_PER_MS = 1000  # ModelLatency and OverheadLatency are reported in microseconds


def endpoint_metric(
    metric_name: str,
    *,
    endpoint_name: str,
    variant_name: str,
    statistic: str,
    period: cdk.Duration,
) -> cloudwatch.Metric:
    return cloudwatch.Metric(
        namespace=NAMESPACE,
        metric_name=metric_name,
        dimensions_map={"EndpointName": endpoint_name, "VariantName": variant_name},
        statistic=statistic,
        period=period,
    )


def alarm_topic(
    scope: Construct, *, setting: str | None, key: kms.IKey | None
) -> sns.ITopic | None:
    """The topic alarms notify: none, an imported one (an ARN), or one of the stack's ("create")."""
    if setting is None:
        return None
    if setting != "create":
        return sns.Topic.from_topic_arn(scope, "AlarmTopic", setting)
    # CloudWatch cannot publish to a topic under the AWS-managed aws/sns key, only under a
    # customer-managed key whose policy lets it: the stack's own key when there is one. Without
    # it the topic is unencrypted at rest (it carries alarm state changes only).
    own_key = key if isinstance(key, kms.Key) else None
    topic = sns.Topic(
        scope,
        "AlarmTopic",
        display_name=f"{cdk.Stack.of(scope).stack_name} endpoint alarms",
        enforce_ssl=True,
        master_key=own_key,
    )
    if own_key is not None:
        allow_alarm_notifications(own_key)
    return topic


class EndpointAlarms(Construct):
    """5XX, 4XX and p99 latency alarms; others refer to them by `names` and `rollback_names`."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        endpoint_name: str,
        variant_name: str,
        settings: AlarmSettings,
        topic: sns.ITopic | None,
    ) -> None:
        super().__init__(scope, id_)
        period = cdk.Duration.seconds(settings.period_seconds)
        self.names: list[str] = []  # in the order made: 5XX, 4XX, latency

        def alarm(
            alarm_id: str, suffix: str, metric_name: str, statistic: str, threshold: int, what: str
        ) -> str:
            name = f"{endpoint_name}-{variant_name}-{suffix}"
            metric = endpoint_metric(
                metric_name,
                endpoint_name=endpoint_name,
                variant_name=variant_name,
                statistic=statistic,
                period=period,
            )
            created = cloudwatch.Alarm(
                self,
                alarm_id,
                alarm_name=name,
                metric=metric,
                threshold=threshold,
                evaluation_periods=settings.evaluation_periods,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                # No traffic is not an outage; an idle endpoint must not roll back a deployment.
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
                alarm_description=f"{endpoint_name}/{variant_name}: {what}",
            )
            if topic is not None:
                created.add_alarm_action(cw_actions.SnsAction(topic))
                created.add_ok_action(cw_actions.SnsAction(topic))
            self.names.append(name)
            return name

        window = f"{settings.evaluation_periods} x {settings.period_seconds} s"
        errors_5xx = alarm(
            "Errors5xx",
            "errors-5xx",
            "Invocation5XXErrors",
            "Sum",
            settings.errors_5xx_threshold,
            f">= {settings.errors_5xx_threshold} 5XX errors per period for {window}",
        )
        alarm(
            "Errors4xx",
            "errors-4xx",
            "Invocation4XXErrors",
            "Sum",
            settings.errors_4xx_threshold,
            f">= {settings.errors_4xx_threshold} 4XX errors per period for {window}",
        )
        latency_p99 = alarm(
            "LatencyP99",
            "latency-p99",
            "ModelLatency",
            "p99",
            settings.latency_p99_ms * MICROSECONDS_PER_MS,
            f"ModelLatency p99 >= {settings.latency_p99_ms} ms for {window}",
        )
        # What a guarded deployment watches while it bakes (4XX is the callers' to fix).
        self.rollback_names = [errors_5xx, latency_p99]
