"""The S3 bucket batch transform jobs read their inputs from and write their outputs to.

Inputs go under `batch-input/`, results under `batch-output/`: the execution role may read the
one prefix and write the other, nothing more (stacks/execution_role.py).
"""

from __future__ import annotations

from aws_cdk import aws_kms as kms
from constructs import Construct

from stacks.owned_bucket import owned_bucket
from stacks.settings import BatchTransformSettings

INPUT_PREFIX = "batch-input"
OUTPUT_PREFIX = "batch-output"


class BatchBucket(Construct):
    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        settings: BatchTransformSettings,
        key: kms.IKey | None,
    ) -> None:
        super().__init__(scope, id_)
        self.settings = settings
        self.bucket = owned_bucket(
            self,
            "Bucket",
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
        self.input_objects_arn = self.bucket.arn_for_objects(f"{INPUT_PREFIX}/*")
        self.output_objects_arn = self.bucket.arn_for_objects(f"{OUTPUT_PREFIX}/*")
