"""A bucket the stack owns for data SageMaker reads or writes (captures, batch inputs/outputs).

Encrypted (the stack's KMS key when there is one, else SSE-S3), public access blocked, TLS only,
objects expired by a lifecycle rule. Destroyed with the stack unless `retain`: CloudFormation
cannot delete a non-empty bucket, so CDK's auto-delete custom resource (a small Lambda) empties
it first.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

# CDK's singleton provider for auto_delete_objects (one per stack).
AUTO_DELETE_PROVIDER_ID = "Custom::S3AutoDeleteObjectsCustomResourceProvider"


def owned_bucket(
    scope: Construct,
    id_: str,
    *,
    key: kms.IKey | None,
    retain: bool,
    expire_days: int,
    expiry_rule_id: str,
    writers: str,
) -> s3.Bucket:
    """The bucket, with its cdk-nag S1 finding acknowledged; `writers` says who writes to it."""
    lifecycle = (
        [s3.LifecycleRule(id=expiry_rule_id, expiration=cdk.Duration.days(expire_days))]
        if expire_days
        else None
    )
    bucket = s3.Bucket(
        scope,
        id_,
        encryption=s3.BucketEncryption.KMS if key else s3.BucketEncryption.S3_MANAGED,
        encryption_key=key,
        bucket_key_enabled=bool(key),  # one data key per bucket, not per object: fewer KMS calls
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        enforce_ssl=True,
        lifecycle_rules=lifecycle,
        removal_policy=cdk.RemovalPolicy.RETAIN if retain else cdk.RemovalPolicy.DESTROY,
        auto_delete_objects=not retain,
    )
    if not retain:
        _drop_redundant_dependency(scope)
    cdk.Validations.of(bucket).acknowledge(
        cdk.Acknowledgment(
            id="AwsSolutions-S1",
            reason=(
                f"Only {writers} write here; server access logs would need a second bucket of "
                "their own. Enable CloudTrail S3 data events if reads must be audited."
            ),
        )
    )
    # No acknowledgement for CDK's auto-delete provider: cdk-nag does not inspect its role
    # (a raw CfnResource). It has AWSLambdaBasicExecutionRole (its own logs) and S3 rights on
    # this bucket only, from the bucket policy.
    return bucket


def _drop_redundant_dependency(scope: Construct) -> None:
    """CDK's provider Lambda both GetAtts and DependsOn its role: cfn-lint W3005.

    The role has only a managed policy (no separate AWS::IAM::Policy to wait for), so the
    GetAtt alone orders creation correctly. Idempotent: every owned bucket shares the provider.
    """
    provider = cdk.Stack.of(scope).node.find_child(AUTO_DELETE_PROVIDER_ID)
    handler = provider.node.find_child("Handler")
    assert isinstance(handler, cdk.CfnResource)
    handler.add_deletion_override("DependsOn")
