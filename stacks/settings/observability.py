"""What the endpoint reports: alarms on its metrics and captured requests."""

from __future__ import annotations

from typing import Literal

from stacks.settings.values import Blankable, Flag, Integer, SettingsModel, setting

SNS_TOPIC_PATTERN = r"^(create|arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256})$"


class AlarmSettings(SettingsModel):
    """CloudWatch alarms on the endpoint's invocation metrics."""

    errors_5xx_threshold: Integer = setting(
        1, "Alarm at this many 5XX errors per period (sum).", ge=1, le=1_000_000
    )
    errors_4xx_threshold: Integer = setting(
        50, "Alarm at this many 4XX errors per period (sum).", ge=1, le=1_000_000
    )
    latency_p99_ms: Integer = setting(
        1000,
        "Alarm when ModelLatency p99 reaches this (CloudWatch reports microseconds).",
        unit="milliseconds",
        ge=1,
        le=60_000,
    )
    # SageMaker publishes invocation metrics every minute: shorter periods would be empty.
    period_seconds: Integer = setting(
        60,
        "Length of one evaluation period.",
        unit="seconds",
        ge=60,
        le=3600,
        multiple_of=60,
    )
    evaluation_periods: Integer = setting(
        3, "Periods in breach before the alarm fires.", ge=1, le=100
    )
    sns_topic: Blankable[str] = setting(
        None,
        '"create" makes a TLS-only topic in this stack (encrypted with the stack\'s key when '
        'kms is "create"), an ARN notifies your topic, null notifies nobody. '
        "Alarm and OK actions both go there.",
        allowed="'create' (a topic in this stack), an SNS topic ARN, or null",
        pattern=SNS_TOPIC_PATTERN,
    )


class DataCaptureSettings(SettingsModel):
    """`DataCaptureConfig` writing requests and responses to an S3 bucket the stack owns."""

    sampling_percent: Integer = setting(
        10, "Share of requests captured.", unit="% of requests", ge=1, le=100
    )
    capture: Literal["both", "input", "output"] = setting(
        "both", "What is captured: requests, responses or both."
    )
    retain: Flag = setting(
        False,
        "Keep the bucket (and its data, and a created key) when the stack is destroyed. "
        "false: CDK's auto-delete custom resource (a small Lambda) empties it on destroy.",
    )
    expire_days: Integer = setting(
        30,
        "Lifecycle expiry of captured objects.",
        unit="days; 0 keeps objects forever",
        ge=0,
        le=3650,
    )


class BatchTransformSettings(SettingsModel):
    """A bucket for batch transform inputs and outputs, and the role's rights on it."""

    retain: Flag = setting(
        False,
        "Keep the bucket (and its data, and a created key) when the stack is destroyed. "
        "false: CDK's auto-delete custom resource (a small Lambda) empties it on destroy.",
    )
    expire_days: Integer = setting(
        7,
        "Lifecycle expiry of inputs and results.",
        unit="days; 0 keeps objects forever",
        ge=0,
        le=3650,
    )
