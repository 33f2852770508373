"""A CloudWatch dashboard for one endpoint variant: traffic, errors, latency, alarms."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from constructs import Construct

from stacks.alarms import EndpointAlarms, endpoint_metric
from stacks.xgboost_endpoint import XgboostEndpoint

INSTANCE_NAMESPACE = "/aws/sagemaker/Endpoints"


class EndpointDashboard(Construct):
    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        endpoint: XgboostEndpoint,
        alarms: EndpointAlarms | None,
    ) -> None:
        super().__init__(scope, id_)
        # The names as configured, not the Endpoint's GetAtt: the dashboard body stays plain.
        endpoint_name = endpoint.configured_name
        variant_name = endpoint.variant_name
        minute = cdk.Duration.minutes(1)

        def metric(name: str, statistic: str) -> cloudwatch.Metric:
            return endpoint_metric(
                name,
                endpoint_name=endpoint_name,
                variant_name=variant_name,
                statistic=statistic,
                period=minute,
            )

        traffic: list[cloudwatch.IWidget] = [
            cloudwatch.GraphWidget(
                title="Invocations (per minute)", left=[metric("Invocations", "Sum")], width=8
            ),
            cloudwatch.GraphWidget(
                title="Errors (per minute)",
                left=[
                    metric("Invocation4XXErrors", "Sum"),
                    metric("Invocation5XXErrors", "Sum"),
                ],
                width=8,
            ),
            cloudwatch.GraphWidget(
                title="Latency (microseconds)",
                left=[
                    metric("ModelLatency", "p50"),
                    metric("ModelLatency", "p99"),
                    metric("OverheadLatency", "p99"),
                ],
                width=8,
            ),
        ]
        health: list[cloudwatch.IWidget] = []
        if endpoint.serverless is None:
            instance = {"EndpointName": endpoint_name, "VariantName": variant_name}
            health.append(
                cloudwatch.GraphWidget(
                    title="Instances (%)",
                    left=[
                        cloudwatch.Metric(
                            namespace=INSTANCE_NAMESPACE,
                            metric_name=name,
                            dimensions_map=instance,
                            statistic="Average",
                            period=minute,
                        )
                        for name in ("CPUUtilization", "MemoryUtilization", "DiskUtilization")
                    ],
                    width=12,
                )
            )
        if alarms is not None:
            # By name, as the endpoint refers to them (see stacks/alarms.py).
            imported: list[cloudwatch.IAlarm] = [
                cloudwatch.Alarm.from_alarm_name(self, f"Alarm{i}", name)
                for i, name in enumerate(alarms.names)
            ]
            health.append(cloudwatch.AlarmStatusWidget(title="Alarms", alarms=imported, width=12))
        # No dashboard name: CloudFormation generates one, so two stacks never collide.
        self.dashboard = cloudwatch.Dashboard(self, "Dashboard", widgets=[traffic, health])
