"""API Gateway resources in templates, as CloudFormation makes them: moto 5.2.5 creates the
RestApi, Resource, Method and Deployment but skips Stage, ApiKey, UsagePlan, UsagePlanKey,
Model, RequestValidator and GatewayResponse (still reporting CREATE_COMPLETE, dropping outputs
that `Ref` them) and keeps the RestApi after the stack is deleted.

Each maker below creates one skipped type through moto's own API Gateway backend, so the API
Gateway API (`get-stage`, `get-api-key`, `get-usage-plan-keys`, ...) answers as on AWS, and
returns its physical id with how to delete it with the stack; `local_aws.template_types` lists
them and registers them with moto's template parser.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from typing import Any

from moto.apigateway import models as apigw
from moto.apigateway.exceptions import NotFoundException

Made = tuple[str, Callable[[], None]]  # the physical id (what `Ref` gives) and how to delete it


def backend_for(account_id: str, region_name: str) -> Any:
    return apigw.apigateway_backends[account_id][region_name]


def quietly(action: Any, *args: Any, **kwargs: Any) -> None:
    """Delete, treating "already gone" (the RestApi went first) as done, as CloudFormation does."""
    with contextlib.suppress(KeyError, NotFoundException):
        action(*args, **kwargs)


def stage(props: dict[str, Any], name: str, account_id: str, region_name: str) -> Made:
    backend = backend_for(account_id, region_name)
    api_id, stage_name = props["RestApiId"], props["StageName"]
    backend.create_stage(
        api_id,
        stage_name,
        props["DeploymentId"],
        variables=props.get("Variables"),
        description=props.get("Description", ""),
        tracing_enabled=props.get("TracingEnabled"),
    )
    return stage_name, lambda: quietly(backend.delete_stage, api_id, stage_name)


def api_key(props: dict[str, Any], name: str, account_id: str, region_name: str) -> Made:
    backend = backend_for(account_id, region_name)
    payload = {
        "name": props.get("Name", name),
        "description": props.get("Description", ""),
        "enabled": bool(props.get("Enabled", False)),
    }
    if "Value" in props:
        payload["value"] = props["Value"]
    key = backend.create_api_key(payload)
    return key.id, lambda: quietly(backend.delete_api_key, key.id)


def usage_plan(props: dict[str, Any], name: str, account_id: str, region_name: str) -> Made:
    backend = backend_for(account_id, region_name)
    payload: dict[str, Any] = {
        "name": props.get("UsagePlanName", name),
        "description": props.get("Description", ""),
        "apiStages": [
            {"apiId": s["ApiId"], "stage": s["Stage"]} for s in props.get("ApiStages", [])
        ],
    }
    if throttle := props.get("Throttle"):
        payload["throttle"] = {
            "rateLimit": throttle.get("RateLimit", 0),
            "burstLimit": throttle.get("BurstLimit", 0),
        }
    if quota := props.get("Quota"):
        payload["quota"] = {"limit": quota["Limit"], "period": quota["Period"]}
    plan = backend.create_usage_plan(payload)
    return plan.id, lambda: quietly(backend.delete_usage_plan, plan.id)


def usage_plan_key(props: dict[str, Any], name: str, account_id: str, region_name: str) -> Made:
    backend = backend_for(account_id, region_name)
    plan_id, key_id = props["UsagePlanId"], props["KeyId"]
    backend.create_usage_plan_key(plan_id, {"keyId": key_id, "keyType": props["KeyType"]})
    return key_id, lambda: quietly(backend.delete_usage_plan_key, plan_id, key_id)


def model(props: dict[str, Any], name: str, account_id: str, region_name: str) -> Made:
    backend = backend_for(account_id, region_name)
    api_id, model_name = props["RestApiId"], props.get("Name", name)
    schema = props.get("Schema", {})
    backend.create_model(
        api_id,
        model_name,
        content_type=props.get("ContentType", "application/json"),
        description=props.get("Description", ""),
        schema=schema if isinstance(schema, str) else json.dumps(schema),
    )
    return model_name, lambda: quietly(backend.delete_model, api_id, model_name)


def request_validator(props: dict[str, Any], name: str, account_id: str, region_name: str) -> Made:
    backend = backend_for(account_id, region_name)
    api_id = props["RestApiId"]
    validator = backend.create_request_validator(
        api_id,
        props.get("Name", name),
        bool(props.get("ValidateRequestBody")),
        bool(props.get("ValidateRequestParameters")),
    )
    return validator.id, lambda: quietly(backend.delete_request_validator, api_id, validator.id)


def gateway_response(props: dict[str, Any], name: str, account_id: str, region_name: str) -> Made:
    backend = backend_for(account_id, region_name)
    api_id, response_type = props["RestApiId"], props["ResponseType"]
    backend.put_gateway_response(
        api_id,
        response_type,
        status_code=props.get("StatusCode"),
        response_parameters=props.get("ResponseParameters", {}),
        response_templates=props.get("ResponseTemplates", {}),
    )
    return response_type, lambda: quietly(backend.delete_gateway_response, api_id, response_type)


def deployment_ref_is_its_id() -> None:
    """AWS: `Ref` of an `AWS::ApiGateway::Deployment` is its id (a Stage's `DeploymentId`);
    moto's Deployment had no physical id, so a Stage could not name it."""
    apigw.Deployment.physical_resource_id = property(lambda self: self.id)  # type: ignore[attr-defined]


def deleted_stack_deletes_rest_api() -> None:
    """AWS deletes a stack's `AWS::ApiGateway::RestApi` with the stack; moto kept it (so
    `clients.verify_teardown` found "public APIs: 1 left" after `cdk destroy`)."""

    def delete_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str
    ) -> None:
        quietly(backend_for(account_id, region_name).delete_rest_api, resource_name)

    def delete(self: Any, account_id: str, region_name: str) -> None:
        quietly(backend_for(account_id, region_name).delete_rest_api, self.id)

    apigw.RestAPI.delete_from_cloudformation_json = classmethod(delete_from_cloudformation_json)  # type: ignore[assignment]
    apigw.RestAPI.delete = delete  # type: ignore[attr-defined]
