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
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3_assets as s3_assets
from aws_cdk import aws_sagemaker as sagemaker
from constructs import Construct

from stacks.capture_bucket import CaptureBucket
from stacks.image_registry import IMAGE_REPOSITORY, IMAGE_TAG, REGISTRY_ACCOUNTS
from stacks.settings import (
    DataCaptureSettings,
    DeploymentSettings,
    ServerlessSettings,
    VpcSettings,
)

# Script mode: the container imports code/inference.py from the extracted tarball.
SUBMIT_DIRECTORY = "/opt/ml/model/code"
PROGRAM = "inference.py"
# Namespaces the execution role may publish metrics to: invocation metrics and instance metrics.
METRIC_NAMESPACES = ["AWS/SageMaker", "/aws/sagemaker/Endpoints"]
# At start the container pip-installs code/ and pip fetches setuptools from an index; with this
# (read inverted by pip) it builds offline, so the handler installs under network isolation.
OFFLINE_PIP = {"PIP_NO_BUILD_ISOLATION": "false"}
# What SageMaker needs to attach the containers to your subnets (its VPC documentation).
VPC_DESCRIBE_ACTIONS = [
    "ec2:DescribeDhcpOptions",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeSubnets",
    "ec2:DescribeVpcs",
]
VPC_INTERFACE_ACTIONS = [
    "ec2:CreateNetworkInterfacePermission",
    "ec2:DeleteNetworkInterface",
    "ec2:DeleteNetworkInterfacePermission",
]
CAPTURE_OPTIONS = {"both": ["Input", "Output"], "input": ["Input"], "output": ["Output"]}


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
        serverless: ServerlessSettings | None = None,
        network_isolation: bool = False,
        vpc: VpcSettings | None = None,
        kms_key: kms.IKey | None = None,
        data_capture: DataCaptureSettings | None = None,
        capture_bucket: CaptureBucket | None = None,
        deployment: DeploymentSettings | None = None,
        rollback_alarm_names: list[str] | None = None,
        retain_instance_count: bool = False,
    ) -> None:
        """Options left at their defaults add nothing to the template.

        `kms_key` encrypts the instances' storage volume (and the captured data);
        `retain_instance_count` keeps an autoscaled count across endpoint updates.
        """
        super().__init__(scope, id_)
        if (data_capture is None) != (capture_bucket is None):
            raise ValueError("data_capture and capture_bucket go together")
        if deployment is not None and not rollback_alarm_names:
            raise ValueError("a guarded deployment needs rollback alarms")
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

        # The asset is keyed on the tarball's sha256 (CDK derives the S3 key from it): the same
        # model bytes never make a new asset, and the tag below tells a reader which model is live.
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
            )
            + self._option_statements(vpc=vpc, kms_key=kms_key, capture_bucket=capture_bucket),
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
                    **(OFFLINE_PIP if network_isolation else {}),
                },
            ),
            enable_network_isolation=True if network_isolation else None,
            vpc_config=(
                sagemaker.CfnModel.VpcConfigProperty(
                    subnets=list(vpc.subnet_ids), security_group_ids=list(vpc.security_group_ids)
                )
                if vpc
                else None
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
                    initial_instance_count=None if serverless else instance_count,
                    instance_type=None if serverless else instance_type,
                    initial_variant_weight=1,
                    serverless_config=_serverless_config(serverless) if serverless else None,
                )
            ],
            # Encrypts the ML storage volume of each instance (refused at synth on NVMe types).
            kms_key_id=kms_key.key_arn if kms_key else None,
            data_capture_config=(
                _data_capture_config(data_capture, capture_bucket, kms_key)
                if data_capture and capture_bucket
                else None
            ),
        )

        self.endpoint = sagemaker.CfnEndpoint(
            self,
            "Endpoint",
            endpoint_name=endpoint_name,
            endpoint_config_name=self.endpoint_config.attr_endpoint_config_name,
            deployment_config=(
                _deployment_config(deployment, rollback_alarm_names or []) if deployment else None
            ),
            # An update would otherwise reset an autoscaled count to InitialInstanceCount. Keep
            # only the count: new weights and data capture settings still apply.
            retain_all_variant_properties=True if retain_instance_count else None,
            exclude_retained_variant_properties=(
                [
                    sagemaker.CfnEndpoint.VariantPropertyProperty(variant_property_type=kind)
                    for kind in ("DesiredWeight", "DataCaptureConfig")
                ]
                if retain_instance_count
                else None
            ),
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
        self._acknowledge_option_findings(vpc=vpc, capture_bucket=capture_bucket)

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

    def _option_statements(
        self,
        *,
        vpc: VpcSettings | None,
        kms_key: kms.IKey | None,
        capture_bucket: CaptureBucket | None,
    ) -> list[iam.PolicyStatement]:
        stack = cdk.Stack.of(self)
        statements: list[iam.PolicyStatement] = []
        if capture_bucket is not None:
            statements.append(
                iam.PolicyStatement(
                    sid="WriteDataCapture",
                    actions=["s3:PutObject"],
                    resources=[capture_bucket.objects_arn],
                )
            )
            if kms_key is not None:
                statements.append(
                    iam.PolicyStatement(
                        sid="EncryptDataCapture",
                        actions=["kms:Encrypt", "kms:GenerateDataKey"],
                        resources=[kms_key.key_arn],
                    )
                )
        if vpc is not None:

            def ec2_arn(resource: str, name: str) -> str:
                return stack.format_arn(service="ec2", resource=resource, resource_name=name)

            interfaces = ec2_arn("network-interface", "*")
            statements += [
                iam.PolicyStatement(
                    sid="DescribeVpc",
                    actions=VPC_DESCRIBE_ACTIONS,
                    resources=["*"],
                ),
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
                    sid="ManageNetworkInterfaces",
                    actions=VPC_INTERFACE_ACTIONS,
                    resources=[interfaces],
                ),
            ]
        return statements

    def _acknowledge_option_findings(
        self, *, vpc: VpcSettings | None, capture_bucket: CaptureBucket | None
    ) -> None:
        if capture_bucket is not None:
            bucket_id = cdk.Stack.of(self).get_logical_id(
                capture_bucket.bucket.node.default_child  # type: ignore[arg-type]
            )
            cdk.Validations.of(self.policy).acknowledge(
                cdk.Acknowledgment(
                    id=f"AwsSolutions-IAM5[Resource::<{bucket_id}.Arn>/data-capture/*]",
                    reason=(
                        "SageMaker names each capture file by date and time when it writes it; "
                        "the wildcard is confined to the data-capture/ prefix of the stack's own "
                        "capture bucket and allows s3:PutObject only."
                    ),
                )
            )
        if vpc is not None:
            cdk.Validations.of(self.policy).acknowledge(
                cdk.Acknowledgment(
                    id=(
                        "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:<AWS::Region>:"
                        "<AWS::AccountId>:network-interface/*]"
                    ),
                    reason=(
                        "SageMaker creates and deletes the containers' network interfaces at run "
                        "time, so their IDs are unknown at synth; creation is tied to the "
                        "configured subnets and security groups, and the EC2 Describe* calls "
                        "support no resource-level permissions."
                    ),
                )
            )


def _serverless_config(
    serverless: ServerlessSettings,
) -> sagemaker.CfnEndpointConfig.ServerlessConfigProperty:
    return sagemaker.CfnEndpointConfig.ServerlessConfigProperty(
        memory_size_in_mb=serverless.memory_mb,
        max_concurrency=serverless.max_concurrency,
        provisioned_concurrency=serverless.provisioned_concurrency,
    )


def _data_capture_config(
    settings: DataCaptureSettings, bucket: CaptureBucket, kms_key: kms.IKey | None
) -> sagemaker.CfnEndpointConfig.DataCaptureConfigProperty:
    return sagemaker.CfnEndpointConfig.DataCaptureConfigProperty(
        enable_capture=True,
        initial_sampling_percentage=settings.sampling_percent,
        destination_s3_uri=bucket.destination_uri,
        capture_options=[
            sagemaker.CfnEndpointConfig.CaptureOptionProperty(capture_mode=mode)
            for mode in CAPTURE_OPTIONS[settings.capture]
        ],
        # Record JSON and CSV bodies as text, not base64, so the captures are readable as is.
        capture_content_type_header=sagemaker.CfnEndpointConfig.CaptureContentTypeHeaderProperty(
            json_content_types=["application/json"], csv_content_types=["text/csv"]
        ),
        kms_key_id=kms_key.key_arn if kms_key else None,
    )


def _deployment_config(
    settings: DeploymentSettings, alarm_names: list[str]
) -> sagemaker.CfnEndpoint.DeploymentConfigProperty:
    step = sagemaker.CfnEndpoint.CapacitySizeProperty(
        type="CAPACITY_PERCENT", value=settings.step_percent
    )
    rollback = sagemaker.CfnEndpoint.AutoRollbackConfigProperty(
        alarms=[sagemaker.CfnEndpoint.AlarmProperty(alarm_name=name) for name in alarm_names]
    )
    if settings.strategy == "rolling":
        return sagemaker.CfnEndpoint.DeploymentConfigProperty(
            auto_rollback_configuration=rollback,
            rolling_update_policy=sagemaker.CfnEndpoint.RollingUpdatePolicyProperty(
                maximum_batch_size=step,
                wait_interval_in_seconds=settings.wait_seconds,
                maximum_execution_timeout_in_seconds=settings.timeout_seconds,
            ),
        )
    routing = sagemaker.CfnEndpoint.TrafficRoutingConfigProperty(
        type=settings.strategy.upper(),
        wait_interval_in_seconds=settings.wait_seconds,
        canary_size=step if settings.strategy == "canary" else None,
        linear_step_size=step if settings.strategy == "linear" else None,
    )
    return sagemaker.CfnEndpoint.DeploymentConfigProperty(
        auto_rollback_configuration=rollback,
        blue_green_update_policy=sagemaker.CfnEndpoint.BlueGreenUpdatePolicyProperty(
            traffic_routing_configuration=routing,
            termination_wait_in_seconds=settings.termination_wait_seconds,
            maximum_execution_timeout_in_seconds=settings.timeout_seconds,
        ),
    )
