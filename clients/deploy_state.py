"""What CloudFormation says a stack deployed, and what SageMaker is serving: read, not judged.

`clients.verify_deploy` compares the two. Every read is a Describe/List call, so a reader with
read-only permissions can run the check; unit tests hand in stub clients with the same methods.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from clients.deployed_stack import describe_stack, outputs_of
from constants import SHA256_TAG

ENDPOINT_CONFIG_TYPE = "AWS::SageMaker::EndpointConfig"
MODEL_TYPE = "AWS::SageMaker::Model"


class NotDeployed(Exception):
    """The stack or the endpoint does not exist; the message says which."""


@dataclass(frozen=True)
class StackState:
    """The stack as CloudFormation has it: status, outputs, and its SageMaker resources' names."""

    name: str
    status: str
    outputs: dict[str, str]
    endpoint_config_names: list[str]
    model_names: list[str]


@dataclass(frozen=True)
class LiveModel:
    name: str
    model_data_url: str | None
    sha256_tag: str | None


@dataclass(frozen=True)
class EndpointState:
    """The endpoint as SageMaker serves it now."""

    name: str
    status: str
    failure_reason: str | None
    config_name: str
    models: list[LiveModel] = field(default_factory=list)


def resource_name(physical_id: str) -> str:
    """A SageMaker resource's name from its physical id, which may be an ARN (`.../name`)."""
    return physical_id.rsplit("/", 1)[-1]


def same_name(a: str, b: str) -> bool:
    """SageMaker ARNs carry names in lower case: compare names the way SageMaker does."""
    return resource_name(a).lower() == resource_name(b).lower()


def read_stack(cloudformation: Any, stack_name: str) -> StackState:
    stack = describe_stack(cloudformation, stack_name)
    if stack is None:
        raise NotDeployed(f"no stack named {stack_name}")
    by_type: dict[str, list[str]] = {ENDPOINT_CONFIG_TYPE: [], MODEL_TYPE: []}
    for page in cloudformation.get_paginator("list_stack_resources").paginate(StackName=stack_name):
        for resource in page["StackResourceSummaries"]:
            if resource["ResourceType"] in by_type and resource.get("PhysicalResourceId"):
                by_type[resource["ResourceType"]].append(
                    resource_name(resource["PhysicalResourceId"])
                )
    return StackState(
        name=stack["StackName"],
        status=stack["StackStatus"],
        outputs=outputs_of(stack),
        endpoint_config_names=by_type[ENDPOINT_CONFIG_TYPE],
        model_names=by_type[MODEL_TYPE],
    )


def read_endpoint(sagemaker: Any, endpoint_name: str) -> EndpointState:
    try:
        endpoint = sagemaker.describe_endpoint(EndpointName=endpoint_name)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ValidationException":
            raise NotDeployed(f"no endpoint named {endpoint_name}") from None
        raise
    config = sagemaker.describe_endpoint_config(EndpointConfigName=endpoint["EndpointConfigName"])
    models = [
        _read_model(sagemaker, variant["ModelName"])
        for variant in config.get("ProductionVariants", [])
    ]
    return EndpointState(
        name=endpoint["EndpointName"],
        status=endpoint["EndpointStatus"],
        failure_reason=endpoint.get("FailureReason"),
        config_name=endpoint["EndpointConfigName"],
        models=models,
    )


def _read_model(sagemaker: Any, model_name: str) -> LiveModel:
    try:
        model = sagemaker.describe_model(ModelName=model_name)
    except ClientError:
        return LiveModel(name=model_name, model_data_url=None, sha256_tag=None)  # deleted
    tags = sagemaker.list_tags(ResourceArn=model["ModelArn"]).get("Tags", [])
    sha = next((t["Value"] for t in tags if t.get("Key") == SHA256_TAG), None)
    url = model.get("PrimaryContainer", {}).get("ModelDataUrl")
    return LiveModel(name=model["ModelName"], model_data_url=url, sha256_tag=sha)
