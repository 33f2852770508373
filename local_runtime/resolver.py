"""Endpoint -> endpoint config -> model lookups against the control plane, cached briefly.

SageMaker serves an endpoint's first production variant; what runs there is the model's primary
container: its artefact (ModelDataUrl) and environment. The cache keeps the hot path off the
control plane; its TTL bounds how long a redeploy or a delete takes to show.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError


@dataclass(frozen=True)
class ModelSpec:
    """What one container runs; equal specs share a container."""

    model_name: str
    model_data_url: str
    environment: tuple[tuple[str, str], ...]

    @property
    def env(self) -> dict[str, str]:
        return dict(self.environment)


@dataclass(frozen=True)
class Deployment:
    endpoint_name: str
    config_name: str
    variant_name: str
    model: ModelSpec


class EndpointNotFound(Exception):
    pass


def _missing(exc: ClientError) -> bool:
    # moto answers ValidationException "Could not find ..." for a missing endpoint/config/model.
    return exc.response.get("Error", {}).get("Code") in {
        "ValidationException",
        "ValidationError",
        "ResourceNotFound",
    }


def describe(sagemaker: Any, endpoint_name: str) -> Deployment:
    """Resolve an endpoint the way SageMaker does; EndpointNotFound if any link is gone."""
    try:
        endpoint = sagemaker.describe_endpoint(EndpointName=endpoint_name)
        config_name = endpoint["EndpointConfigName"]
        config = sagemaker.describe_endpoint_config(EndpointConfigName=config_name)
        variant = config["ProductionVariants"][0]
        model = sagemaker.describe_model(ModelName=variant["ModelName"])
    except ClientError as exc:
        if _missing(exc):
            raise EndpointNotFound(endpoint_name) from exc
        raise
    container = model.get("PrimaryContainer") or (model.get("Containers") or [{}])[0]
    return Deployment(
        endpoint_name=endpoint_name,
        config_name=config_name,
        variant_name=variant["VariantName"],
        model=ModelSpec(
            model_name=model["ModelName"],
            model_data_url=container.get("ModelDataUrl", ""),
            environment=tuple(sorted((container.get("Environment") or {}).items())),
        ),
    )


class CachedResolver:
    """`resolve(name)` with a TTL; negative answers are cached too."""

    def __init__(
        self,
        lookup: Callable[[str], Deployment],
        *,
        ttl: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        on_change: Callable[[], None] | None = None,
    ) -> None:
        self._lookup = lookup
        self.ttl = ttl
        self._on_change = on_change  # called when an endpoint moves off a model (or is deleted)
        self._clock = clock
        self._entries: dict[str, tuple[float, Deployment | None]] = {}
        self._lock = threading.Lock()
        self._name_locks: dict[str, threading.Lock] = {}

    def resolve(self, name: str) -> Deployment:
        entry = self._entries.get(name)
        if entry is None or entry[0] <= self._clock():
            with self._name_lock(name):  # one lookup per name at a time, not one per request
                entry = self._entries.get(name)
                if entry is None or entry[0] <= self._clock():
                    try:
                        found: Deployment | None = self._lookup(name)
                    except EndpointNotFound:
                        found = None
                    before = self._entries.get(name)
                    entry = (self._clock() + self.ttl, found)
                    self._entries[name] = entry
                    old = before[1] if before is not None else None
                    moved = old is not None and (found is None or old.model != found.model)
                    if moved and self._on_change is not None:
                        self._on_change()
        if entry[1] is None:
            raise EndpointNotFound(name)
        return entry[1]

    def models_in_use(self) -> set[ModelSpec]:
        """Models some cached endpoint still points at (fresh or not)."""
        return {dep.model for _, dep in list(self._entries.values()) if dep is not None}

    def _name_lock(self, name: str) -> threading.Lock:
        with self._lock:
            return self._name_locks.setdefault(name, threading.Lock())
