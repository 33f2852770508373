"""The deployable unit: one XgboostEndpoint and the outputs a caller needs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_logs as logs
from constructs import Construct

from stacks.alarms import EndpointAlarms, alarm_topic
from stacks.autoscaling import VariantAutoscaling
from stacks.capture_bucket import CaptureBucket
from stacks.dashboard import EndpointDashboard
from stacks.encryption_key import endpoint_key
from stacks.public_api import add_public_api
from stacks.settings import LOG_RETENTION_DAYS, AlarmSettings, EndpointSettings
from stacks.xgboost_endpoint import XgboostEndpoint

DESCRIPTION = (
    "sagemaker-xgb-cdk: an XGBoost model (sagemaker-xgboost:3.2-0, script mode, JSON in/out) "
    "behind a SigV4-secured SageMaker real-time endpoint."
)

# CloudWatch's retention periods in days, in the order aws_logs.RetentionDays lists them
# (INFINITE last, which we do not offer: a stack that owns logs should let them expire).
_RETENTION = dict(zip(LOG_RETENTION_DAYS, list(logs.RetentionDays)[:-1], strict=True))


class XgbEndpointStack(cdk.Stack):
    """Composes the endpoint from settings; wiring and outputs only."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: EndpointSettings,
        model_artifact: Path,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, description=DESCRIPTION, **kwargs)
        # A fixed endpoint name is safe (unlike Model/EndpointConfig names) and lets the stack
        # own the endpoint's log group; by default the endpoint is named after the stack.
        endpoint_name = settings.endpoint_name or self.stack_name
        variant = settings.variant_name
        retain_captures = bool(settings.data_capture and settings.data_capture.retain)

        key = (
            endpoint_key(self, "Key", setting=settings.kms, retain=retain_captures)
            if settings.kms
            else None
        )
        capture = (
            CaptureBucket(self, "DataCapture", settings=settings.data_capture, key=key)
            if settings.data_capture
            else None
        )
        # A guarded deployment rolls back on the stack's own alarms: it gets them by default.
        alarm_settings = settings.alarms or (AlarmSettings() if settings.deployment else None)
        alarms = (
            EndpointAlarms(
                self,
                "Alarms",
                endpoint_name=endpoint_name,
                variant_name=variant,
                settings=alarm_settings,
                topic=alarm_topic(self, setting=alarm_settings.sns_topic, key=key),
            )
            if alarm_settings
            else None
        )

        endpoint = XgboostEndpoint(
            self,
            "XgboostEndpoint",
            model_artifact=model_artifact,
            endpoint_name=endpoint_name,
            instance_type=settings.instance_type,
            instance_count=settings.instance_count,
            variant_name=variant,
            log_retention=_RETENTION[settings.log_retention_days],
            serverless=settings.serverless,
            network_isolation=settings.network_isolation,
            vpc=settings.vpc,
            kms_key=key,
            data_capture=settings.data_capture,
            capture_bucket=capture,
            deployment=settings.deployment,
            rollback_alarm_names=alarms.rollback_names if alarms else None,
            retain_instance_count=settings.autoscaling is not None,
        )
        self.endpoint = endpoint
        if alarms is not None:
            # Referred to by name: SageMaker checks the rollback alarms exist when it starts.
            endpoint.endpoint.node.add_dependency(alarms)
        if settings.autoscaling:
            VariantAutoscaling(
                self,
                "Autoscaling",
                endpoint_name=endpoint.endpoint_name,
                variant_name=variant,
                settings=settings.autoscaling,
            )
        if settings.dashboard:
            EndpointDashboard(
                self,
                "Dashboard",
                endpoint_name=endpoint_name,
                variant_name=variant,
                alarm_names=alarms.names if alarms else [],
                serverless=settings.serverless is not None,
            )

        outputs = {
            "EndpointName": (
                endpoint.endpoint_name,
                "Name to pass to sagemaker-runtime InvokeEndpoint",
            ),
            "InvokeUrl": (
                endpoint.invoke_url,
                "HTTPS URL for a SigV4-signed POST (service sagemaker)",
            ),
            "ExecutionRoleArn": (
                endpoint.role.role_arn,
                "Role SageMaker assumes to pull and serve",
            ),
            "ModelDataUrl": (endpoint.model_data_url, "S3 URL of the deployed model.tar.gz"),
            "LogGroupName": (
                endpoint.log_group.log_group_name,
                "CloudWatch log group of the endpoint",
            ),
            "ModelSha256": (endpoint.model_sha256, "sha256 of the deployed model.tar.gz"),
        }
        if capture is not None:
            outputs["DataCaptureUri"] = (capture.destination_uri, "S3 prefix of captured requests")
        for output_id, (value, description) in outputs.items():
            cdk.CfnOutput(self, output_id, value=value, description=description)

        self.public_api = add_public_api(
            self,
            endpoint_name=endpoint.endpoint_name,
            endpoint_arn=endpoint.endpoint.ref,
            settings=settings.public_api,
            log_retention=_RETENTION[settings.log_retention_days],
        )
