"""The public API's API Gateway stage, locally: a received request in, the `Reply` out (no HTTP).

Serves `POST /restapis/<api-id>/<stage>/_user_request_/<path>` (the shape of moto's and
LocalStack's local invoke URLs) and does what the deployed API does, in its order:
1. route: the REST API, its stage and the method come from the control plane (moto keeps the
   method and its integration URI, which names the deployed endpoint);
2. API key: `x-api-key` must be an enabled key of a usage plan bound to this API and stage,
   else 403 {"message": "Forbidden"};
3. body: `Content-Type: application/json` (else 415) holding JSON valid against
   `stacks.public_api.contract.REQUEST_SCHEMA`, the object the stack puts in its API Gateway
   model (else 400 with the validator's message);
4. integration: a SigV4-signed InvokeEndpoint to the local runtime, whose answer is mapped with
   the stack's `RESPONSE_RULES` (a container 4xx, 424 ModelError, becomes a 400 with the
   handler's own body).
Not emulated: usage plan throttling and quotas, stage throttling, IAM (SigV4) authorization,
access logs.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import jsonschema
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from local_runtime.front_door import Reply
from local_runtime.sigv4 import Headers
from stacks.public_api.contract import (
    FORBIDDEN_MESSAGE,
    INVALID_BODY_MESSAGE,
    JSON_TYPE,
    REQUEST_SCHEMA,
    UNSUPPORTED_MEDIA_TYPE_MESSAGE,
    map_runtime_response,
    message_body,
)

log = logging.getLogger(__name__)

_INVOKE_PATH = re.compile(
    r"^/restapis/(?P<api>[^/]+)/(?P<stage>[^/]+)/_user_request_(?P<path>/.*)$"
)
# arn:aws:apigateway:<region>:runtime.sagemaker:path//endpoints/<name>/invocations
_SAGEMAKER_URI = re.compile(r":runtime\.sagemaker:path/+endpoints/(?P<endpoint>[^/]+)/invocations$")
RUNTIME_SIGNING_SERVICE = "sagemaker"
INTEGRATION_TIMEOUT_SECONDS = 29  # API Gateway's integration timeout
MISSING_TOKEN_MESSAGE = "Missing Authentication Token"  # API Gateway's answer for no such route


def local_invoke_url(base_url: str, *, api_id: str, stage: str, path: str = "/predict") -> str:
    """The local URL of a deployed route (stands in for https://<id>.execute-api.../<stage>)."""
    return f"{base_url.rstrip('/')}/restapis/{api_id}/{stage}/_user_request_{path}"


@dataclass(frozen=True)
class Route:
    endpoint_name: str
    api_key_required: bool
    authorization_type: str


class LocalApiGateway:
    """HTTP-free: `handle()` takes the received request and returns the `Reply` to send."""

    def __init__(
        self,
        *,
        apigateway: Any,
        runtime_url: str,
        region: str,
        credentials: Credentials,
        schema: Mapping[str, Any] = REQUEST_SCHEMA,
    ) -> None:
        self.apigateway = apigateway
        self.runtime_url = runtime_url.rstrip("/")
        self.region = region
        self.credentials = credentials
        self.validator = jsonschema.Draft4Validator(schema)
        self.http = requests.Session()

    def handle(self, *, method: str, path: str, headers: Headers, body: bytes) -> Reply:
        match = _INVOKE_PATH.match(path.split("?", 1)[0])
        if match is None:
            return json_reply(403, message_body(MISSING_TOKEN_MESSAGE))
        route = self._route(match["api"], match["stage"], match["path"], method)
        if route is None:
            return json_reply(403, message_body(MISSING_TOKEN_MESSAGE))
        if route.authorization_type == "AWS_IAM":
            return json_reply(501, message_body("IAM authorization is not emulated locally"))
        if route.api_key_required and not self._key_allowed(
            headers.get("x-api-key"), api_id=match["api"], stage=match["stage"]
        ):
            return json_reply(403, message_body(FORBIDDEN_MESSAGE))
        problem = self._body_problem(headers.get("Content-Type"), body)
        if problem is not None:
            return problem
        return self._invoke(route.endpoint_name, body)

    def _route(self, api_id: str, stage: str, path: str, method: str) -> Route | None:
        try:
            self.apigateway.get_stage(restApiId=api_id, stageName=stage)
            resources = self.apigateway.get_resources(restApiId=api_id, embed=["methods"])
        except ClientError as exc:
            log.info("no route %s %s/%s%s: %s", method, api_id, stage, path, exc)
            return None
        for resource in resources["items"]:
            found = resource.get("resourceMethods", {}).get(method)
            if resource.get("path") != path or not found:
                continue
            uri = (found.get("methodIntegration") or {}).get("uri", "")
            target = _SAGEMAKER_URI.search(uri)
            if target is None:
                log.warning("route %s %s has no SageMaker integration: %r", method, path, uri)
                return None
            return Route(
                endpoint_name=target["endpoint"],
                api_key_required=bool(found.get("apiKeyRequired")),
                authorization_type=str(found.get("authorizationType") or "NONE"),
            )
        return None

    def _key_allowed(self, value: str | None, *, api_id: str, stage: str) -> bool:
        if not value:
            return False
        keys = self.apigateway.get_api_keys(includeValues=True)["items"]
        key_ids = {k["id"] for k in keys if k.get("value") == value and k.get("enabled")}
        if not key_ids:
            return False
        for plan in self.apigateway.get_usage_plans()["items"]:
            stages = plan.get("apiStages", [])
            if not any(s.get("apiId") == api_id and s.get("stage") == stage for s in stages):
                continue
            plan_keys = self.apigateway.get_usage_plan_keys(usagePlanId=plan["id"])["items"]
            if key_ids & {k["id"] for k in plan_keys}:
                return True
        return False

    def _body_problem(self, content_type: str | None, body: bytes) -> Reply | None:
        media_type = (content_type or JSON_TYPE).split(";", 1)[0].strip().lower()
        if media_type != JSON_TYPE:
            # Only application/json has a request template (passthrough NEVER): 415.
            return json_reply(415, message_body(UNSUPPORTED_MEDIA_TYPE_MESSAGE))
        try:
            document = json.loads(body)
        except ValueError as exc:
            return json_reply(400, message_body(INVALID_BODY_MESSAGE, detail=f"not JSON: {exc}"))
        errors = sorted(self.validator.iter_errors(document), key=lambda e: list(e.path))
        if errors:
            detail = "; ".join(_describe(error) for error in errors)
            return json_reply(400, message_body(INVALID_BODY_MESSAGE, detail=detail))
        return None

    def _invoke(self, endpoint_name: str, body: bytes) -> Reply:
        url = f"{self.runtime_url}/endpoints/{quote(endpoint_name, safe='')}/invocations"
        request = AWSRequest(
            method="POST",
            url=url,
            data=body,
            headers={"Content-Type": JSON_TYPE, "Accept": JSON_TYPE},
        )
        SigV4Auth(self.credentials, RUNTIME_SIGNING_SERVICE, self.region).add_auth(request)
        try:
            response = self.http.post(
                url,
                data=body,
                headers=dict(request.headers.items()),
                timeout=INTEGRATION_TIMEOUT_SECONDS,
            )
        except requests.RequestException as exc:
            log.error("runtime unreachable at %s: %s", url, exc)
            return json_reply(504, message_body("Endpoint request timed out"))
        status, out = map_runtime_response(response.status_code, response.content)
        return json_reply(status, out)


def _describe(error: jsonschema.ValidationError) -> str:
    where = "/".join(str(p) for p in error.absolute_path) or "body"
    if error.validator == "oneOf":
        return (
            f"{where}: expected {{'instances': [[numbers]]}}, {{'features': [numbers]}}, "
            "a list of rows or one row of numbers"
        )
    return f"{where}: {error.message}"


def json_reply(status: int, body: bytes) -> Reply:
    return Reply(status, body, {"Content-Type": JSON_TYPE})
