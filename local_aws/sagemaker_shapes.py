"""SageMaker describe responses in AWS's shapes: an optional structure that was never set is
absent, not `{}`. SDK v3 (`sagemaker-core`) parses every describe response into typed shapes and
rejects `DataCaptureConfig: {}` ("destination_s3_uri Field required")."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from moto.core.responses import ActionResult
from moto.sagemaker.responses import SageMakerResponse

DESCRIBE_ACTIONS = ("describe_endpoint", "describe_endpoint_config", "describe_model")


def without_empty_objects(value: Any) -> Any:
    """`value` with every `{}` (and None) member of a structure dropped, at any depth."""
    if isinstance(value, dict):
        return {
            key: without_empty_objects(item)
            for key, item in value.items()
            if item is not None and item != {}
        }
    if isinstance(value, list):
        return [without_empty_objects(item) for item in value]
    return value


def endpoint_config_omits_absent_configs() -> None:
    """AWS's DescribeEndpoint, DescribeEndpointConfig and DescribeModel omit optional
    structures that were not set (DataCaptureConfig, AsyncInferenceConfig, VpcConfig, ...);
    moto stored `{}` for them (always on its CloudFormation path) and returned it."""
    for action in DESCRIBE_ACTIONS:
        setattr(SageMakerResponse, action, _shaped(getattr(SageMakerResponse, action)))


def _shaped(handler: Callable[[Any], ActionResult]) -> Callable[[Any], ActionResult]:
    @functools.wraps(handler)
    def describe(self: Any) -> ActionResult:
        result = handler(self).result
        return ActionResult(without_empty_objects(result))

    return describe
