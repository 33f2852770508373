"""ExecutionRole: the role SageMaker assumes to serve one endpoint, least privilege.

It may read the one model object, pull the one serving image, write its own log group and publish
SageMaker's metrics; with the options on, also write captures, encrypt them and attach to your
VPC. Every cdk-nag finding it answers is acknowledged, with the reason it is true, in
`stacks.execution_role_findings`.
"""

from __future__ import annotations

from collections.abc import Sequence

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3_assets as s3_assets
from constructs import Construct

from constants import BATCH_INPUT_PREFIX, IMAGE_REPOSITORY
from stacks.batch_bucket import BatchBucket
from stacks.capture_bucket import CaptureBucket
from stacks.endpoint_properties import endpoint_log_group_name
from stacks.execution_role_findings import TRANSFORM_LOG_GROUP, acknowledge_findings
from stacks.settings import VpcSettings

# Namespaces the execution role may publish metrics to: invocation metrics and instance metrics.
METRIC_NAMESPACES = ["AWS/SageMaker", "/aws/sagemaker/Endpoints"]
# What SageMaker needs to attach the containers to your subnets: the list in its guide
# "Give SageMaker AI hosted endpoints access to resources in your Amazon VPC".
VPC_DESCRIBE_ACTIONS = [
    "ec2:DescribeDhcpOptions",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeSubnets",
    "ec2:DescribeVpcEndpoints",
    "ec2:DescribeVpcs",
]
VPC_INTERFACE_ACTIONS = [
    "ec2:CreateNetworkInterfacePermission",
    "ec2:DeleteNetworkInterface",
    "ec2:DeleteNetworkInterfacePermission",
]


class ExecutionRole(iam.Role):
    """The role, with its least-privilege `policy`: the Model must depend on the policy too.

    The policy is the role's sibling in `scope`, named after it (ExecutionRole: ExecutionPolicy):
    a Policy attaches to roles rather than living in them, and both keep the construct paths,
    and so the logical IDs, they have always had.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        endpoint_name: str,
        artifact: s3_assets.Asset,
        image_account: str,
        vpc: VpcSettings | None = None,
        capture: CaptureBucket | None = None,
        batch: BatchBucket | None = None,
        key: kms.IKey | None = None,
        rollback_alarm_names: Sequence[str] = (),
    ) -> None:
        super().__init__(
            scope,
            id_,
            assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com"),
            description=f"SageMaker execution role for endpoint {endpoint_name}",
        )
        self._endpoint_name = endpoint_name
        self.policy = iam.Policy(
            scope,
            f"{id_.removesuffix('Role')}Policy",
            roles=[self],
            statements=self._serving_statements(artifact=artifact, image_account=image_account)
            + self._capture_statements(capture=capture, key=key)
            + self._vpc_statements(vpc)
            + self._batch_statements(batch=batch, key=key)
            + self._rollback_statements(rollback_alarm_names),
        )
        acknowledge_findings(
            self.policy, endpoint_name=endpoint_name, vpc=vpc, capture=capture, batch=batch
        )

    def _serving_statements(
        self, *, artifact: s3_assets.Asset, image_account: str
    ) -> list[iam.PolicyStatement]:
        stack = cdk.Stack.of(self)
        log_group_arn = stack.format_arn(
            service="logs",
            resource="log-group",
            resource_name=endpoint_log_group_name(self._endpoint_name),
            arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
        )
        repository_arn = stack.format_arn(
            service="ecr",
            account=image_account,
            resource="repository",
            resource_name=IMAGE_REPOSITORY,
        )
        return [
            iam.PolicyStatement(
                sid="ReadModelArtifact",
                actions=["s3:GetObject"],
                resources=[artifact.bucket.arn_for_objects(artifact.s3_object_key)],
            ),
            iam.PolicyStatement(
                sid="PullServingImage",
                actions=[
                    "ecr:BatchCheckLayerAvailability",
                    "ecr:BatchGetImage",
                    "ecr:GetDownloadUrlForLayer",
                ],
                resources=[repository_arn],
            ),
            iam.PolicyStatement(
                sid="AuthenticateToEcr",
                actions=["ecr:GetAuthorizationToken"],
                resources=["*"],
            ),
            iam.PolicyStatement(
                sid="WriteEndpointLogs",
                actions=[
                    "logs:CreateLogGroup",
                    "logs:CreateLogStream",
                    "logs:DescribeLogStreams",
                    "logs:PutLogEvents",
                ],
                resources=[log_group_arn, f"{log_group_arn}:*"],
            ),
            iam.PolicyStatement(
                sid="PublishEndpointMetrics",
                actions=["cloudwatch:PutMetricData"],
                resources=["*"],
                conditions={"StringEquals": {"cloudwatch:namespace": METRIC_NAMESPACES}},
            ),
        ]

    @staticmethod
    def _capture_statements(
        *, capture: CaptureBucket | None, key: kms.IKey | None
    ) -> list[iam.PolicyStatement]:
        if capture is None:
            return []
        statements = [
            iam.PolicyStatement(
                sid="WriteDataCapture", actions=["s3:PutObject"], resources=[capture.objects_arn]
            )
        ]
        if key is not None:
            statements.append(
                iam.PolicyStatement(
                    sid="EncryptDataCapture",
                    # kms:Decrypt too: S3 needs it for a multipart upload to an SSE-KMS bucket.
                    actions=["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
                    resources=[key.key_arn],
                )
            )
        return statements

    def _batch_statements(
        self, *, batch: BatchBucket | None, key: kms.IKey | None
    ) -> list[iam.PolicyStatement]:
        """A transform job lists and reads batch-input/, writes batch-output/ and its own logs."""
        if batch is None:
            return []
        stack = cdk.Stack.of(self)
        statements = [
            iam.PolicyStatement(
                sid="ListBatchInputs",
                actions=["s3:ListBucket"],
                resources=[batch.bucket.bucket_arn],
                conditions={"StringLike": {"s3:prefix": [f"{BATCH_INPUT_PREFIX}/*"]}},
            ),
            iam.PolicyStatement(
                sid="ReadBatchInputs", actions=["s3:GetObject"], resources=[batch.input_objects_arn]
            ),
            iam.PolicyStatement(
                sid="WriteBatchOutputs",
                actions=["s3:PutObject"],
                resources=[batch.output_objects_arn],
            ),
            iam.PolicyStatement(
                sid="WriteTransformJobLogs",
                actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                resources=[
                    stack.format_arn(
                        service="logs",
                        resource="log-group",
                        resource_name=f"{TRANSFORM_LOG_GROUP}:*",
                        arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
                    )
                ],
            ),
        ]
        if key is not None:
            statements.append(
                iam.PolicyStatement(
                    sid="UseKeyForBatchData",
                    actions=["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
                    resources=[key.key_arn],
                )
            )
        return statements

    def _rollback_statements(self, alarm_names: Sequence[str]) -> list[iam.PolicyStatement]:
        """The deployment-guardrails guide: the execution role must be allowed
        cloudwatch:DescribeAlarms on the auto-rollback alarms, and on those alone here."""
        if not alarm_names:
            return []
        stack = cdk.Stack.of(self)
        alarms = [
            stack.format_arn(
                service="cloudwatch",
                resource="alarm",
                resource_name=name,
                arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
            )
            for name in alarm_names
        ]
        return [
            iam.PolicyStatement(
                sid="ReadRollbackAlarms", actions=["cloudwatch:DescribeAlarms"], resources=alarms
            )
        ]

    def _vpc_statements(self, vpc: VpcSettings | None) -> list[iam.PolicyStatement]:
        if vpc is None:
            return []
        stack = cdk.Stack.of(self)

        def ec2_arn(resource: str, name: str) -> str:
            return stack.format_arn(service="ec2", resource=resource, resource_name=name)

        interfaces = ec2_arn("network-interface", "*")
        return [
            iam.PolicyStatement(sid="DescribeVpc", actions=VPC_DESCRIBE_ACTIONS, resources=["*"]),
            iam.PolicyStatement(
                sid="CreateNetworkInterfaces",
                actions=["ec2:CreateNetworkInterface"],
                resources=[
                    interfaces,
                    *(ec2_arn("subnet", s) for s in vpc.subnet_ids),
                    *(ec2_arn("security-group", g) for g in vpc.security_group_ids),
                ],
            ),
            iam.PolicyStatement(
                sid="ManageNetworkInterfaces", actions=VPC_INTERFACE_ACTIONS, resources=[interfaces]
            ),
        ]
