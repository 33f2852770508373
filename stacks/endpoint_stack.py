"""The deployable unit: one XgboostEndpoint and the outputs a caller needs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_logs as logs
from constructs import Construct

from stacks.config import LOG_RETENTION_DAYS, EndpointSettings
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

        endpoint = XgboostEndpoint(
            self,
            "XgboostEndpoint",
            model_artifact=model_artifact,
            # A fixed endpoint name is safe (unlike Model/EndpointConfig names) and lets the stack
            # own the endpoint's log group; by default the endpoint is named after the stack.
            endpoint_name=settings.endpoint_name or self.stack_name,
            instance_type=settings.instance_type,
            instance_count=settings.instance_count,
            variant_name=settings.variant_name,
            log_retention=_RETENTION[settings.log_retention_days],
        )
        self.endpoint = endpoint

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
        for output_id, (value, description) in outputs.items():
            cdk.CfnOutput(self, output_id, value=value, description=description)
