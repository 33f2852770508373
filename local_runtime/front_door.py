"""InvokeEndpoint as SageMaker's front door answers it: authenticate, resolve, forward, translate.

HTTP-free on purpose: `runtime_server.py` hands it the received request and writes back the `Reply`.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from local_runtime import errors
from local_runtime.container_pool import (
    ContainerManager,
    ContainerStartError,
    ContainerTimeout,
    ContainerUnavailable,
)
from local_runtime.resolver import CachedResolver, EndpointNotFound
from local_runtime.sigv4 import Headers, SigV4Verifier

log = logging.getLogger(__name__)

_ENDPOINT_NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")
# Request headers InvokeEndpoint passes to the container; SageMaker strips the others.
_FORWARDED = ("Content-Type", "Accept", "X-Amzn-SageMaker-Custom-Attributes")


@dataclass
class Reply:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_error(cls, error: errors.AwsError) -> Reply:
        return cls(error.status, error.body(), error.headers())


class FrontDoor:
    def __init__(
        self,
        *,
        verifier: SigV4Verifier,
        resolver: CachedResolver,
        containers: ContainerManager,
        region: str,
    ) -> None:
        self.verifier = verifier
        self.resolver = resolver
        self.containers = containers
        self.region = region

    def invoke(self, *, endpoint: str, path: str, headers: Headers, body: bytes) -> Reply:
        try:
            return self._invoke(endpoint=endpoint, path=path, headers=headers, body=body)
        except errors.AwsError as exc:
            return Reply.from_error(exc)

    def _invoke(self, *, endpoint: str, path: str, headers: Headers, body: bytes) -> Reply:
        self.verifier.verify(method="POST", path=path, headers=headers, body=body)
        if not _ENDPOINT_NAME.match(endpoint):
            raise errors.invalid_endpoint_name(endpoint)
        try:
            deployment = self.resolver.resolve(endpoint)
        except EndpointNotFound:
            raise errors.endpoint_not_found(endpoint) from None
        try:
            container = self.containers.get(deployment.model)
        except ContainerStartError as exc:
            log.error("endpoint %s: %s", endpoint, exc)
            raise errors.internal_failure() from exc
        forwarded = {name: value for name in _FORWARDED if (value := headers.get(name)) is not None}
        try:
            reply = container.invoke(body, forwarded)
        except ContainerTimeout:
            raise errors.model_timeout(endpoint=endpoint, region=self.region) from None
        except ContainerUnavailable as exc:
            log.error(
                "endpoint %s: container died (%s); it restarts on the next request", endpoint, exc
            )
            self.containers.discard(container)
            raise errors.internal_failure() from exc
        if not 200 <= reply.status < 300:
            raise errors.model_error(
                endpoint=endpoint,
                region=self.region,
                status=reply.status,
                body=reply.body.decode("utf-8", "replace"),
            )
        out = {
            "Content-Type": reply.content_type or "application/octet-stream",
            "x-Amzn-Invoked-Production-Variant": deployment.variant_name,
        }
        if reply.custom_attributes is not None:
            out["X-Amzn-SageMaker-Custom-Attributes"] = reply.custom_attributes
        return Reply(200, reply.body, out)
