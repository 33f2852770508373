"""XgboostEndpoint: one SageMaker real-time endpoint serving an XGBoost model.

Owns the S3 asset, the serving image's address, the Model, EndpointConfig and Endpoint, and the
endpoint's log group (so `cdk destroy` leaves no log group behind); its execution role is an
`ExecutionRole`, its properties come from `stacks.endpoint_properties`. Model and EndpointConfig
get no names: every property is replace-only, so CloudFormation must be free to create new ones
and move the endpoint over.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3_assets as s3_assets
from aws_cdk import aws_sagemaker as sagemaker
from constructs import Construct

from constants import IMAGE_REPOSITORY, IMAGE_TAG, SHA256_TAG
from stacks import endpoint_properties as properties
from stacks.alarms import EndpointAlarms
from stacks.batch_bucket import BatchBucket
from stacks.capture_bucket import CaptureBucket
from stacks.checkov_skips import UNENCRYPTED_LOGS_REASON, skip_checks
from stacks.encryption_key import allow_log_group
from stacks.execution_role import ExecutionRole
from stacks.image_registry import REGISTRY_ACCOUNTS
from stacks.settings import DeploymentSettings, ServerlessSettings, VpcSettings


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def check_model_artifact(path: Path) -> None:
    if not path.name.endswith(".tar.gz"):
        raise ValueError(f"model_artifact must be a .tar.gz file; given {str(path)!r}")
    if not path.is_file():
        raise ValueError(
            f"model_artifact {str(path)!r} does not exist: "
            "run `python -m model_build` first (cdk.json's build step does)"
        )


def _no_isolation_reason(serverless: ServerlessSettings | None) -> str:
    if serverless is not None:
        return (
            "Serverless Inference does not support network isolation (SageMaker refuses "
            "EnableNetworkIsolation on a serverless variant's model)."
        )
    return "network_isolation is set to false in this deployment's settings (an explicit opt-out)."


class XgboostEndpoint(Construct):
    """A real-time endpoint serving the model with sagemaker-xgboost in script mode.

    `model_artifact` is a model.tar.gz from `python -m model_build`; options left at their
    defaults add nothing. `capture` turns on data capture into that bucket; `alarms` are what a
    guarded `deployment` rolls back on; `key` encrypts the instances' storage volume (and the
    captured data); `retain_instance_count` keeps an autoscaled count across endpoint updates.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        model_artifact: Path,
        endpoint_name: str,
        variant_name: str,
        instance_type: str,
        instance_count: int,
        log_retention: logs.RetentionDays,
        serverless: ServerlessSettings | None = None,
        network_isolation: bool = False,
        vpc: VpcSettings | None = None,
        deployment: DeploymentSettings | None = None,
        retain_instance_count: bool = False,
        capture: CaptureBucket | None = None,
        alarms: EndpointAlarms | None = None,
        key: kms.IKey | None = None,
        batch: BatchBucket | None = None,
    ) -> None:
        super().__init__(scope, id_)
        if deployment is not None and alarms is None:
            raise ValueError("a guarded deployment needs rollback alarms")
        check_model_artifact(model_artifact)
        # The names as configured (plain strings), for readers that must not wait on the Endpoint.
        self.configured_name = endpoint_name
        self.variant_name = variant_name
        self.serverless = serverless
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

        log_group_name = properties.endpoint_log_group_name(endpoint_name)
        self.log_group = logs.LogGroup(
            self,
            "LogGroup",
            log_group_name=log_group_name,
            retention=log_retention,
            removal_policy=cdk.RemovalPolicy.DESTROY,
            encryption_key=key,
        )
        if key is not None:
            allow_log_group(key, sid="AllowEndpointLogGroup", log_group_name=log_group_name)
        else:
            skip_checks(self.log_group, {"CKV_AWS_158": UNENCRYPTED_LOGS_REASON})

        self.role = ExecutionRole(
            self,
            "ExecutionRole",
            endpoint_name=endpoint_name,
            artifact=self.artifact,
            image_account=image_account,
            vpc=vpc,
            capture=capture,
            batch=batch,
            key=key,
            rollback_alarm_names=alarms.rollback_names if deployment and alarms else (),
        )

        self.model = sagemaker.CfnModel(
            self,
            "Model",
            execution_role_arn=self.role.role_arn,
            primary_container=sagemaker.CfnModel.ContainerDefinitionProperty(
                image=self.image_uri,
                model_data_url=self.model_data_url,
                environment=properties.container_environment(
                    region=stack.region, network_isolation=network_isolation
                ),
            ),
            enable_network_isolation=True if network_isolation else None,
            vpc_config=properties.model_vpc_config(vpc),
        )
        # SageMaker checks the role's permissions when it creates the Model: wait for the policy,
        # not only the role, or creation races IAM.
        self.model.node.add_dependency(self.role.policy)
        if not network_isolation:
            skip_checks(self.model, {"CKV_AWS_370": _no_isolation_reason(serverless)})

        self.endpoint_config = sagemaker.CfnEndpointConfig(
            self,
            "EndpointConfig",
            production_variants=[
                properties.production_variant(
                    variant_name=variant_name,
                    model_name=self.model.attr_model_name,
                    instance_type=instance_type,
                    instance_count=instance_count,
                    serverless=serverless,
                )
            ],
            # Encrypts the ML storage volume of each instance (refused at synth on NVMe types).
            kms_key_id=key.key_arn if key else None,
            data_capture_config=(
                properties.data_capture_config(
                    capture.settings,
                    destination_uri=capture.destination_uri,
                    kms_key_arn=key.key_arn if key else None,
                )
                if capture
                else None
            ),
        )

        self.endpoint = sagemaker.CfnEndpoint(
            self,
            "Endpoint",
            endpoint_name=endpoint_name,
            endpoint_config_name=self.endpoint_config.attr_endpoint_config_name,
            deployment_config=(
                properties.deployment_config(deployment, rollback_alarm_names=alarms.rollback_names)
                if deployment and alarms
                else None
            ),
            retain_all_variant_properties=True if retain_instance_count else None,
            exclude_retained_variant_properties=properties.excluded_retained_properties(
                retain_instance_count
            ),
        )
        # SageMaker creates this log group itself when the endpoint starts; ours must exist first.
        self.endpoint.node.add_dependency(self.log_group)
        if alarms is not None:
            # Referred to by name: SageMaker checks the rollback alarms exist when it starts.
            self.endpoint.node.add_dependency(alarms)
        if capture is not None and capture.auto_delete is not None:
            # On destroy the endpoint goes first, then the bucket is emptied: nothing is written
            # into it after emptying, which would fail the bucket's deletion.
            self.endpoint.node.add_dependency(capture.auto_delete)

        for resource in (self.model, self.endpoint_config, self.endpoint):
            cdk.Tags.of(resource).add(SHA256_TAG, self.model_sha256)

        self.endpoint_name = self.endpoint.attr_endpoint_name
        self.invoke_url = (
            f"https://runtime.sagemaker.{stack.region}.{stack.url_suffix}"
            f"/endpoints/{self.endpoint_name}/invocations"
        )
