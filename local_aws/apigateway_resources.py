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

from typing import Any

from moto.apigateway import models as apigw
from moto.core.common_models import CloudFormationModel

from local_aws.apigateway_base import TemplateResource, backend_for, quietly
from local_aws.apigateway_request_checks import (
    ApiGatewayGatewayResponse,
    ApiGatewayModel,
    ApiGatewayRequestValidator,
)


class ApiGatewayStage(TemplateResource, CloudFormationModel):
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
        backend = backend_for(account_id, region_name)
        api_id, name = props["RestApiId"], props["StageName"]
        backend.create_stage(
            api_id,
            name,
            props["DeploymentId"],
            variables=props.get("Variables"),
            description=props.get("Description", ""),
            tracing_enabled=props.get("TracingEnabled"),
        )
        return cls(name, lambda: quietly(backend.delete_stage, api_id, name))


class ApiGatewayApiKey(TemplateResource, CloudFormationModel):
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
        backend = backend_for(account_id, region_name)
        payload = {
            "name": props.get("Name", resource_name),
            "description": props.get("Description", ""),
            "enabled": bool(props.get("Enabled", False)),
        }
        if "Value" in props:
            payload["value"] = props["Value"]
        key = backend.create_api_key(payload)
        return cls(key.id, lambda: quietly(backend.delete_api_key, key.id))


class ApiGatewayUsagePlan(TemplateResource, CloudFormationModel):
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
        backend = backend_for(account_id, region_name)
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
        return cls(plan.id, lambda: quietly(backend.delete_usage_plan, plan.id))


class ApiGatewayUsagePlanKey(TemplateResource, CloudFormationModel):
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
        backend = backend_for(account_id, region_name)
        plan_id, key_id = props["UsagePlanId"], props["KeyId"]
        backend.create_usage_plan_key(plan_id, {"keyId": key_id, "keyType": props["KeyType"]})
        return cls(key_id, lambda: quietly(backend.delete_usage_plan_key, plan_id, key_id))


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
        quietly(backend_for(account_id, region_name).delete_rest_api, resource_name)

    def delete(self: Any, account_id: str, region_name: str) -> None:
        quietly(backend_for(account_id, region_name).delete_rest_api, self.id)

    apigw.RestAPI.delete_from_cloudformation_json = classmethod(delete_from_cloudformation_json)  # type: ignore[assignment]
    apigw.RestAPI.delete = delete  # type: ignore[attr-defined]
