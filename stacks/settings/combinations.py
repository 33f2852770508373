"""Rules across settings: valid values that cannot deploy together fail synth, not a deploy.

Each rule is an `after` validator on the last setting it reads, so pydantic has validated the
others first; it reads them from `info.data`, which holds only the settings that validated. A
rule whose settings are invalid (or already break a rule) does not run: a bad value is reported
once. Rules within one option group are model validators on its model. Every validator's
docstring, one paragraph per rule, is listed in docs/configuration.md.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationInfo, field_validator

from stacks.settings.capacity import AutoscalingSettings, DeploymentSettings
from stacks.settings.errors import Problem, quote, refuse
from stacks.settings.instances import (
    DEFAULT_INSTANCE_COUNT,
    DEFAULT_INSTANCE_TYPE,
    has_local_nvme,
)
from stacks.settings.teardown import IdleTeardownSettings
from stacks.settings.values import SettingsModel

DEFAULT_MODEL_ARTIFACT = "build/model.tar.gz"
SERVERLESS = "cannot be used with serverless (serverless is set)"
UNSUPPORTED = f"{SERVERLESS}: SageMaker Serverless Inference does not support it"


def _read(info: ValidationInfo, *keys: str) -> bool:
    """Whether every key a rule reads validated (pydantic leaves the others out of `data`)."""
    return all(key in info.data for key in keys)


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

    # autoscaling validates its default too, so the instance rules run without it.
    @field_validator("autoscaling", check_fields=False)
    @classmethod
    def _capacity(
        cls, scaling: AutoscalingSettings | None, info: ValidationInfo
    ) -> AutoscalingSettings | None:
        """serverless: instance_type stays at its default (serverless endpoints have no
        instances).

        serverless: instance_count stays at its default (use serverless.max_concurrency).

        autoscaling: min_capacity <= instance_count <= max_capacity."""
        if not _read(info, "serverless"):
            return scaling
        data, problems = info.data, list[Problem]()
        if data["serverless"] is not None:
            instance_type = data.get("instance_type", DEFAULT_INSTANCE_TYPE)
            if instance_type != DEFAULT_INSTANCE_TYPE:
                message = f"serverless endpoints have no instances; given {quote(instance_type)}"
                problems.append(("instance_type", f"{SERVERLESS}: {message}"))
            count = data.get("instance_count", DEFAULT_INSTANCE_COUNT)
            if count != DEFAULT_INSTANCE_COUNT:
                message = "serverless endpoints have no instances; use serverless.max_concurrency"
                problems.append(("instance_count", f"{SERVERLESS}: {message}; given {count}"))
            if scaling is not None:
                problems.append(("autoscaling", UNSUPPORTED))
        elif scaling is not None and _read(info, "instance_count"):
            count = data["instance_count"]
            if not scaling.min_capacity <= count <= scaling.max_capacity:
                message = (
                    "must lie within autoscaling.min_capacity..max_capacity "
                    f"({scaling.min_capacity}..{scaling.max_capacity}); given {count}"
                )
                problems.append(("instance_count", message))
        refuse(problems)
        return scaling

    @field_validator("data_capture", "kms", "network_isolation", "vpc", check_fields=False)
    @classmethod
    def _not_with_serverless(cls, value: Any, info: ValidationInfo) -> Any:
        """serverless: SageMaker Serverless Inference supports none of data_capture,
        autoscaling, vpc, kms, network_isolation."""
        if value not in (None, False) and info.data.get("serverless") is not None:
            refuse([(str(info.field_name), UNSUPPORTED)])
        return value

    @field_validator("deployment", check_fields=False)
    @classmethod
    def _deployment_fits(
        cls, deployment: DeploymentSettings | None, info: ValidationInfo
    ) -> DeploymentSettings | None:
        """serverless: deployment.strategy is all_at_once.

        deployment: canary, linear and rolling need 2 or more instances (instance_count and
        autoscaling.min_capacity), and a step of at least one instance."""
        if deployment is None or deployment.strategy == "all_at_once":
            return deployment
        data, strategy = info.data, deployment.strategy
        if data.get("serverless") is not None:
            message = "a serverless endpoint updates blue/green all at once only"
            refuse([("deployment.strategy", f"{SERVERLESS}: {message}; given {quote(strategy)}")])
        if not _read(info, "serverless", "instance_count", "autoscaling"):
            return deployment
        scaling, count = data["autoscaling"], data["instance_count"]
        smallest = min(count, scaling.min_capacity if scaling else count)
        if smallest < 2:
            message = (
                f"{strategy} needs 2 or more instances (instance_count"
                f"{' and autoscaling.min_capacity' if scaling else ''}); "
                f"given {quote(strategy)} with {smallest}"
            )
            refuse([("deployment.strategy", message)])
        if smallest * deployment.step_percent // 100 < 1:
            message = (
                f"{deployment.step_percent}% of {smallest} instances is less than one instance; "
                f"raise it to at least {-(-100 // smallest)}"
            )
            refuse([("deployment.step_percent", message)])
        return deployment

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
