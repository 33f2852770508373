"""The SageMaker resources' properties, built from settings: pure functions, no construct needed.

Values that are tokens at synth time (the model name, the capture bucket's URI, a key ARN) come
in as strings, so every function can be called, and tested, without an App or a Stack.
"""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import aws_sagemaker as sagemaker

from stacks.settings import (
    DataCaptureSettings,
    DeploymentSettings,
    ServerlessSettings,
    VpcSettings,
)

# Script mode: the container imports code/inference.py from the extracted tarball.
SUBMIT_DIRECTORY = "/opt/ml/model/code"
PROGRAM = "inference.py"
# At start the container pip-installs code/ and pip fetches setuptools from an index; with this
# (read inverted by pip) it builds offline, so the handler installs under network isolation.
OFFLINE_PIP = {"PIP_NO_BUILD_ISOLATION": "false"}
CAPTURE_OPTIONS = {"both": ["Input", "Output"], "input": ["Input"], "output": ["Output"]}
# Kept across endpoint updates are all variant properties but these two: an autoscaled count
# survives, while new weights and data capture settings still apply.
UPDATED_VARIANT_PROPERTIES = ("DesiredWeight", "DataCaptureConfig")


def endpoint_log_group_name(endpoint_name: str) -> str:
    """Where SageMaker writes an endpoint's logs (the endpoint construct owns the group)."""
    return f"/aws/sagemaker/Endpoints/{endpoint_name}"


def container_environment(*, region: str, network_isolation: bool) -> dict[str, str]:
    return {
        "SAGEMAKER_PROGRAM": PROGRAM,
        "SAGEMAKER_SUBMIT_DIRECTORY": SUBMIT_DIRECTORY,
        "SAGEMAKER_CONTAINER_LOG_LEVEL": "20",
        "SAGEMAKER_REGION": region,
        **(OFFLINE_PIP if network_isolation else {}),
    }


def model_vpc_config(vpc: VpcSettings | None) -> sagemaker.CfnModel.VpcConfigProperty | None:
    if vpc is None:
        return None
    return sagemaker.CfnModel.VpcConfigProperty(
        subnets=list(vpc.subnet_ids), security_group_ids=list(vpc.security_group_ids)
    )


def serverless_config(
    serverless: ServerlessSettings,
) -> sagemaker.CfnEndpointConfig.ServerlessConfigProperty:
    return sagemaker.CfnEndpointConfig.ServerlessConfigProperty(
        memory_size_in_mb=serverless.memory_mb,
        max_concurrency=serverless.max_concurrency,
        provisioned_concurrency=serverless.provisioned_concurrency,
    )


def production_variant(
    *,
    variant_name: str,
    model_name: str,
    instance_type: str,
    instance_count: int,
    serverless: ServerlessSettings | None,
) -> sagemaker.CfnEndpointConfig.ProductionVariantProperty:
    """One variant taking all traffic: on instances, or serverless (then with no instances)."""
    return sagemaker.CfnEndpointConfig.ProductionVariantProperty(
        variant_name=variant_name,
        model_name=model_name,
        initial_instance_count=None if serverless else instance_count,
        instance_type=None if serverless else instance_type,
        initial_variant_weight=1,
        serverless_config=serverless_config(serverless) if serverless else None,
    )


def data_capture_config(
    settings: DataCaptureSettings, *, destination_uri: str, kms_key_arn: str | None
) -> sagemaker.CfnEndpointConfig.DataCaptureConfigProperty:
    return sagemaker.CfnEndpointConfig.DataCaptureConfigProperty(
        enable_capture=True,
        initial_sampling_percentage=settings.sampling_percent,
        destination_s3_uri=destination_uri,
        capture_options=[
            sagemaker.CfnEndpointConfig.CaptureOptionProperty(capture_mode=mode)
            for mode in CAPTURE_OPTIONS[settings.capture]
        ],
        # Record JSON and CSV bodies as text, not base64, so the captures are readable as is.
        capture_content_type_header=sagemaker.CfnEndpointConfig.CaptureContentTypeHeaderProperty(
            json_content_types=["application/json"], csv_content_types=["text/csv"]
        ),
        kms_key_id=kms_key_arn,
    )


def deployment_config(
    settings: DeploymentSettings, *, rollback_alarm_names: Sequence[str]
) -> sagemaker.CfnEndpoint.DeploymentConfigProperty:
    """Blue/green (all at once, canary, linear) or rolling, rolled back on the named alarms."""
    if not rollback_alarm_names:
        raise ValueError("a guarded deployment needs rollback alarms")
    step = sagemaker.CfnEndpoint.CapacitySizeProperty(
        type="CAPACITY_PERCENT", value=settings.step_percent
    )
    rollback = sagemaker.CfnEndpoint.AutoRollbackConfigProperty(
        alarms=[sagemaker.CfnEndpoint.AlarmProperty(alarm_name=n) for n in rollback_alarm_names]
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


def excluded_retained_properties(
    retain_instance_count: bool,
) -> list[sagemaker.CfnEndpoint.VariantPropertyProperty] | None:
    """With autoscaling, an update would otherwise reset the count to InitialInstanceCount."""
    if not retain_instance_count:
        return None
    return [
        sagemaker.CfnEndpoint.VariantPropertyProperty(variant_property_type=kind)
        for kind in UPDATED_VARIANT_PROPERTIES
    ]
