"""The S3 bucket that receives the endpoint's data capture (an `owned_bucket`)."""

from __future__ import annotations

from aws_cdk import aws_kms as kms
from constructs import Construct

from stacks.owned_bucket import owned_bucket
from stacks.settings import DataCaptureSettings

CAPTURE_PREFIX = "data-capture"


class CaptureBucket(Construct):
    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        settings: DataCaptureSettings,
        key: kms.IKey | None,
    ) -> None:
        super().__init__(scope, id_)
        self.settings = settings  # what the endpoint captures into this bucket, and how much
        self.bucket = owned_bucket(
            self,
            "Bucket",
            key=key,
            retain=settings.retain,
            expire_days=settings.expire_days,
            expiry_rule_id="expire-captures",
            writers="the endpoint's execution role (capture files)",
            no_versioning=(
                "SageMaker writes each capture file once under a new key and never "
                "overwrites it; versioning would only keep expired or deleted captures "
                "beyond data_capture.expire_days."
            ),
        )
        # CDK's custom resource that empties the bucket on delete: whoever writes to the bucket
        # must depend on it, so CloudFormation deletes the writer before it empties the bucket.
        self.auto_delete = self.bucket.node.try_find_child("AutoDeleteObjectsCustomResource")
        self.destination_uri = f"s3://{self.bucket.bucket_name}/{CAPTURE_PREFIX}"
        self.objects_arn = self.bucket.arn_for_objects(f"{CAPTURE_PREFIX}/*")
