"""The S3 bucket that receives the endpoint's data capture.

Encrypted (the stack's KMS key when there is one, else SSE-S3), public access blocked, TLS only.
Destroyed with the stack unless `retain`: CloudFormation cannot delete a non-empty bucket, so
CDK's auto-delete custom resource (a small Lambda) empties it first.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from stacks.checkov_skips import skip_checks
from stacks.settings import DataCaptureSettings

CAPTURE_PREFIX = "data-capture"
# CDK's singleton provider for auto_delete_objects (one per stack).
AUTO_DELETE_PROVIDER_ID = "Custom::S3AutoDeleteObjectsCustomResourceProvider"


# Checkov's Lambda checks on CDK's own auto-delete provider, each with the reason it is moot.
AUTO_DELETE_PROVIDER_SKIPS = {
    "CKV_AWS_115": (
        "CDK's auto-delete provider runs once per stack deletion or bucket replacement; "
        "reserving concurrency for it would only take capacity from the account's pool."
    ),
    "CKV_AWS_116": (
        "CloudFormation invokes this custom-resource provider and waits for its response: a "
        "failure fails the stack operation in view of the deployer, so a dead-letter queue "
        "would hold events nobody replays."
    ),
    "CKV_AWS_117": (
        "CDK's auto-delete provider calls only the S3 API on this bucket; the stack has no VPC "
        "of its own to place it in, and a VPC would add NAT or endpoints for no isolation gain."
    ),
}


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
        lifecycle = (
            [
                s3.LifecycleRule(
                    id="expire-captures", expiration=cdk.Duration.days(settings.expire_days)
                )
            ]
            if settings.expire_days
            else None
        )
        self.bucket = s3.Bucket(
            self,
            "Bucket",
            encryption=s3.BucketEncryption.KMS if key else s3.BucketEncryption.S3_MANAGED,
            encryption_key=key,
            bucket_key_enabled=bool(
                key
            ),  # one data key per bucket, not per object: fewer KMS calls
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            lifecycle_rules=lifecycle,
            removal_policy=cdk.RemovalPolicy.RETAIN
            if settings.retain
            else cdk.RemovalPolicy.DESTROY,
            auto_delete_objects=not settings.retain,
        )
        # CDK's custom resource that empties the bucket on delete: whoever writes to the bucket
        # must depend on it, so CloudFormation deletes the writer before it empties the bucket.
        self.auto_delete = self.bucket.node.try_find_child("AutoDeleteObjectsCustomResource")
        self.destination_uri = f"s3://{self.bucket.bucket_name}/{CAPTURE_PREFIX}"
        self.objects_arn = self.bucket.arn_for_objects(f"{CAPTURE_PREFIX}/*")
        if not settings.retain:
            self._adjust_auto_delete_provider()
        self._acknowledge_findings()

    def _adjust_auto_delete_provider(self) -> None:
        """CDK's provider Lambda both GetAtts and DependsOn its role: cfn-lint W3005.

        The role has only a managed policy (no separate AWS::IAM::Policy to wait for), so the
        GetAtt alone orders creation correctly. Checkov's Lambda checks do not fit this
        function; each suppression says why.
        """
        provider = cdk.Stack.of(self).node.find_child(AUTO_DELETE_PROVIDER_ID)
        handler = provider.node.find_child("Handler")
        assert isinstance(handler, cdk.CfnResource)
        handler.add_deletion_override("DependsOn")
        if handler.get_metadata("checkov") is None:  # one provider per stack
            skip_checks(handler, AUTO_DELETE_PROVIDER_SKIPS)

    def _acknowledge_findings(self) -> None:
        skip_checks(
            self.bucket,
            {
                "CKV_AWS_18": (
                    "Only the endpoint's execution role writes here; server access logs would "
                    "need a second bucket of their own. Enable CloudTrail S3 data events if "
                    "reads must be audited."
                ),
                "CKV_AWS_21": (
                    "SageMaker writes each capture file once under a new key and never "
                    "overwrites it; versioning would only keep expired or deleted captures "
                    "beyond data_capture.expire_days."
                ),
            },
        )
        cdk.Validations.of(self.bucket).acknowledge(
            cdk.Acknowledgment(
                id="AwsSolutions-S1",
                reason=(
                    "Only the endpoint's execution role writes here (capture files); server "
                    "access logs would need a second bucket of their own. Enable CloudTrail S3 "
                    "data events if reads must be audited."
                ),
            )
        )
        # No acknowledgement for CDK's auto-delete provider: cdk-nag does not inspect its role
        # (a raw CfnResource). It has AWSLambdaBasicExecutionRole (its own logs) and S3 rights on
        # this bucket only, from the bucket policy.
