"""EndpointSettings: what one deployment of the endpoint looks like.

Defaults are the cheap, safe choice: one ml.m5.large and nothing else. Each production option
is off until a config turns it on. The field types check each value; the validators of
`stacks.settings.combinations` check the combinations that cannot deploy. Descriptions
say what a setting creates and what it costs (list prices, us-east-1): docs/configuration.md is
generated from them.
"""

from __future__ import annotations

from typing import Literal, get_args

from constants import STACK_NAME
from stacks.settings.capacity import AutoscalingSettings, DeploymentSettings, ServerlessSettings
from stacks.settings.combinations import DEFAULT_MODEL_ARTIFACT, Combinations
from stacks.settings.instances import (
    DEFAULT_INSTANCE_COUNT,
    DEFAULT_INSTANCE_TYPE,
    INSTANCE_TYPE_ALLOWED,
    INSTANCE_TYPE_PATTERN,
    MAX_INSTANCE_COUNT,
    InstanceType,
)
from stacks.settings.network import KMS_ALLOWED, KMS_PATTERN, VpcSettings
from stacks.settings.observability import (
    AlarmSettings,
    BatchTransformSettings,
    DataCaptureSettings,
)
from stacks.settings.public_api import PublicApiSettings
from stacks.settings.teardown import IdleTeardownSettings
from stacks.settings.values import (
    Blankable,
    Choice,
    Flag,
    Integer,
    OptionGroup,
    Switchable,
    setting,
)

# CloudWatch Logs accepts only these retention periods (days).
RetentionDays = Literal[
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731,
    1096, 1827, 2192, 2557, 2922, 3288, 3653,
]  # fmt: skip
LOG_RETENTION_DAYS: tuple[int, ...] = get_args(RetentionDays)

# SageMaker's own pattern for endpoint and variant names; CloudFormation's for stack names.
SAGEMAKER_NAME = r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$"
STACK_NAME_PATTERN = r"^[A-Za-z][A-Za-z0-9-]{0,127}$"


class EndpointSettings(Combinations):
    """What one deployment of the endpoint looks like. Defaults are the cheap, safe choice."""

    stack_name: str = setting(
        STACK_NAME,
        "The CloudFormation stack.",
        allowed="a CloudFormation stack name ([A-Za-z][A-Za-z0-9-]*)",
        pattern=STACK_NAME_PATTERN,
    )
    model_artifact: str = setting(
        DEFAULT_MODEL_ARTIFACT,
        "The model tarball the stack uploads as an S3 asset (`python -m model_build` makes it).",
        allowed="a path to a .tar.gz file",
        pattern=r"\.tar\.gz$",
    )
    model: Blankable[str] = setting(
        None,
        "A model spec (docs/your-model.md): `cdk synth`, `deploy` and `diff` build the model it "
        "describes into build/models/<spec name>/ and ship that tarball; null ships "
        "model_artifact, which cdk.json's build step makes from the default spec.",
        allowed="a path to a .json or .toml model spec",
        pattern=r"\.(json|toml)$",
    )
    endpoint_name: Blankable[str] = setting(
        None,
        "The endpoint's fixed name; null names it after the stack.",
        allowed="a SageMaker endpoint name (letters, digits, hyphens; at most 63) or nothing",
        pattern=SAGEMAKER_NAME,
    )
    instance_type: InstanceType = setting(
        DEFAULT_INSTANCE_TYPE,
        "The instances; a typo gets a 'did you mean'. Costs: ml.m5.large about $0.115/h each.",
        allowed=INSTANCE_TYPE_ALLOWED,
        schema_pattern=INSTANCE_TYPE_PATTERN,
    )
    instance_count: Integer = setting(
        DEFAULT_INSTANCE_COUNT,
        "Initial instances. Costs: this many times the instance price.",
        ge=1,
        le=MAX_INSTANCE_COUNT,
    )
    variant_name: str = setting(
        "AllTraffic",
        "The production variant; keep it stable: guarded updates need the same name.",
        allowed="a SageMaker variant name",
        pattern=SAGEMAKER_NAME,
    )
    log_retention_days: Choice[RetentionDays] = setting(
        30,
        "Retention of the endpoint's log group, which the stack owns (deleted with it). "
        "Costs: $0.50/GB ingested, $0.03/GB-month stored.",
        unit="days",
    )
    serverless: OptionGroup[ServerlessSettings] = setting(
        None,
        "`ServerlessConfig` instead of instances. Refused with instance_type or instance_count "
        "moved from their defaults, autoscaling, data_capture, vpc, network_isolation, kms, and "
        "canary/linear/rolling deployments. Costs: per GB-second while serving plus data "
        "processed; provisioned concurrency billed per hour; 4 MB payload limit.",
    )
    autoscaling: OptionGroup[AutoscalingSettings] = setting(
        None,
        "An Application Auto Scaling target on the variant (it uses AWS's SageMaker "
        "service-linked role) and a target-tracking policy on "
        "SageMakerVariantInvocationsPerInstance; instance_count must lie within "
        "min_capacity..max_capacity. The Endpoint gets RetainAllVariantProperties (excluding "
        "weight and data capture) so updates keep the scaled count: a changed instance_count "
        "then only applies to a new endpoint. Costs: free; you pay up to max_capacity instances.",
        validate_default=True,  # the rules on instances with serverless run on it
    )
    deployment: OptionGroup[DeploymentSettings] = setting(
        None,
        "`DeploymentConfig` on the Endpoint: blue/green or rolling, with auto-rollback on the "
        "stack's 5XX and p99-latency alarms (it creates `alarms` with defaults if not set). "
        "Costs: blue/green runs the new fleet beside the old one while it bakes.",
    )
    alarms: OptionGroup[AlarmSettings] = setting(
        None,
        "3 CloudWatch alarms named <endpoint>-<variant>-errors-5xx, -errors-4xx and "
        "-latency-p99 (ModelLatency p99, compared in microseconds); missing data is not "
        "breaching; an optional SNS topic for alarm and OK actions. "
        "Costs: $0.10 per alarm-month; SNS negligible.",
    )
    dashboard: Flag = setting(
        False,
        "A CloudWatch dashboard: invocations, 4XX/5XX, model and overhead latency, instance "
        "CPU/memory/disk, alarm status. Costs: $3/month (the first 3 dashboards per account "
        "are free).",
    )
    data_capture: OptionGroup[DataCaptureSettings] = setting(
        None,
        "An S3 bucket (SSE-KMS with the stack's key, else SSE-S3; public access blocked; "
        "TLS-only policy; lifecycle expiry) and a `DataCaptureConfig` (JSON/CSV stored as "
        "text); the execution role gets s3:PutObject on <bucket>/data-capture/* only. "
        "Costs: S3 storage $0.023/GB-month plus requests; the auto-delete Lambda negligible.",
    )
    batch_transform: OptionGroup[BatchTransformSettings] = setting(
        None,
        "An S3 bucket for batch transform jobs on the stack's Model (SSE-KMS with the stack's "
        "key, else SSE-S3; public access blocked; TLS-only policy; lifecycle expiry); the "
        "execution role may list and read batch-input/ and write batch-output/ only. "
        "`python -m clients.batch_transform` runs a job (docs/batch-transform.md). "
        "Costs: S3 storage and requests; each job bills its instances while it runs.",
    )
    kms: Switchable[str] = setting(
        None,
        '"create": a customer-managed key (yearly rotation, 7-day deletion window) for the '
        "instance storage volume, the captures and the alarm topic; key policy: the account "
        "root, and CloudWatch for the topic. A key ARN imports your key. Refused on instance "
        "types with local NVMe storage (a 'd' in the family: ml.m5d, ml.c6id, ml.g4dn, "
        "ml.p4d, ...), which SageMaker encrypts itself. "
        "Costs: $1/month per created key plus $0.03 per 10,000 requests.",
        allowed=KMS_ALLOWED,
        pattern=KMS_PATTERN,
    )
    network_isolation: Blankable[Flag] = setting(
        None,
        "EnableNetworkIsolation on the Model (the container gets no network: the handler needs "
        "none), plus PIP_NO_BUILD_ISOLATION=false in its environment so the container's "
        "start-up pip install of the handler works offline. null (the default) means on, "
        "except with serverless, which does not support it; false turns it off. Costs: free.",
        allowed="true, false, or null (on unless serverless)",
    )
    vpc: OptionGroup[VpcSettings] = setting(
        None,
        "`VpcConfig` on the Model; the execution role gets ec2:CreateNetworkInterface on those "
        "subnets and security groups, interface management on network interfaces, and the "
        "EC2 Describe calls SageMaker needs. Costs: free; interface VPC endpoints about "
        "$0.01/h each per AZ, or a NAT gateway.",
    )
    public_api: OptionGroup[PublicApiSettings] = setting(
        None,
        "An API Gateway REST API whose one route, POST /<stage>/predict, validates the body "
        "and calls the SageMaker runtime directly (no Lambda), with access logs in a log "
        "group the stack owns. The URL is public: keep the usage plan's limits low. "
        "Costs: about $3.50 per million requests plus log ingestion.",
    )
    idle_teardown: OptionGroup[IdleTeardownSettings] = setting(
        None,
        "An hourly EventBridge schedule runs a small Lambda that reads the endpoint's "
        "Invocations; after `after_hours` with none (and no deploy in that window) it deletes "
        "the endpoint, tells `notify`, and deletes this stack (CloudFormation uses the role "
        "the stack was deployed with). The Lambda may delete this stack and this endpoint "
        "only. Refused with serverless without provisioned concurrency (nothing to save). "
        "Costs: free tier (720 short Lambda runs and metric reads a month).",
    )

    @property
    def network_isolated(self) -> bool:
        """Whether the Model runs without network: on by default, off where unsupported."""
        if self.network_isolation is None:
            return self.serverless is None
        return self.network_isolation
