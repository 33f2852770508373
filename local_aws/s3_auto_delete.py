"""CDK's `Custom::S3AutoDeleteObjects` (a bucket with `auto_delete_objects`) without Docker.

On AWS the resource's Lambda empties the bucket when the stack is deleted, so CloudFormation can
then delete it. moto runs a custom resource's Lambda only in Docker: without it the stack waits
for the resource forever. Locally the resource is created at once, and its deletion empties the
bucket and deletes it, which is what the Lambda and CloudFormation do together on AWS.
"""

from __future__ import annotations

import functools
from typing import Any

from moto.cloudformation.custom_model import CustomModel
from moto.s3.exceptions import MissingBucket
from moto.s3.models import FakeBucket, s3_backends
from moto.utilities.utils import get_partition

AUTO_DELETE_TYPE = "Custom::S3AutoDeleteObjects"


class AutoDeleteObjects(CustomModel):
    """Created finished (no Lambda to wait for); deleting it empties and deletes its bucket."""

    def __init__(self, region_name: str, logical_id: str, bucket_name: str) -> None:
        super().__init__(region_name, "", logical_id, f"{logical_id}-{bucket_name}")
        self.bucket_name = bucket_name
        self.set_data({})

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> AutoDeleteObjects:
        bucket = cloudformation_json["Properties"]["BucketName"]
        return cls(region_name, kwargs["LogicalId"], bucket)

    def delete(self, account_id: str, region_name: str) -> None:
        backend = s3_backends[account_id][get_partition(region_name)]
        try:
            bucket = backend.get_bucket(self.bucket_name)
        except MissingBucket:
            return
        for key in list(bucket.keys.keys()):
            backend.delete_object(self.bucket_name, key)
        backend.delete_bucket(self.bucket_name)


def s3_auto_delete_objects_empties_the_bucket() -> None:
    """A bucket with CDK's auto-delete custom resource deploys, and `cdk destroy` empties and
    removes it, as on AWS; moto waited forever for the resource's Lambda (Docker only)."""
    from moto.cloudformation import parsing

    original = parsing.resource_class_from_type

    @functools.wraps(original)
    def resource_class(resource_type: str) -> Any:
        if resource_type == AUTO_DELETE_TYPE:
            return AutoDeleteObjects
        return original(resource_type)

    parsing.resource_class_from_type = resource_class
    bucket_delete = FakeBucket.delete_from_cloudformation_json.__func__  # type: ignore[attr-defined]

    def delete_bucket(cls: Any, resource_name: str, *args: Any, **kwargs: Any) -> None:
        # The auto-delete resource may have removed the bucket first (moto deletes in no order).
        try:
            bucket_delete(cls, resource_name, *args, **kwargs)
        except MissingBucket:
            return

    FakeBucket.delete_from_cloudformation_json = classmethod(delete_bucket)  # type: ignore[method-assign,assignment]
