"""`AWS::CDK::Metadata`, the resource every CDK template carries: CloudFormation creates it (it
records which constructs the app used) and lists it among the stack's resources."""

from __future__ import annotations

import uuid
from typing import Any

from moto.core.common_models import CloudFormationModel


class CdkMetadata(CloudFormationModel):
    def __init__(self) -> None:
        self.physical_resource_id = str(uuid.uuid4())

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::CDK::Metadata"

    @staticmethod
    def cloudformation_name_type() -> str:
        return ""

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return False

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> CdkMetadata:
        return cls()

    def delete(self, account_id: str, region_name: str) -> None:
        """Nothing outside the stack to delete."""


def cdk_metadata_is_a_resource() -> None:
    """AWS creates a CDK template's `AWS::CDK::Metadata` and lists it in ListStackResources;
    moto skipped it and listed an entry with no LogicalResourceId or ResourceType, which boto3
    and the AWS CLI fail to read (KeyError on `LogicalResourceId`)."""
    from moto.cloudformation import parsing

    parsing.get_model_map.cache_clear()
    parsing.get_name_type_map.cache_clear()
    if "AWS::CDK::Metadata" not in parsing.get_model_map():
        raise RuntimeError("moto did not register AWS::CDK::Metadata")
