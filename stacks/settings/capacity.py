"""How the endpoint gets capacity: serverless, autoscaling, and how updates roll out."""

from __future__ import annotations

from typing import Literal, get_args

from stacks.settings.instances import MAX_INSTANCE_COUNT
from stacks.settings.values import Blankable, Integer, SettingsModel, setting

# Serverless limits (SageMaker's ServerlessConfig).
SERVERLESS_MEMORY_MB = (1024, 2048, 3072, 4096, 5120, 6144)
MAX_SERVERLESS_CONCURRENCY = 200

Strategy = Literal["all_at_once", "canary", "linear", "rolling"]
DEPLOYMENT_STRATEGIES: tuple[str, ...] = get_args(Strategy)
# Allowed step sizes (percent of the fleet) per strategy, from SageMaker's API reference.
STEP_PERCENT_RANGE = {"canary": (1, 50), "linear": (10, 50), "rolling": (5, 50)}


class ServerlessSettings(SettingsModel):
    """`ServerlessConfig` instead of instances: pay per request, scales to zero."""

    memory_mb: Integer = setting(
        2048,
        "Memory per concurrent invocation; vCPUs scale with it.",
        unit="MB",
        allowed="1024 to 6144 in steps of 1024",
        ge=SERVERLESS_MEMORY_MB[0],
        le=SERVERLESS_MEMORY_MB[-1],
        multiple_of=1024,
    )
    max_concurrency: Integer = setting(
        5,
        "Concurrent invocations before requests are throttled.",
        ge=1,
        le=MAX_SERVERLESS_CONCURRENCY,
    )
    provisioned_concurrency: Blankable[Integer] = setting(
        None,
        "Invocations kept warm (no cold starts, billed per hour); at most max_concurrency. "
        "null keeps none warm: cold starts, no idle cost.",
        ge=1,
        le=MAX_SERVERLESS_CONCURRENCY,
    )


class AutoscalingSettings(SettingsModel):
    """Target tracking on `SageMakerVariantInvocationsPerInstance`."""

    min_capacity: Integer = setting(
        1, "Fewest instances; at most max_capacity.", ge=1, le=MAX_INSTANCE_COUNT
    )
    max_capacity: Integer = setting(
        4, "Most instances: you pay up to this many.", ge=1, le=MAX_INSTANCE_COUNT
    )
    target_invocations_per_instance: Integer = setting(
        100,
        "Invocations per instance per minute the policy keeps the variant at.",
        unit="per instance per minute",
        ge=1,
        le=100_000,
    )
    scale_in_cooldown_seconds: Integer = setting(
        300, "Wait after a scale-in before the next one.", unit="seconds", ge=0, le=3600
    )
    scale_out_cooldown_seconds: Integer = setting(
        60, "Wait after a scale-out before the next one.", unit="seconds", ge=0, le=3600
    )


class DeploymentSettings(SettingsModel):
    """`DeploymentConfig`: blue/green (all at once, canary, linear) or rolling; auto-rollback."""

    strategy: Strategy = setting(
        "all_at_once",
        "all_at_once, canary and linear are blue/green (the new fleet runs beside the old one "
        "while it bakes); rolling replaces instances in batches. canary, linear and rolling "
        "need 2 or more instances.",
    )
    step_percent: Integer = setting(
        50,
        "Canary size, linear step or rolling batch: canary 1-50, linear 10-50, rolling 5-50, "
        "and at least one instance.",
        unit="% of the fleet",
        ge=1,
        le=50,
    )
    wait_seconds: Integer = setting(
        300, "Baking period per step, while the alarms watch.", unit="seconds", ge=0, le=3600
    )
    termination_wait_seconds: Integer = setting(
        0,
        "Blue/green: keep the old fleet this long after the switch.",
        unit="seconds",
        ge=0,
        le=3600,
    )
    timeout_seconds: Integer = setting(
        3600,
        "The whole deployment; must exceed the bakes plus the termination wait it implies.",
        unit="seconds",
        ge=600,
        le=28800,
    )


def baking_periods(strategy: str, step_percent: int) -> int:
    """How many times a deployment waits `wait_seconds` while its alarms watch."""
    if strategy == "all_at_once":
        return 1
    if strategy == "canary":
        return 2  # the canary, then the whole new fleet
    return -(-100 // step_percent)  # linear steps or rolling batches
