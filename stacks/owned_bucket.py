"""A bucket the stack owns for data SageMaker reads or writes (captures, batch inputs/outputs).

Encrypted (the stack's KMS key when there is one, else SSE-S3), public access blocked, TLS only,
objects expired by a lifecycle rule. Destroyed with the stack unless `retain`: CloudFormation
cannot delete a non-empty bucket, so CDK's auto-delete custom resource (a small Lambda) empties
it first.
"""

from __future__ import annotations

from dataclasses import dataclass

import aws_cdk as cdk
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from stacks.checkov_skips import skip_checks

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
# CDK's singleton provider for auto_delete_objects (one per stack).
AUTO_DELETE_PROVIDER_ID = "Custom::S3AutoDeleteObjectsCustomResourceProvider"


@dataclass(frozen=True, kw_only=True)
class OwnedBucketProps:
    key: kms.IKey | None  # the stack's key; None: SSE-S3
    retain: bool  # outlive the stack; else emptied and deleted with it
    expire_days: int  # objects expire this many days after they are written; 0: never
    expiry_rule_id: str
    writers: str  # who writes to it: the answer to the access-log findings
    no_versioning: str  # why its objects need no versions


class OwnedBucket(Construct):
    """The bucket (`bucket`), with its cdk-nag and checkov findings answered."""

    def __init__(self, scope: Construct, id_: str, *, props: OwnedBucketProps) -> None:
        super().__init__(scope, id_)
        key, retain, expire_days = props.key, props.retain, props.expire_days
        lifecycle = (
            [s3.LifecycleRule(id=props.expiry_rule_id, expiration=cdk.Duration.days(expire_days))]
            if expire_days
            else None
        )
        self.bucket = s3.Bucket(
            self,
            "Bucket",
            encryption=s3.BucketEncryption.KMS if key else s3.BucketEncryption.S3_MANAGED,
            encryption_key=key,
            bucket_key_enabled=bool(key),  # one data key per bucket, not per object: fewer calls
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            lifecycle_rules=lifecycle,
            removal_policy=cdk.RemovalPolicy.RETAIN if retain else cdk.RemovalPolicy.DESTROY,
            auto_delete_objects=not retain,
        )
        if not retain:
            _adjust_auto_delete_provider(self)
        no_access_logs = (
            f"Only {props.writers} write here; server access logs would need a second bucket "
            "of their own. Enable CloudTrail S3 data events if reads must be audited."
        )
        skip_checks(self.bucket, {"CKV_AWS_18": no_access_logs, "CKV_AWS_21": props.no_versioning})
        cdk.Validations.of(self.bucket).acknowledge(
            cdk.Acknowledgment(id="AwsSolutions-S1", reason=no_access_logs)
        )
        # No acknowledgement for CDK's auto-delete provider: cdk-nag does not inspect its role
        # (a raw CfnResource). It has AWSLambdaBasicExecutionRole (its own logs) and S3 rights
        # on this bucket only, from the bucket policy.

        # CDK's custom resource that empties the bucket on delete (None if retained): whoever
        # writes to the bucket must depend on it, so CloudFormation deletes the writer first.
        self.auto_delete = self.bucket.node.try_find_child("AutoDeleteObjectsCustomResource")

    def uri(self, prefix: str) -> str:
        return f"s3://{self.bucket.bucket_name}/{prefix}"

    def objects_under(self, prefix: str) -> str:
        """The ARN of every object under `prefix`/ (what a grant to that prefix names)."""
        return self.bucket.arn_for_objects(f"{prefix}/*")


def _adjust_auto_delete_provider(scope: Construct) -> None:
    """CDK's provider Lambda both GetAtts and DependsOn its role: cfn-lint W3005.

    The role has only a managed policy (no separate AWS::IAM::Policy to wait for), so the
    GetAtt alone orders creation correctly. Checkov's Lambda checks do not fit this function;
    each suppression says why. Idempotent: every owned bucket shares the provider.
    """
    provider = cdk.Stack.of(scope).node.find_child(AUTO_DELETE_PROVIDER_ID)
    handler = provider.node.find_child("Handler")
    assert isinstance(handler, cdk.CfnResource)
    handler.add_deletion_override("DependsOn")
    if handler.get_metadata("checkov") is None:  # one provider per stack
        skip_checks(handler, AUTO_DELETE_PROVIDER_SKIPS)
