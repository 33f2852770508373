"""API Gateway resources in templates, as CloudFormation makes them: moto 5.2.5 creates the
RestApi, Resource, Method and Deployment but skips Stage, ApiKey, UsagePlan, UsagePlanKey,
Model, RequestValidator and GatewayResponse (still reporting CREATE_COMPLETE, dropping outputs
that `Ref` them) and keeps the RestApi after the stack is deleted.

Each model below creates its resource through moto's own API Gateway backend, so the API
Gateway API (`get-stage`, `get-api-key`, `get-usage-plan-keys`, ...) answers as on AWS, and
deletes it with the stack. They subclass `CloudFormationModel` directly: that is how moto's
template parser finds resource types (`CloudFormationModel.__subclasses__()`).
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

from moto.apigateway import models as apigw
from moto.apigateway.exceptions import NotFoundException
from moto.core.common_models import CloudFormationModel


def _backend(account_id: str, region_name: str) -> Any:
    return apigw.apigateway_backends[account_id][region_name]


def _quietly(action: Any, *args: Any, **kwargs: Any) -> None:
    """Delete, treating "already gone" (the RestApi went first) as done, as CloudFormation does."""
    with contextlib.suppress(KeyError, NotFoundException):
        action(*args, **kwargs)


class _TemplateResource:
    """A resource this patch made: its physical id (what `Ref` returns) and how to delete it.
    Mixed into direct `CloudFormationModel` subclasses: moto lists only direct subclasses."""

    type_name = ""

    def __init__(self, physical_id: str, delete: Any) -> None:
        self.physical_id = physical_id
        self._delete = delete

    @property
    def physical_resource_id(self) -> str:
        return self.physical_id

    def delete(self, account_id: str, region_name: str) -> None:
        self._delete()

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return False

    @staticmethod
    def cloudformation_name_type() -> str:
        return ""


class ApiGatewayStage(_TemplateResource, CloudFormationModel):
    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGateway::Stage"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> ApiGatewayStage:
        props = cloudformation_json["Properties"]
        backend = _backend(account_id, region_name)
        api_id, name = props["RestApiId"], props["StageName"]
        backend.create_stage(
            api_id,
            name,
            props["DeploymentId"],
            variables=props.get("Variables"),
            description=props.get("Description", ""),
            tracing_enabled=props.get("TracingEnabled"),
        )
        return cls(name, lambda: _quietly(backend.delete_stage, api_id, name))


class ApiGatewayApiKey(_TemplateResource, CloudFormationModel):
    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGateway::ApiKey"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> ApiGatewayApiKey:
        props = cloudformation_json.get("Properties", {})
        backend = _backend(account_id, region_name)
        payload = {
            "name": props.get("Name", resource_name),
            "description": props.get("Description", ""),
            "enabled": bool(props.get("Enabled", False)),
        }
        if "Value" in props:
            payload["value"] = props["Value"]
        key = backend.create_api_key(payload)
        return cls(key.id, lambda: _quietly(backend.delete_api_key, key.id))


class ApiGatewayUsagePlan(_TemplateResource, CloudFormationModel):
    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGateway::UsagePlan"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> ApiGatewayUsagePlan:
        props = cloudformation_json.get("Properties", {})
        backend = _backend(account_id, region_name)
        payload: dict[str, Any] = {
            "name": props.get("UsagePlanName", resource_name),
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
        return cls(plan.id, lambda: _quietly(backend.delete_usage_plan, plan.id))


class ApiGatewayUsagePlanKey(_TemplateResource, CloudFormationModel):
    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGateway::UsagePlanKey"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> ApiGatewayUsagePlanKey:
        props = cloudformation_json["Properties"]
        backend = _backend(account_id, region_name)
        plan_id, key_id = props["UsagePlanId"], props["KeyId"]
        backend.create_usage_plan_key(plan_id, {"keyId": key_id, "keyType": props["KeyType"]})
        return cls(key_id, lambda: _quietly(backend.delete_usage_plan_key, plan_id, key_id))


class ApiGatewayModel(_TemplateResource, CloudFormationModel):
    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGateway::Model"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> ApiGatewayModel:
        props = cloudformation_json["Properties"]
        backend = _backend(account_id, region_name)
        api_id, name = props["RestApiId"], props.get("Name", resource_name)
        schema = props.get("Schema", {})
        backend.create_model(
            api_id,
            name,
            content_type=props.get("ContentType", "application/json"),
            description=props.get("Description", ""),
            schema=schema if isinstance(schema, str) else json.dumps(schema),
        )
        return cls(name, lambda: _quietly(backend.delete_model, api_id, name))


class ApiGatewayRequestValidator(_TemplateResource, CloudFormationModel):
    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGateway::RequestValidator"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> ApiGatewayRequestValidator:
        props = cloudformation_json["Properties"]
        backend = _backend(account_id, region_name)
        api_id = props["RestApiId"]
        validator = backend.create_request_validator(
            api_id,
            props.get("Name", resource_name),
            bool(props.get("ValidateRequestBody")),
            bool(props.get("ValidateRequestParameters")),
        )
        return cls(
            validator.id,
            lambda: _quietly(backend.delete_request_validator, api_id, validator.id),
        )


class ApiGatewayGatewayResponse(_TemplateResource, CloudFormationModel):
    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGateway::GatewayResponse"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> ApiGatewayGatewayResponse:
        props = cloudformation_json["Properties"]
        backend = _backend(account_id, region_name)
        api_id, response_type = props["RestApiId"], props["ResponseType"]
        backend.put_gateway_response(
            api_id,
            response_type,
            status_code=props.get("StatusCode"),
            response_parameters=props.get("ResponseParameters", {}),
            response_templates=props.get("ResponseTemplates", {}),
        )
        return cls(
            response_type,
            lambda: _quietly(backend.delete_gateway_response, api_id, response_type),
        )


TEMPLATE_TYPES = (
    ApiGatewayStage,
    ApiGatewayApiKey,
    ApiGatewayUsagePlan,
    ApiGatewayUsagePlanKey,
    ApiGatewayModel,
    ApiGatewayRequestValidator,
    ApiGatewayGatewayResponse,
)


def api_gateway_types_in_templates() -> None:
    """AWS creates (and deletes with the stack) a template's Stage, ApiKey, UsagePlan,
    UsagePlanKey, Model, RequestValidator and GatewayResponse; moto skipped them, so the
    `PublicApiKeyId` output was dropped and `PublicApiUrl` read stage "None"."""
    from moto.cloudformation import parsing

    parsing.get_model_map.cache_clear()
    parsing.get_name_type_map.cache_clear()
    missing = [t for t in TEMPLATE_TYPES if t.cloudformation_type() not in parsing.get_model_map()]
    if missing:
        raise RuntimeError(f"moto did not register {missing}")


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
        _quietly(_backend(account_id, region_name).delete_rest_api, resource_name)

    def delete(self: Any, account_id: str, region_name: str) -> None:
        _quietly(_backend(account_id, region_name).delete_rest_api, self.id)

    apigw.RestAPI.delete_from_cloudformation_json = classmethod(delete_from_cloudformation_json)  # type: ignore[assignment]
    apigw.RestAPI.delete = delete  # type: ignore[attr-defined]
