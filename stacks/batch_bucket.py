"""The S3 bucket batch transform jobs read their inputs from and write their outputs to.

Inputs go under `batch-input/`, results under `batch-output/`: the execution role may read the
one prefix and write the other, nothing more (stacks/execution_role.py).
"""

from __future__ import annotations

from aws_cdk import aws_kms as kms
from constructs import Construct

from constants import BATCH_INPUT_PREFIX, BATCH_OUTPUT_PREFIX
from stacks.owned_bucket import OwnedBucket, OwnedBucketProps
from stacks.settings import BatchTransformSettings


class BatchBucket(OwnedBucket):
    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        settings: BatchTransformSettings,
        key: kms.IKey | None,
    ) -> None:
        props = OwnedBucketProps(
            key=key,
            retain=settings.retain,
            expire_days=settings.expire_days,
            expiry_rule_id="expire-batch-data",
            writers="you (inputs) and the execution role (transform outputs)",
            no_versioning=(
                "Inputs and results are working copies of data kept elsewhere, written once per "
                "job under the job's own prefix; versions would only keep them past "
                "batch_transform.expire_days."
            ),
        )
        super().__init__(scope, id_, props=props)
        self.settings = settings
        self.input_objects_arn = self.objects_under(BATCH_INPUT_PREFIX)
        self.output_objects_arn = self.objects_under(BATCH_OUTPUT_PREFIX)
