"""The deployable unit: composes the endpoint and its options, and declares every output."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aws_cdk as cdk
from constructs import Construct

from constants import (
    APP_TAG,
    BATCH_BUCKET_OUTPUT,
    BATCH_INPUT_PREFIX,
    BATCH_OUTPUT_PREFIX,
    DATA_CAPTURE_OUTPUT,
    ENDPOINT_NAME_OUTPUT,
    EXECUTION_ROLE_OUTPUT,
    IMAGE_REPOSITORY,
    IMAGE_TAG,
    INVOKE_URL_OUTPUT,
    LOG_GROUP_OUTPUT,
    MODEL_DATA_URL_OUTPUT,
    MODEL_NAME_OUTPUT,
    MODEL_SHA256_OUTPUT,
    PUBLIC_API_KEY_ID_OUTPUT,
    PUBLIC_API_URL_OUTPUT,
)
from stacks.alarms import EndpointAlarms, alarm_topic
from stacks.autoscaling import VariantAutoscaling
from stacks.batch_bucket import BatchBucket
from stacks.capture_bucket import CaptureBucket
from stacks.dashboard import EndpointDashboard
from stacks.encryption_key import endpoint_key
from stacks.idle_teardown import IdleTeardown
from stacks.log_retention import retention
from stacks.public_api.construct import PublicApi
from stacks.public_api.contract import ROUTE
from stacks.settings import AlarmSettings, EndpointSettings
from stacks.xgboost_endpoint import XgboostEndpoint

DESCRIPTION = (
    f"{APP_TAG}: an XGBoost model ({IMAGE_REPOSITORY}:{IMAGE_TAG}, script mode, JSON in/out) "
    "behind a SigV4-secured SageMaker real-time endpoint."
)


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
        log_retention = retention(settings.log_retention_days)
        # Retained data outlives the stack only if its key does: retain them together.
        retain_captures = bool(settings.data_capture and settings.data_capture.retain) or bool(
            settings.batch_transform and settings.batch_transform.retain
        )

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
        batch = (
            BatchBucket(self, "BatchTransform", settings=settings.batch_transform, key=key)
            if settings.batch_transform
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

        self.endpoint = XgboostEndpoint(
            self,
            "XgboostEndpoint",
            model_artifact=model_artifact,
            endpoint_name=endpoint_name,
            variant_name=variant,
            instance_type=settings.instance_type,
            instance_count=settings.instance_count,
            log_retention=log_retention,
            serverless=settings.serverless,
            network_isolation=settings.network_isolated,
            vpc=settings.vpc,
            deployment=settings.deployment,
            retain_instance_count=settings.autoscaling is not None,
            capture=capture,
            alarms=alarms,
            key=key,
            batch=batch,
        )
        if settings.autoscaling:
            VariantAutoscaling(
                self, "Autoscaling", endpoint=self.endpoint, settings=settings.autoscaling
            )
        if settings.idle_teardown:
            IdleTeardown(
                self,
                "IdleTeardown",
                settings=settings.idle_teardown,
                endpoint=self.endpoint,
                key=key,
            )
        if settings.dashboard:
            EndpointDashboard(self, "Dashboard", endpoint=self.endpoint, alarms=alarms)
        self.public_api = (
            PublicApi(
                self,
                "PublicApi",
                endpoint=self.endpoint,
                settings=settings.public_api,
                log_retention=log_retention,
                key=key,
            )
            if settings.public_api
            else None
        )
        self._declare_outputs(capture=capture, batch=batch)

    def _declare_outputs(self, *, capture: CaptureBucket | None, batch: BatchBucket | None) -> None:
        """Every output of the stack, here and nowhere else."""
        endpoint = self.endpoint
        outputs = {
            ENDPOINT_NAME_OUTPUT: (
                endpoint.endpoint_name,
                "Name to pass to sagemaker-runtime InvokeEndpoint",
            ),
            INVOKE_URL_OUTPUT: (
                endpoint.invoke_url,
                "HTTPS URL for a SigV4-signed POST (service sagemaker)",
            ),
            EXECUTION_ROLE_OUTPUT: (
                endpoint.role.role_arn,
                "Role SageMaker assumes to pull and serve",
            ),
            MODEL_DATA_URL_OUTPUT: (endpoint.model_data_url, "S3 URL of the deployed model.tar.gz"),
            LOG_GROUP_OUTPUT: (
                endpoint.log_group.log_group_name,
                "CloudWatch log group of the endpoint",
            ),
            MODEL_SHA256_OUTPUT: (endpoint.model_sha256, "sha256 of the deployed model.tar.gz"),
        }
        if capture is not None:
            outputs[DATA_CAPTURE_OUTPUT] = (
                capture.destination_uri,
                "S3 prefix of captured requests",
            )
        if batch is not None:
            outputs[BATCH_BUCKET_OUTPUT] = (
                batch.bucket.bucket_name,
                f"Batch transform bucket: inputs under {BATCH_INPUT_PREFIX}/, results under "
                f"{BATCH_OUTPUT_PREFIX}/",
            )
            outputs[MODEL_NAME_OUTPUT] = (
                endpoint.model.attr_model_name,
                "SageMaker Model for CreateTransformJob (python -m clients.batch_transform)",
            )
        if self.public_api is not None:
            outputs[PUBLIC_API_URL_OUTPUT] = (
                self.public_api.url,
                f"POST JSON here (API Gateway /{ROUTE})",
            )
            if self.public_api.api_key is not None:
                outputs[PUBLIC_API_KEY_ID_OUTPUT] = (
                    self.public_api.api_key.key_id,
                    "API key id: aws apigateway get-api-key --include-value --api-key <id>",
                )
        for output_id, (value, description) in outputs.items():
            cdk.CfnOutput(self, output_id, value=value, description=description)
