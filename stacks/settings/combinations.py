"""Rules across settings: valid values that cannot deploy together fail synth, not a deploy.

Each rule is an `after` validator on a setting declared after the others it reads, so pydantic
has validated those first, and `info.data` holds only the ones that validated: a rule that
reads an invalid value does not run, and a bad value is reported once. A validator that fails
makes its setting invalid for the validators after it, so the rules on one setting share one
validator, and a group's own rules sit here with the rules that read the group (only
`public_api`'s, which nothing else reads, is on its model). Each validator's docstring, one
paragraph per rule, is listed in docs/configuration.md.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationInfo, field_validator

from stacks.settings.capacity import (
    STEP_PERCENT_RANGE,
    AutoscalingSettings,
    DeploymentSettings,
    baking_periods,
)
from stacks.settings.errors import Problem, quote, refuse
from stacks.settings.instances import (
    DEFAULT_INSTANCE_COUNT,
    DEFAULT_INSTANCE_TYPE,
    has_local_nvme,
)
from stacks.settings.network import VpcSettings
from stacks.settings.teardown import IdleTeardownSettings
from stacks.settings.values import SettingsModel

DEFAULT_MODEL_ARTIFACT = "build/model.tar.gz"
SERVERLESS = "cannot be used with serverless (serverless is set)"
UNSUPPORTED = f"{SERVERLESS}: SageMaker Serverless Inference does not support it"


def _read(info: ValidationInfo, *keys: str) -> bool:
    """Whether every key a rule reads validated (pydantic leaves the others out of `data`)."""
    return all(key in info.data for key in keys)


def _serverless_set(info: ValidationInfo) -> bool:
    return info.data.get("serverless") is not None


def _instance_rules(info: ValidationInfo) -> list[Problem]:
    problems: list[Problem] = []
    instance_type = info.data.get("instance_type", DEFAULT_INSTANCE_TYPE)
    if instance_type != DEFAULT_INSTANCE_TYPE:
        message = f"serverless endpoints have no instances; given {quote(instance_type)}"
        problems.append(("instance_type", f"{SERVERLESS}: {message}"))
    count = info.data.get("instance_count", DEFAULT_INSTANCE_COUNT)
    if count != DEFAULT_INSTANCE_COUNT:
        message = "serverless endpoints have no instances; use serverless.max_concurrency"
        problems.append(("instance_count", f"{SERVERLESS}: {message}; given {count}"))
    return problems


class Combinations(SettingsModel):
    """EndpointSettings' rules across its settings (the fields are declared there)."""

    @field_validator("model", check_fields=False)
    @classmethod
    def _model_or_artifact(cls, model: str | None, info: ValidationInfo) -> str | None:
        """model: a spec builds its own tarball, so model_artifact stays at its default."""
        artifact = info.data.get("model_artifact", DEFAULT_MODEL_ARTIFACT)
        if model is not None and artifact != DEFAULT_MODEL_ARTIFACT:
            message = (
                "cannot be used with model (model is set, and its build makes the tarball); "
                f"given {quote(artifact)}"
            )
            refuse([("model_artifact", message)])
        return model

    # The field validates its default too (validate_default), so these run without it.
    @field_validator("autoscaling", check_fields=False)
    @classmethod
    def _capacity(
        cls, scaling: AutoscalingSettings | None, info: ValidationInfo
    ) -> AutoscalingSettings | None:
        """serverless: instance_type stays at its default (serverless endpoints have no
        instances).

        serverless: instance_count stays at its default (use serverless.max_concurrency).

        serverless: SageMaker Serverless Inference supports none of data_capture,
        autoscaling, vpc, kms, network_isolation.

        serverless.provisioned_concurrency is at most serverless.max_concurrency.

        autoscaling: min_capacity <= instance_count <= max_capacity."""
        if not _read(info, "serverless"):
            return scaling
        problems: list[Problem] = []
        serverless = info.data["serverless"]
        if serverless is not None:
            problems += _instance_rules(info)
            if scaling is not None:
                problems.append(("autoscaling", UNSUPPORTED))
            provisioned, most = serverless.provisioned_concurrency, serverless.max_concurrency
            if provisioned is not None and provisioned > most:
                message = f"must be at most serverless.max_concurrency ({most})"
                message += f"; given {provisioned}"
                problems.append(("serverless.provisioned_concurrency", message))
        elif scaling is not None and _read(info, "instance_count"):
            low, high = scaling.min_capacity, scaling.max_capacity
            count = info.data["instance_count"]
            if low > high:
                message = f"must be at most autoscaling.max_capacity ({high}); given {low}"
                problems.append(("autoscaling.min_capacity", message))
            elif not low <= count <= high:
                message = (
                    "must lie within autoscaling.min_capacity..max_capacity "
                    f"({low}..{high}); given {count}"
                )
                problems.append(("instance_count", message))
        refuse(problems)
        return scaling

    # The rest of the list in _capacity's docstring.
    @field_validator("data_capture", "kms", "network_isolation", check_fields=False)
    @classmethod
    def _not_with_serverless(cls, value: Any, info: ValidationInfo) -> Any:
        if value not in (None, False) and _serverless_set(info):
            refuse([(str(info.field_name), UNSUPPORTED)])
        return value

    @field_validator("deployment", check_fields=False)
    @classmethod
    def _deployment_fits(
        cls, deployment: DeploymentSettings | None, info: ValidationInfo
    ) -> DeploymentSettings | None:
        """serverless: deployment.strategy is all_at_once.

        deployment.step_percent: canary 1-50, linear 10-50, rolling 5-50 (% of the fleet).

        deployment: canary, linear and rolling need 2 or more instances (instance_count and
        autoscaling.min_capacity), and a step of at least one instance.

        deployment.timeout_seconds exceeds the bakes and termination wait the strategy
        implies."""
        if deployment is None:
            return deployment
        problems: list[Problem] = []
        strategy, step = deployment.strategy, deployment.step_percent
        if _read(info, "serverless") and strategy != "all_at_once":
            if _serverless_set(info):
                message = (
                    f"{SERVERLESS}: a serverless endpoint updates blue/green all at once only; "
                    f"given {quote(strategy)}"
                )
                problems.append(("deployment.strategy", message))
            else:
                problems += _steps(deployment, info)
        bakes, wait = baking_periods(strategy, step), deployment.wait_seconds
        waiting = bakes * wait + deployment.termination_wait_seconds
        if deployment.timeout_seconds <= waiting:
            message = (
                f"must exceed the deployment's waiting time, {bakes} x wait_seconds ({wait}) + "
                f"termination_wait_seconds ({deployment.termination_wait_seconds}) = {waiting}; "
                f"given {deployment.timeout_seconds}"
            )
            problems.append(("deployment.timeout_seconds", message))
        refuse(problems)
        return deployment

    @field_validator("vpc", check_fields=False)
    @classmethod
    def _vpc(cls, vpc: VpcSettings | None, info: ValidationInfo) -> VpcSettings | None:
        """vpc: subnet_ids and security_group_ids come together."""
        problems: list[Problem] = []
        if vpc is not None and _serverless_set(info):
            problems.append(("vpc", UNSUPPORTED))
        if vpc is not None and not (vpc.subnet_ids and vpc.security_group_ids):
            message = "needs both subnet_ids and security_group_ids (SageMaker takes both or none)"
            problems.append(("vpc", message))
        refuse(problems)
        return vpc

    @field_validator("kms", check_fields=False)
    @classmethod
    def _kms_not_on_nvme(cls, kms: str | None, info: ValidationInfo) -> str | None:
        """kms: not with an instance type with local NVMe storage, which SageMaker encrypts
        itself."""
        if kms is None or not _read(info, "serverless", "instance_type"):
            return kms
        instance_type = info.data["instance_type"]
        if info.data["serverless"] is None and has_local_nvme(instance_type):
            message = (
                f"cannot encrypt instance_type {quote(instance_type)}: its family has local "
                "NVMe storage (a 'd' in the family), which SageMaker encrypts itself and "
                "refuses a KmsKeyId for; pick a family without 'd' (e.g. ml.m5.large) or drop kms"
            )
            refuse([("kms", message)])
        return kms

    @field_validator("idle_teardown", check_fields=False)
    @classmethod
    def _teardown_saves_something(
        cls, teardown: IdleTeardownSettings | None, info: ValidationInfo
    ) -> IdleTeardownSettings | None:
        """idle_teardown: not with serverless unless it has provisioned concurrency (an idle
        serverless endpoint without it bills nothing)."""
        serverless = info.data.get("serverless")
        if teardown is not None and serverless and serverless.provisioned_concurrency is None:
            message = (
                "an idle serverless endpoint without provisioned_concurrency bills nothing, so "
                "there is nothing to tear down; drop idle_teardown or set "
                "serverless.provisioned_concurrency"
            )
            refuse([("idle_teardown", message)])
        return teardown


def _steps(deployment: DeploymentSettings, info: ValidationInfo) -> list[Problem]:
    """An instance endpoint's step size, and the instances its strategy needs."""
    problems: list[Problem] = []
    strategy, step = deployment.strategy, deployment.step_percent
    lo, hi = STEP_PERCENT_RANGE[strategy]
    if not lo <= step <= hi:
        message = f"{strategy} takes {lo} to {hi} (% of the fleet); given {step}"
        problems.append(("deployment.step_percent", message))
    if not _read(info, "instance_count", "autoscaling"):
        return problems
    scaling, count = info.data["autoscaling"], info.data["instance_count"]
    smallest = min(count, scaling.min_capacity if scaling else count)
    if smallest < 2:
        message = (
            f"{strategy} needs 2 or more instances (instance_count"
            f"{' and autoscaling.min_capacity' if scaling else ''}); "
            f"given {quote(strategy)} with {smallest}"
        )
        problems.append(("deployment.strategy", message))
    elif smallest * step // 100 < 1:
        message = (
            f"{step}% of {smallest} instances is less than one instance; "
            f"raise it to at least {-(-100 // smallest)}"
        )
        problems.append(("deployment.step_percent", message))
    return problems
