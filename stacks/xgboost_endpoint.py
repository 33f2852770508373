"""XgboostEndpoint: everything one SageMaker real-time endpoint for an XGBoost model needs.

Owns the S3 asset, a least-privilege execution role, the Model, EndpointConfig and Endpoint, and
the endpoint's log group (so `cdk destroy` leaves no log group behind). Model and EndpointConfig
get no names: every property is replace-only, so CloudFormation must be free to create new ones
and move the endpoint over.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3_assets as s3_assets
from aws_cdk import aws_sagemaker as sagemaker
from constructs import Construct

from stacks.image_registry import IMAGE_REPOSITORY, IMAGE_TAG, REGISTRY_ACCOUNTS

# Script mode: the container imports code/inference.py from the extracted tarball.
SUBMIT_DIRECTORY = "/opt/ml/model/code"
PROGRAM = "inference.py"
# Namespaces the execution role may publish metrics to: invocation metrics and instance metrics.
METRIC_NAMESPACES = ["AWS/SageMaker", "/aws/sagemaker/Endpoints"]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class XgboostEndpoint(Construct):
    """A real-time endpoint serving `model_artifact` with sagemaker-xgboost in script mode."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        model_artifact: Path,
        endpoint_name: str,
        instance_type: str,
        instance_count: int,
        variant_name: str,
        log_retention: logs.RetentionDays,
    ) -> None:
        super().__init__(scope, id_)
        if not model_artifact.name.endswith(".tar.gz"):
            raise ValueError(
                f"model_artifact must be a .tar.gz file; given {str(model_artifact)!r}"
            )
        if not model_artifact.is_file():
            raise ValueError(
                f"model_artifact {str(model_artifact)!r} does not exist: "
                "run `python -m model_build` first (cdk.json's build step does)"
            )
        stack = cdk.Stack.of(self)

        # The asset hash is the tarball's sha256: the same model bytes never make a new asset,
        # and the tag below tells a console reader which model is live.
        self.model_sha256 = file_sha256(model_artifact)
        self.artifact = s3_assets.Asset(
            self,
            "ModelArtifact",
            path=str(model_artifact),
            asset_hash=self.model_sha256,
            asset_hash_type=cdk.AssetHashType.CUSTOM,
        )
        self.model_data_url = self.artifact.s3_object_url

        registry = cdk.CfnMapping(
            self,
            "ImageRegistry",
            mapping={region: {"account": account} for region, account in REGISTRY_ACCOUNTS.items()},
        )
        image_account = registry.find_in_map(stack.region, "account")
        registry_host = f"{image_account}.dkr.ecr.{stack.region}.{stack.url_suffix}"
        self.image_uri = f"{registry_host}/{IMAGE_REPOSITORY}:{IMAGE_TAG}"

        self.log_group = logs.LogGroup(
            self,
            "LogGroup",
            log_group_name=f"/aws/sagemaker/Endpoints/{endpoint_name}",
            retention=log_retention,
            removal_policy=cdk.RemovalPolicy.DESTROY,
        )

        self.role = iam.Role(
            self,
            "ExecutionRole",
            assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com"),
            description=f"SageMaker execution role for endpoint {endpoint_name}",
        )
        self.policy = iam.Policy(
            self,
            "ExecutionPolicy",
            roles=[self.role],
            statements=self._execution_statements(
                image_account=image_account, endpoint_name=endpoint_name
            ),
        )

        self.model = sagemaker.CfnModel(
            self,
            "Model",
            execution_role_arn=self.role.role_arn,
            primary_container=sagemaker.CfnModel.ContainerDefinitionProperty(
                image=self.image_uri,
                model_data_url=self.model_data_url,
                environment={
                    "SAGEMAKER_PROGRAM": PROGRAM,
                    "SAGEMAKER_SUBMIT_DIRECTORY": SUBMIT_DIRECTORY,
                    "SAGEMAKER_CONTAINER_LOG_LEVEL": "20",
                    "SAGEMAKER_REGION": stack.region,
                },
            ),
        )
        # SageMaker checks the role's permissions when it creates the Model: wait for the policy,
        # not only the role, or creation races IAM.
        self.model.node.add_dependency(self.policy)

        self.endpoint_config = sagemaker.CfnEndpointConfig(
            self,
            "EndpointConfig",
            production_variants=[
                sagemaker.CfnEndpointConfig.ProductionVariantProperty(
                    variant_name=variant_name,
                    model_name=self.model.attr_model_name,
                    initial_instance_count=instance_count,
                    instance_type=instance_type,
                    initial_variant_weight=1,
                )
            ],
        )

        self.endpoint = sagemaker.CfnEndpoint(
            self,
            "Endpoint",
            endpoint_name=endpoint_name,
            endpoint_config_name=self.endpoint_config.attr_endpoint_config_name,
        )
        # SageMaker creates this log group itself when the endpoint starts; ours must exist first.
        self.endpoint.node.add_dependency(self.log_group)

        for resource in (self.model, self.endpoint_config, self.endpoint):
            cdk.Tags.of(resource).add("model-sha256", self.model_sha256)

        self.endpoint_name = self.endpoint.attr_endpoint_name
        self.invoke_url = (
            f"https://runtime.sagemaker.{stack.region}.{stack.url_suffix}"
            f"/endpoints/{self.endpoint_name}/invocations"
        )
        self._acknowledge_findings(endpoint_name=endpoint_name)

    def _execution_statements(
        self, *, image_account: str, endpoint_name: str
    ) -> list[iam.PolicyStatement]:
        stack = cdk.Stack.of(self)
        log_group_arn = stack.format_arn(
            service="logs",
            resource="log-group",
            resource_name=f"/aws/sagemaker/Endpoints/{endpoint_name}",
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
                resources=[self.artifact.bucket.arn_for_objects(self.artifact.s3_object_key)],
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

    def _acknowledge_findings(self, *, endpoint_name: str) -> None:
        """cdk-nag findings we accept by design, each with the reason it is true."""
        cdk.Validations.of(self.policy).acknowledge(
            cdk.Acknowledgment(
                id="AwsSolutions-IAM5[Resource::*]",
                reason=(
                    "ecr:GetAuthorizationToken and cloudwatch:PutMetricData support no "
                    "resource-level permissions; PutMetricData is limited to SageMaker's "
                    "namespaces by a condition."
                ),
            ),
        )
        # cdk-nag names a wildcard finding by the resource with tokens shown as <AWS::...>.
        log_streams = (
            "Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:"
            f"/aws/sagemaker/Endpoints/{endpoint_name}:*"
        )
        cdk.Validations.of(self.policy).acknowledge(
            cdk.Acknowledgment(
                id=f"AwsSolutions-IAM5[{log_streams}]",
                reason=(
                    "SageMaker names the log streams per instance at run time; the wildcard is "
                    "confined to this endpoint's own log group."
                ),
            )
        )
