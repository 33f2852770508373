"""The cdk-nag findings the execution policy answers by design, each with the reason it is true.

Each wildcard is confined to what SageMaker names at run time (log streams, capture files,
transform results, network interfaces) or to the calls that take no resource ARN.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_iam as iam

from constants import BATCH_INPUT_PREFIX, BATCH_OUTPUT_PREFIX, CAPTURE_PREFIX
from stacks.batch_bucket import BatchBucket
from stacks.capture_bucket import CaptureBucket
from stacks.endpoint_properties import endpoint_log_group_name
from stacks.settings import VpcSettings

# Where SageMaker writes every transform job's logs (one stream per job and instance).
TRANSFORM_LOG_GROUP = "/aws/sagemaker/TransformJobs"


def acknowledge_findings(
    policy: iam.Policy,
    *,
    endpoint_name: str,
    vpc: VpcSettings | None,
    capture: CaptureBucket | None,
    batch: BatchBucket | None,
) -> None:
    """cdk-nag findings we accept by design on the execution policy, each with its reason."""
    # cdk-nag names a wildcard finding by the resource with tokens shown as <AWS::...>.
    account_prefix = "arn:<AWS::Partition>:{service}:<AWS::Region>:<AWS::AccountId>:"
    log_streams = (
        account_prefix.format(service="logs")
        + f"log-group:{endpoint_log_group_name(endpoint_name)}:*"
    )
    acknowledgements = {
        "Resource::*": (
            "ecr:GetAuthorizationToken and cloudwatch:PutMetricData support no "
            "resource-level permissions; PutMetricData is limited to SageMaker's "
            "namespaces by a condition."
        ),
        f"Resource::{log_streams}": (
            "SageMaker names the log streams per instance at run time; the wildcard is "
            "confined to this endpoint's own log group."
        ),
    }
    if capture is not None:
        bucket_id = cdk.Stack.of(policy).get_logical_id(capture.bucket.node.default_child)
        acknowledgements[f"Resource::<{bucket_id}.Arn>/{CAPTURE_PREFIX}/*"] = (
            "SageMaker names each capture file by date and time when it writes it; "
            "the wildcard is confined to the data-capture/ prefix of the stack's own "
            "capture bucket and allows s3:PutObject only."
        )
    if batch is not None:
        batch_id = cdk.Stack.of(policy).get_logical_id(batch.bucket.node.default_child)
        acknowledgements[f"Resource::<{batch_id}.Arn>/{BATCH_INPUT_PREFIX}/*"] = (
            "A transform job reads whichever input objects you upload; the wildcard is "
            "confined to the batch-input/ prefix of the stack's own batch bucket and "
            "allows s3:GetObject only."
        )
        acknowledgements[f"Resource::<{batch_id}.Arn>/{BATCH_OUTPUT_PREFIX}/*"] = (
            "A transform job names each result after its input object (<input>.out); the "
            "wildcard is confined to the batch-output/ prefix of the stack's own batch "
            "bucket and allows s3:PutObject only."
        )
        transform_logs = (
            account_prefix.format(service="logs") + f"log-group:{TRANSFORM_LOG_GROUP}:*"
        )
        acknowledgements[f"Resource::{transform_logs}"] = (
            "SageMaker names a transform job's log streams per job and instance at run "
            "time; the wildcard is confined to the transform jobs' log group."
        )
    if vpc is not None:
        interfaces = account_prefix.format(service="ec2") + "network-interface/*"
        acknowledgements[f"Resource::{interfaces}"] = (
            "SageMaker creates and deletes the containers' network interfaces at run "
            "time, so their IDs are unknown at synth; creation is tied to the "
            "configured subnets and security groups, and the EC2 Describe* calls "
            "support no resource-level permissions."
        )
    for finding, reason in acknowledgements.items():
        cdk.Validations.of(policy).acknowledge(
            cdk.Acknowledgment(id=f"AwsSolutions-IAM5[{finding}]", reason=reason)
        )
