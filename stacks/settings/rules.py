"""Rules across settings: valid values that cannot go together fail synth, not a deploy.

Each rule names the top-level keys it reads; `load_settings` skips a rule when one of them is
itself invalid, so a bad value never brings a second, false complaint. A rule yields
`(key path, message)` for each clash; its docstring is listed in docs/configuration.md.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from typing import Protocol

from stacks.settings.capacity import (
    STEP_PERCENT_RANGE,
    AutoscalingSettings,
    DeploymentSettings,
    ServerlessSettings,
    baking_periods,
)
from stacks.settings.errors import quote
from stacks.settings.instances import (
    DEFAULT_INSTANCE_COUNT,
    DEFAULT_INSTANCE_TYPE,
    has_local_nvme,
)
from stacks.settings.network import VpcSettings
from stacks.settings.observability import DataCaptureSettings
from stacks.settings.public_api import PublicApiSettings
from stacks.settings.teardown import IdleTeardownSettings

DEFAULT_MODEL_ARTIFACT = "build/model.tar.gz"
# The validation context key that carries the top-level keys whose values were invalid.
INVALID_KEYS = "invalid_keys"
SERVERLESS = "cannot be used with serverless (serverless is set)"

Problem = tuple[str, str]


class Combination(Protocol):
    """The settings the rules read (EndpointSettings has them; importing it would be a cycle)."""

    model_artifact: str
    model: str | None
    instance_type: str
    instance_count: int
    serverless: ServerlessSettings | None
    autoscaling: AutoscalingSettings | None
    deployment: DeploymentSettings | None
    data_capture: DataCaptureSettings | None
    kms: str | None
    network_isolation: bool | None
    vpc: VpcSettings | None
    public_api: PublicApiSettings | None
    idle_teardown: IdleTeardownSettings | None


@dataclass(frozen=True)
class Rule:
    reads: frozenset[str]
    check: Callable[[Combination], Iterator[Problem]]

    @property
    def doc(self) -> str:
        return " ".join((self.check.__doc__ or "").split())


RULES: list[Rule] = []


def rule(*reads: str) -> Callable[[Callable[[Combination], Iterator[Problem]]], None]:
    def register(check: Callable[[Combination], Iterator[Problem]]) -> None:
        RULES.append(Rule(frozenset(reads), check))

    return register


def conflicts(settings: Combination, *, skip: Collection[str] = ()) -> list[Problem]:
    active = [each for each in RULES if not each.reads & set(skip)]
    return [problem for each in active for problem in each.check(settings)]


@rule("model", "model_artifact")
def _model_or_artifact(s: Combination) -> Iterator[Problem]:
    """model: a spec builds its own tarball, so model_artifact stays at its default."""
    if s.model is not None and s.model_artifact != DEFAULT_MODEL_ARTIFACT:
        yield (
            "model_artifact",
            f"cannot be used with model (model is set, and its build makes the tarball); "
            f"given {quote(s.model_artifact)}",
        )


@rule("serverless", "instance_type")
def _serverless_has_no_instance_type(s: Combination) -> Iterator[Problem]:
    """serverless: instance_type stays at its default (serverless endpoints have no instances)."""
    if s.serverless is not None and s.instance_type != DEFAULT_INSTANCE_TYPE:
        message = (
            f"{SERVERLESS}: serverless endpoints have no instances; given {quote(s.instance_type)}"
        )
        yield "instance_type", message


@rule("serverless", "instance_count")
def _serverless_has_no_instance_count(s: Combination) -> Iterator[Problem]:
    """serverless: instance_count stays at its default (use serverless.max_concurrency)."""
    if s.serverless is not None and s.instance_count != DEFAULT_INSTANCE_COUNT:
        message = (
            f"{SERVERLESS}: serverless endpoints have no instances; "
            f"use serverless.max_concurrency; given {s.instance_count}"
        )
        yield "instance_count", message


NOT_WITH_SERVERLESS = ("data_capture", "autoscaling", "vpc", "kms", "network_isolation")


def _unsupported_with_serverless(key: str) -> None:
    def check(s: Combination) -> Iterator[Problem]:
        if s.serverless is not None and getattr(s, key) not in (None, False):
            yield key, f"{SERVERLESS}: SageMaker Serverless Inference does not support it"

    check.__doc__ = (
        "serverless: SageMaker Serverless Inference supports none of "
        f"{', '.join(NOT_WITH_SERVERLESS)}."
    )
    rule("serverless", key)(check)


for _key in NOT_WITH_SERVERLESS:
    _unsupported_with_serverless(_key)


@rule("serverless", "deployment")
def _serverless_updates_all_at_once(s: Combination) -> Iterator[Problem]:
    """serverless: deployment.strategy is all_at_once."""
    if s.serverless is not None and s.deployment and s.deployment.strategy != "all_at_once":
        message = (
            f"{SERVERLESS}: a serverless endpoint updates blue/green all at once only; "
            f"given {quote(s.deployment.strategy)}"
        )
        yield "deployment.strategy", message


@rule("serverless")
def _provisioned_within_max(s: Combination) -> Iterator[Problem]:
    """serverless.provisioned_concurrency is at most serverless.max_concurrency."""
    serverless = s.serverless
    provisioned = serverless.provisioned_concurrency if serverless else None
    if serverless and provisioned is not None and provisioned > serverless.max_concurrency:
        message = (
            f"must be at most serverless.max_concurrency ({serverless.max_concurrency}); "
            f"given {provisioned}"
        )
        yield "serverless.provisioned_concurrency", message


@rule("serverless", "autoscaling", "instance_count")
def _count_within_scaling(s: Combination) -> Iterator[Problem]:
    """autoscaling: min_capacity <= instance_count <= max_capacity."""
    scaling = s.autoscaling
    if s.serverless is not None or scaling is None:
        return
    if scaling.min_capacity > scaling.max_capacity:
        message = (
            f"must be at most autoscaling.max_capacity ({scaling.max_capacity}); "
            f"given {scaling.min_capacity}"
        )
        yield "autoscaling.min_capacity", message
    elif not scaling.min_capacity <= s.instance_count <= scaling.max_capacity:
        message = (
            f"must lie within autoscaling.min_capacity..max_capacity "
            f"({scaling.min_capacity}..{scaling.max_capacity}); given {s.instance_count}"
        )
        yield "instance_count", message


@rule("serverless", "deployment")
def _step_within_strategy(s: Combination) -> Iterator[Problem]:
    """deployment.step_percent: canary 1-50, linear 10-50, rolling 5-50 (% of the fleet)."""
    deployment = s.deployment
    if s.serverless is None and deployment and deployment.strategy in STEP_PERCENT_RANGE:
        lo, hi = STEP_PERCENT_RANGE[deployment.strategy]
        if not lo <= deployment.step_percent <= hi:
            message = (
                f"{deployment.strategy} takes {lo} to {hi} (% of the fleet); "
                f"given {deployment.step_percent}"
            )
            yield "deployment.step_percent", message


@rule("serverless", "deployment", "instance_count", "autoscaling")
def _steps_need_instances(s: Combination) -> Iterator[Problem]:
    """deployment: canary, linear and rolling need 2 or more instances (instance_count and
    autoscaling.min_capacity), and a step of at least one instance."""
    deployment, scaling = s.deployment, s.autoscaling
    if s.serverless is not None or not deployment or deployment.strategy == "all_at_once":
        return
    smallest = min(s.instance_count, scaling.min_capacity if scaling else s.instance_count)
    if smallest < 2:
        message = (
            f"{deployment.strategy} needs 2 or more instances (instance_count"
            f"{' and autoscaling.min_capacity' if scaling else ''}); "
            f"given {quote(deployment.strategy)} with {smallest}"
        )
        yield "deployment.strategy", message
    elif smallest * deployment.step_percent // 100 < 1:
        message = (
            f"{deployment.step_percent}% of {smallest} instances is less than one instance; "
            f"raise it to at least {-(-100 // smallest)}"
        )
        yield "deployment.step_percent", message


@rule("deployment")
def _timeout_exceeds_waiting(s: Combination) -> Iterator[Problem]:
    """deployment.timeout_seconds exceeds the bakes and termination wait the strategy implies."""
    d = s.deployment
    if d is None:
        return
    bakes = baking_periods(d.strategy, d.step_percent)
    waiting = bakes * d.wait_seconds + d.termination_wait_seconds
    if d.timeout_seconds <= waiting:
        message = (
            f"must exceed the deployment's waiting time, {bakes} x wait_seconds "
            f"({d.wait_seconds}) + termination_wait_seconds ({d.termination_wait_seconds}) "
            f"= {waiting}; given {d.timeout_seconds}"
        )
        yield "deployment.timeout_seconds", message


@rule("vpc")
def _vpc_takes_both(s: Combination) -> Iterator[Problem]:
    """vpc: subnet_ids and security_group_ids come together."""
    if s.vpc is not None and not (s.vpc.subnet_ids and s.vpc.security_group_ids):
        yield "vpc", "needs both subnet_ids and security_group_ids (SageMaker takes both or none)"


@rule("serverless", "kms", "instance_type")
def _kms_not_on_nvme(s: Combination) -> Iterator[Problem]:
    """kms: not with an instance type with local NVMe storage, which SageMaker encrypts itself."""
    if s.serverless is None and s.kms is not None and has_local_nvme(s.instance_type):
        message = (
            f"cannot encrypt instance_type {quote(s.instance_type)}: its family has local "
            "NVMe storage (a 'd' in the family), which SageMaker encrypts itself and refuses a "
            "KmsKeyId for; pick a family without 'd' (e.g. ml.m5.large) or drop kms"
        )
        yield "kms", message


@rule("public_api")
def _burst_covers_rate(s: Combination) -> Iterator[Problem]:
    """public_api.burst_limit is at least public_api.rate_limit."""
    api = s.public_api
    if api is not None and api.burst_limit < api.rate_limit:
        message = f"allowed at least rate_limit ({api.rate_limit:g}); given {api.burst_limit}"
        yield "public_api.burst_limit", message


@rule("serverless", "idle_teardown")
def _teardown_saves_something(s: Combination) -> Iterator[Problem]:
    """idle_teardown: not with serverless unless it has provisioned concurrency (an idle
    serverless endpoint without it bills nothing)."""
    serverless = s.serverless
    if s.idle_teardown is not None and serverless and serverless.provisioned_concurrency is None:
        message = (
            "an idle serverless endpoint without provisioned_concurrency bills nothing, so "
            "there is nothing to tear down; drop idle_teardown or set "
            "serverless.provisioned_concurrency"
        )
        yield "idle_teardown", message
