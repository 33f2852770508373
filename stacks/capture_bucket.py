"""The S3 bucket that receives the endpoint's data capture, under `data-capture/`."""

from __future__ import annotations

from aws_cdk import aws_kms as kms
from constructs import Construct

from constants import CAPTURE_PREFIX
from stacks.owned_bucket import OwnedBucket, OwnedBucketProps
from stacks.settings import DataCaptureSettings


class CaptureBucket(OwnedBucket):
    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        settings: DataCaptureSettings,
        key: kms.IKey | None,
    ) -> None:
        props = OwnedBucketProps(
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
        super().__init__(scope, id_, props=props)
        self.settings = settings  # what the endpoint captures into this bucket, and how much
        self.destination_uri = self.uri(CAPTURE_PREFIX)
        self.objects_arn = self.objects_under(CAPTURE_PREFIX)
