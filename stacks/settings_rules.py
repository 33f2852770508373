"""Rules across settings: valid values that cannot go together fail synth, not a deploy.

Each rule names the key it refuses and why, so one message lists every clash at once.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from stacks.settings_base import Problems, quote
from stacks.settings_options import STEP_PERCENT_RANGE

if TYPE_CHECKING:
    from stacks.config import EndpointSettings

# A `d` after the generation digit means local NVMe instance storage: m5d, c6id, r6gd, g4dn, p4d.
_NVME_FAMILY = re.compile(r"^[a-z]+\d+[a-z]*d[a-z]*$")


def has_local_nvme(instance_type: str) -> bool:
    parts = instance_type.split(".")
    return len(parts) == 3 and bool(_NVME_FAMILY.fullmatch(parts[1]))


def baking_periods(strategy: str, step_percent: int) -> int:
    """How many times a deployment waits `wait_seconds` while its alarms watch."""
    if strategy == "all_at_once":
        return 1
    if strategy == "canary":
        return 2  # the canary, then the whole new fleet
    return -(-100 // step_percent)  # linear steps or rolling batches


def check_combinations(settings: EndpointSettings, problems: Problems) -> None:
    defaults = type(settings)()
    if settings.serverless is not None:
        _check_serverless(settings, defaults, problems)
    else:
        _check_instances(settings, problems)
    deployment = settings.deployment
    if deployment is not None:
        bakes = baking_periods(deployment.strategy, deployment.step_percent)
        waiting = bakes * deployment.wait_seconds + deployment.termination_wait_seconds
        if deployment.timeout_seconds <= waiting:
            problems.conflict(
                "deployment.timeout_seconds",
                f"must exceed the deployment's waiting time, {bakes} x wait_seconds "
                f"({deployment.wait_seconds}) + termination_wait_seconds "
                f"({deployment.termination_wait_seconds}) = {waiting}; "
                f"given {deployment.timeout_seconds}",
            )
    if settings.vpc is not None and not (
        settings.vpc.subnet_ids and settings.vpc.security_group_ids
    ):
        problems.conflict(
            "vpc", "needs both subnet_ids and security_group_ids (SageMaker takes both or none)"
        )


def _check_serverless(
    settings: EndpointSettings, defaults: EndpointSettings, problems: Problems
) -> None:
    serverless = settings.serverless
    assert serverless is not None
    refuse = "cannot be used with serverless (serverless is set)"
    if settings.instance_type != defaults.instance_type:
        problems.conflict(
            "instance_type",
            f"{refuse}: serverless endpoints have no instances; "
            f"given {quote(settings.instance_type)}",
        )
    if settings.instance_count != defaults.instance_count:
        problems.conflict(
            "instance_count",
            f"{refuse}: serverless endpoints have no instances; "
            f"use serverless.max_concurrency; given {settings.instance_count}",
        )
    unsupported = {
        "data_capture": settings.data_capture,
        "autoscaling": settings.autoscaling,
        "vpc": settings.vpc,
        "kms": settings.kms,
    }
    for key, value in unsupported.items():
        if value is not None:
            problems.conflict(key, f"{refuse}: SageMaker Serverless Inference does not support it")
    if settings.network_isolation:
        problems.conflict(
            "network_isolation", f"{refuse}: SageMaker Serverless Inference does not support it"
        )
    if settings.deployment is not None and settings.deployment.strategy != "all_at_once":
        problems.conflict(
            "deployment.strategy",
            f"{refuse}: a serverless endpoint updates blue/green all at once only; "
            f"given {quote(settings.deployment.strategy)}",
        )
    provisioned = serverless.provisioned_concurrency
    if provisioned is not None and provisioned > serverless.max_concurrency:
        problems.conflict(
            "serverless.provisioned_concurrency",
            f"must be at most serverless.max_concurrency ({serverless.max_concurrency}); "
            f"given {provisioned}",
        )


def _check_instances(settings: EndpointSettings, problems: Problems) -> None:
    count = settings.instance_count
    scaling = settings.autoscaling
    if scaling is not None:
        if scaling.min_capacity > scaling.max_capacity:
            problems.conflict(
                "autoscaling.min_capacity",
                f"must be at most autoscaling.max_capacity ({scaling.max_capacity}); "
                f"given {scaling.min_capacity}",
            )
        elif not scaling.min_capacity <= count <= scaling.max_capacity:
            problems.conflict(
                "instance_count",
                f"must lie within autoscaling.min_capacity..max_capacity "
                f"({scaling.min_capacity}..{scaling.max_capacity}); given {count}",
            )
    deployment = settings.deployment
    if deployment is not None and deployment.strategy in STEP_PERCENT_RANGE:
        strategy = deployment.strategy
        lo, hi = STEP_PERCENT_RANGE[strategy]
        if not lo <= deployment.step_percent <= hi:
            problems.conflict(
                "deployment.step_percent",
                f"{strategy} takes {lo} to {hi} (% of the fleet); given {deployment.step_percent}",
            )
        smallest = min(count, scaling.min_capacity if scaling else count)
        if smallest < 2:
            problems.conflict(
                "deployment.strategy",
                f"{strategy} needs 2 or more instances (instance_count"
                f"{' and autoscaling.min_capacity' if scaling else ''}); "
                f"given {quote(strategy)} with {smallest}",
            )
        elif smallest * deployment.step_percent // 100 < 1:
            problems.conflict(
                "deployment.step_percent",
                f"{deployment.step_percent}% of {smallest} instances is less than one instance; "
                f"raise it to at least {-(-100 // smallest)}",
            )
    if settings.kms is not None and has_local_nvme(settings.instance_type):
        problems.conflict(
            "kms",
            f"cannot encrypt instance_type {quote(settings.instance_type)}: its family has local "
            "NVMe storage (a 'd' in the family), which SageMaker encrypts itself and refuses a "
            "KmsKeyId for; pick a family without 'd' (e.g. ml.m5.large) or drop kms",
        )
