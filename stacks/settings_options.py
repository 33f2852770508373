"""The production options: one typed group of settings each, all off by default.

Each group is a frozen dataclass whose defaults are the sensible choice once the option is on,
and a parser (`option_object`) that reports every bad nested key as `group.key`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from stacks.settings_base import (
    Parser,
    Problems,
    boolean,
    int_range,
    one_of,
    option_object,
)

MAX_INSTANCE_COUNT = 20

# Serverless limits (SageMaker's ServerlessConfig).
SERVERLESS_MEMORY_MB = (1024, 2048, 3072, 4096, 5120, 6144)
MAX_SERVERLESS_CONCURRENCY = 200


@dataclass(frozen=True, kw_only=True)
class ServerlessSettings:
    """`ServerlessConfig` instead of instances: pay per request, scales to zero."""

    memory_mb: int = 2048
    max_concurrency: int = 5
    provisioned_concurrency: int | None = None  # None: none kept warm (cold starts, no idle cost)


@dataclass(frozen=True, kw_only=True)
class AutoscalingSettings:
    """Target tracking on SageMakerVariantInvocationsPerInstance."""

    min_capacity: int = 1
    max_capacity: int = 4
    target_invocations_per_instance: int = 100  # per instance per minute
    scale_in_cooldown_seconds: int = 300
    scale_out_cooldown_seconds: int = 60


DEPLOYMENT_STRATEGIES = ("all_at_once", "canary", "linear", "rolling")
# Allowed step sizes (percent of the fleet) per strategy, from SageMaker's API reference.
STEP_PERCENT_RANGE = {"canary": (1, 50), "linear": (10, 50), "rolling": (5, 50)}


@dataclass(frozen=True, kw_only=True)
class DeploymentSettings:
    """`DeploymentConfig`: blue/green (all at once, canary, linear) or rolling; auto-rollback."""

    strategy: str = "all_at_once"
    step_percent: int = 50  # canary size / linear step / rolling batch, % of the fleet
    wait_seconds: int = 300  # baking period per step, alarms watched
    termination_wait_seconds: int = 0  # blue/green: keep the old fleet this long after the switch
    timeout_seconds: int = 3600  # whole deployment


@dataclass(frozen=True, kw_only=True)
class AlarmSettings:
    """CloudWatch alarms on the endpoint's invocation metrics."""

    errors_5xx_threshold: int = 1  # sum per period
    errors_4xx_threshold: int = 50  # sum per period
    latency_p99_ms: int = 1000  # ModelLatency p99 (CloudWatch reports microseconds)
    period_seconds: int = 60
    evaluation_periods: int = 3
    sns_topic: str | None = None  # None, "create", or an SNS topic ARN to notify


@dataclass(frozen=True, kw_only=True)
class DataCaptureSettings:
    """Request/response capture into an S3 bucket the stack owns."""

    sampling_percent: int = 10
    capture: str = "both"  # "both", "input" or "output"
    retain: bool = False  # keep the bucket (and its data) when the stack is destroyed
    expire_days: int = 30  # lifecycle expiry of captured objects; 0 keeps them forever


@dataclass(frozen=True, kw_only=True)
class VpcSettings:
    """Run the model containers in your VPC (subnets and security groups you own)."""

    subnet_ids: tuple[str, ...] = ()
    security_group_ids: tuple[str, ...] = ()


def _id_list(prefix: str, *, most: int) -> Parser:
    pattern = re.compile(rf"^{prefix}-[0-9a-f]{{8}}([0-9a-f]{{9}})?$")

    def parse(key: str, value: object, problems: Problems) -> tuple[str, ...] | None:
        ok = (
            isinstance(value, list)
            and 1 <= len(value) <= most
            and all(isinstance(v, str) and pattern.fullmatch(v) for v in value)
        )
        if not ok:
            problems.add(key, f"a list of 1 to {most} ids like {prefix}-0123456789abcdef0", value)
            return None
        return tuple(value)  # type: ignore[arg-type]

    return parse


def _serverless_memory(key: str, value: object, problems: Problems) -> int | None:
    number = int_range(0, 10**6)(key, value, Problems())
    if number not in SERVERLESS_MEMORY_MB:
        problems.add(key, "1024 to 6144 in steps of 1024 (MB)", value)
        return None
    return number


def _optional(parser: Parser) -> Parser:
    def parse(key: str, value: object, problems: Problems) -> object:
        return None if value in (None, 0, "0", "") else parser(key, value, problems)

    return parse


_SNS_TOPIC_ARN = re.compile(r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$")


def _sns_topic(key: str, value: object, problems: Problems) -> str | None:
    if value == "create" or (isinstance(value, str) and _SNS_TOPIC_ARN.fullmatch(value)):
        return value
    problems.add(key, "'create' (a topic in this stack), an SNS topic ARN, or null", value)
    return None


_KMS_KEY_ARN = re.compile(
    r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/"
    r"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$"
)


def parse_kms(key: str, value: object, problems: Problems) -> str | None:
    """`"create"` makes a customer-managed key; a key ARN imports one."""
    if value in (None, False, "", "false"):
        return None
    if value == "create" or (isinstance(value, str) and _KMS_KEY_ARN.fullmatch(value)):
        return value
    allowed = "'create', a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>), or null"
    problems.add(key, allowed, value)
    return None


def _period(key: str, value: object, problems: Problems) -> int | None:
    # SageMaker publishes invocation metrics every minute: shorter periods would be empty.
    number = int_range(60, 3600)(key, value, Problems())
    if number is None or number % 60:
        problems.add(key, "a multiple of 60 from 60 to 3600 (seconds)", value)
        return None
    return number


parse_serverless = option_object(
    ServerlessSettings,
    {
        "memory_mb": _serverless_memory,
        "max_concurrency": int_range(1, MAX_SERVERLESS_CONCURRENCY),
        "provisioned_concurrency": _optional(int_range(1, MAX_SERVERLESS_CONCURRENCY)),
    },
)
parse_autoscaling = option_object(
    AutoscalingSettings,
    {
        "min_capacity": int_range(1, MAX_INSTANCE_COUNT),
        "max_capacity": int_range(1, MAX_INSTANCE_COUNT),
        "target_invocations_per_instance": int_range(1, 100_000, "per instance per minute"),
        "scale_in_cooldown_seconds": int_range(0, 3600, "seconds"),
        "scale_out_cooldown_seconds": int_range(0, 3600, "seconds"),
    },
)
parse_deployment = option_object(
    DeploymentSettings,
    {
        "strategy": one_of(*DEPLOYMENT_STRATEGIES),
        "step_percent": int_range(1, 50, "% of the fleet"),
        "wait_seconds": int_range(0, 3600, "seconds"),
        "termination_wait_seconds": int_range(0, 3600, "seconds"),
        "timeout_seconds": int_range(600, 28800, "seconds"),
    },
)
parse_alarms = option_object(
    AlarmSettings,
    {
        "errors_5xx_threshold": int_range(1, 1_000_000),
        "errors_4xx_threshold": int_range(1, 1_000_000),
        "latency_p99_ms": int_range(1, 60_000, "milliseconds"),
        "period_seconds": _period,
        "evaluation_periods": int_range(1, 100),
        "sns_topic": _sns_topic,
    },
)
parse_data_capture = option_object(
    DataCaptureSettings,
    {
        "sampling_percent": int_range(1, 100, "% of requests"),
        "capture": one_of("both", "input", "output"),
        "retain": boolean,
        "expire_days": int_range(0, 3650, "days; 0 keeps objects forever"),
    },
)
parse_vpc = option_object(
    VpcSettings,
    {
        "subnet_ids": _id_list("subnet", most=16),
        "security_group_ids": _id_list("sg", most=5),
    },
)
